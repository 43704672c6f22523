#!/bin/sh
# Broken: never finishes. Its child writes its process ID to $HANG_PIDFILE, so a test
# can see that the harness killed the whole process group.
sleep 300 &
echo $! > "$HANG_PIDFILE"
wait
