#!/bin/sh
# The pyshm tool on this platform, without Python or CUnit: each command as
# its own process against a list that another process (`peer hold`) keeps
# alive, as on Windows a block lives only while some process holds it.
# Runs natively (Linux, macOS, MSYS2 on Windows) or under an emulator.
#   tool.sh WORKDIR "RUN PREFIX" TOOL PEER
# Prints one line per failure and "tool.sh: N passed, M failed".
set -u
dir=$1 run=$2 tool=$3 peer=$4
for v in tool peer; do # a bare name would be looked up in PATH
    eval "case \$$v in /*) ;; *) $v=./\$$v ;; esac"
done
mkdir -p "$dir"
passed=0 failed=0
out="$dir/tool.out.$$"

# pyshm ARGS...: runs the tool; $status is its exit status, $text its
# stdout and stderr with Windows' carriage returns removed.
pyshm() {
    # shellcheck disable=SC2086
    $run "$tool" "$@" </dev/null >"$out" 2>&1
    status=$?
    text=$(tr -d '\r' <"$out")
}
result() { # WHAT OK
    if [ "$2" = 0 ]; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "tool.sh: FAILED: $1 (exit $status): $text"
    fi
}
expect() { # STATUS TEXT ARGS...: exit status and exact output
    want_status=$1 want=$2
    shift 2
    pyshm "$@"
    [ "$status" = "$want_status" ] && [ "$text" = "$want" ]
    result "pyshm $* gives '$want'" $?
}
expect_match() { # STATUS PATTERN ARGS...: exit status, and grep -E on the output
    want_status=$1 pattern=$2
    shift 2
    pyshm "$@"
    [ "$status" = "$want_status" ] && printf '%s\n' "$text" | grep -Eq "$pattern"
    result "pyshm $* matches /$pattern/" $?
}

expect_match 0 '^pyshm [0-9]+\.[0-9]+\.[0-9]+' --version
expect_match 0 '^usage: pyshm list show' list show --help
expect_match 2 'unknown command' list bogus
expect 0 "42
'a\\x07'
b'\\x00'
1e-07
None" parse 42 "'a\\x07'" "b'\\x00'" 1e-7 None
expect_match 1 'ValueError: invalid value' list create howdy

# A list another process holds.
pyshm list create 1
name=$text
case $name in wnsm_*) windows=1 ;; *) windows=0 ;; esac
[ "$windows" = 1 ] || pyshm unlink "$name"
name="xtool_$$"
ready="$dir/ready.$$" stop="$dir/stop.$$"
rm -f "$ready" "$stop"
# shellcheck disable=SC2086
$run "$peer" hold "$name" "$ready" "$stop" </dev/null &
holder=$!
i=0
while [ ! -f "$ready" ] && [ $i -lt 600 ] && kill -0 "$holder" 2>/dev/null; do
    sleep 0.1
    i=$((i + 1))
done
if [ -f "$ready" ]; then
    expect 0 "[1, 2.5, 'hi', b'x', None, True]" list show "$name"
    expect 0 6 list len "$name"
    expect 0 'qd8s8sxxxxxx?xxxxxxxx?' list format "$name"
    expect 0 2 list count "$name" 1
    expect 0 4 list index "$name" None
    expect 0 '' list set "$name" 2 "'howdy'"
    expect 0 "'howdy'" list get "$name" 2
    expect_match 1 'ValueError: .*exceeds available storage' list set "$name" 2 "'123456789'"
    expect 0 "'howdy'" list get "$name" -4
    expect_match 1 'IndexError' list get "$name" 6
    expect_match 0 '"type": "float", "value": "0x1.4000000000000p\+1"' list show --json "$name"
    # N = 6 in the host's byte order.
    expect_match 0 '^00000000  (06 00 00 00 00 00 00 00|00 00 00 00 00 00 00 06)  00 00 00 00 00 00 00 00  \|' dump "$name"
    expect_match 0 'item 2 = .howdy.' inspect "$name"
else
    failed=$((failed + 1))
    echo "tool.sh: FAILED: the holder did not create its list"
fi
: >"$stop"
wait "$holder"
result "the holder's exit" $?
rm -f "$ready" "$stop"

# After the holder: gone on Windows (no process holds it), unlinked by the
# holder elsewhere.
expect_match 1 'FileNotFoundError' list show "$name"

# Named blocks and the listing, where the system lists them.
if [ "$windows" = 0 ]; then
    expect 0 "xtool_b$$" create 64 --name "xtool_b$$"
    expect_match 0 "^xtool_b$$	64" ls
    expect 0 '' unlink "xtool_b$$"
    expect_match 1 'FileNotFoundError' unlink "xtool_b$$"
else
    expect_match 1 'OSError: not supported' ls
fi

rm -f "$out"
echo "tool.sh: $passed passed, $failed failed"
[ "$failed" = 0 ]
