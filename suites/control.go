package suites

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

// Control drives a target's test hooks: the mock's control API (docs/control-api.md).
// Expiry, revocation and server-error checks use it when a run has one; without it they
// wait, use --fault-header, or skip with the reason.
type Control interface {
	// Advance moves the target's clock forward by d.
	Advance(ctx context.Context, d time.Duration) error
	// Revoke revokes one issued token.
	Revoke(ctx context.Context, token string) error
	// RevokeUser revokes every token issued so far to clientID.
	RevokeUser(ctx context.Context, clientID string) error
	// FailNextTokens makes the next n token requests answer 500 server_error.
	FailNextTokens(ctx context.Context, n int) error
	// SetTokenTTL sets the lifetime of tokens issued from now on; 0 means they never
	// expire (no expires_in). Tokens issued before keep their own.
	SetTokenTTL(ctx context.Context, d time.Duration) error
	// Reset clears clock offsets, token-lifetime changes, revocations and faults.
	Reset(ctx context.Context) error
}

// HTTPControl is a Control speaking the mock's control API over HTTP. It never follows
// a redirect, whatever its Client does: a 3xx answer is an error naming the Location, and
// no request body (a token to revoke) is ever sent anywhere but BaseURL.
type HTTPControl struct {
	// BaseURL is the mock's base URL; the API lives under BaseURL + "/_mock/".
	BaseURL string
	// Client sends the requests; nil means a client with a 10 s timeout. Its
	// CheckRedirect is not used.
	Client *http.Client
	// Redactor, when set, redacts the errors (a Location, an answer's body); the token of
	// a Revoke is redacted in any case.
	Redactor *evidence.Redactor
}

// NewHTTPControl returns a Control for the control API of the mock at baseURL.
func NewHTTPControl(baseURL string, client *http.Client) *HTTPControl {
	return &HTTPControl{BaseURL: baseURL, Client: client}
}

// Advance implements Control.
func (c *HTTPControl) Advance(ctx context.Context, d time.Duration) error {
	return c.post(ctx, "clock/advance", map[string]any{"by": d.String()})
}

// Revoke implements Control.
func (c *HTTPControl) Revoke(ctx context.Context, token string) error {
	return c.post(ctx, "revoke", map[string]any{"token": token}, token)
}

// RevokeUser implements Control.
func (c *HTTPControl) RevokeUser(ctx context.Context, clientID string) error {
	return c.post(ctx, "revoke", map[string]any{"client_id": clientID})
}

// FailNextTokens implements Control.
func (c *HTTPControl) FailNextTokens(ctx context.Context, n int) error {
	return c.post(ctx, "faults", map[string]any{"fail_next_tokens": n})
}

// SetTokenTTL implements Control.
func (c *HTTPControl) SetTokenTTL(ctx context.Context, d time.Duration) error {
	return c.post(ctx, "token-ttl", map[string]any{"ttl": d.String()})
}

// Reset implements Control.
func (c *HTTPControl) Reset(ctx context.Context) error {
	return c.post(ctx, "reset", nil)
}

// post sends body as JSON to the control API's path; secrets are redacted from errors
// besides those of c.Redactor.
func (c *HTTPControl) post(ctx context.Context, path string, body any, secrets ...string) error {
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			return fmt.Errorf("control %s: %w", path, err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+"/_mock/"+path, &buf)
	if err != nil {
		return fmt.Errorf("control %s: %w", path, err)
	}
	req.Header.Set("Content-Type", "application/json")
	client := http.Client{Timeout: 10 * time.Second}
	if c.Client != nil {
		client = *c.Client
	}
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("control %s: %s", path, c.redact(err.Error(), secrets))
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	switch {
	case resp.StatusCode/100 == 3:
		return fmt.Errorf("control %s: %s redirects to %q: not followed (give --control-url the control API's own address)",
			path, resp.Status, c.redact(resp.Header.Get("Location"), secrets))
	case resp.StatusCode/100 != 2:
		return fmt.Errorf("control %s: %s: %s", path, resp.Status, c.redact(string(bytes.TrimSpace(msg)), secrets))
	}
	return nil
}

// redact removes c.Redactor's secrets and the given ones from s.
func (c *HTTPControl) redact(s string, secrets []string) string {
	if c.Redactor != nil {
		s = c.Redactor.String(s)
	}
	if len(secrets) > 0 {
		var r evidence.Redactor
		r.Add(secrets...)
		s = r.String(s)
	}
	return s
}
