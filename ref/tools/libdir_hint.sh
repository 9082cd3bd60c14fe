#!/bin/sh
# After `make install` or `make uninstall` (not into a DESTDIR): whether
# programs will find libpyshm.so in LIBDIR, and what to do when they will not.
#
#   libdir_hint.sh install|uninstall LIBDIR RPATH
#
# When LIBDIR is a directory the dynamic linker searches (ldconfig's
# configuration), its cache must learn of the library: as root this runs
# ldconfig, otherwise it says to. When it is not, install says how a program
# linked with -lpyshm finds the library (rpath, LD_LIBRARY_PATH or
# ld.so.conf.d), and whether the installed pyshm does (its RPATH). Linux
# only: elsewhere the loader has no such cache and this says nothing.
set -u
action=$1 libdir=$2 rpath=$3
[ "$(uname -s)" = Linux ] || exit 0
ldconfig=$(command -v ldconfig || echo /sbin/ldconfig)
[ -x "$ldconfig" ] || exit 0

# The directories ldconfig configures, each as "DIR: (from FILE:LINE)".
real() { (cd "$1" 2>/dev/null && pwd -P) || echo "$1"; }
want=$(real "$libdir")
searched=no
for dir in $("$ldconfig" -v -N -X 2>/dev/null | sed -n 's|^\(/[^:]*\):.*|\1|p'); do
    [ "$(real "$dir")" = "$want" ] && searched=yes
done

if [ $searched = yes ]; then
    if [ "$(id -u)" = 0 ]; then
        "$ldconfig" && echo "libpyshm: ran ldconfig, so that programs find the library in $libdir"
    else
        echo "libpyshm: run ldconfig as root, so that programs find the library in $libdir"
    fi
    exit 0
fi
[ "$action" = install ] || exit 0
if [ "$rpath" = "$libdir" ]; then
    tool="The installed pyshm finds the library there (its rpath); another program"
else
    tool="Neither the installed pyshm (its rpath is '$rpath') nor a program"
fi
cat <<MSG
libpyshm: $libdir is not a directory the dynamic linker searches.
$tool
linked with -lpyshm (\`pkg-config --libs pyshm\`) finds it without one of:
  - linking with -Wl,-rpath,$libdir
  - running with LD_LIBRARY_PATH=$libdir
  - $libdir in a file of /etc/ld.so.conf.d/, then ldconfig (as root)
MSG
