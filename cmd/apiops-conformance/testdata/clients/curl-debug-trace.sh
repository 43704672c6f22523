#!/bin/sh
# Broken: curl-client.sh run under `sh -x` to debug it, left on in CI: the shell traces
# every command with its expanded arguments, the secret and the token included.
exec sh -x "$(dirname "$0")/curl-client.sh"
