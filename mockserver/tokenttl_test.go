package mockserver_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apiops/apiops-conformance/mockserver"
)

// expClaim returns the exp claim of a token the mock issued, or false without one.
func expClaim(t *testing.T, token string) (int64, bool) {
	t.Helper()
	var c jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(token, &c); err != nil {
		t.Fatalf("parse token: %v", err)
	}
	exp, ok := c["exp"].(float64)
	return int64(exp), ok
}

func TestControlTokenTTL(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: time.Hour})
	hourly := h.token(alice, aliceSecret)
	if hourly.ExpiresIn == nil || *hourly.ExpiresIn != 3600 {
		t.Fatalf("before: expires_in %v", hourly.ExpiresIn)
	}

	var st mockserver.State
	if resp := h.control(http.MethodPost, "/_mock/token-ttl", `{"ttl":"0s"}`, &st); resp.StatusCode != 200 {
		t.Fatalf("token-ttl 0s: %d %s", resp.StatusCode, resp.body)
	}
	if st.TokenTTLSeconds != 0 || st.Latency != "0s" || time.Since(st.Now).Abs() > time.Minute {
		t.Errorf("state after token-ttl 0s: %+v", st)
	}
	if got := h.srv.TokenTTL(); got != 0 {
		t.Errorf("TokenTTL() = %v after token-ttl 0s", got)
	}
	never := h.token(alice, aliceSecret)
	if never.ExpiresIn != nil {
		t.Errorf("never-expiring token has expires_in %d", *never.ExpiresIn)
	}
	if _, ok := expClaim(t, never.AccessToken); ok {
		t.Error("never-expiring token has an exp claim")
	}

	// Ten years on, the never-expiring token still works; the hourly one keeps its exp.
	h.control(http.MethodPost, "/_mock/clock/advance", `{"by":"87600h"}`, nil)
	if resp := h.projects("Bearer " + never.AccessToken); resp.StatusCode != http.StatusOK {
		t.Errorf("never-expiring token 10 years on: %d %s", resp.StatusCode, resp.body)
	}
	if resp := h.projects("Bearer " + hourly.AccessToken); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("hourly token 10 years on: %d, want 401", resp.StatusCode)
	}

	h.control(http.MethodPost, "/_mock/token-ttl", `{"ttl":"90.5s"}`, &st)
	if st.TokenTTLSeconds != 90 {
		t.Errorf("token-ttl 90.5s: token_ttl_seconds %d, want 90", st.TokenTTLSeconds)
	}
	short := h.token(alice, aliceSecret)
	if short.ExpiresIn == nil || *short.ExpiresIn != 90 {
		t.Errorf("expires_in %v, want 90", short.ExpiresIn)
	}
	if exp, ok := expClaim(t, short.AccessToken); !ok || exp-h.srv.Now().Unix() > 90 || exp-h.srv.Now().Unix() < 88 {
		t.Errorf("exp %d, now %d: want now+90", exp, h.srv.Now().Unix())
	}

	// Reset restores the configured lifetime; tokens issued before keep theirs.
	if resp := h.control(http.MethodPost, "/_mock/reset", "", &st); resp.StatusCode != 200 || st.TokenTTLSeconds != 3600 {
		t.Errorf("reset: %d, state %+v", resp.StatusCode, st)
	}
	if tr := h.token(alice, aliceSecret); tr.ExpiresIn == nil || *tr.ExpiresIn != 3600 {
		t.Errorf("after reset: expires_in %v, want 3600", tr.ExpiresIn)
	}
	if resp := h.projects("Bearer " + never.AccessToken); resp.StatusCode != http.StatusOK {
		t.Errorf("never-expiring token after reset: %d", resp.StatusCode)
	}
}

