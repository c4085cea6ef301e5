#!/usr/bin/env bash
# Installs the Debian packages the tests use (tests/setup/debian-packages.txt) when
# any is missing, so that `npm ci && npm test` passes on a fresh Debian machine.
# Runs before `npm test` (package.json "pretest") and from .ci/run. Needs root or
# password-less sudo only when something is missing; otherwise it says what to run.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mapfile -t pkgs < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$here/debian-packages.txt")

if ! command -v dpkg >/dev/null 2>&1; then
  echo "system-deps: not a Debian system; make sure these are installed: ${pkgs[*]}" >&2
  exit 0
fi
missing=()
for p in "${pkgs[@]}"; do
  [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "system-deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then as_root=(sudo -n)
else
  echo "system-deps: the tests need these Debian packages: ${missing[*]}" >&2
  echo "system-deps: run as root: apt-get install -y ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq >/dev/null
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
