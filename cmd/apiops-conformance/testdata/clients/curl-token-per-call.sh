#!/bin/sh
# Broken: asks for a new token before every call instead of reusing one while it is
# valid (each token is a Personal API Access Token on the account). Otherwise as
# curl-client.sh.
set -eu

base=${APIOPS_BASE_URL:?}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

get_token() {
	status=$(printf '%s' "$APIOPS_CLIENT_SECRET" | curl -sS -o "$body" -w '%{http_code}' \
		-X POST "$base/apiops/auth/token" -H 'Accept: application/json' \
		--data-urlencode 'grant_type=client_credentials' \
		--data-urlencode "client_id=$APIOPS_CLIENT_ID" \
		--data-urlencode 'client_secret@-')
	[ "$status" = 200 ] || { echo "token request failed: HTTP $status" >&2; exit 1; }
	token=$(sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' "$body")
}

call() {
	get_token
	status=$(printf 'Authorization: Bearer %s\n' "$token" | curl -sS -o "$body" -w '%{http_code}' \
		-H @- "$base/apiops/projects/")
	[ "$status" = 200 ] || { echo "GET /apiops/projects/ failed: HTTP $status" >&2; exit 1; }
}

call
call
echo "ok: 2 calls"
