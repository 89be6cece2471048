#!/usr/bin/env bash
# Builds two standalone XS command-line engines from the sources shipped in the installed
# @agoric/xsnap package (XS 13.3), out of the source tree, into build/xsnap/bin/:
#   xsnap       runs scripts (*.js) and modules (*.mjs): the XS tier of the unit tests (test/xs/run.mjs)
#   xsnap-heap  the same engine compiled with XS's own mxReport switch, so every garbage collection
#               prints "# Chunk collection: ... used N ..." / "# Slot collection: ... used N ..." lines;
#               test/xs/heap.ts reads them to measure live heap bytes
# Also checks that the package's install script built its xsnap-worker (the package is unusable
# without it). Idempotent: make only recompiles what changed; a second run takes well under a second.
# Usage: bash scripts/build-xsnap.sh [--check]   (--check: verify only, build nothing)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
package="$root/node_modules/@agoric/xsnap"
moddable="$package/moddable"
makefiles="$package/xsnap-native/xsnap/makefiles/lin"
worker="$package/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker"
out="$root/build/xsnap"

fail() {
  echo "build-xsnap: $*" >&2
  exit 1
}

[[ "$(uname -s)" == Linux ]] || fail "only Linux is supported (found $(uname -s))"
[[ -d "$package" ]] || fail "@agoric/xsnap is not installed in $root/node_modules: run npm install"
for source in "$makefiles/xsnap.mk" "$moddable/xs/sources/xsAll.c" \
  "$package/xsnap-native/xsnap/sources/xsnap.c"; do
  [[ -f "$source" ]] || fail "missing $source: the @agoric/xsnap package is incomplete; reinstall it (npm ci)"
done
[[ -x "$worker" ]] ||
  fail "missing $worker: @agoric/xsnap was installed without its install script: run npm rebuild @agoric/xsnap"

if [[ "${1:-}" == --check ]]; then
  for binary in "$out/bin/xsnap" "$out/bin/xsnap-heap"; do
    [[ -x "$binary" ]] || fail "missing $binary: run bash scripts/build-xsnap.sh"
  done
  echo "build-xsnap: ok ($("$out/bin/xsnap" -v))"
  exit 0
fi

command -v make >/dev/null || fail "make is required"
command -v "${CC:-cc}" >/dev/null || fail "a C compiler (${CC:-cc}) is required"

# build_variant NAME EXTRA_C_FLAGS: compiles into build/xsnap/tmp/NAME, links build/xsnap/bin/NAME.
# BUILD_DIR/TMP_DIR/BIN_DIR/NAME are plain assignments in xsnap.mk, so command-line values win and
# nothing is written inside node_modules. Extra flags ride on CC: the makefile's C_OPTIONS is
# assembled with += and would be lost if overridden.
build_variant() {
  local name="$1" extra_flags="$2"
  make --no-print-directory -C "$makefiles" -f xsnap.mk GOAL=release \
    MODDABLE="$moddable" BUILD_DIR="$out" NAME="$name" \
    TMP_DIR="$out/tmp/$name" BIN_DIR="$out/bin" \
    CC="${CC:-cc}${extra_flags:+ $extra_flags}" ||
    fail "compiling $name failed (see the compiler output above)"
}

build_variant xsnap ""
build_variant xsnap-heap "-DmxReport=1"

version="$("$out/bin/xsnap" -v)" || fail "$out/bin/xsnap does not run"
echo "build-xsnap: $out/bin/xsnap and xsnap-heap ready ($version)"
