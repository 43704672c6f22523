# apiops-conformance — every command a newcomer needs (`make help` lists them). Go (see
# go.mod) is the only prerequisite; modules are fetched by `make deps`, which the other
# targets run first.

GO        ?= go
BIN       := bin
DIST      ?= dist
REPORTS   ?= reports-out
SAMPLE    ?= screenshots
FUZZTIME  ?= 10s
BENCHTIME ?= 1s
# Extra flags for `make conformance` and `make mock`, e.g. ARGS='--strict --label-filter=form'.
ARGS      ?=
# actionlint, run with `go run` at a pinned version (nothing to install).
ACTIONLINT ?= github.com/rhysd/actionlint/cmd/actionlint@v1.7.12

# The version stamped into the binaries: `git describe` (v0.1.0, v0.1.0-3-gabc1234-dirty)
# and the commit. Outside a Git checkout both are empty and the binaries fall back to the
# build information Go embeds (see cmd/internal/buildinfo).
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null)
COMMIT    ?= $(shell c=$$(git rev-parse HEAD 2>/dev/null) && { git diff --quiet HEAD 2>/dev/null || c=$$c-dirty; echo $$c; })
# Archive entries' time: the last commit's (reproducible), else 1980-01-01.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || echo 315532800)
BUILDINFO := github.com/apiops/apiops-conformance/cmd/internal/buildinfo
LDFLAGS   := $(if $(VERSION),-X $(BUILDINFO).version=$(VERSION)) $(if $(COMMIT),-X $(BUILDINFO).commit=$(COMMIT))

.PHONY: all help deps build install dist conformance test vet tidy-check docs docs-check \
        lint-actions test-tools mock bench fuzz fuzz-smoke report-screenshot clean

## all: the default: build both binaries into bin/.
all: build

## help: list every target with one line.
help:
	@echo "Targets (variables: GO, REPORTS, ARGS, FUZZTIME, BENCHTIME, VERSION, DIST, SAMPLE):"
	@awk '/^## [a-z-]+: /{ t = $$2; sub(/:$$/, "", t); d = $$0; sub(/^## [a-z-]+: /, "", d); printf "  %-18s %s\n", t, d }' $(MAKEFILE_LIST)

## deps: check for Go and download the modules.
deps:
	@$(GO) version >/dev/null 2>&1 || { echo "Go is required: https://go.dev/dl/ (version in go.mod)"; exit 2; }
	$(GO) mod download

## build: both binaries into bin/, stamped with the version from git describe.
build: deps
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN)/ ./cmd/...

## install: both binaries into GOBIN (default: the bin folder of go env GOPATH).
install: deps
	$(GO) install -trimpath -ldflags '$(LDFLAGS)' ./cmd/...
	@echo "installed apiops-conformance and apiops-mock into $$(d=$$($(GO) env GOBIN); [ -n "$$d" ] || d=$$($(GO) env GOPATH)/bin; echo $$d)"

## dist: reproducible release archives (linux, darwin, windows; amd64, arm64) and SHA256SUMS in dist/.
dist: deps
	@[ -n "$(VERSION)" ] || { echo "dist: no version (not a Git checkout?): make dist VERSION=0.1.0"; exit 2; }
	$(GO) run ./scripts/dist -version '$(VERSION)' -commit '$(COMMIT)' -mtime '$(SOURCE_DATE_EPOCH)' -out $(DIST)
	cd $(DIST) && sha256sum -c SHA256SUMS

## conformance: the main job — the full suite against the embedded mock, reports in reports-out/ (REPORTS=dir).
conformance: build
	$(BIN)/apiops-conformance run --report-dir $(REPORTS) $(ARGS)

## test: vet, go mod tidy -diff, docs freshness, actionlint, then every test with the race detector.
test: deps test-tools vet tidy-check docs-check lint-actions
	$(GO) test -race -count=1 ./...

## vet: gofmt and go vet.
vet:
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	$(GO) vet ./...

## tidy-check: fail when go.mod or go.sum is not tidy (go mod tidy -diff shows what to change).
tidy-check: deps
	$(GO) mod tidy -diff

## docs: regenerate docs/requirements.md from the catalog.
docs: deps
	$(GO) run ./cmd/apiops-conformance list --markdown > docs/requirements.md

## docs-check: fail when docs/requirements.md is out of date.
docs-check: deps
	@$(GO) run ./cmd/apiops-conformance list --markdown | diff -u docs/requirements.md - \
		|| { echo "docs/requirements.md is out of date: run 'make docs'"; exit 1; }

## lint-actions: actionlint on examples/github-actions.yml and on action.yml's steps (as a workflow).
lint-actions: deps
	@mkdir -p $(BIN)
	$(GO) run ./scripts/actionwf action.yml > $(BIN)/action-as-workflow.yml
	$(GO) run $(ACTIONLINT) examples/github-actions.yml $(BIN)/action-as-workflow.yml

## test-tools: install Chromium (browser test) and shellcheck (actionlint) from Debian packages when missing, as root.
test-tools:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v shellcheck >/dev/null 2>&1 || missing="$$missing shellcheck"; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
		echo "test-tools: not root, not installing$$missing: the Chromium test of reports skips, actionlint skips shell checks"; \
	elif ! command -v apt-get >/dev/null 2>&1; then \
		echo "test-tools: no apt-get, not installing$$missing: the Chromium test of reports skips, actionlint skips shell checks"; \
	else \
		echo "test-tools: installing$$missing (Debian packages)"; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } \
			|| echo "test-tools: could not install$$missing: the tests that need them skip"; \
	fi

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

## report-screenshot: render the sample result in headless Chromium into screenshots/ (SAMPLE=dir); never touches reports-out/.
report-screenshot: build test-tools
	scripts/screenshot-report.sh $(SAMPLE)/report.png

## clean: remove bin/, dist/, reports-out/ and screenshots/.
clean:
	rm -rf $(BIN) $(DIST) $(REPORTS) $(SAMPLE)
