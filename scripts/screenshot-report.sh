#!/usr/bin/env bash
# screenshot-report.sh — render a conformance result as report.html and take a screenshot
# of it with headless Chromium, to see the page as a person does.
#
# Usage: scripts/screenshot-report.sh [OUT.png] [RESULT.json]
#   OUT.png      where to write the screenshot (default: screenshots/report.png; kept
#                apart from reports-out/, which belongs to `make conformance`)
#   RESULT.json  the conformance.json to render (default: reports/testdata/sample.json,
#                a fixed result with every status)
# Environment:
#   CHROMIUM     the browser (default: chromium or chromium-browser on PATH)
#   WINDOW_SIZE  viewport WIDTH,HEIGHT in pixels (default: 1280,2000)
#   BIN          apiops-conformance binary to use (default: bin/apiops-conformance if
#                built, else `go run ./cmd/apiops-conformance`)
# The rendered page is kept next to the screenshot (OUT.html). Exit status: 0 on success,
# 2 when Chromium or the input is missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${1:-screenshots/report.png}
from=${2:-$root/reports/testdata/sample.json}
size=${WINDOW_SIZE:-1280,2000}

browser=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
if [[ -z "$browser" || ! -x "$browser" ]]; then
	echo "screenshot-report: Chromium not found; install it (apt-get install -y chromium) or set CHROMIUM" >&2
	exit 2
fi
if [[ ! -r "$from" ]]; then
	echo "screenshot-report: cannot read $from" >&2
	exit 2
fi

mkdir -p "$(dirname "$out")"
out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
page=${out%.png}.html

if [[ -n "${BIN:-}" ]]; then
	"$BIN" report --from "$from" --html "$page"
elif [[ -x "$root/bin/apiops-conformance" ]]; then
	"$root/bin/apiops-conformance" report --from "$from" --html "$page"
else
	(cd "$root" && go run ./cmd/apiops-conformance report --from "$from" --html "$page")
fi

profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
# Offline and self-contained: the report loads nothing, and Chromium must not phone home.
timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--hide-scrollbars --user-data-dir="$profile" --window-size="$size" \
	--screenshot="$out" "file://$page" 2>"$profile/chromium.log" || {
	echo "screenshot-report: Chromium failed:" >&2
	cat "$profile/chromium.log" >&2
	exit 1
}
[[ -s "$out" ]] || { echo "screenshot-report: no screenshot written" >&2; exit 1; }
echo "screenshot: $out (page: $page)"
