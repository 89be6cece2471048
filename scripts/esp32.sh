#!/usr/bin/env bash
# Builds the firmware for an ESP32 board with the Moddable SDK, and flashes it.
#   scripts/esp32.sh build [BOARD]          release build into build/esp32 (make esp32 BOARD=...)
#   scripts/esp32.sh flash [BOARD] [PORT]   build, flash over PORT, then show the serial log (make flash)
# BOARD: esp32s3 (default: Adafruit MatrixPortal S3, -p esp32/esp32s3) or esp32 (a generic ESP32 DevKit
# with a HUB75 shield, -p esp32); any other subplatform of the SDK's build/devices/esp32/targets also
# builds, with the generic DevKit settings. Board settings: docs/esp32.md.
# Needs ESP-IDF (IDF_PATH); without it, says what is missing and how to install it, and exits 1.
# The board's own settings come from MAKAPIX_API_CA, MAKAPIX_API and MAKAPIX_WIFI (make esp32 API_CA=…
# API=… WIFI=…): scripts/esp32-board-manifest.mjs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
action=${1:?usage: scripts/esp32.sh build|flash [BOARD] [PORT]}
board=${2:-esp32s3}
port=${3:-}

say() { echo "esp32: $*" >&2; }

sdk_status=0
sdk_out=$(bash "$root/scripts/moddable-sdk.sh") || sdk_status=$?
if [ "$sdk_status" -eq 3 ]; then
  say "no Moddable SDK: set MODDABLE to an SDK whose Linux tools are built (its getting-started guide,"
  say "or xs-dev: xs-dev setup), or put the project's copy at ../shared/moddable-sdk"
  exit 1
elif [ "$sdk_status" -ne 0 ]; then
  exit "$sdk_status"
fi
export MODDABLE=$(printf '%s\n' "$sdk_out" | tail -n 1)
export PATH="$MODDABLE/build/bin/lin/release:$root/node_modules/.bin:$PATH"   # mcconfig, xsc, xsl; tsc 7

if [ "$board" = esp32 ]; then
  platform=esp32
elif [ -d "$MODDABLE/build/devices/esp32/targets/$board" ]; then
  platform="esp32/$board"
else
  say "unknown BOARD=$board: use esp32s3 (Adafruit MatrixPortal S3) or esp32 (ESP32 DevKit + HUB75 shield),"
  say "or a subplatform listed in $MODDABLE/build/devices/esp32/targets"
  exit 1
fi

expected=$(node -e 'console.log(JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).build.EXPECTED_ESP_IDF)' \
  "$MODDABLE/build/devices/esp32/manifest.json")
major_minor() { echo "$1" | sed -E 's/^v?([0-9]+)\.([0-9]+).*/\1.\2/'; }
install_steps() {
  cat >&2 <<EOF
esp32: install ESP-IDF $expected (the version Moddable SDK $(cat "$MODDABLE/tools/VERSION" 2>/dev/null || echo "") expects), as the SDK's
esp32:   ESP32 guide says (documentation/devices/esp32.md, "Linux" > "Installing"):
esp32:   1. sudo apt-get install git wget flex bison gperf python3 python3-pip python3-venv cmake ninja-build \\
esp32:        ccache libffi-dev libssl-dev dfu-util libusb-1.0-0
esp32:   2. mkdir -p ~/esp32 && cd ~/esp32
esp32:      git clone -b $expected --recursive https://github.com/espressif/esp-idf.git esp-idf-$expected
esp32:   3. echo 'export IDF_PATH=\$HOME/esp32/esp-idf-$expected' >> ~/.bashrc   (then open a new shell)
esp32:   4. cd \$IDF_PATH && ./install.sh      (downloads the cross-compilers and Python tools)
esp32:   5. make esp32 BOARD=$board            (mcconfig sources \$IDF_PATH/export.sh itself when idf.py is not on PATH)
esp32: Serial port access for make flash: sudo adduser \$USER dialout, then log in again.
EOF
}

if [ -z "${IDF_PATH:-}" ]; then
  say "ESP-IDF is missing: IDF_PATH is not set, so mcconfig cannot build for $platform."
  install_steps
  exit 1
fi
if [ ! -f "$IDF_PATH/export.sh" ] || [ ! -f "$IDF_PATH/tools/idf.py" ]; then
  say "ESP-IDF is missing: IDF_PATH=$IDF_PATH is not an ESP-IDF checkout (no export.sh or tools/idf.py)."
  install_steps
  exit 1
fi
found=$(git -C "$IDF_PATH" describe --always --abbrev=0 2>/dev/null || echo unknown)
if [ "$(major_minor "$found")" != "$(major_minor "$expected")" ]; then
  say "ESP-IDF at IDF_PATH=$IDF_PATH is $found; the Moddable SDK needs $expected. Update it:"
  say "  cd \$IDF_PATH && git fetch --tags && git checkout $expected && git submodule update --init --recursive && ./install.sh"
  exit 1
fi

out="$root/build/esp32"
mkdir -p "$out"
cd "$root"
# The board's settings (API CA, API, build Wi-Fi) from the environment: make esp32 API_CA=… WIFI=…
manifest=$(node "$root/scripts/esp32-board-manifest.mjs" "$out")
if [ -z "${MAKAPIX_API_CA:-}" ]; then
  say "note: no API_CA=<pem>: this build cannot register, renew or show art before registration;"
  say "      certificates pasted over serial (make provision CERTS=…) still work. docs/esp32.md says how to get the CA."
fi
say "building for $platform (release) into $out"
if [ "$action" = build ]; then
  mcconfig -m -p "$platform" -t build -o "$out" "$manifest"
  say "built: $(find "$out/bin" -name xs_esp32.bin 2>/dev/null | head -n 1)"
elif [ "$action" = flash ]; then
  # The SDK's default target builds, flashes (idf.py flash) and then opens idf.py monitor on the
  # port (Ctrl-] leaves it). Without PORT, idf.py picks the serial port itself.
  if [ -n "$port" ]; then export UPLOAD_PORT="$port"; fi
  say "flashing over ${port:-the port idf.py detects}"
  mcconfig -m -p "$platform" -o "$out" "$manifest"
else
  say "unknown action $action (build or flash)"
  exit 1
fi
