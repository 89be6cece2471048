#!/usr/bin/env bash
# Finds or builds the Moddable SDK the simulator tier, `make sim` and `make esp32` use, and prints its
# path (the value for MODDABLE) as the last line of its output.
#   1. $MODDABLE, when set: the user's own SDK (installed by its getting-started guide or xs-dev).
#      Its Linux tools must already be built (build/bin/lin/release/mcconfig).
#   2. Otherwise the project's trimmed copy of the public SDK in ../shared/moddable-sdk (next to this
#      checkout, or next to the checkout it was cloned from), copied once to .tmp/moddable-sdk-<VERSION>
#      and built there: xsc, xsl, mcconfig, mcrun and the simulator (mcsim), about 2 minutes on 2 cores.
#      Later runs reuse the copy. Nothing is ever written into shared/.
# Exit code 3 (and no path) when no SDK can be found: callers report their tier as skipped.
#   scripts/moddable-sdk.sh [--check]   --check: only say which SDK would be used, never build
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
check_only=${1:-}

say() { echo "moddable-sdk: $*" >&2; }

if [ -n "${MODDABLE:-}" ]; then
  if [ ! -x "$MODDABLE/build/bin/lin/release/mcconfig" ]; then
    say "MODDABLE=$MODDABLE has no Linux tools (build/bin/lin/release/mcconfig): build them as the SDK's"
    say "getting-started guide says (cd \$MODDABLE/build/makefiles/lin && make), or unset MODDABLE to use the project's copy"
    exit 1
  fi
  echo "$MODDABLE"
  exit 0
fi

source_sdk=""
candidates=("$root/../shared/moddable-sdk")
origin=$(git -C "$root" remote get-url origin 2>/dev/null || true)
[ -n "$origin" ] && [ -d "$origin" ] && candidates+=("$origin/../shared/moddable-sdk")
for candidate in "${candidates[@]}"; do
  if [ -f "$candidate/tools/VERSION" ]; then source_sdk=$(cd "$candidate" && pwd); break; fi
done
if [ -z "$source_sdk" ]; then
  say "no Moddable SDK: MODDABLE is not set and there is no ../shared/moddable-sdk beside this checkout"
  exit 3
fi

version=$(tr -d '[:space:]' < "$source_sdk/tools/VERSION")
sdk="$root/.tmp/moddable-sdk-$version"
stamp="$sdk/.makapix-built"
if [ -f "$stamp" ]; then echo "$sdk"; exit 0; fi
if [ "$check_only" = "--check" ]; then say "would build $source_sdk into $sdk"; echo "$sdk"; exit 0; fi

for package in libgtk-3-dev xvfb; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    if [ "$(id -u)" = 0 ]; then
      say "installing $package"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" xauth >/dev/null
    else
      say "please install: sudo apt-get install libgtk-3-dev xvfb"; exit 1
    fi
  fi
done

say "building Moddable SDK $version from $source_sdk into $sdk (once; about 2 minutes)"
rm -rf "$sdk"
mkdir -p "$root/.tmp"
cp -a "$source_sdk" "$sdk"
chmod -R u+w "$sdk"
export MODDABLE="$sdk"
export PATH="$sdk/build/bin/lin/release:$root/node_modules/.bin:$PATH"
log="$root/.tmp/moddable-sdk-build.log"
if ! make -C "$sdk/build/makefiles/lin" -j2 >"$log" 2>&1; then
  tail -n 30 "$log" >&2
  say "FAILED: the SDK's Linux tools did not build (whole log: $log)"
  exit 1
fi
# tools/xsbug-log runs the simulator headless and prints trace(); its one dependency comes from npm.
(cd "$sdk/tools/xsbug-log" && npm install --no-audit --no-fund --loglevel=error >>"$log" 2>&1) || {
  say "FAILED: npm install in $sdk/tools/xsbug-log (log: $log)"; exit 1; }
date -u +%FT%TZ > "$stamp"
say "built"
echo "$sdk"
