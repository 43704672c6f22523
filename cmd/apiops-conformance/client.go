package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/reports"
	"github.com/apiops/apiops-conformance/suites"
	"github.com/apiops/apiops-conformance/suites/catalog"
)

// The demo accounts a client is run with; erin is added to the mock when the fixtures
// in use lack it.
const (
	clientMain     = "alice"
	clientASCII    = "erin"
	clientNonASCII = "bob"
	erinSecret     = "ascii p@ss&=+%/?#w0rd"
)

// clientCmd judges a token client: it starts the embedded mock, runs the client command
// once per scenario and judges what the client sent and printed.
type clientCmd struct {
	Timeout     time.Duration `name:"timeout" env:"APIOPS_TIMEOUT" default:"30s" help:"Time limit of one scenario; a client still running then is killed with its whole process group."`
	Strict      catalog.Scope `name:"strict" env:"APIOPS_STRICT" placeholder:"SCOPE" help:"SHOULD failures fail the run too: --strict (all), or --strict=docs|rfc|owasp for one kind of source."`
	LabelFilter string        `name:"label-filter" env:"APIOPS_LABEL_FILTER" placeholder:"EXPR" help:"Run only the client checks matching a Ginkgo label expression, e.g. 'must' or CLIENT-FORM-003."`
	ReportDir   string        `name:"report-dir" env:"APIOPS_REPORT_DIR" placeholder:"DIR" help:"Write conformance.json, junit.xml, summary.md and report.html into DIR."`
	ShowCurl    bool          `name:"show-curl" env:"APIOPS_SHOW_CURL" help:"Print the curl command that reproduces each exchange of a failure."`
	NoColor     bool          `name:"no-color" env:"APIOPS_NO_COLOR" help:"No colour on the console (also when NO_COLOR is set or the output is not a terminal)."`
	Command     []string      `arg:"" name:"command" help:"The client to judge, after --: a program and its arguments."`
}

// Help is shown by "apiops-conformance client --help".
func (clientCmd) Help() string {
	return `Judges a client of the token endpoint (a script, a CLI, a service's start-up
code) against the client requirements ("apiops-conformance list --clients").

The embedded mock is started on a loopback port and CMD is run once per scenario
with, in its environment:
  APIOPS_BASE_URL       the mock's base URL (token endpoint: $APIOPS_BASE_URL/apiops/auth/token)
  APIOPS_CLIENT_ID      the username to log in with
  APIOPS_CLIENT_SECRET  its password (some need percent-encoding, one is not ASCII)
Each run, the client must obtain a token and call GET $APIOPS_BASE_URL/apiops/projects/
AT LEAST TWICE with it, then exit 0 (non-zero when it could not). The scenarios: the
happy path; two special passwords; the token expires after the first call; the token
is revoked after the first call; the token endpoint answers 500 once. What the client
sends is recorded in memory; what it prints must never hold the secret or a token.

Exit status: 0 no gating failure, 1 a MUST failure (or a SHOULD one with --strict),
2 usage or configuration error, 3 the mock could not be started, 130 interrupted.

Examples:
  apiops-conformance client -- ./get-projects.sh
  apiops-conformance client --timeout 10s --report-dir out -- python3 client.py --verbose`
}

// Run runs the client checks and writes the reports.
func (c clientCmd) Run() error {
	if _, err := exec.LookPath(c.Command[0]); err != nil {
		return usage("client", fmt.Errorf("the client command %q cannot be run: %w", c.Command[0], err))
	}
	if c.Timeout <= 0 {
		return usage("client", errors.New("--timeout must be positive"))
	}
	if err := checkReportDir(c.ReportDir); err != nil {
		return usage("client", err)
	}
	if err := suites.CheckClientLabelFilter(c.LabelFilter); err != nil {
		return usage("client", err)
	}
	users := clientFixtures()
	account := func(name string) suites.Account {
		u, _ := users.User(name)
		return suites.Account{ClientID: u.Username, ClientSecret: u.Password}
	}
	mock := mockserver.New(mockserver.Config{Users: users, TokenTTL: mockserver.DefaultTokenTTL, Control: true})
	recorder := suites.NewClientRecorder(mock)
	base, stopMock, err := serveLoopback(recorder)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: client: %v\n", programName, err)
		return exitError{exitNotJudged}
	}
	defer stopMock()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	scope, err := catalog.ParseScope(string(c.Strict))
	if err != nil {
		return usage("client", err)
	}
	cfg := suites.ClientConfig{
		BaseURL:      base,
		Command:      c.Command,
		Account:      account(clientMain),
		ASCIISpecial: account(clientASCII),
		NonASCII:     account(clientNonASCII),
		Timeout:      c.Timeout,
		Scope:        scope,
		Recorder:     recorder,
		Control:      suites.NewHTTPControl(base, &http.Client{Timeout: 10 * time.Second}),
	}
	fmt.Fprintf(os.Stdout, "%s %s: judging the client %s against the embedded mock at %s\n",
		programName, version(), strings.Join(c.Command, " "), base)
	out, err := suites.RunClient(ctx, cfg, suites.ClientOptions{LabelFilter: c.LabelFilter, Progress: os.Stdout})
	if err != nil {
		return usage("client", err)
	}
	echo := map[string]string{
		"command": strings.Join(c.Command, " "),
		"mock":    "(embedded mock) " + base,
		"timeout": c.Timeout.String(),
	}
	if scope != catalog.ScopeOff {
		echo["strict"] = string(scope)
	}
	if c.LabelFilter != "" {
		echo["label-filter"] = c.LabelFilter
	}
	meta := reports.Meta{
		Tool:        tool(programName),
		Target:      "client: " + strings.Join(c.Command, " "),
		StrictScope: scope,
		Config:      echo,
		Secrets:     out.Secrets,
	}
	if ctx.Err() != nil {
		meta.Run = reports.RunStatus{Status: reports.RunInterrupted, Reason: "interrupted by a signal (Ctrl-C or SIGTERM): the checks after that point were not judged"}
	}
	console := reports.ConsoleOptions{Color: colorWanted(os.Stdout, c.NoColor), ShowCurl: c.ShowCurl}
	return finish(reports.FromGinkgo(out.Report, meta), console, c.ReportDir)
}

// clientFixtures returns the demo fixtures, with erin (a printable-ASCII password that
// needs percent-encoding) added when they lack it.
func clientFixtures() fixtures.Set {
	users := fixtures.Default()
	if _, ok := users.User(clientASCII); !ok {
		users.Users = append(users.Users, fixtures.User{Username: clientASCII, Password: erinSecret})
	}
	return users
}

// serveLoopback serves h on a loopback port and returns its base URL and a stop function.
func serveLoopback(h http.Handler) (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("start the embedded mock: %w", err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), func() { _ = srv.Close() }, nil
}
