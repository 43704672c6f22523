#!/bin/sh
# Broken: builds the form body by hand, as the docs' cURL example does, without
# percent-encoding the values: a password with a space, '&', '+', '%' or '#' is
# garbled. Otherwise as curl-client.sh.
set -eu

base=${APIOPS_BASE_URL:?}
body=$(mktemp)
trap 'rm -f "$body"' EXIT

get_token() {
	status=$(curl -sS -o "$body" -w '%{http_code}' -X POST "$base/apiops/auth/token" \
		-H 'Content-Type: application/x-www-form-urlencoded' -H 'Accept: application/json' \
		-d "grant_type=client_credentials&client_id=$APIOPS_CLIENT_ID&client_secret=$APIOPS_CLIENT_SECRET")
	[ "$status" = 200 ] || { echo "token request failed: HTTP $status" >&2; exit 1; }
	token=$(sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' "$body")
}

call() {
	for attempt in 1 2; do
		status=$(printf 'Authorization: Bearer %s\n' "$token" | curl -sS -o "$body" -w '%{http_code}' \
			-H @- "$base/apiops/projects/")
		case $status in
		200) return 0 ;;
		401) [ "$attempt" = 1 ] && get_token ;;
		*) break ;;
		esac
	done
	echo "GET /apiops/projects/ failed: HTTP $status" >&2
	exit 1
}

get_token
call
call
echo "ok: 2 calls"
