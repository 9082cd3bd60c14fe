#!/bin/sh
# vg.sh LOGDIR PROGRAM [ARGS...]
#
# Runs PROGRAM under Valgrind's memcheck and fails if memcheck reports
# anything in any process of the run: PROGRAM itself and the children it
# forks (the lifecycle driver's reference peer, the manager's watchdogs),
# whose exit statuses alone would not tell. Leaks of kinds definite,
# indirect and possible are errors. Each process logs to its own file in
# LOGDIR; the logs are shown only when something is wrong.
set -u
dir=$1
shift
rm -rf "$dir"
mkdir -p "$dir"
valgrind -q --error-exitcode=99 --leak-check=full \
    --errors-for-leak-kinds=definite,indirect,possible \
    --show-leak-kinds=definite,indirect,possible \
    --log-file="$dir/vg.%p.log" "$@"
rc=$?
# Errors are the "==PID==" lines. "--PID--" lines are Valgrind's own notes,
# such as its not knowing pidfd_open (3.19), after which the manager polls
# for its owner instead, as it does where pidfds do not exist.
if grep -q '^==[0-9]*==' "$dir"/vg.*.log 2>/dev/null; then
    cat "$dir"/vg.*.log >&2
    echo "vg.sh: memcheck reported errors (logs in $dir)" >&2
    exit 1
fi
if [ "$rc" -ne 0 ]; then
    echo "vg.sh: $1 exited with status $rc" >&2
    exit 1
fi
