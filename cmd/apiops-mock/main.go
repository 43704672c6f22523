// Command apiops-mock serves the mock Apinizer manager of package mockserver: the token
// endpoint POST /apiops/auth/token, the protected GET /apiops/projects/ and, with
// --control, the control API under /_mock/ (docs/control-api.md).
//
// Its first line on stdout is exactly "apiops-mock listening on http://HOST:PORT" (https
// with TLS), with the real port when --addr asks for port 0; a short banner follows
// (accounts, control API, token lifetime, how to stop). Logs go to stderr and never show
// a secret or a token. SIGINT or SIGTERM shut it down: it stops accepting connections,
// gives requests in flight --shutdown-grace to finish, then closes them; a second signal
// closes them at once.
//
// Exit status: 0 after a signal-requested shutdown (also when in-flight requests had to be
// closed), 1 when serving fails, 2 for a usage or configuration error (one line on stderr).
package main

import (
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/alecthomas/kong"

	"github.com/apiops/apiops-conformance/cmd/internal/buildinfo"
	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
)

const (
	programName = "apiops-mock"
	exitOK      = 0
	exitServe   = 1
	exitUsage   = 2
)

// cli is the command line; every flag has an APIOPS_MOCK_* environment equivalent.
type cli struct {
	Addr               string        `default:"127.0.0.1:8080" env:"APIOPS_MOCK_ADDR" help:"Listen address; port 0 picks a free port."`
	Users              string        `env:"APIOPS_MOCK_USERS" type:"path" help:"YAML or JSON fixtures file (users and projects); default the embedded demo users."`
	TokenTTL           time.Duration `name:"token-ttl" default:"${default_token_ttl}" env:"APIOPS_MOCK_TOKEN_TTL" help:"Token lifetime; 0 means tokens never expire."`
	SigningKey         string        `env:"APIOPS_MOCK_SIGNING_KEY" xor:"key" help:"HS256 signing key (prefer the env variable or --signing-key-file); random by default."`
	SigningKeyFile     string        `env:"APIOPS_MOCK_SIGNING_KEY_FILE" type:"path" xor:"key" help:"File holding the HS256 signing key."`
	Control            bool          `env:"APIOPS_MOCK_CONTROL" help:"Serve the control API under /_mock/ (loopback clients and Host localhost or the listener's IP only)."`
	ControlAllowRemote bool          `env:"APIOPS_MOCK_CONTROL_ALLOW_REMOTE" help:"Let any client, under any Host name, use the control API (other origins and non-JSON POSTs stay refused)."`
	TLSCert            string        `name:"tls-cert" env:"APIOPS_MOCK_TLS_CERT" type:"path" help:"PEM certificate; with --tls-key serves HTTPS."`
	TLSKey             string        `name:"tls-key" env:"APIOPS_MOCK_TLS_KEY" type:"path" help:"PEM private key for --tls-cert."`
	LogLevel           string        `default:"info" enum:"debug,info,warn,error" env:"APIOPS_MOCK_LOG_LEVEL" help:"Log level (${enum}); logs go to stderr."`
	ShutdownGrace      time.Duration `name:"shutdown-grace" default:"5s" env:"APIOPS_MOCK_SHUTDOWN_GRACE" help:"On SIGINT or SIGTERM, how long requests in flight may finish before they are closed."`

	Version kong.VersionFlag `help:"Print the version and exit."`
}

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	var c cli
	exitCode := -1
	parser, err := kong.New(&c,
		kong.Name(programName),
		kong.Description("A mock Apinizer manager: token endpoint, protected endpoint, optional control API."),
		kong.Writers(stdout, stderr),
		kong.Vars{"version": buildinfo.String(programName), "default_token_ttl": mockserver.DefaultTokenTTL.String()},
		kong.Exit(func(code int) { exitCode = code }),
	)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", programName, err)
		return exitUsage
	}
	if _, err := parser.Parse(args); err != nil {
		fmt.Fprintf(stderr, "%s: %v (see --help)\n", programName, oneLine(err))
		return exitUsage
	}
	if exitCode >= 0 { // --help, --version
		return exitOK
	}
	logger, err := c.logger(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", programName, oneLine(err))
		return exitUsage
	}
	srv, tlsConfig, err := c.build(logger)
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", programName, oneLine(err))
		return exitUsage
	}
	if c.ShutdownGrace < 0 {
		fmt.Fprintf(stderr, "%s: --shutdown-grace %v: must not be negative\n", programName, c.ShutdownGrace)
		return exitUsage
	}
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(signals)
	if err := serve(signals, &c, srv, tlsConfig, logger, stdout); err != nil {
		var usage usageError
		if errors.As(err, &usage) {
			fmt.Fprintf(stderr, "%s: %v\n", programName, oneLine(err))
			return exitUsage
		}
		fmt.Fprintf(stderr, "%s: %v\n", programName, oneLine(err))
		return exitServe
	}
	return exitOK
}

// usageError marks a configuration problem found only when serving starts (the address).
type usageError struct{ error }

func (e usageError) Unwrap() error { return e.error }

// logger is the structured logger on stderr at --log-level.
func (c *cli) logger(stderr io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})), nil
}

// build turns the flags into the mock server and an optional TLS configuration.
func (c *cli) build(logger *slog.Logger) (*mockserver.Server, *tls.Config, error) {
	cfg := mockserver.Config{
		TokenTTL:           c.TokenTTL,
		Control:            c.Control,
		ControlAllowRemote: c.ControlAllowRemote,
		Logger:             logger,
	}
	switch {
	case c.TokenTTL < 0:
		return nil, nil, fmt.Errorf("--token-ttl %v: must be 0 (never expires) or positive", c.TokenTTL)
	case c.TokenTTL == 0:
		cfg.TokenTTL = mockserver.NeverExpires
	}
	if c.Users != "" {
		set, err := fixtures.Load(c.Users)
		if err != nil {
			return nil, nil, fmt.Errorf("--users: %w", err)
		}
		cfg.Users = set
	}
	switch {
	case c.SigningKey != "":
		cfg.SigningKey = []byte(c.SigningKey)
	case c.SigningKeyFile != "":
		key, err := os.ReadFile(c.SigningKeyFile)
		if err != nil {
			return nil, nil, fmt.Errorf("--signing-key-file: %w", err)
		}
		key = []byte(strings.TrimRight(string(key), "\r\n"))
		if len(key) == 0 {
			return nil, nil, fmt.Errorf("--signing-key-file %s: the file is empty", c.SigningKeyFile)
		}
		cfg.SigningKey = key
	}
	srv, err := mockserver.NewChecked(cfg)
	if err != nil {
		return nil, nil, err
	}
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return nil, nil, errors.New("--tls-cert and --tls-key go together")
	}
	if c.TLSCert == "" {
		return srv, nil, nil
	}
	cert, err := tls.LoadX509KeyPair(c.TLSCert, c.TLSKey)
	if err != nil {
		return nil, nil, fmt.Errorf("--tls-cert/--tls-key: %w", err)
	}
	return srv, &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// oneLine keeps an error message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