func TestControlTokenTTLBadInput(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: 90 * time.Second})
	for _, body := range []string{
		``, `{}`, `{"ttl":null}`, `{"ttl":""}`, `{"ttl":"-1s"}`, `{"ttl":"500ms"}`, `{"ttl":"999ms"}`,
		`{"ttl":"forever"}`, `{"ttl":0}`, `{"ttl":"1h","extra":1}`, `{"ttl":"1h"}{}`, `[]`,
		`{"ttl":"` + strings.Repeat("9", 100) + `h"}`,
	} {
		resp := h.control(http.MethodPost, "/_mock/token-ttl", body, nil)
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("%.40q: %d %s, want 400", body, resp.StatusCode, resp.body)
		}
		if e := resp.errorBody(t); e.Error != "invalid_request" || e.Description == "" {
			t.Errorf("%.40q: error body %+v", body, e)
		}
	}
	if resp := h.control(http.MethodPost, "/_mock/token-ttl", `{"ttl":"1h"`+strings.Repeat(" ", 5000)+`}`, nil); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("huge body: %d", resp.StatusCode)
	}
	for _, method := range []string{http.MethodGet, http.MethodPut, http.MethodDelete} {
		resp := h.control(method, "/_mock/token-ttl", "", nil)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != "POST" {
			t.Errorf("%s: %d, Allow %q", method, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	var st mockserver.State
	h.control(http.MethodGet, "/_mock/", "", &st)
	if st.TokenTTLSeconds != 90 {
		t.Errorf("bad input changed the TTL: %+v", st)
	}
}

func TestSetTokenTTL(t *testing.T) {
	srv := mockserver.New(mockserver.Config{TokenTTL: time.Minute})
	for _, d := range []time.Duration{1, 500 * time.Millisecond, time.Second - 1} {
		if err := srv.SetTokenTTL(d); err == nil {
			t.Errorf("SetTokenTTL(%v): no error", d)
		}
	}
	if got := srv.TokenTTL(); got != time.Minute {
		t.Errorf("refused values changed the TTL: %v", got)
	}
	for _, tt := range []struct{ in, want time.Duration }{{0, 0}, {time.Second, time.Second}, {mockserver.NeverExpires, 0},
		{1500 * time.Millisecond, time.Second}, {-time.Hour, 0}, {24 * time.Hour, 24 * time.Hour}} {
		if err := srv.SetTokenTTL(tt.in); err != nil {
			t.Errorf("SetTokenTTL(%v): %v", tt.in, err)
		}
		if got := srv.TokenTTL(); got != tt.want {
			t.Errorf("SetTokenTTL(%v): TokenTTL() = %v, want %v", tt.in, got, tt.want)
		}
	}
	srv.Reset()
	if got := srv.TokenTTL(); got != time.Minute {
		t.Errorf("after Reset: %v, want 1m", got)
	}
}

// TestSetTokenTTLConcurrent changes the lifetime while tokens are issued (run with
// -race): every token's expires_in agrees with its exp claim.
func TestSetTokenTTLConcurrent(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: time.Hour})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 50 {
			ttl := []string{"0s", "1m", "1h"}[i%3]
			h.control(http.MethodPost, "/_mock/token-ttl", `{"ttl":"`+ttl+`"}`, nil)
		}
	})
	for range 4 {
		wg.Go(func() {
			for range 25 {
				tr := h.token(alice, aliceSecret)
				var c jwt.MapClaims
				if _, _, err := jwt.NewParser().ParseUnverified(tr.AccessToken, &c); err != nil {
					t.Errorf("parse token: %v", err)
					return
				}
				exp, hasExp := c["exp"].(float64)
				iat, _ := c["iat"].(float64)
				if hasExp != (tr.ExpiresIn != nil) {
					t.Errorf("exp claim %v but expires_in %v", hasExp, tr.ExpiresIn)
				} else if hasExp && int64(exp)-*tr.ExpiresIn != int64(iat) {
					t.Errorf("exp %v, iat %v, expires_in %d: disagree", exp, iat, *tr.ExpiresIn)
				}
			}
		})
	}
	wg.Wait()
}
