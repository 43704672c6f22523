# apiops-conformance — every command a newcomer needs. Go (see go.mod) is the only
# prerequisite; modules are fetched by `make deps`, which the other targets run first.

GO        ?= go
BIN       := bin
REPORTS   ?= reports-out
FUZZTIME  ?= 10s
BENCHTIME ?= 1s
# Extra flags for `make conformance`, e.g. ARGS='--strict --label-filter=form'.
ARGS      ?=

.PHONY: all deps build conformance test vet docs docs-check mock bench fuzz fuzz-smoke \
        report-screenshot clean

all: build

deps:
	@$(GO) version >/dev/null 2>&1 || { echo "Go is required: https://go.dev/dl/ (version in go.mod)"; exit 2; }
	$(GO) mod download

build: deps
	$(GO) build -o $(BIN)/ ./cmd/...

## conformance: the main job — the full suite against the embedded mock, reports in $(REPORTS)/.
conformance: build
	$(BIN)/apiops-conformance run --report-dir $(REPORTS) $(ARGS)

## test: vet, the docs freshness check, and every test with the race detector.
test: deps vet docs-check
	$(GO) test -race -count=1 ./...

vet:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## docs: regenerate docs/requirements.md from the catalog.
docs: deps
	$(GO) run ./cmd/apiops-conformance list --markdown > docs/requirements.md

docs-check: deps
	@$(GO) run ./cmd/apiops-conformance list --markdown | diff -u docs/requirements.md - \
		|| { echo "docs/requirements.md is out of date: run 'make docs'"; exit 1; }

## mock: run the mock server locally with its control API (Ctrl-C stops it).
mock: build
	$(BIN)/apiops-mock --control $(ARGS)

## bench: benchmarks in the standard format (token issuance vs a plain net/http baseline).
bench: deps
	$(GO) test -run='^$$' -bench=. -benchmem -benchtime=$(BENCHTIME) ./...

## fuzz: run every fuzz target for FUZZTIME each (FUZZTIME=1m make fuzz).
fuzz: deps
	@set -e; for pkg in $$($(GO) list ./...); do \
		dir=$$($(GO) list -f '{{.Dir}}' $$pkg); \
		for target in $$(grep -ho '^func Fuzz[A-Za-z0-9_]*' $$dir/*_test.go 2>/dev/null | sed 's/^func //'); do \
			echo "== $$pkg $$target ($(FUZZTIME))"; \
			$(GO) test -run='^$$' -fuzz="^$$target$$" -fuzztime=$(FUZZTIME) $$pkg; \
		done; \
	done

## fuzz-smoke: every fuzz target briefly, as CI runs them.
fuzz-smoke:
	$(MAKE) fuzz FUZZTIME=3s

## report-screenshot: render a sample report in headless Chromium (installed if missing).
report-screenshot: build
	@command -v chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }
	scripts/screenshot-report.sh $(REPORTS)/report.png

clean:
	rm -rf $(BIN) $(REPORTS)
