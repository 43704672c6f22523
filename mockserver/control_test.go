package mockserver_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

func TestControlState(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: 90 * time.Second})
	var st mockserver.State
	for _, path := range []string{"/_mock/", "/_mock"} {
		if resp := h.control(http.MethodGet, path, "", &st); resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, resp.body)
		}
	}
	if st.TokenTTLSeconds != 90 || st.FailNextTokens != 0 || st.Latency != "0s" || time.Since(st.Now).Abs() > time.Minute {
		t.Errorf("state %+v", st)
	}
	never := newHarness(t, mockserver.Config{Control: true, TokenTTL: mockserver.NeverExpires})
	never.control(http.MethodGet, "/_mock/", "", &st)
	if st.TokenTTLSeconds != 0 {
		t.Errorf("never-expiring: token_ttl_seconds %d", st.TokenTTLSeconds)
	}
}

func TestControlClockAdvance(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: time.Hour})
	token := h.token(alice, aliceSecret).AccessToken
	var got struct{ Now time.Time }
	if resp := h.control(http.MethodPost, "/_mock/clock/advance", `{"by":"90m"}`, &got); resp.StatusCode != 200 {
		t.Fatalf("advance: %d %s", resp.StatusCode, resp.body)
	}
	if d := got.Now.Sub(time.Now()); d < 89*time.Minute || d > 91*time.Minute {
		t.Errorf("now %v is %v ahead", got.Now, d)
	}
	if resp := h.projects("Bearer " + token); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("after advance: %d", resp.StatusCode)
	}
}

func TestControlRevoke(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: time.Hour})
	a1 := h.token(alice, aliceSecret).AccessToken
	a2 := h.token(alice, aliceSecret).AccessToken
	var got struct{ Revoked int }
	h.control(http.MethodPost, "/_mock/revoke", `{"token":"`+a1+`"}`, &got)
	if got.Revoked != 1 {
		t.Errorf("revoke token: %d", got.Revoked)
	}
	h.control(http.MethodPost, "/_mock/revoke", `{"token":"`+a1+`"}`, &got)
	if got.Revoked != 0 {
		t.Errorf("revoke token twice: %d", got.Revoked)
	}
	foreign := newHarness(t, mockserver.Config{}).token(alice, aliceSecret).AccessToken
	for body, status := range map[string]int{
		`{"token":"garbage"}`:            400,
		`{"token":"a.b.c"}`:              400,
		`{"token":"` + foreign + `"}`:    404,
		`{"client_id":"nobody"}`:         404,
		`{"client_id":"` + alice + ` "}`: 404,
	} {
		if resp := h.control(http.MethodPost, "/_mock/revoke", body, nil); resp.StatusCode != status {
			t.Errorf("revoke %.60s: %d %s, want %d", body, resp.StatusCode, resp.body, status)
		}
	}
	if st := h.srv.State(); st.RevokedTokens != 1 {
		t.Errorf("revoked_tokens %d, want 1", st.RevokedTokens)
	}
	h.control(http.MethodPost, "/_mock/revoke", `{"client_id":"alice"}`, &got)
	if got.Revoked != 2 {
		t.Errorf("revoke alice: %d", got.Revoked)
	}
	for _, tok := range []string{a1, a2} {
		if resp := h.projects("Bearer " + tok); resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("revoked token: %d", resp.StatusCode)
		}
	}
}

func TestControlFaults(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: time.Hour})
	var st mockserver.State
	if resp := h.control(http.MethodPost, "/_mock/faults", `{"fail_next_tokens":2,"latency":"1ms"}`, &st); resp.StatusCode != 200 {
		t.Fatalf("faults: %d %s", resp.StatusCode, resp.body)
	}
	if st.FailNextTokens != 2 || st.Latency != "1ms" {
		t.Errorf("state %+v", st)
	}
	for i := range 2 {
		resp := h.do(h.tokenRequest(formType, credentials(alice, aliceSecret)))
		if resp.StatusCode != 500 || resp.errorBody(t) != spec.Error(spec.ServerError) {
			t.Errorf("token request %d: %d %s", i, resp.StatusCode, resp.body)
		}
	}
	h.token(alice, aliceSecret) // the third succeeds
	h.control(http.MethodPost, "/_mock/faults", `{"latency":"0s"}`, &st)
	if st.Latency != "0s" || st.FailNextTokens != 0 {
		t.Errorf("state %+v", st)
	}

	// The fault header, with the control API on.
	req := h.tokenRequest(formType, credentials(alice, aliceSecret))
	req.Header.Set(mockserver.FaultHeader, mockserver.FaultServerError)
	if resp := h.do(req); resp.StatusCode != 500 || resp.errorBody(t) != spec.Error(spec.ServerError) {
		t.Errorf("fault header: %d %s", resp.StatusCode, resp.body)
	}
	// Without the control API the header is an ordinary header.
	off := newHarness(t, mockserver.Config{})
	req = off.tokenRequest(formType, credentials(alice, aliceSecret))
	req.Header.Set(mockserver.FaultHeader, mockserver.FaultServerError)
	if resp := off.do(req); resp.StatusCode != 200 {
		t.Errorf("fault header with control off: %d", resp.StatusCode)
	}
	// FailNextTokens works without the control API too (Go callers).
	off.srv.FailNextTokens(1)
	if resp := off.do(off.tokenRequest(formType, credentials(alice, aliceSecret))); resp.StatusCode != 500 {
		t.Errorf("FailNextTokens(1): %d", resp.StatusCode)
	}
}

