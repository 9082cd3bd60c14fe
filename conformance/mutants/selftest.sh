#!/bin/sh
# Every mutant patch still applies exactly (no fuzz) to ref/src, says in its
# first line what mistake it makes, touches nothing but ref/src, and (when
# CC is set, with CFLAGS as the build's) still compiles: a patch that applies
# but no longer builds would be a mutant no check can kill.
# Run from the top of the tree; takes well under a second per patch.
dir=conformance/mutants
n=0 bad=0
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
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
        continue
    fi
    [ -n "${CC:-}" ] || continue
    rm -rf "$tmp/t"
    files=$(sed -n 's|^+++ b/\([^	]*\).*|\1|p' "$p")
    for f in $files; do
        mkdir -p "$tmp/t/$(dirname "$f")" && cp "$f" "$tmp/t/$f"
    done
    patch -d "$tmp/t" -p1 -s --fuzz=0 -i "$PWD/$p" </dev/null >/dev/null
    for f in $files; do
        case "$f" in *.c) ;; *) continue ;; esac
        # shellcheck disable=SC2086
        if ! out=$($CC $CFLAGS -c "$tmp/t/$f" -o "$tmp/t/out.o" 2>&1); then
            echo "$p: applies but no longer compiles (a stillborn mutant); rewrite it"
            printf '%s\n' "$out" | head -n 5 | sed 's/^/    /'
            bad=$((bad + 1))
            break
        fi
    done
done
[ "$n" -gt 0 ] || { echo "mutants: no patches found"; exit 1; }
echo "mutants: $((n - bad)) of $n patches apply${CC:+ and compile}"
[ "$bad" -eq 0 ]
