#!/bin/sh
# make install and make uninstall, into temporary prefixes:
#   - install puts exactly the files of INSTALLED (ref/ref.mk), and
#     uninstall removes every one of them: nothing is left;
#   - the installed pyshm runs with no LD_LIBRARY_PATH, on the installed
#     libpyshm.so (its rpath), and works;
#   - pkg-config --modversion, `pyshm --version`, pyshm_version() of a
#     program built with pkg-config's flags, and the header's PYSHM_VERSION
#     are one number;
#   - install says how to run programs when PREFIX/lib is not a directory
#     the dynamic linker searches, and what it says works (LD_LIBRARY_PATH);
#   - with DESTDIR (a staging root), the same files under DESTDIR, no hint.
#
#   check_install.sh MAKE CC
# Each install builds in a build directory of its own: PREFIX is compiled
# into the library (the watchdog program's path).
set -eu
make=$1 cc=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pyshm-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
failures=0 passed=0
ok() { passed=$((passed + 1)); }
bad() { echo "check-install: FAILED: $*"; failures=$((failures + 1)); }

# The files and links under a directory, relative to it, sorted.
listing() { (cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | sort); }
expected() { $make -s --no-print-directory print-INSTALLED PREFIX="$1" | tr ' ' '\n' | sed '/^$/d' | sort; }

# ---- into a prefix of its own, as a user would ---------------------------
prefix=$tmp/prefix
if ! $make --no-print-directory install PREFIX="$prefix" BUILD="$tmp/build" \
        > "$tmp/install.log" 2>&1; then
    cat "$tmp/install.log"; echo "check-install: make install failed"; exit 1
fi
expected "$prefix" > "$tmp/want"
listing "$prefix" > "$tmp/got"
if diff "$tmp/want" "$tmp/got" > "$tmp/diff"; then ok; else bad "install put other files:"; cat "$tmp/diff"; fi

# The tool: its own library, found by its rpath, nothing in the environment.
tool=$prefix/bin/pyshm
if env -u LD_LIBRARY_PATH "$tool" --version > "$tmp/tool.version" 2>&1; then ok; else bad "the installed pyshm does not run: $(cat "$tmp/tool.version")"; fi
if command -v ldd > /dev/null; then
    if ldd "$tool" | grep -q "libpyshm.so.0 => $prefix/lib/libpyshm.so.0"; then ok
    else bad "the installed pyshm does not load $prefix/lib/libpyshm.so.0:"; ldd "$tool"; fi
fi
name=$(env -u LD_LIBRARY_PATH "$tool" list create 1 "'installed'") || name=
if [ -n "$name" ] && [ "$(env -u LD_LIBRARY_PATH "$tool" list show "$name")" = "[1, 'installed']" ]; then ok
else bad "the installed pyshm cannot create and show a list"; fi
[ -n "$name" ] && env -u LD_LIBRARY_PATH "$tool" unlink "$name"

# One version everywhere.
header=$(sed -n 's/^#define PYSHM_VERSION "\(.*\)"/\1/p' ref/include/pyshm.h)
pc=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --modversion pyshm)
cflags=$(PKG_CONFIG_PATH=$prefix/lib/pkgconfig pkg-config --cflags --libs pyshm)
# shellcheck disable=SC2086
$cc -o "$tmp/version" ref/tests/install/version.c $cflags
# Without an rpath, the program finds this library as install's hint says:
# with LD_LIBRARY_PATH, and not without (it may find another installation).
loads() { env -u LD_LIBRARY_PATH ${1:+LD_LIBRARY_PATH=$1} ldd "$tmp/version" | grep -q "libpyshm.so.0 => $prefix/lib/"; }
if command -v ldd > /dev/null; then
    if loads "" ; then bad "a program linked with -lpyshm found $prefix/lib by itself: the hint is wrong"; else ok; fi
    if loads "$prefix/lib"; then ok; else bad "LD_LIBRARY_PATH=$prefix/lib does not make a program find the library"; fi
fi
grep -q "is not a directory the dynamic linker searches" "$tmp/install.log" && ok ||
    bad "make install gave no hint for a lib directory the linker does not search"
grep -q "LD_LIBRARY_PATH=$prefix/lib" "$tmp/install.log" && ok || bad "the hint names no LD_LIBRARY_PATH"
set -- $(LD_LIBRARY_PATH=$prefix/lib "$tmp/version")
lib=${1:-?} compiled=${2:-?}
tool_version=$(sed -n 's/^pyshm \([^ ]*\)$/\1/p' "$tmp/tool.version")
if [ "$pc" = "$header" ] && [ "$tool_version" = "$header" ] && [ "$lib" = "$header" ] &&
   [ "$compiled" = "$header" ]; then ok
else bad "versions differ: header $header, pkg-config $pc, pyshm --version '$tool_version', pyshm_version() $lib (compiled with $compiled)"; fi

if ! $make --no-print-directory uninstall PREFIX="$prefix" BUILD="$tmp/build" > "$tmp/uninstall.log" 2>&1; then
    cat "$tmp/uninstall.log"; bad "make uninstall failed"
fi
left=$(listing "$prefix")
if [ -z "$left" ]; then ok; else bad "uninstall left: $left"; fi
# A second uninstall finds nothing to remove, and does not fail.
$make --no-print-directory uninstall PREFIX="$prefix" BUILD="$tmp/build" > /dev/null 2>&1 && ok ||
    bad "make uninstall failed with nothing installed"

# ---- into a staging root, as a package is made -------------------------------
stage=$tmp/stage
if ! $make --no-print-directory install DESTDIR="$stage" PREFIX=/opt/pyshm BUILD="$tmp/build2" \
        > "$tmp/stage.log" 2>&1; then
    cat "$tmp/stage.log"; echo "check-install: make install DESTDIR= failed"; exit 1
fi
expected /opt/pyshm > "$tmp/want"
listing "$stage/opt/pyshm" > "$tmp/got"
if diff "$tmp/want" "$tmp/got" > "$tmp/diff" && [ "$(listing "$stage" | grep -vc '^opt/pyshm/')" = 0 ]; then ok
else bad "install with DESTDIR put other files:"; cat "$tmp/diff"; fi
grep -q "libpyshm:" "$tmp/stage.log" && bad "install into a DESTDIR gave a hint about the linker" || ok
grep -q "prefix=/opt/pyshm" "$stage/opt/pyshm/lib/pkgconfig/pyshm.pc" && ok || bad "pyshm.pc names the staging root"
$make --no-print-directory uninstall DESTDIR="$stage" PREFIX=/opt/pyshm BUILD="$tmp/build2" > /dev/null 2>&1 ||
    bad "make uninstall DESTDIR= failed"
left=$(listing "$stage")
if [ -z "$left" ]; then ok; else bad "uninstall with DESTDIR left: $left"; fi

echo "check-install: $passed passed, $failures failed"
[ "$failures" = 0 ]
