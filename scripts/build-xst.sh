#!/usr/bin/env bash
# Builds the Moddable SDK's own XS test shell (xst, the SDK's XS 17.x engine) as a release binary,
# out of the SDK's tree, into build/xst/bin/lin/release/xst, for bench/device-time.bench.ts (the
# device-time estimate: instruction counts under valgrind's callgrind). Built the way a device release
# build runs XS: -O3, without mxDebug and mxProfile (the SDK's xst.mk always sets both; the copy of
# its makefile in build/xst/ drops them). Nothing is written into the SDK. About 25 s on 2 cores, once;
# make skips it afterwards.
# The SDK is the one scripts/moddable-sdk.sh --check names ($MODDABLE, or the project's copy).
# Prints the binary's path as its last line; exit 3 (and no path) when there is no SDK with XS sources.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sdk=$(bash "$root/scripts/moddable-sdk.sh" --check 2>/dev/null | tail -n 1) || exit 3
makefile="$sdk/xs/makefiles/lin/xst.mk"
if [ ! -f "$makefile" ]; then
  echo "build-xst: no XS sources in ${sdk:-the SDK} ($makefile)" >&2
  exit 3
fi
out="$root/build/xst"
mkdir -p "$out"
sed -e 's/-DmxDebug=1 /-DmxDebugOff=1 /' -e 's/-DmxProfile=1 /-DmxProfileOff=1 /' "$makefile" > "$out/xst-release.mk.new"
if ! cmp -s "$out/xst-release.mk.new" "$out/xst-release.mk"; then
  mv "$out/xst-release.mk.new" "$out/xst-release.mk"
  rm -rf "$out/bin" "$out/tmp"
else
  rm "$out/xst-release.mk.new"
fi
log="$out/build.log"
if ! make -C "$sdk/xs/makefiles/lin" -f "$out/xst-release.mk" GOAL=release XS_DIR="$sdk/xs" BUILD_DIR="$out" -j2 >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "build-xst: FAILED (log: $log)" >&2
  exit 1
fi
echo "$out/bin/lin/release/xst"
