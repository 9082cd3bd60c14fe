#!/bin/sh
# Installs the named Debian packages that are missing; does nothing when all
# are present, so every installing target may call it each time.
#
#   deps.sh [--stamp FILE] PACKAGE...
#
# --stamp FILE: rewritten only when something was installed. The Makefile
# includes it (so a failure here stops make) and starts again when it
# changes, so that it sees the new tools.
# NO_INSTALL=1 (or neither root nor sudo): print the missing packages and
# fail, for machines whose packages are provided some other way.
# Not on Debian (no dpkg): say so, name the packages, and let the build go
# on (README lists the Homebrew equivalents).
set -eu
stamp=""
if [ "${1:-}" = "--stamp" ]; then
    stamp=$2
    shift 2
fi

if ! command -v dpkg-query >/dev/null 2>&1; then
    echo "deps: not a Debian system, nothing installed; this needs the equivalents of: $*" >&2
    exit 0
fi

missing_of() {
    out=""
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || out="$out $p"
    done
    echo "$out"
}
missing=$(missing_of "$@")
[ -z "$missing" ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ] && [ -z "${NO_INSTALL:-}" ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        NO_INSTALL="no root and no sudo"
    fi
fi
if [ -n "${NO_INSTALL:-}" ]; then
    echo "deps: missing Debian packages:$missing" >&2
    echo "deps: install them (apt-get install$missing), or run make as root without NO_INSTALL" >&2
    exit 1
fi

echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt or dpkg run to finish rather than fail at once.
APT="$SUDO apt-get -o DPkg::Lock::Timeout=600 -y -qq"
$APT update
# shellcheck disable=SC2086
$APT install --no-install-recommends $missing
still=$(missing_of $missing)
if [ -n "$still" ]; then
    echo "deps: apt-get did not install:$still" >&2
    exit 1
fi
[ -z "$stamp" ] || echo "# make: packages installed by ci/deps.sh:$missing" > "$stamp"
