#!/usr/bin/env bash
# Installs what a fresh Debian machine lacks for the tests and the demo. Idempotent: quick when
# everything is there. Debian packages need root (CI and dev containers run as root); otherwise it
# says what to install.
set -euo pipefail
cd "$(dirname "$0")/.."

# libgtk-3-dev, xvfb and xauth: the Moddable SDK's simulator, built and run headless by the moddable tier and `make sim`.
# ccache: the SDK's app builds compile the same engine sources again (scripts/moddable-sdk.mjs uses it when present).
debian_packages=(mosquitto mosquitto-clients openssl build-essential ccache imagemagick chromium valgrind libgtk-3-dev xvfb xauth)
missing=()
for package in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "setup: please install: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
fi
# The Debian package starts a system broker on 1883; the project runs its own brokers on free ports.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  systemctl stop mosquitto || true
fi

# npm 11 runs install scripts only for packages in package.json's allowScripts (xsnap compiles XS there).
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi

worker=node_modules/@agoric/xsnap/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker
if [ ! -x "$worker" ]; then
  echo "setup: the XS engine (xsnap-worker) was not built by @agoric/xsnap's install script; rebuilding it"
  npm rebuild @agoric/xsnap --loglevel=error
fi
if [ ! -x "$worker" ]; then
  echo "setup: FAILED: $worker is missing after 'npm rebuild @agoric/xsnap' (see its output above)" >&2
  exit 1
fi
bash scripts/build-xsnap.sh

# The Moddable SDK: the user's $MODDABLE, or the project's copy built once under .tmp/ (exit 3: none
# beside this checkout; the moddable tier then reports itself skipped).
status=0
bash scripts/moddable-sdk.sh >/dev/null || status=$?
if [ "$status" != 0 ] && [ "$status" != 3 ]; then
  echo "setup: FAILED: the Moddable SDK did not build (scripts/moddable-sdk.sh above)" >&2
  exit 1
fi
