package suites

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// Environment variables a client under test is given, besides the harness's own
// environment (without its APIOPS_* variables).
const (
	envClientBaseURL      = "APIOPS_BASE_URL"
	envClientClientID     = "APIOPS_CLIENT_ID"
	envClientClientSecret = "APIOPS_CLIENT_SECRET"
)

// clientLabel is the Ginkgo label of every client check; RunClient selects by it.
const clientLabel = "client"

// defaultClientTimeout bounds one scenario when ClientConfig.Timeout is zero.
const defaultClientTimeout = 30 * time.Second

// ClientConfig is what a client run needs: the client command and the mock it talks to.
type ClientConfig struct {
	// BaseURL is the mock's base URL, given to the client as APIOPS_BASE_URL.
	BaseURL string
	// Command is the client under test: a program and its arguments. It runs once per
	// scenario and must obtain a token and call GET ProtectedPath at least twice.
	Command []string
	// Dir is the command's working directory; "" is the harness's.
	Dir string
	// Account is an active account with a plain password (the happy path, expiry,
	// revocation and server-error scenarios).
	Account Account
	// ASCIISpecial has a printable-ASCII password that needs percent-encoding (judged at
	// MUST); NonASCII one outside printable ASCII (judged at SHOULD).
	ASCIISpecial Account
	NonASCII     Account
	// ProtectedPath is the path the client calls; default spec.ProjectsPath.
	ProtectedPath string
	// Timeout bounds each scenario: the client is then killed with its process group.
	Timeout time.Duration
	// Scope is the reach of --strict.
	Scope catalog.Scope
	// Recorder wraps the mock's handler and sees every request the client sends.
	Recorder *ClientRecorder
	// Control drives the mock: reset between scenarios, clock, revocation, faults.
	Control Control
}

// ClientOptions are the parts of a client run that are not its configuration.
type ClientOptions struct {
	// LabelFilter selects client checks by Ginkgo label expression; RunClient adds
	// "client && (…)" to it.
	LabelFilter string
	// Progress receives one line per scenario and per check as they end; nil for none.
	Progress io.Writer
	// GinkgoOutput receives Ginkgo's own reporter output; nil discards it.
	GinkgoOutput io.Writer
	// Reporter configures Ginkgo's reporter.
	Reporter types.ReporterConfig
}

func (c ClientConfig) withDefaults() ClientConfig {
	if c.Timeout == 0 {
		c.Timeout = defaultClientTimeout
	}
	if c.ProtectedPath == "" {
		c.ProtectedPath = spec.ProjectsPath
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}

func (c ClientConfig) validate() error {
	if u, err := url.Parse(c.BaseURL); err != nil || u.Host == "" {
		return fmt.Errorf("suites: client run: base URL %q is not a URL", c.BaseURL)
	}
	switch {
	case len(c.Command) == 0 || c.Command[0] == "":
		return errors.New("give the client command after --, e.g. apiops-conformance client -- ./my-client.sh")
	case c.Recorder == nil || c.Control == nil:
		return errors.New("suites: client run: a Recorder and a Control are required")
	case c.Timeout < 0:
		return errors.New("--timeout must be positive")
	}
	for _, a := range []Account{c.Account, c.ASCIISpecial, c.NonASCII} {
		if a.ClientID == "" || a.ClientSecret == "" {
			return errors.New("suites: client run: the three accounts are required")
		}
	}
	return nil
}

// clientState is what the client checks know about the run; RunClient sets it before
// RunSpecs and clears it after, as Run does for the server suites.
type clientState struct {
	cfg      ClientConfig
	ctx      context.Context
	red      *evidence.Redactor
	progress io.Writer
	runs     map[string]*clientRun // scenarios run so far, by name
	// roots maps a violated requirement to itself and a blocked one to the violated
	// requirement at the root of the block, so a block passes on its root cause.
	roots  map[string]string
	issued map[string]bool // every token the mock issued during the run
}

var clientSt *clientState

// RunClient judges the client command of cfg in this process: it runs the scenarios the
// selected checks need (lazily, each once), judges what the client sent and printed, and
// returns Ginkgo's report. As with Run, Ginkgo allows one run per process. Cancelling
// ctx kills the client and ends the run.
func RunClient(ctx context.Context, cfg ClientConfig, opts ClientOptions) (Outcome, error) {
	if clientSt != nil || state != nil {
		return Outcome{}, errors.New("suites: a run is already in progress")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return Outcome{}, err
	}
	if err := CheckClientLabelFilter(opts.LabelFilter); err != nil {
		return Outcome{}, err
	}
	red := &evidence.Redactor{}
	for _, a := range []Account{cfg.Account, cfg.ASCIISpecial, cfg.NonASCII} {
		red.Add(leakForms(a.ClientID, a.ClientSecret)...)
	}
	clientSt = &clientState{cfg: cfg, ctx: ctx, red: red, progress: opts.Progress,
		runs: map[string]*clientRun{}, roots: map[string]string{}, issued: map[string]bool{}}
	defer func() { clientSt = nil }()

	report := runSpecs(&failer{}, within(clientLabel, opts.LabelFilter), opts.GinkgoOutput, opts.Reporter)
	return Outcome{Report: report, Secrets: red.Secrets()}, nil
}

// CheckClientLabelFilter reports, in one line, a label filter Ginkgo cannot parse or one
// that selects no client check.
func CheckClientLabelFilter(expr string) error {
	if expr == "" {
		return nil
	}
	match, err := types.ParseLabelFilter(expr)
	if err != nil {
		return fmt.Errorf("--label-filter %q is not a Ginkgo label expression (e.g. 'must && !retry', 'CLIENT-FORM-003 || secrecy')", expr)
	}
	for _, r := range catalog.Clients() {
		if match(append(r.Labels(), clientLabel)) {
			return nil
		}
	}
	return fmt.Errorf("--label-filter %q selects no client check (labels are IDs, must/should, areas and source kinds; see 'apiops-conformance list --clients')", expr)
}
