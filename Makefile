# Makapix player firmware. `make help` lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash
NODE ?= node

.PHONY: help setup moddable sim build check test test-unit test-xs test-moddable test-oracle test-e2e test-native bench demo certs xsnap clean provision wizard

help: ## this list
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: ## install what a fresh Debian machine lacks (mosquitto, openssl, ccache, imagemagick, chromium, GTK + Xvfb, npm packages), build the XS engines and the Moddable SDK
	@bash scripts/setup.sh

build: setup ## transpile TypeScript to build/ (esbuild)
	@$(NODE) scripts/build.mjs

check: setup ## type-check src/ (strict, no Node types) and everything else
	@node_modules/.bin/tsc -p tsconfig.json && node_modules/.bin/tsc -p tsconfig.node.json && echo "types ok"

test: setup ## run every tier: types, unit (Node), xs (XS engine), rig, native (C), oracle, e2e (real Mosquitto, browser), moddable (the SDK)
	@$(NODE) scripts/test.mjs

test-unit: setup ## unit tests in Node only
	@$(NODE) scripts/test.mjs unit

test-xs: setup ## the unit tests inside the XS engine only
	@$(NODE) scripts/test.mjs xs

test-oracle: setup ## differential tests against reference libraries (mqtt-packet, sharp, ImageMagick, pngjs, upng-js…)
	@$(NODE) scripts/test.mjs oracle

test-moddable: setup ## the real Moddable SDK: unit tests in a preloaded simulator app, linker and ESP32 checks, simulator e2e
	@$(NODE) scripts/test.mjs moddable

moddable: ## build the project's copy of the Moddable SDK once (.tmp/moddable-sdk-VERSION), or check your own MODDABLE
	@bash scripts/moddable-sdk.sh >/dev/null

test-e2e: setup ## end-to-end tests: real Mosquitto (mTLS), demo service and vault, HTTP(S), headless Chromium
	@$(NODE) scripts/test.mjs e2e

# Native C: the HUB75 core and its tests (gcc with AddressSanitizer + UBSan), and a compile of the XS
# binding against the XS headers of @agoric/xsnap with a host stub of the ESP32 peripheral layer.
HUB75 := hosts/esp32/hub75
NATIVE := build/native
XS_INCLUDES := node_modules/@agoric/xsnap/moddable/xs/includes
NATIVE_WARNINGS := -std=c11 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes
NATIVE_SANITIZE := -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
HUB75_CORE := $(HUB75)/hub75_core.c $(HUB75)/hub75_core.h
NATIVE_TEST_SOURCES := test/native/hub75_test.c test/native/panel_sim.c test/native/panel_sim.h test/native/hub75_quality.c test/native/hub75_quality.h

$(NATIVE)/hub75_test: $(HUB75_CORE) $(NATIVE_TEST_SOURCES)
	@mkdir -p $(NATIVE)
	$(CC) $(NATIVE_WARNINGS) $(NATIVE_SANITIZE) -I$(HUB75) -Itest/native $(HUB75)/hub75_core.c test/native/panel_sim.c test/native/hub75_quality.c test/native/hub75_test.c -lm -o $@

# The binding must compile as it will on the device: real xsmc.h, ids looked up by name, stub port.
$(NATIVE)/hub75_xs.o: $(HUB75)/hub75_xs.c $(HUB75)/hub75_port.h $(HUB75)/hub75_core.h test/native/xs_host/hub75_xs_ids.h
	@mkdir -p $(NATIVE)
	$(CC) $(NATIVE_WARNINGS) -DHUB75_XS_HOST_CHECK -I$(XS_INCLUDES) -I$(HUB75) -Itest/native/xs_host -c $< -o $@

$(NATIVE)/hub75_port_stub.o: test/native/hub75_port_stub.c $(HUB75)/hub75_port.h $(HUB75)/hub75_core.h
	@mkdir -p $(NATIVE)
	$(CC) $(NATIVE_WARNINGS) -I$(HUB75) -c $< -o $@

