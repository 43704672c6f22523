package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/reports"
	"github.com/apiops/apiops-conformance/suites"
)

// runCmd runs the suites: flags, APIOPS_* variables and --config → suites.Config →
// suites.Run → reports. The target's settings are declared once, in suites.Config.
type runCmd struct {
	suites.Config `embed:"" envprefix:"APIOPS_"`

	LabelFilter string          `name:"label-filter" env:"APIOPS_LABEL_FILTER" placeholder:"EXPR" help:"Run only the checks matching a Ginkgo label expression: IDs, must/should, areas, docs/rfc/owasp (e.g. 'must && !expiry')."`
	RequireAll  bool            `name:"require-all" env:"APIOPS_REQUIRE_ALL" help:"A MUST check that could not be judged fails the run (exit 1): for certifying an implementation."`
	ReportDir   string          `name:"report-dir" env:"APIOPS_REPORT_DIR" placeholder:"DIR" help:"Write conformance.json, junit.xml, summary.md and report.html into DIR."`
	ShowCurl    bool            `name:"show-curl" env:"APIOPS_SHOW_CURL" help:"Print, under each exchange of a failure, the curl command that reproduces it (secrets as environment references)."`
	NoColor     bool            `name:"no-color" env:"APIOPS_NO_COLOR" help:"No colour on the console (also when NO_COLOR is set or the output is not a terminal)."`
	File        kong.ConfigFlag `name:"config" env:"APIOPS_CONFIG" placeholder:"FILE" help:"A YAML file of settings, keys = flag names (base-url: https://…); flags and environment variables win; secrets only as environment references (client-secret: $${APIOPS_CLIENT_SECRET})."`
}

// Help is shown by "apiops-conformance run --help".
func (runCmd) Help() string {
	return `Judges a deployment of the token endpoint against the requirement catalog
("apiops-conformance list"). Every flag has an APIOPS_* environment variable; flags win
over the environment, which wins over --config.

Before any check, one documented token request (and one call of the protected path
with its token) tells whether the target can be judged at all. On a live target (no
--control-url) the run keeps a footprint budget: at most 6 tokens created, never two
failed logins in a row for an account, at most 2 deliberate ones per account.

Exit status: 0 no gating failure; 1 a MUST failure (a SHOULD one within --strict's scope,
or, with --require-all, a MUST check not judged); 2 a usage or configuration error;
3 could not judge (unreachable, TLS untrusted, credentials refused, a redirect, the target
stopped answering, the run deadline passed); 130 interrupted.

Examples:
  apiops-conformance run                       # the embedded demo mock, zero configuration
  APIOPS_CLIENT_SECRET=… apiops-conformance run --base-url https://manager.example.com \
      --client-id ci-bot --report-dir out
  apiops-conformance run --config apiops.yaml --label-filter 'must && bearer' --strict=docs`
}

