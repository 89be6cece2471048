# Makapix player firmware. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
NODE ?= node

.PHONY: help setup build check test test-unit test-xs test-oracle test-e2e bench demo certs xsnap clean

help: ## this list
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

setup: ## install what a fresh Debian machine lacks (mosquitto, openssl, npm packages) and build the XS engines
	@bash scripts/setup.sh

build: setup ## transpile TypeScript to build/ (esbuild)
	@$(NODE) scripts/build.mjs

check: setup ## type-check src/ (strict, no Node types) and everything else
	@node_modules/.bin/tsc -p tsconfig.json && node_modules/.bin/tsc -p tsconfig.node.json && echo "types ok"

test: setup ## run every tier: types, unit (Node), xs (XS engine), rig, oracle, e2e (real Mosquitto)
	@$(NODE) scripts/test.mjs

test-unit: setup ## unit tests in Node only
	@$(NODE) scripts/test.mjs unit

test-xs: setup ## the unit tests inside the XS engine only
	@$(NODE) scripts/test.mjs xs

test-oracle: setup ## differential tests against reference libraries (mqtt-packet)
	@$(NODE) scripts/test.mjs oracle

test-e2e: setup ## end-to-end tests against a real Mosquitto with mTLS
	@$(NODE) scripts/test.mjs e2e

bench: setup ## benchmarks: tables of ratios against named peers, Node and XS
	@$(NODE) scripts/build.mjs && $(NODE) bench/run.mjs

demo: setup ## start a local mTLS broker and the virtual device; prints its session (Ctrl-C stops everything)
	@$(NODE) scripts/build.mjs && $(NODE) build/tools/demo.js $(DEMO_ARGS)

certs: ## dev CA, broker and one player certificate under .tmp/certs (private keys stay there)
	@bash certs/make-dev-certs.sh ca .tmp/certs && bash certs/make-dev-certs.sh player .tmp/certs $$(cat /proc/sys/kernel/random/uuid)

xsnap: ## build the standalone xsnap used by the XS test tier
	@bash scripts/build-xsnap.sh

clean: ## remove build outputs
	rm -rf build .tmp
