#!/bin/sh
# Every mutant patch still applies exactly (no fuzz) to ref/src, says in its
# first line what mistake it makes, and touches nothing but ref/src.
# Run from the top of the tree; takes well under a second per patch.
dir=conformance/mutants
n=0 bad=0
for p in "$dir"/[0-9][0-9]-*.patch; do
    [ -e "$p" ] || continue
    n=$((n + 1))
    case "$(head -n 1 "$p")" in
        ""|---*|+++*|@@*) echo "$p: first line must describe the mistake"; bad=$((bad + 1)); continue ;;
    esac
    if grep '^+++ ' "$p" | grep -qv '^+++ b/ref/src/'; then
        echo "$p: patches something outside ref/src"; bad=$((bad + 1)); continue
    fi
    if ! out=$(patch -p1 -N --dry-run --fuzz=0 -s -i "$p" </dev/null 2>&1); then
        echo "$p: no longer applies; regenerate it (sh $dir/refresh.sh $p) or rewrite it"
        printf '%s\n' "$out" | sed 's/^/    /'
        bad=$((bad + 1))
    fi
done
[ "$n" -gt 0 ] || { echo "mutants: no patches found"; exit 1; }
echo "mutants: $((n - bad)) of $n patches apply"
[ "$bad" -eq 0 ]