func TestLatencyRespectsCancellation(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true})
	h.srv.SetLatency(time.Hour) // clamped to MaxLatency
	var st mockserver.State
	h.control(http.MethodGet, "/_mock/", "", &st) // the control API is not delayed
	if st.Latency != mockserver.MaxLatency.String() {
		t.Errorf("latency %q, want the clamp %v", st.Latency, mockserver.MaxLatency)
	}
	ctx, cancel := context.WithCancel(context.Background())
	req := h.tokenRequest(formType, credentials(alice, aliceSecret)).WithContext(ctx)
	done := make(chan error, 1)
	go func() {
		resp, err := h.ts.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	cancel()
	if err := <-done; err == nil {
		t.Error("a cancelled request got an answer")
	}
	h.control(http.MethodPost, "/_mock/reset", "", &st)
	if st.Latency != "0s" {
		t.Errorf("after reset: %+v", st)
	}
	h.token(alice, aliceSecret)
	// The server side gave up too: nothing in the journal has status 0.
	for _, e := range h.srv.Journal() {
		if e.Status == 0 {
			t.Errorf("journal entry without a status: %+v", e)
		}
	}
}

func TestControlJournalAndReset(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: time.Hour})
	token := h.token(alice, aliceSecret).AccessToken
	h.projects("Bearer " + token)
	var j struct{ Entries []mockserver.JournalEntry }
	h.control(http.MethodGet, "/_mock/journal", "", &j)
	if len(j.Entries) != 2 || j.Entries[0].Path != spec.TokenPath || j.Entries[1].Path != spec.ProjectsPath {
		t.Fatalf("journal %+v", j.Entries)
	}
	if e := j.Entries[0]; e.Method != "POST" || e.Status != 200 || e.Form.Get("client_id") != alice ||
		e.Form.Get("client_secret") != mockserver.Redacted || e.ContentType != formType {
		t.Errorf("token entry %+v", e)
	}
	if e := j.Entries[1]; e.Authorization != "Bearer "+mockserver.Redacted || e.Status != 200 {
		t.Errorf("projects entry %+v", e)
	}
	var empty map[string]any
	if resp := h.control(http.MethodDelete, "/_mock/journal", "", &empty); resp.StatusCode != 200 || len(empty) != 0 {
		t.Errorf("DELETE journal: %d %s", resp.StatusCode, resp.body)
	}
	h.control(http.MethodGet, "/_mock/journal", "", &j)
	if len(j.Entries) != 0 {
		t.Errorf("after DELETE: %+v", j.Entries)
	}

	h.control(http.MethodPost, "/_mock/clock/advance", `{"by":"2h"}`, nil)
	h.control(http.MethodPost, "/_mock/revoke", `{"client_id":"alice"}`, nil)
	h.control(http.MethodPost, "/_mock/faults", `{"fail_next_tokens":3,"latency":"1ms"}`, nil)
	h.projects("Bearer " + token)
	var st mockserver.State
	if resp := h.control(http.MethodPost, "/_mock/reset", "", &st); resp.StatusCode != 200 {
		t.Fatalf("reset: %d", resp.StatusCode)
	}
	if st.FailNextTokens != 0 || st.Latency != "0s" || time.Since(st.Now).Abs() > time.Minute {
		t.Errorf("state after reset %+v", st)
	}
	if len(h.srv.Journal()) != 0 {
		t.Errorf("journal after reset: %+v", h.srv.Journal())
	}
	if resp := h.projects("Bearer " + token); resp.StatusCode != 200 {
		t.Errorf("token after reset: %d", resp.StatusCode)
	}
}

