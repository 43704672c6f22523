package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/reports"
	"github.com/apiops/apiops-conformance/suites"
	"github.com/apiops/apiops-conformance/suites/catalog"
)

// runCmd runs the suites: flags (and APIOPS_* variables) → suites.Config → suites.Run →
// reports.
type runCmd struct {
	BaseURL              string        `name:"base-url" env:"APIOPS_BASE_URL" placeholder:"URL" help:"The target's base URL (the token endpoint is URL/apiops/auth/token). Without it the embedded mock is started and judged."`
	ClientID             string        `name:"client-id" env:"APIOPS_CLIENT_ID" placeholder:"USER" help:"An active account's username (required with --base-url)."`
	ClientSecret         string        `name:"client-secret" env:"APIOPS_CLIENT_SECRET" placeholder:"PASSWORD" help:"Its password (required with --base-url)."`
	SpecialClientID      string        `name:"special-client-id" env:"APIOPS_SPECIAL_CLIENT_ID" placeholder:"USER" help:"An account whose password needs percent-encoding (unlocks TOKEN-FORM-002/003)."`
	SpecialClientSecret  string        `name:"special-client-secret" env:"APIOPS_SPECIAL_CLIENT_SECRET" placeholder:"PASSWORD" help:"Its password."`
	DisabledClientID     string        `name:"disabled-client-id" env:"APIOPS_DISABLED_CLIENT_ID" placeholder:"USER" help:"A disabled account (unlocks TOKEN-ERR-008)."`
	DisabledClientSecret string        `name:"disabled-client-secret" env:"APIOPS_DISABLED_CLIENT_SECRET" placeholder:"PASSWORD" help:"Its correct password."`
	LockedClientID       string        `name:"locked-client-id" env:"APIOPS_LOCKED_CLIENT_ID" placeholder:"USER" help:"A locked account (unlocks TOKEN-ERR-009)."`
	LockedClientSecret   string        `name:"locked-client-secret" env:"APIOPS_LOCKED_CLIENT_SECRET" placeholder:"PASSWORD" help:"Its correct password."`
	FaultHeader          string        `name:"fault-header" env:"APIOPS_FAULT_HEADER" placeholder:"'NAME: VALUE'" help:"A header that makes the target answer 500 (unlocks TOKEN-ERR-011/012)."`
	ProtectedPath        string        `name:"protected-path" env:"APIOPS_PROTECTED_PATH" default:"/apiops/projects/" help:"A path that requires a Bearer token."`
	MaxExpiryWait        time.Duration `name:"max-expiry-wait" env:"APIOPS_MAX_EXPIRY_WAIT" default:"5s" help:"Wait at most this long for a token to expire (TOKEN-EXP-002) when there is no control API."`
	Timeout              time.Duration `name:"timeout" env:"APIOPS_TIMEOUT" default:"10s" help:"Per-request time limit, reading the body included."`
	CACert               string        `name:"ca-cert" env:"APIOPS_CA_CERT" placeholder:"FILE" help:"PEM file of CA certificates to trust besides the system's."`
	Insecure             bool          `name:"insecure" env:"APIOPS_INSECURE" help:"Do not verify the target's TLS certificate (not for production targets)."`
	Strict               string        `name:"strict" env:"APIOPS_STRICT" placeholder:"SCOPE" help:"SHOULD violations fail the run too: --strict (all), or --strict=docs|rfc|owasp for one kind of source."`
	RequireAll           bool          `name:"require-all" env:"APIOPS_REQUIRE_ALL" help:"A MUST check that could not be judged fails the run (for certifying an implementation)."`
	RevokeCommand        string        `name:"revoke-command" env:"APIOPS_REVOKE_COMMAND" placeholder:"CMD" help:"A shell command that revokes the token in $APIOPS_TOKEN (exit 0: revoked); unlocks the revocation check without a control API."`
	RunTimeout           time.Duration `name:"run-timeout" env:"APIOPS_RUN_TIMEOUT" default:"10m" help:"Time limit of the whole run; what has not run by then is not judged (exit 3)."`
	MaxRPS               float64       `name:"max-rps" env:"APIOPS_MAX_RPS" placeholder:"N" help:"Send at most N requests per second (0: no pacing). 429 answers are always waited out."`
	LabelFilter          string        `name:"label-filter" env:"APIOPS_LABEL_FILTER" placeholder:"EXPR" help:"Run only the checks matching a Ginkgo label expression, e.g. 'must && !expiry' or TOKEN-FORM-001."`
	ReportDir            string        `name:"report-dir" env:"APIOPS_REPORT_DIR" placeholder:"DIR" help:"Write conformance.json, junit.xml, summary.md and report.html into DIR."`
	ControlURL           string        `name:"control-url" env:"APIOPS_CONTROL_URL" placeholder:"URL" help:"Base URL of a running apiops-mock with its control API: instant expiry, revocation and 500 checks."`
}

