#!/bin/sh
# Regenerates mutant patches against the current ref/src after the sources
# changed around them: applies each with patch's usual fuzz to a scratch
# copy, then rewrites it with `diff -u`, keeping its description line.
# A patch whose change itself no longer applies must be rewritten by hand.
#   sh conformance/mutants/refresh.sh [PATCH...]   (default: all of them)
set -u
[ $# -gt 0 ] || set -- conformance/mutants/[0-9][0-9]-*.patch
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
status=0
for p in "$@"; do
    rm -rf "$tmp/a" "$tmp/b"
    files=$(sed -n 's|^+++ b/\([^	]*\).*|\1|p' "$p")
    for f in $files; do
        mkdir -p "$tmp/a/$(dirname "$f")" "$tmp/b/$(dirname "$f")"
        cp "$f" "$tmp/a/$f" && cp "$f" "$tmp/b/$f"
    done
    if ! patch -d "$tmp/b" -p1 -N -s --no-backup-if-mismatch -r - -i "$PWD/$p" </dev/null; then
        echo "$p: does not apply even with fuzz; rewrite it"
        status=1
        continue
    fi
    head -n 1 "$p" >"$tmp/new"
    for f in $files; do
        (cd "$tmp" && diff -u --label "a/$f" --label "b/$f" "a/$f" "b/$f") >>"$tmp/new"
    done
    if cmp -s "$tmp/new" "$p"; then :; else cp "$tmp/new" "$p" && echo "$p: regenerated"; fi
done
exit $status
