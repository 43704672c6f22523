package suites

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
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

// HTTPControl is a Control speaking the mock's control API over HTTP.
type HTTPControl struct {
	// BaseURL is the mock's base URL; the API lives under BaseURL + "/_mock/".
	BaseURL string
	// Client sends the requests; nil means a client with a 10 s timeout.
	Client *http.Client
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
	return c.post(ctx, "revoke", map[string]any{"token": token})
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

func (c *HTTPControl) post(ctx context.Context, path string, body any) error {
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
	client := c.Client
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("control %s: %w", path, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("control %s: %s: %s", path, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}
