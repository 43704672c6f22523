package suites

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

// A control URL that redirects is never followed: the call fails naming the Location
// (redacted), and the host it points to receives nothing — not the token of a Revoke.
func TestHTTPControlNeverFollowsRedirects(t *testing.T) {
	const token = "eyJ.control-token-do-not-leak.sig"
	var mu sync.Mutex
	var captured []string
	capture := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		captured = append(captured, r.Method+" "+r.URL.String()+" "+string(body))
		mu.Unlock()
	}))
	defer capture.Close()
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, capture.URL+r.URL.Path+"?token="+url.QueryEscape(token)+"&p=secret-in-location", status)
		}))
		var red evidence.Redactor // the run's: its secrets and the tokens issued so far
		red.Add("secret-in-location", token)
		for name, client := range map[string]*http.Client{
			"nil client":       nil,
			"following client": {Timeout: 5 * time.Second}, // net/http follows redirects by default
		} {
			c := NewHTTPControl(redirect.URL, client)
			c.Redactor = &red
			ctx := context.Background()
			for op, call := range map[string]func() error{
				"Revoke":   func() error { return c.Revoke(ctx, token) },
				"Advance":  func() error { return c.Advance(ctx, time.Hour) },
				"Reset":    func() error { return c.Reset(ctx) },
				"TokenTTL": func() error { return c.SetTokenTTL(ctx, 0) },
			} {
				err := call()
				if err == nil {
					t.Fatalf("%d, %s, %s: no error", status, name, op)
				}
				msg := err.Error()
				if !strings.Contains(msg, "redirects to") || !strings.Contains(msg, capture.Listener.Addr().String()) {
					t.Errorf("%d, %s, %s: error %q does not name the Location", status, name, op, msg)
				}
				if strings.Contains(msg, "control-token-do-not-leak") || strings.Contains(msg, "secret-in-location") {
					t.Errorf("%d, %s, %s: error %q shows a secret", status, name, op, msg)
				}
			}
		}
		redirect.Close()
	}
	mu.Lock()
	defer mu.Unlock()
	if len(captured) > 0 {
		t.Errorf("the redirect target received %d requests, first %q", len(captured), captured[0])
	}
}

// An error answer of the control API is shown redacted.
func TestHTTPControlRedactsErrors(t *testing.T) {
	const token = "tok-echoed-by-control"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		http.Error(w, "bad request: "+string(body), http.StatusBadRequest)
	}))
	defer srv.Close()
	err := NewHTTPControl(srv.URL, nil).Revoke(context.Background(), token)
	if err == nil || strings.Contains(err.Error(), token) || !strings.Contains(err.Error(), evidence.Redacted) {
		t.Errorf("Revoke error = %v", err)
	}
}
