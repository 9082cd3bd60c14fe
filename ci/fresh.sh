#!/bin/bash
# Runs each given make target as the first command in its own bare Debian
# bookworm root: what a new user, or a CI container with nothing but git,
# make and ca-certificates, gets. A target that forgets to install a package
# it uses fails here even when this machine has the package.
#
#   ci/fresh.sh [-j JOBS] [--out DIR] TARGET...        (as root, on Linux)
#
# The root is built once with mmdebstrap (variant minbase, plus git, make
# and ca-certificates) and cached as a tarball in FRESH_CACHE (default
# /var/cache/pyshm-fresh); every target gets a new copy of it, a clone of the
# committed HEAD, /proc, /sys, /dev and a 4 GiB /dev/shm of its own. Results:
# DIR/report.md (target, status, minutes) and DIR/TARGET.log.
# Exit status: 0 when every target passed, 1 otherwise, 2 on a setup error.
set -euo pipefail

jobs=1
out=build/fresh
while [ $# -gt 0 ]; do
    case $1 in
        -j) jobs=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        -*) echo "fresh: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
done
[ $# -gt 0 ] || { echo "usage: ci/fresh.sh [-j JOBS] [--out DIR] TARGET..." >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "fresh: needs root (chroot and mounts)" >&2; exit 2; }
command -v mmdebstrap >/dev/null || { echo "fresh: needs mmdebstrap (make deps-check-fresh)" >&2; exit 2; }

project=$(git rev-parse --show-toplevel)
head=$(git -C "$project" rev-parse --short HEAD)
[ -z "$(git -C "$project" status --porcelain --untracked-files=no)" ] ||
    echo "fresh: uncommitted changes are not tested: each root clones HEAD ($head)" >&2
cache=${FRESH_CACHE:-/var/cache/pyshm-fresh}
base=$cache/bookworm-minbase.tar
mkdir -p "$out"
out=$(cd "$out" && pwd)

if [ ! -s "$base" ]; then
    mkdir -p "$cache"
    echo "fresh: building the base root (once, 2-4 minutes)"
    # This machine's own mirror settings where it has them.
    sources=()
    [ -f /etc/apt/sources.list.d/debian.sources ] && sources=(/etc/apt/sources.list.d/debian.sources)
    mmdebstrap --quiet --variant=minbase --include=git,make,ca-certificates \
        bookworm "$cache/partial.tar" "${sources[@]}"
    mv "$cache/partial.tar" "$base"
fi

# Runs one target in a root of its own; prints "target|status|seconds".
run_one() {
    local target=$1 root log start rc
    root=$(mktemp -d /tmp/pyshm-fresh.XXXXXX)
    log=$out/$target.log
    start=$(date +%s)
    (
        set -e
        trap 'for m in dev/shm dev sys proc; do umount -l "$root/$m" 2>/dev/null || true; done' EXIT
        tar -C "$root" -xf "$base"
        cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
        git clone -q "$project" "$root/project"
        mount -t proc proc "$root/proc"
        mount -t sysfs sys "$root/sys"
        mount --rbind /dev "$root/dev"
        mount --make-rslave "$root/dev"
        mount -t tmpfs -o size=4g,mode=1777 tmpfs "$root/dev/shm"
        chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
            PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
            /bin/bash -c "cd /project && make $target"
    ) >"$log" 2>&1 && rc=0 || rc=$?
    rm -rf --one-file-system "$root"
    echo "$target|$rc|$(( $(date +%s) - start ))"
}

echo "fresh: ${#@} targets in bare bookworm roots, $jobs at a time, from $head; logs in $out"
results=$out/results.txt
: > "$results"
running=0
for target in "$@"; do
    { r=$(run_one "$target"); echo "$r" >> "$results"; echo "fresh: $r" | tr '|' ' '; } &
    running=$((running + 1))
    if [ "$running" -ge "$jobs" ]; then
        wait -n || true
        running=$((running - 1))
    fi
done
wait

failed=0
{
    echo "# Each target as the first command in a bare Debian bookworm root"
    echo
    echo "From commit $head, $(date -u +%Y-%m-%d), $jobs at a time on $(nproc) cores."
    echo
    echo "| target | result | time |"
    echo "|---|---|---|"
    for target in "$@"; do
        IFS='|' read -r _ rc secs < <(grep "^$target|" "$results")
        if [ "$rc" = 0 ]; then status=passed; else status="FAILED (exit $rc)"; failed=1; fi
        printf '| `make %s` | %s | %d min %02d s |\n' "$target" "$status" $((secs / 60)) $((secs % 60))
    done
} > "$out/report.md"
cat "$out/report.md"
for target in "$@"; do
    grep -q "^$target|0|" "$results" && continue
    echo
    echo "== make $target: the end of $out/$target.log"
    tail -n 25 "$out/$target.log"
done
exit $failed
