#!/bin/sh
# Broken: retries a failed token request at once, without a delay and without a
# bound, hammering a struggling server. Otherwise as curl-client.sh.
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
	[ "$status" = 200 ] || return 1
	token=$(sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' "$body")
}

call() {
	for attempt in 1 2; do
		status=$(printf 'Authorization: Bearer %s\n' "$token" | curl -sS -o "$body" -w '%{http_code}' \
			-H @- "$base/apiops/projects/")
		case $status in
		200) return 0 ;;
		401) [ "$attempt" = 1 ] && until get_token; do :; done ;;
		*) break ;;
		esac
	done
	echo "GET /apiops/projects/ failed: HTTP $status" >&2
	exit 1
}

until get_token; do :; done
call
call
echo "ok: 2 calls"
