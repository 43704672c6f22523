#!/bin/sh
# A token client in the style of the docs' cURL example, done right: every form value
# URL-encoded with --data-urlencode, the secret and the token kept out of the command
# line (curl reads them from stdin), one token reused for both calls, a new token and
# one retry after a 401, a clean failure (exit 1) when the token endpoint fails.
set -eu

base=${APIOPS_BASE_URL:?}
body=$(mktemp)
trap 'rm -f "$body"' EXIT
token=

get_token() {
	status=$(printf '%s' "$APIOPS_CLIENT_SECRET" | curl -sS -o "$body" -w '%{http_code}' \
		-X POST "$base/apiops/auth/token" \
		-H 'Accept: application/json' \
		--data-urlencode 'grant_type=client_credentials' \
		--data-urlencode "client_id=$APIOPS_CLIENT_ID" \
		--data-urlencode 'client_secret@-')
	if [ "$status" != 200 ]; then
		echo "token request failed: HTTP $status" >&2
		exit 1
	fi
	token=$(sed -n 's/.*"access_token" *: *"\([^"]*\)".*/\1/p' "$body")
	[ -n "$token" ] || { echo "no access_token in the token response" >&2; exit 1; }
}

# call GETs the protected path with the token; after a 401 it gets a new token and
# tries once more.
call() {
	for attempt in 1 2; do
		status=$(printf 'Authorization: Bearer %s\n' "$token" | curl -sS -o "$body" -w '%{http_code}' \
			-H @- -H 'Accept: application/json' "$base/apiops/projects/")
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
echo "ok: 2 calls with one token"
