// Command apiops-mock serves the mock Apinizer manager of package mockserver: the token
// endpoint POST /apiops/auth/token, the protected GET /apiops/projects/ and, with
// --control, the control API under /_mock/ (docs/control-api.md).
//
// Its first line on stdout is exactly "apiops-mock listening on http://HOST:PORT" (https
// with TLS), with the real port when --addr asks for port 0. Logs go to stderr and never
// show a secret or a token. SIGINT or SIGTERM shut it down gracefully.
//
// Exit status: 0 after a clean shutdown, 1 when serving fails, 2 for a usage or
// configuration error (one line on stderr).
package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
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
	TokenTTL           time.Duration `name:"token-ttl" default:"1h" env:"APIOPS_MOCK_TOKEN_TTL" help:"Token lifetime; 0 means tokens never expire."`
	SigningKey         string        `env:"APIOPS_MOCK_SIGNING_KEY" xor:"key" help:"HS256 signing key (prefer the env variable or --signing-key-file); random by default."`
	SigningKeyFile     string        `env:"APIOPS_MOCK_SIGNING_KEY_FILE" type:"path" xor:"key" help:"File holding the HS256 signing key."`
	Control            bool          `env:"APIOPS_MOCK_CONTROL" help:"Serve the control API under /_mock/ (loopback clients only)."`
	ControlAllowRemote bool          `env:"APIOPS_MOCK_CONTROL_ALLOW_REMOTE" help:"Let non-loopback clients use the control API."`
	TLSCert            string        `name:"tls-cert" env:"APIOPS_MOCK_TLS_CERT" type:"path" help:"PEM certificate; with --tls-key serves HTTPS."`
	TLSKey             string        `name:"tls-key" env:"APIOPS_MOCK_TLS_KEY" type:"path" help:"PEM private key for --tls-cert."`
	LogLevel           string        `default:"info" enum:"debug,info,warn,error" env:"APIOPS_MOCK_LOG_LEVEL" help:"Log level (${enum}); logs go to stderr."`

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
		kong.Vars{"version": buildinfo.String(programName)},
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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, c.Addr, srv, tlsConfig, logger, stdout); err != nil {
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
	if c.TokenTTL < 0 {
		return nil, nil, fmt.Errorf("--token-ttl %v: must be 0 (never expires) or positive", c.TokenTTL)
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

// serve listens, prints the address line, and serves until ctx ends, then shuts down.
func serve(ctx context.Context, addr string, handler http.Handler, tlsConfig *tls.Config, logger *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usageError{fmt.Errorf("--addr: %w", err)}
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
		ln = tls.NewListener(ln, tlsConfig)
	}
	hs := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if _, err := fmt.Fprintf(stdout, "%s listening on %s://%s\n", programName, scheme, ln.Addr()); err != nil {
		ln.Close()
		return fmt.Errorf("write the address line: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// oneLine keeps an error message on one line.
func oneLine(err error) string {
	return strings.Join(strings.Fields(err.Error()), " ")
}