# The USB serial binding (hosts/esp32/usb-serial) against stand-ins of the ESP-IDF headers it uses (v6.0 declarations),
# for a chip with the USB Serial/JTAG controller (ESP32-S3) and one without (the classic ESP32).
USB_SERIAL := hosts/esp32/usb-serial/usb_serial_xs.c
USB_SERIAL_STUBS := test/native/esp-idf-stub/driver/usb_serial_jtag.h test/native/esp-idf-stub/esp_err.h test/native/esp-idf-stub/soc/soc_caps.h
$(NATIVE)/usb_serial_xs.o: $(USB_SERIAL) $(USB_SERIAL_STUBS)
	@mkdir -p $(NATIVE)
	$(CC) $(NATIVE_WARNINGS) -DUSB_SERIAL_XS_HOST_CHECK -I$(XS_INCLUDES) -Itest/native/esp-idf-stub -c $< -o $@

$(NATIVE)/usb_serial_xs_no_controller.o: $(USB_SERIAL) $(USB_SERIAL_STUBS)
	@mkdir -p $(NATIVE)
	$(CC) $(NATIVE_WARNINGS) -DUSB_SERIAL_XS_HOST_CHECK -DSTUB_CHIP_WITHOUT_USB_SERIAL_JTAG -I$(XS_INCLUDES) -Itest/native/esp-idf-stub -c $< -o $@

$(NATIVE)/hub75_bench: bench/hub75_bench.c $(HUB75_CORE) test/native/panel_sim.c test/native/panel_sim.h test/native/hub75_quality.c test/native/hub75_quality.h
	@mkdir -p $(NATIVE)
	$(CC) -std=c11 -Wall -Wextra -Werror -O2 -g -I$(HUB75) -Itest/native bench/hub75_bench.c $(HUB75)/hub75_core.c test/native/panel_sim.c test/native/hub75_quality.c -lm -o $@

# The art (GIF, WebP, PNG, BMP, compositor) and JSON kernels (hosts/moddable/native) are tested inside the
# SDK's xst built with them under ASan + UBSan (scripts/build-xst.sh --art asan) against their TypeScript
# twins: test/native/*.test.ts, two files at a time (each runs one sanitized xst, single-threaded, for a
# minute or two; scripts/build-xst.sh builds one at a time).
test-native: $(NATIVE)/hub75_test $(NATIVE)/hub75_xs.o $(NATIVE)/hub75_port_stub.o $(NATIVE)/usb_serial_xs.o $(NATIVE)/usb_serial_xs_no_controller.o ## C tests (ASan + UBSan): the HUB75 core (chips, scans, chains, dithering, temporal dithering of stills); the art kernels (GIF, WebP, PNG, BMP, compositor) and JSON kernels against their TypeScript twins; the XS bindings compile
	@$(NATIVE)/hub75_test
	@$(NODE) scripts/build.mjs && $(NODE) --test --test-concurrency=2 --test-reporter=tap build/test/native/

bench: setup ## benchmarks: tables of ratios against named peers, Node and XS, and estimated ESP32-S3 times (docs/device-time.md)
	@$(NODE) scripts/build.mjs && $(NODE) bench/run.mjs

demo: setup ## local mTLS broker, demo Makapix service and the virtual device; prints the panel page URL (Ctrl-C stops all); DEMO_ARGS=--fresh: from first boot
	@$(NODE) scripts/build.mjs && $(NODE) build/tools/demo.js $(DEMO_ARGS)

sim: setup ## the firmware as a Moddable app in the SDK's simulator, against a local mTLS broker and the demo service (Ctrl-C stops all); SIM_ARGS=--fresh: from first boot
	@$(NODE) scripts/build.mjs && $(NODE) build/tools/sim.js $(SIM_ARGS)