// Run runs the suites and writes the reports.
func (c runCmd) Run(kctx *kong.Context) error {
	if c.BaseURL == "" && baseURLGiven(kctx) {
		return usage("run", errors.New("--base-url (or APIOPS_BASE_URL) is set but empty: give the target's URL, or unset it to judge the embedded demo mock"))
	}
	if err := checkReportDir(c.ReportDir); err != nil {
		return usage("run", err)
	}
	if err := suites.CheckLabelFilter(c.LabelFilter); err != nil {
		return usage("run", err)
	}
	cfg, stop, err := c.config()
	if err != nil {
		return usage("run", err)
	}
	defer stop()
	if _, err := suites.NewHTTPClient(cfg); err != nil {
		return usage("run", err)
	}
	if cfg.Insecure {
		fmt.Fprintln(os.Stderr, "WARNING: --insecure: the target's TLS certificate is NOT verified; anyone on the path can read the credentials.")
	}
	embedded := c.BaseURL == ""
	if embedded {
		fmt.Printf("%s %s: judging the embedded demo mock (not your deployment) at %s\n", programName, version(), cfg.BaseURL)
	} else {
		fmt.Printf("%s %s: judging %s\n", programName, version(), cfg.BaseURL)
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	out, err := suites.Run(ctx, cfg, suites.Options{LabelFilter: c.LabelFilter, Progress: os.Stdout})
	cancel() // from here on, a second Ctrl-C ends the process at once
	if err != nil {
		return usage("run", err)
	}
	console := reports.ConsoleOptions{Color: colorWanted(os.Stdout, c.NoColor), ShowCurl: c.ShowCurl}
	return finish(c.result(cfg, embedded, out), console, c.ReportDir)
}

// result turns what the run produced into the result every report is written from.
func (c runCmd) result(cfg suites.Config, embedded bool, out suites.Outcome) reports.Result {
	echo := cfg.Echo()
	if embedded {
		echo["base-url"] = "(embedded demo mock) " + cfg.BaseURL
	}
	if c.LabelFilter != "" {
		echo["label-filter"] = c.LabelFilter
	}
	meta := reports.Meta{
		Tool:        tool(programName),
		Target:      cfg.BaseURL,
		StrictScope: cfg.Strict,
		RequireAll:  c.RequireAll,
		Embedded:    embedded,
		Footprint:   &out.Footprint,
		Config:      echo,
		Secrets:     out.Secrets,
	}
	switch {
	case out.Interrupted:
		meta.Run = reports.RunStatus{Status: reports.RunInterrupted, Reason: "interrupted by a signal (Ctrl-C or SIGTERM): the checks after that point were not judged"}
	case out.CouldNotJudge != "":
		meta.Run = reports.RunStatus{Status: reports.RunCouldNotJudge, Reason: out.CouldNotJudge}
	}
	if len(out.Report.SpecReports) == 0 && meta.Run.Status != "" {
		reqs, _ := suites.Selected(c.LabelFilter) // checked before the run
		res := reports.NotJudgedResult(meta, reqs, meta.Run.Reason)
		res.Run = meta.Run
		return res
	}
	return reports.FromGinkgo(out.Report, meta)
}

// baseURLGiven reports whether --base-url or APIOPS_BASE_URL was given at all, even empty:
// an empty one is an unconfigured environment, never a request for the embedded mock.
func baseURLGiven(kctx *kong.Context) bool {
	if _, set := os.LookupEnv(suites.EnvBaseURL); set {
		return true
	}
	for _, p := range kctx.Path {
		if p.Flag != nil && p.Flag.Name == "base-url" {
			return true
		}
	}
	return false
}

// checkReportDir finds out before any request whether the reports can be written.
func checkReportDir(dir string) error {
	if dir == "" {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("--report-dir: %w", err)
	}
	f, err := os.CreateTemp(dir, ".write-test-*")
	if err != nil {
		return fmt.Errorf("--report-dir %s is not writable: %w", dir, err)
	}
	f.Close()
	return os.Remove(filepath.Join(dir, filepath.Base(f.Name())))
}

// config completes the suites' configuration; without --base-url it starts the embedded
// mock, whose stop function the caller defers.
func (c runCmd) config() (suites.Config, func(), error) {
	cfg := c.Config
	stop := func() {}
	if cfg.BaseURL == "" {
		if cfg.Account.Given() || cfg.Account.ClientSecret != "" || cfg.ControlURL != "" {
			return cfg, stop, errors.New("--client-id, --client-secret and --control-url need --base-url (without it the embedded mock and its demo accounts are used)")
		}
		base, shutdown, err := startMock()
		if err != nil {
			return cfg, stop, err
		}
		stop = shutdown
		cfg.BaseURL, cfg.ControlURL = base, base
		users := fixtures.Default()
		account := func(name string) suites.Account {
			u, _ := users.User(name)
			return suites.Account{ClientID: u.Username, ClientSecret: u.Password}
		}
		cfg.Account, cfg.Special, cfg.Disabled, cfg.Locked = account("alice"), account("bob"), account("carol"), account("dave")
	}
	// Checked as given (the flag parser already set the defaults), so no default replaces
	// an explicit --timeout 0.
	if err := cfg.Check(); err != nil {
		stop()
		return cfg, func() {}, err
	}
	return cfg.WithDefaults(), stop, nil
}

// startMock serves the embedded mock (demo accounts, one-hour tokens, control API on) on
// a loopback port and returns its base URL.
func startMock() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start the embedded mock: %w", err)
	}
	srv := &http.Server{
		Handler:           mockserver.New(mockserver.Config{Users: fixtures.Default(), TokenTTL: mockserver.DefaultTokenTTL, Control: true}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	go func() { _ = srv.Serve(ln) }()
	// The run is over when stop is called: close at once rather than wait for
	// connections a check left half-used (Shutdown would poll them for up to 500 ms).
	stop := func() { _ = srv.Close() }
	return "http://" + ln.Addr().String(), stop, nil
}