func TestControlBadInput(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true})
	tests := []struct {
		method, path, body string
		status             int
	}{
		{"POST", "/_mock/clock/advance", ``, 400},
		{"POST", "/_mock/clock/advance", `{"by":"0s"}`, 400},
		{"POST", "/_mock/clock/advance", `{"by":"-1h"}`, 400},
		{"POST", "/_mock/clock/advance", `{"by":"soon"}`, 400},
		{"POST", "/_mock/clock/advance", `{"by":90}`, 400},
		{"POST", "/_mock/clock/advance", `{"by":"1h","extra":1}`, 400},
		{"POST", "/_mock/clock/advance", `{"by":"1h"} {"by":"1h"}`, 400},
		{"POST", "/_mock/clock/advance", `[{"by":"1h"}]`, 400},
		{"POST", "/_mock/clock/advance", `{"by":"` + strings.Repeat("9", 100) + `h"}`, 400},
		{"POST", "/_mock/clock/advance", `{"by":"1h"` + strings.Repeat(" ", 5000) + `}`, 413},
		{"POST", "/_mock/revoke", `{}`, 400},
		{"POST", "/_mock/revoke", `{"token":""}`, 400},
		{"POST", "/_mock/revoke", `{"token":"a","client_id":"alice"}`, 400},
		{"POST", "/_mock/revoke", `not json`, 400},
		{"POST", "/_mock/faults", `{"fail_next_tokens":-1}`, 400},
		{"POST", "/_mock/faults", `{"fail_next_tokens":1e9}`, 400},
		{"POST", "/_mock/faults", `{"latency":"11s"}`, 400},
		{"POST", "/_mock/faults", `{"latency":"-1s"}`, 400},
		{"POST", "/_mock/faults", `{"fail_next_tokens":"1"}`, 400},
		{"GET", "/_mock/clock/advance", ``, 405},
		{"PUT", "/_mock/journal", ``, 405},
		{"DELETE", "/_mock/", ``, 405},
		{"GET", "/_mock/reset", ``, 405},
		{"GET", "/_mock/nothing", ``, 404},
	}
	for _, tt := range tests {
		resp := h.control(tt.method, tt.path, tt.body, nil)
		if resp.StatusCode != tt.status {
			t.Errorf("%s %s %.40q: %d %s, want %d", tt.method, tt.path, tt.body, resp.StatusCode, resp.body, tt.status)
		}
		resp.errorBody(t)
	}
	var st mockserver.State
	h.control(http.MethodGet, "/_mock/", "", &st)
	if st.FailNextTokens != 0 || st.Latency != "0s" {
		t.Errorf("bad input changed the state: %+v", st)
	}
}

func TestControlRemoteRefused(t *testing.T) {
	for _, allowRemote := range []bool{false, true} {
		srv := mockserver.New(mockserver.Config{Control: true, ControlAllowRemote: allowRemote})
		for _, remote := range []string{"203.0.113.7:4000", "[2001:db8::1]:4000", "garbage"} {
			req := httptest.NewRequest(http.MethodGet, "http://127.0.0.1:8080/_mock/", nil)
			req.RemoteAddr = remote
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			want := http.StatusForbidden
			if allowRemote {
				want = http.StatusOK
			}
			if rec.Code != want {
				t.Errorf("allowRemote=%v from %s: %d, want %d", allowRemote, remote, rec.Code, want)
			}
			checkResponse(t, req, rec.Code, rec.Header(), rec.Body.Bytes())
		}
		for _, local := range []string{"127.0.0.1:1", "127.9.9.9:1", "[::1]:1", "[::ffff:127.0.0.1]:1"} {
			req := httptest.NewRequest(http.MethodGet, "http://localhost:8080/_mock/", nil)
			req.RemoteAddr = local
			rec := httptest.NewRecorder()
			srv.ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Errorf("from %s: %d", local, rec.Code)
			}
		}
	}
}

// TestLatencyGivesUpWithTheClient serves a request whose client has already gone: the
// injected latency must not be waited for, and nothing is answered or journaled.
func TestLatencyGivesUpWithTheClient(t *testing.T) {
	srv := mockserver.New(mockserver.Config{})
	srv.SetLatency(mockserver.MaxLatency)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, spec.TokenPath, strings.NewReader(credentials(alice, aliceSecret)))
	req.Header.Set("Content-Type", formType)
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, req) // returns at once; a bug would block for MaxLatency, not fail
	if rec.Body.Len() != 0 || len(rec.Header()) != 0 {
		t.Errorf("answered a gone client: %d %s", rec.Code, rec.Body)
	}
	if len(srv.Journal()) != 0 {
		t.Errorf("journaled a gone client: %+v", srv.Journal())
	}
}