# Serial provisioning of a board (or, with TCP=host:port, the virtual device or the simulator).
WIFI ?=
CERTS ?=
TCP ?=
PROVISION_ARGS ?=
# The Wi-Fi text goes through the environment untouched ($(value): no make or shell expansion), so a
# password may hold $, quotes or spaces.
provision: export PROVISION_WIFI := $(value WIFI)
provision: ## give a player Wi-Fi and certificates over serial: PORT=/dev/ttyUSB0 (or TCP=host:port) WIFI="ssid:password" [CERTS=dir with ca.pem cert.pem key.pem] [PROVISION_ARGS=--register]
	@$(NODE) scripts/build.mjs && $(NODE) build/tools/provision.js \
	  $(if $(TCP),--tcp "$(TCP)",$(if $(PORT),--port "$(PORT)")) \
	  $(if $(value WIFI),--wifi-env PROVISION_WIFI) $(if $(CERTS),--certs "$(CERTS)") $(PROVISION_ARGS)

wizard: ## panel wizard: test patterns for driver chip, scan, clock phase and speed, confirmed from the keyboard or the board's button: PORT=/dev/ttyUSB0 (or TCP=host:port)
	@$(NODE) scripts/build.mjs && $(NODE) build/tools/provision.js \
	  $(if $(TCP),--tcp "$(TCP)",$(if $(PORT),--port "$(PORT)")) --wizard $(PROVISION_ARGS)

certs: ## dev CA, broker and one player certificate under .tmp/certs (private keys stay there)
	@bash certs/make-dev-certs.sh ca .tmp/certs && bash certs/make-dev-certs.sh player .tmp/certs $$(cat /proc/sys/kernel/random/uuid)

# ESP32 (Moddable SDK + ESP-IDF v6.0). BOARD: esp32s3 = Adafruit MatrixPortal S3 (-p esp32/esp32s3),
# esp32 = ESP32 DevKit with a HUB75 shield (-p esp32). Board settings: docs/esp32.md.
# API_CA: the PEM of the CA the Makapix API's certificate chains to (registration, renewal, art before
# registration); API: another API base; WIFI="ssid:password": Wi-Fi built in for boards without a serial
# provisioning line (MatrixPortal S3). Passed through the environment untouched, like provision's WIFI.
BOARD ?= esp32s3
PORT ?=
API_CA ?=
API ?=
.PHONY: esp32 flash esp32-check esp-idf-check
esp32 flash: export MAKAPIX_API_CA := $(API_CA)
esp32 flash: export MAKAPIX_API := $(API)
esp32 flash: export MAKAPIX_WIFI := $(value WIFI)
esp32: ## release build for a board into build/esp32 (BOARD=esp32s3|esp32 [API_CA=ca.pem] [WIFI="ssid:password"]; needs ESP-IDF: says how to get it)
	@bash scripts/esp32.sh build $(BOARD)

flash: ## build, flash and show the serial log (PORT=/dev/ttyUSB0 or /dev/ttyACM0, BOARD=esp32s3|esp32, API_CA=…, WIFI=…; needs ESP-IDF)
	@bash scripts/esp32.sh flash $(BOARD) $(PORT)

esp32-check: ## without ESP-IDF: both ESP32 builds compile (xsc), link (xsl preload) and include the HUB75 driver and the USB serial binding
	@$(NODE) scripts/esp32-build-check.mjs

esp-idf-check: ## with an ESP-IDF checkout (IDF_PATH=…): hosts/esp32's C compiled by the host gcc against its real headers (the SDK makefile's include dirs); NOT RUN, exit 2, without IDF_PATH
	@$(NODE) scripts/esp-idf-header-check.mjs

xsnap: ## build the standalone xsnap used by the XS test tier
	@bash scripts/build-xsnap.sh

clean: ## remove build outputs and the SDK copy (.tmp)
	rm -rf build .tmp
