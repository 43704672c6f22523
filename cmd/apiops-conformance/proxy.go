package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/apiops/apiops-conformance/proxy"
	"github.com/apiops/apiops-conformance/reports"
)

// proxyCmd serves the validating proxy: flags (and APIOPS_* variables) → proxy.Config →
// proxy.Serve until SIGINT or SIGTERM → reports.
type proxyCmd struct {
	Upstream  string        `name:"upstream" env:"APIOPS_UPSTREAM" required:"" placeholder:"URL" help:"The manager's base URL; requests go to URL + their path."`
	Listen    string        `name:"listen" env:"APIOPS_LISTEN" default:"127.0.0.1:8081" placeholder:"HOST:PORT" help:"Address to listen on (loopback by default; port 0 picks a free one)."`
	ReportDir string        `name:"report-dir" env:"APIOPS_REPORT_DIR" placeholder:"DIR" help:"On stop, write conformance.json, junit.xml, summary.md and report.html into DIR."`
	NoColor   bool          `name:"no-color" env:"APIOPS_NO_COLOR" help:"No colour on the console (also when NO_COLOR is set or the output is not a terminal)."`
	CACert    string        `name:"ca-cert" env:"APIOPS_CA_CERT" placeholder:"FILE" help:"PEM file of CA certificates to trust besides the system's, for the upstream."`
	Insecure  bool          `name:"insecure" env:"APIOPS_INSECURE" help:"Do not verify the upstream's TLS certificate (not for production managers)."`
	Timeout   time.Duration `name:"timeout" env:"APIOPS_TIMEOUT" default:"30s" help:"Time limit of one exchange, the answer's body included (504 when the upstream is slower)."`
}

// Help is shown by "apiops-conformance proxy --help".
func (proxyCmd) Help() string {
	return `Stands between a real client and a real manager and judges the live traffic:
the client's token requests and Bearer headers against the client rules (CLIENT-FORM-001,
-002, -005, CLIENT-BEARER-001), the manager's answers on /apiops/auth/token and
/apiops/projects/ against the OpenAPI contract (TOKEN-SPEC-001, -002). Answers pass
through unchanged, redirects are not followed; an exchange that broke a rule gets an
Apiops-Contract-Violations header naming the rules (redacted). Each judged exchange is
logged on stderr, secrets and tokens redacted.

Stop with Ctrl-C (SIGINT) or SIGTERM: the verdict is printed and, with --report-dir, the
reports are written. Exit status: 0 no rule broken, 1 a MUST rule broken,
2 a usage or configuration error, 3 could not judge (clients came but the upstream was
never reached).

Examples:
  apiops-conformance proxy --upstream https://manager.example.com --report-dir proxy-report
  (then give your client http://127.0.0.1:8081 as the manager's base URL)`
}

// Run serves the proxy until a signal, then reports.
func (c proxyCmd) Run() error {
	u, err := url.Parse(c.Upstream)
	if err != nil {
		return usage("proxy", fmt.Errorf("--upstream: %w", err))
	}
	if c.Insecure {
		fmt.Fprintln(os.Stderr, "WARNING: --insecure: the upstream's TLS certificate is NOT verified; anyone on the path can read the credentials.")
	}
	p, err := proxy.New(proxy.Config{
		Upstream: u,
		Timeout:  c.Timeout,
		CACert:   c.CACert,
		Insecure: c.Insecure,
		Logger:   slog.New(slog.NewTextHandler(os.Stderr, nil)),
	})
	if err != nil {
		return usage("proxy", err)
	}
	ln, err := net.Listen("tcp", c.Listen)
	if err != nil {
		return usage("proxy", fmt.Errorf("--listen: %w", err))
	}
	if host, _, _ := net.SplitHostPort(c.Listen); !isLoopback(host) {
		fmt.Fprintf(os.Stderr, "WARNING: --listen %s is reachable from other machines; the proxy passes credentials through.\n", c.Listen)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(os.Stdout, "%s %s: proxy on http://%s to %s; Ctrl-C stops and reports\n", programName, version(), ln.Addr(), u.Redacted())
	if err := p.Serve(ctx, ln); err != nil {
		fmt.Fprintf(os.Stderr, "%s: proxy: %v\n", programName, err)
	}
	stop()

	res := p.Result(proxy.Meta{
		Tool: tool(programName + " proxy"),
		Config: map[string]string{
			"upstream": u.Redacted(),
			"listen":   ln.Addr().String(),
			"timeout":  c.Timeout.String(),
			"ca-cert":  c.CACert,
			"insecure": strconv.FormatBool(c.Insecure),
		},
	})
	return finish(res, reports.ConsoleOptions{Color: colorWanted(os.Stdout, c.NoColor)}, c.ReportDir)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
