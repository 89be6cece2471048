#!/usr/bin/env bash
# Builds the Moddable SDK's own XS test shell (xst, the SDK's XS 17.x engine) as a release binary,
# out of the SDK's tree, into build/xst/bin/lin/release/xst, for bench/device-time.bench.ts (the
# device-time estimate: instruction counts under valgrind's callgrind). Built the way a device release
# build runs XS: -O3, without mxDebug and mxProfile (the SDK's xst.mk always sets both; the copy of
# its makefile in build/xst/ drops them). Nothing is written into the SDK. About 25 s on 2 cores, once;
# make skips it afterwards.
# The SDK is the one scripts/moddable-sdk.sh --check names ($MODDABLE, or the project's copy).
# make gets MODDABLE too: xst.mk finds the TextDecoder/TextEncoder/Base64 modules through it.
#   --art release   also links xst-art-release: the same engine with the artwork, BMP and JSON kernels' C
#                   and XS bindings (hosts/moddable/native) as the globals `artNatives`, `bmpNatives` and
#                   `jsonNatives` (test/native/art_kernels_xst.c), for the device-time rows with native kernels
#   --art asan      xst-art-asan: the kernels and their binding built with ASan + UBSan (the engine as
#                   above), for the equivalence tests (test/native/art-kernels.test.ts, json-kernels.test.ts, bmp-kernels.test.ts)
#                   Both also link the PNG kernels (global `pngNatives`) and the SDK's own zlib inflate
#                   (modules/data/zlib: inflate.c and miniz.c, compiled from the SDK unchanged) as the
#                   global `inflateNatives` (test/native/png_xst.c),
#                   the inflater the Moddable host gives the PNG decoder; ASan only for the SDK's C in the
#                   asan variant (miniz reads unaligned words on x86 by design, which UBSan rejects).
# Prints the binary's path as its last line; exit 3 (and no path) when there is no SDK with XS sources.
set -euo pipefail
art=""
if [ "${1:-}" = "--art" ]; then
  art="${2:?--art needs release or asan}"
  case "$art" in release | asan) ;; *) echo "build-xst: --art release|asan" >&2; exit 2 ;; esac
fi
root=$(cd "$(dirname "$0")/.." && pwd)
sdk=$(bash "$root/scripts/moddable-sdk.sh" --check 2>/dev/null | tail -n 1) || exit 3
makefile="$sdk/xs/makefiles/lin/xst.mk"
if [ ! -f "$makefile" ]; then
  echo "build-xst: no XS sources in ${sdk:-the SDK} ($makefile)" >&2
  exit 3
fi
out="$root/build/xst"
mkdir -p "$out"
# One build at a time in build/xst: the native test files run two at a time and each asks for
# xst-art-asan; the second waits here and finds it up to date.
exec 9>"$out/.lock"
flock 9
sed -e 's/-DmxDebug=1 /-DmxDebugOff=1 /' -e 's/-DmxProfile=1 /-DmxProfileOff=1 /' "$makefile" > "$out/xst-release.mk.new"
if ! cmp -s "$out/xst-release.mk.new" "$out/xst-release.mk"; then
  mv "$out/xst-release.mk.new" "$out/xst-release.mk"
  rm -rf "$out/bin" "$out/tmp"
else
  rm "$out/xst-release.mk.new"
fi
log="$out/build.log"
makefile="$out/xst-release.mk"
target=build
binary="$out/bin/lin/release/xst"
if [ -n "$art" ]; then
  # The kernels' objects go to their own directory, with the sanitizers only for the asan variant;
  # the engine's objects are the release build's. The link wraps modInstallBase64 (see art_kernels_xst.c).
  cat > "$out/xst-art.mk" <<EOF_MK
include $out/xst-release.mk
ART_VARIANT ?= release
ART_FLAGS ?=
ART_DIR = \$(BUILD_DIR)/tmp/lin/\$(GOAL)/art-\$(ART_VARIANT)
ART_OBJECTS = \$(ART_DIR)/art_kernels.o \$(ART_DIR)/art_kernels_xs.o \$(ART_DIR)/json_kernels.o \$(ART_DIR)/json_kernels_xs.o \$(ART_DIR)/json_scanner.o \$(ART_DIR)/webp_kernels.o \$(ART_DIR)/webp_kernels_xs.o \$(ART_DIR)/webp_vp8.o \$(ART_DIR)/webp_vp8l.o \$(ART_DIR)/webp_decode_xs.o \$(ART_DIR)/bmp_kernels.o \$(ART_DIR)/bmp_kernels_xs.o \$(ART_DIR)/art_kernels_xst.o
# The PNG path: our PNG kernels (the rule above) and the SDK's inflate, its C as the SDK ships it (no -Werror), test/native/xst-sdk/mc.xs.h for its xsID_ names.
ZLIB_FLAGS ?=
ZLIB_OBJECTS = \$(ART_DIR)/miniz.o \$(ART_DIR)/inflate.o \$(ART_DIR)/png_kernels.o \$(ART_DIR)/png_kernels_xs.o \$(ART_DIR)/png_xst.o
VPATH += $root/hosts/moddable/native $root/test/native $sdk/modules/data/zlib
art: \$(TMP_DIR) \$(BIN_DIR) \$(BIN_DIR)/xst-art-\$(ART_VARIANT)
\$(ART_DIR):
	mkdir -p \$(ART_DIR)
\$(ART_DIR)/%.o: %.c $root/hosts/moddable/native/art_kernels.h $root/hosts/moddable/native/json_kernels.h $root/hosts/moddable/native/webp_kernels.h $root/hosts/moddable/native/webp_vp8.h $root/hosts/moddable/native/webp_vp8l.h $root/hosts/moddable/native/png_kernels.h $root/hosts/moddable/native/bmp_kernels.h $root/hosts/moddable/native/xs_arguments.h | \$(ART_DIR)
	\$(CC) \$< \$(C_OPTIONS) -I$root/hosts/moddable/native -Wall -Wextra -Werror \$(ART_FLAGS) -c -o \$@
\$(ART_DIR)/miniz.o \$(ART_DIR)/inflate.o: \$(ART_DIR)/%.o: $sdk/modules/data/zlib/%.c | \$(ART_DIR)
	\$(CC) \$< \$(C_OPTIONS) -I$root/test/native/xst-sdk \$(ZLIB_FLAGS) -c -o \$@
\$(BIN_DIR)/xst-art-\$(ART_VARIANT): \$(OBJECTS) \$(ART_OBJECTS) \$(ZLIB_OBJECTS)
	\$(CC) \$(LINK_OPTIONS) \$(ART_FLAGS) -Wl,--wrap=modInstallBase64 -Wl,--wrap=modInstallTextEncoder \$(OBJECTS) \$(ART_OBJECTS) \$(ZLIB_OBJECTS) \$(LIBRARIES) -o \$@
EOF_MK
  makefile="$out/xst-art.mk"
  target=art
  binary="$out/bin/lin/release/xst-art-$art"
  flags=""
  zlib_flags=""
  [ "$art" = asan ] && flags="-g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
  [ "$art" = asan ] && zlib_flags="-g -O1 -fsanitize=address -fno-omit-frame-pointer"
  set -- ART_VARIANT="$art" ART_FLAGS="$flags" ZLIB_FLAGS="$zlib_flags"
else
  set --
fi
if ! make -C "$sdk/xs/makefiles/lin" -f "$makefile" GOAL=release MODDABLE="$sdk" XS_DIR="$sdk/xs" BUILD_DIR="$out" "$@" -j2 "$target" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  echo "build-xst: FAILED (log: $log)" >&2
  exit 1
fi
echo "$binary"
