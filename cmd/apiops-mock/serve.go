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
	"strings"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
)

// serve listens, prints the address line and the banner, and serves until a signal
// arrives; then it shuts down within c.ShutdownGrace (see the package comment).
func serve(signals <-chan os.Signal, c *cli, srv *mockserver.Server, tlsConfig *tls.Config, logger *slog.Logger, stdout io.Writer) error {
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return usageError{fmt.Errorf("--addr: %w", err)}
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
		ln = tls.NewListener(ln, tlsConfig)
	}
	hs := &http.Server{
		Handler:           srv,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	base := fmt.Sprintf("%s://%s", scheme, ln.Addr())
	if _, err := fmt.Fprintf(stdout, "%s listening on %s\n%s", programName, base, c.banner(base, srv)); err != nil {
		ln.Close()
		return fmt.Errorf("write the address line: %w", err)
	}
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var sig os.Signal
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case sig = <-signals:
	}
	logger.Info("shutting down", "signal", sig.String(), "grace", c.ShutdownGrace)
	if err := shutdown(hs, signals, c.ShutdownGrace, logger); err != nil {
		return err
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("serve: %w", err)
	}
	return nil
}

// shutdown stops accepting connections and waits for requests in flight, at most grace
// (or until a second signal); then it closes the connections still open. Closing them is
// the requested outcome, not an error.
func shutdown(hs *http.Server, signals <-chan os.Signal, grace time.Duration, logger *slog.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- hs.Shutdown(ctx) }()
	var err error
	select {
	case err = <-done:
	case sig := <-signals:
		logger.Info("second signal: closing requests in flight now", "signal", sig.String())
		cancel()
		err = <-done
	}
	if err == nil {
		return nil
	}
	if !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		return fmt.Errorf("shutdown: %w", err)
	}
	logger.Warn("closing requests still in flight", "after", grace)
	if err := hs.Close(); err != nil {
		return fmt.Errorf("close: %w", err)
	}
	return nil
}

// banner is what apiops-mock prints after its address line: where the accounts come
// from, whether the control API is on, the token lifetime, and how to stop it.
func (c *cli) banner(base string, srv *mockserver.Server) string {
	var b strings.Builder
	accounts := "demo accounts (" + demoAccounts() + "; docs/mock.md)"
	if c.Users != "" {
		accounts = c.Users + " (--users)"
	}
	fmt.Fprintf(&b, "  accounts:       %s\n", accounts)
	control := "off (--control turns it on)"
	if c.Control {
		who := "loopback clients"
		if c.ControlAllowRemote {
			who = "any client (--control-allow-remote)"
		}
		control = fmt.Sprintf("on at %s/_mock/ for %s; docs/control-api.md", base, who)
	}
	fmt.Fprintf(&b, "  control API:    %s\n", control)
	lifetime := "never expires (--token-ttl 0)"
	if ttl := srv.TokenTTL(); ttl > 0 {
		lifetime = ttl.String()
	}
	fmt.Fprintf(&b, "  token lifetime: %s\n", lifetime)
	fmt.Fprintf(&b, "  stop:           Ctrl-C or SIGTERM (requests in flight get %v; a second Ctrl-C closes them)\n", c.ShutdownGrace)
	return b.String()
}

// demoAccounts lists the embedded accounts with their state, e.g. "alice, carol (disabled)".
func demoAccounts() string {
	var names []string
	for _, u := range fixtures.Default().Users {
		switch {
		case u.Disabled:
			names = append(names, u.Username+" (disabled)")
		case u.Locked:
			names = append(names, u.Username+" (locked)")
		default:
			names = append(names, u.Username)
		}
	}
	return strings.Join(names, ", ")
}
