#!/bin/sh
# Two processes share one ShareableList: the first creates it and waits, the
# second (a separate process, under the same emulator) attaches, reads and
# writes, and the first must see the write.
#   two_procs.sh WORKDIR "RUN PREFIX" PEER
# No stdin and no terminal are needed: the handshake is a file.
set -u
dir=$1 run=$2 peer=$3
case $peer in /*) ;; *) peer=./$peer ;; esac # a bare name would be looked up in PATH
name="xt2p_$$"
ready="$dir/ready.$$"
rm -f "$ready"
# shellcheck disable=SC2086
$run "$peer" create "$name" "$ready" </dev/null &
creator=$!
i=0
while [ ! -f "$ready" ]; do
    if ! kill -0 "$creator" 2>/dev/null || [ $i -ge 600 ]; then
        echo "two_procs: the creator did not get ready"
        kill "$creator" 2>/dev/null
        wait "$creator"
        exit 1
    fi
    sleep 0.1
    i=$((i + 1))
done
# shellcheck disable=SC2086
$run "$peer" attach "$name" </dev/null
attached=$?
wait "$creator"
created=$?
rm -f "$ready"
if [ $attached -eq 0 ] && [ $created -eq 0 ]; then
    echo "two_procs: 1 passed, 0 failed"
    exit 0
fi
echo "two_procs: 0 passed, 1 failed (attacher $attached, creator $created)"
exit 1