// Help is shown by "apiops-conformance run --help".
func (runCmd) Help() string {
	return `Judges a deployment of the token endpoint against the requirement catalog
("apiops-conformance list"). Every flag has an APIOPS_* environment variable; flags win.
Exit status: 0 no gating failure, 1 a MUST failure (or a SHOULD one with --strict),
2 a usage or configuration error.

Examples:
  apiops-conformance run                       # the embedded mock, zero configuration
  apiops-conformance run --base-url https://manager.example.com \
      --client-id ci-bot --client-secret "$SECRET" --report-dir out
  apiops-conformance run --label-filter 'must && bearer'`
}

// Run runs the suites and writes the reports.
func (c runCmd) Run() error {
	cfg, stop, err := c.config()
	if err != nil {
		return usageError(err)
	}
	defer stop()
	if cfg.Insecure {
		fmt.Fprintln(os.Stderr, "WARNING: --insecure: the target's TLS certificate is NOT verified; anyone on the path can read the credentials.")
	}
	if _, err := suites.NewHTTPClient(cfg); err != nil {
		return usageError(err)
	}
	if err := suites.CheckLabelFilter(c.LabelFilter); err != nil {
		return usageError(err)
	}
	if c.BaseURL == "" {
		fmt.Fprintf(os.Stdout, "%s %s: judging the embedded demo mock (not your deployment) at %s\n", programName, version(), cfg.BaseURL)
	} else {
		fmt.Fprintf(os.Stdout, "%s %s: judging %s\n", programName, version(), cfg.BaseURL)
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer cancel()
	out, err := suites.Run(ctx, cfg, suites.Options{LabelFilter: c.LabelFilter, Progress: os.Stdout})
	cancel() // a second Ctrl-C ends the process at once
	if err != nil {
		return usageError(err)
	}
	if out.CouldNotJudge != "" && len(out.Report.SpecReports) == 0 {
		fmt.Fprintf(os.Stdout, "\nNOT JUDGED — could not judge the target\n%s\n", out.CouldNotJudge)
		return exitError{exitNotJudged}
	}
	echo := cfg.Echo()
	if c.BaseURL == "" {
		echo["base-url"] = "(embedded mock) " + cfg.BaseURL
	}
	if c.LabelFilter != "" {
		echo["label-filter"] = c.LabelFilter
	}
	res := reports.FromGinkgo(out.Report, reports.Meta{
		Tool:    reports.Tool{Name: programName, Version: version()},
		Target:  cfg.BaseURL,
		Strict:  cfg.Strict != catalog.ScopeOff,
		Config:  echo,
		Secrets: out.Secrets,
	})
	fmt.Fprintln(os.Stdout)
	reports.WriteConsole(os.Stdout, res)
	if c.ReportDir != "" {
		if err := reports.WriteFiles(c.ReportDir, res); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", programName, err)
			return exitError{exitUsage}
		}
		fmt.Fprintf(os.Stdout, "reports written to %s\n", c.ReportDir)
	}
	switch {
	case out.Interrupted:
		fmt.Fprintln(os.Stdout, "INTERRUPTED — not judged")
		return exitError{exitInterrupted}
	case out.CouldNotJudge != "":
		fmt.Fprintf(os.Stdout, "NOT JUDGED — %s\n", out.CouldNotJudge)
		return exitError{exitNotJudged}
	}
	return exitError{res.ExitCode()}
}

// usageError prints err as one line and returns exit status 2.
func usageError(err error) error {
	fmt.Fprintf(os.Stderr, "%s: run: %v\n", programName, err)
	return exitError{exitUsage}
}

// config builds the suites' configuration; without --base-url it starts the embedded
// mock, whose stop function the caller defers.
func (c runCmd) config() (suites.Config, func(), error) {
	cfg := suites.Config{
		BaseURL:       c.BaseURL,
		Account:       suites.Account{ClientID: c.ClientID, ClientSecret: c.ClientSecret},
		Special:       suites.Account{ClientID: c.SpecialClientID, ClientSecret: c.SpecialClientSecret},
		Disabled:      suites.Account{ClientID: c.DisabledClientID, ClientSecret: c.DisabledClientSecret},
		Locked:        suites.Account{ClientID: c.LockedClientID, ClientSecret: c.LockedClientSecret},
		FaultHeader:   c.FaultHeader,
		ProtectedPath: c.ProtectedPath,
		MaxExpiryWait: c.MaxExpiryWait,
		Timeout:       c.Timeout,
		CACert:        c.CACert,
		Insecure:      c.Insecure,
		RunTimeout:    c.RunTimeout,
		MaxRPS:        c.MaxRPS,
		RevokeCommand: c.RevokeCommand,
		ControlURL:    c.ControlURL,
	}
	stop := func() {}
	if c.BaseURL == "" {
		if c.ClientID != "" || c.ClientSecret != "" || c.ControlURL != "" {
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
	scope, err := catalog.ParseScope(c.Strict)
	if err != nil {
		stop()
		return cfg, func() {}, err
	}
	cfg.Strict = scope
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		stop()
		return cfg, func() {}, err
	}
	return cfg, stop, nil
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
