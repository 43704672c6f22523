// Package mocktest runs the mock Apinizer manager of package mockserver inside a Go test:
// one call gives a loopback server with the demo accounts, the control API on and the
// token lifetime of `make mock` (mockserver.DefaultTokenTTL), closed when the test ends.
//
//	func TestMyClient(t *testing.T) {
//		m := mocktest.Start(t)
//		client := myclient.New(m.URL, "alice", "alice-secret")
//		...
//		m.Advance(2 * time.Hour) // every token issued so far has expired
//		...
//	}
//
// The control methods act on the server directly and fail the test (t.Fatalf) when the
// mock refuses; call them from the test's goroutine. The control API is also served
// over HTTP under m.URL + "/_mock/" for tools that speak it.
package mocktest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// The mock's endpoints, relative to Mock.URL.
const (
	// TokenPath is the token endpoint: POST, form body, client credentials.
	TokenPath = spec.TokenPath
	// ProjectsPath is List Projects, which requires a Bearer token.
	ProjectsPath = spec.ProjectsPath
)

// Mock is a running mock server.
type Mock struct {
	// URL is the base URL, such as http://127.0.0.1:41234, without a trailing slash.
	URL string
	// Server is the mock itself, for what the methods below do not cover.
	Server *mockserver.Server

	t  testing.TB
	ts *httptest.Server
}

// Start serves the mock on a loopback port with the demo accounts (see Users), the
// control API on and tokens that live mockserver.DefaultTokenTTL, as `make mock` does.
// The server is closed when the test and its subtests end.
func Start(t testing.TB) *Mock {
	t.Helper()
	return StartConfig(t, mockserver.Config{})
}

// StartConfig is Start with a configuration of your own (your accounts, a fixed signing
// key, another token lifetime); the control API is turned on whatever cfg says.
func StartConfig(t testing.TB, cfg mockserver.Config) *Mock {
	t.Helper()
	cfg.Control = true
	srv, err := mockserver.NewChecked(cfg)
	if err != nil {
		t.Fatalf("mocktest: %v", err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &Mock{URL: ts.URL, Server: srv, t: t, ts: ts}
}

// Users returns the demo accounts of Start: username, password, state and projects.
func Users() fixtures.Set { return fixtures.Default() }

// Client returns an HTTP client for the mock, closed with it.
func (m *Mock) Client() *http.Client { return m.ts.Client() }

// TokenURL is the token endpoint's URL, for example for clientcredentials.Config.
func (m *Mock) TokenURL() string { return m.URL + TokenPath }

// ProjectsURL is the URL of List Projects.
func (m *Mock) ProjectsURL() string { return m.URL + ProjectsPath }

// Now returns the mock's clock: the real clock plus every Advance. A client whose own
// clock can be injected can be given this one, so that Advance moves both.
func (m *Mock) Now() time.Time { return m.Server.Now() }

// Advance moves the mock's clock forward by d (d > 0): tokens expire without waiting.
// It moves the server's clock only, not the client's.
func (m *Mock) Advance(d time.Duration) {
	m.t.Helper()
	if d <= 0 {
		m.t.Fatalf("mocktest: Advance(%v): want a positive duration", d)
	}
	m.Server.Advance(d)
}

// Revoke revokes one token the mock issued; revoking it twice, or once it has expired,
// is harmless. A token the mock did not issue fails the test.
func (m *Mock) Revoke(token string) {
	m.t.Helper()
	if _, err := m.Server.Revoke(token); err != nil {
		m.t.Fatalf("mocktest: Revoke: %v", err)
	}
}

// RevokeUser revokes every token issued so far to one of the mock's accounts and
// returns how many were issued since its last revocation. An unknown account fails the
// test.
func (m *Mock) RevokeUser(username string) int {
	m.t.Helper()
	n, err := m.Server.RevokeUser(username)
	if err != nil {
		m.t.Fatalf("mocktest: RevokeUser(%q): %v", username, err)
	}
	return n
}

// FailNextTokens makes the next n token requests answer 500 server_error; 0 clears it.
func (m *Mock) FailNextTokens(n int) {
	m.t.Helper()
	if n < 0 {
		m.t.Fatalf("mocktest: FailNextTokens(%d): want n ≥ 0", n)
	}
	m.Server.FailNextTokens(n)
}

// SetTokenTTL sets the lifetime of tokens issued from now on: mockserver.NeverExpires
// (or 0) for never-expiring tokens, otherwise at least one second.
func (m *Mock) SetTokenTTL(d time.Duration) {
	m.t.Helper()
	if err := m.Server.SetTokenTTL(d); err != nil {
		m.t.Fatalf("mocktest: %v", err)
	}
}

// Journal returns what clients sent to the mock, oldest first, secrets and tokens
// redacted (at most the last 1000 requests).
func (m *Mock) Journal() []mockserver.JournalEntry { return m.Server.Journal() }

// Reset puts the clock back to real time and restores the configured token lifetime;
// it clears revocations, faults and the journal. Tokens issued before stay valid.
func (m *Mock) Reset() { m.Server.Reset() }
