package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/spec"
)

// fakeClock is a settable clock for the targets' own tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *fakeClock) advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// answer is what a target answered.
type answer struct {
	code   int
	header http.Header
	body   map[string]any
}

// do sends r through srv's client and decodes a JSON object body, if any.
func do(t *testing.T, srv *httptest.Server, r *http.Request) answer {
	t.Helper()
	resp, err := srv.Client().Do(r)
	if err != nil {
		t.Fatalf("%s %s: %v", r.Method, r.URL.Path, err)
	}
	defer resp.Body.Close()
	a := answer{code: resp.StatusCode, header: resp.Header}
	_ = json.NewDecoder(resp.Body).Decode(&a.body)
	return a
}

// login asks srv for a token with the documented form.
func login(t *testing.T, srv *httptest.Server, id, secret string) answer {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}
	return postForm(t, srv, form.Encode())
}

func postForm(t *testing.T, srv *httptest.Server, body string) answer {
	t.Helper()
	r, _ := http.NewRequest(http.MethodPost, srv.URL+spec.TokenPath, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return do(t, srv, r)
}

// token logs in as alice and returns the token.
func token(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	a := login(t, srv, "alice", "alice-secret")
	tok, _ := a.body["access_token"].(string)
	if a.code != http.StatusOK || tok == "" {
		t.Fatalf("login: %d %v", a.code, a.body)
	}
	return tok
}

// protected calls the protected path with tok and returns the status.
func protected(t *testing.T, srv *httptest.Server, tok string) int {
	t.Helper()
	r, _ := http.NewRequest(http.MethodGet, srv.URL+spec.ProjectsPath, nil)
	r.Header.Set("Authorization", "Bearer "+tok)
	return do(t, srv, r).code
}

func TestFootprintCounter(t *testing.T) {
	t.Parallel()
	fp, h := footprintCounter(liveMock(time.Hour), fixtures.Default())
	srv := serve(t, h)
	for _, pw := range []string{"alice-secret", "wrong", "wrong", "alice-secret", "wrong"} {
		login(t, srv, "alice", pw)
	}
	login(t, srv, "carol", "carol-secret") // disabled: a failed login too
	login(t, srv, "nobody", "x")           // unknown: not an account
	if n := fp.issued("alice"); n != 2 || fp.totalIssued() != 2 {
		t.Errorf("issued %d to alice, %d in all; want 2, 2", n, fp.totalIssued())
	}
	if seq := fp.loginsOf("alice"); !slices.Equal(seq, []bool{false, true, true, false, true}) {
		t.Errorf("alice's logins %v", seq)
	}
	if total, inRow := fp.failed("alice"); total != 3 || inRow != 2 {
		t.Errorf("alice: %d failed, %d in a row; want 3, 2", total, inRow)
	}
	if total, inRow := fp.failed("carol"); total != 1 || inRow != 1 || len(fp.accounts()) != 2 {
		t.Errorf("carol: %d failed, %d in a row; accounts %v", total, inRow, fp.accounts())
	}
}

func TestLockout(t *testing.T) {
	t.Parallel()
	l, h := lockout(liveMock(time.Hour), fixtures.Default())
	srv := serve(t, h)
	for _, pw := range []string{"wrong", "wrong", "p@ss w0rd&=+%ü/?#", "wrong", "wrong", "p@ss w0rd&=+%ü/?#"} {
		login(t, srv, "bob", pw)
	}
	if a := login(t, srv, "bob", "p@ss w0rd&=+%ü/?#"); a.code != http.StatusOK || l.isLocked("bob") {
		t.Errorf("bob after two failures in a row, twice: %d, locked %v; want 200", a.code, l.isLocked("bob"))
	}
	for range lockoutAfter {
		login(t, srv, "alice", "wrong")
	}
	if a := login(t, srv, "alice", "alice-secret"); a.code != http.StatusUnauthorized || a.body["error"] != "unauthorized_client" || !l.isLocked("alice") {
		t.Errorf("alice after %d failures: %d %v; want the documented 401", lockoutAfter, a.code, a.body)
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{t: time.Unix(1000, 0)}
	l, h := rateLimit(liveMock(time.Hour), 2, clock.now)
	srv := serve(t, h)
	codes := func() (out []int) {
		for range 3 {
			out = append(out, login(t, srv, "alice", "alice-secret").code)
		}
		return out
	}
	first := codes()
	clock.advance(500 * time.Millisecond)
	second := codes()
	if want := []int{200, 200, 429, 200, 429, 429}; !slices.Equal(append(first, second...), want) || l.answered429() != 3 {
		t.Errorf("codes %v %v, 429 answered %d; want %v", first, second, l.answered429(), want)
	}
	clock.advance(time.Second)
	if a := login(t, srv, "alice", "alice-secret"); a.code != 200 {
		t.Errorf("after a second: %d", a.code)
	}
	r, _ := http.NewRequest(http.MethodGet, srv.URL+spec.ProjectsPath, nil)
	for range 2 {
		if a := do(t, srv, r); a.code == http.StatusTooManyRequests && a.header.Get("Retry-After") != "1" {
			t.Errorf("429 with Retry-After %q", a.header.Get("Retry-After"))
		}
	}
}

func TestExpiryTargets(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		lt        lifetime
		expiresIn float64
		lives     time.Duration // accepted until just before, refused from then on
	}{
		{"honest", honestExpiry(2 * time.Second), 2, 2 * time.Second},
		{"early", earlyExpiry(2 * time.Second), 2, time.Second},
		{"late", lateExpiry(2 * time.Second), 2, 6 * time.Second},
		{"rounding down", roundingDown(2 * time.Second), 1, 2 * time.Second},
		{"whole-second clock", wholeSecondClock(2 * time.Second), 2, 1300 * time.Millisecond}, // issued at .7 s
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clock := &fakeClock{t: time.Unix(1000, 700e6)}
			srv := serve(t, expiring(liveMock(time.Hour), tc.lt, clock.now))
			a := login(t, srv, "alice", "alice-secret")
			if a.body["expires_in"] != tc.expiresIn {
				t.Errorf("expires_in %v, want %v", a.body["expires_in"], tc.expiresIn)
			}
			tok, _ := a.body["access_token"].(string)
			clock.advance(tc.lives - time.Millisecond)
			before := protected(t, srv, tok)
			clock.advance(time.Millisecond)
			if after := protected(t, srv, tok); before != 200 || after != 401 {
				t.Errorf("at %s: %d, %d; want 200, 401", tc.lives, before, after)
			}
		})
	}
}

func TestSingleUse(t *testing.T) {
	t.Parallel()
	srv := serve(t, singleUse(liveMock(time.Hour)))
	one, two := token(t, srv), token(t, srv)
	if got := []int{protected(t, srv, one), protected(t, srv, one), protected(t, srv, two)}; !slices.Equal(got, []int{200, 401, 200}) {
		t.Errorf("got %v, want [200 401 200]", got)
	}
}

func TestOkToEverything(t *testing.T) {
	t.Parallel()
	srv := serve(t, okToEverything())
	get, _ := http.NewRequest(http.MethodGet, srv.URL+spec.TokenPath, nil)
	if a := do(t, srv, get); a.code != 200 || a.body["access_token"] == nil {
		t.Errorf("GET token: %d %v", a.code, a.body)
	}
	if a := login(t, srv, "nobody", "wrong"); a.code != 200 || a.body["access_token"] == nil {
		t.Errorf("wrong login: %d %v", a.code, a.body)
	}
	if code := protected(t, srv, "made-up"); code != 200 {
		t.Errorf("made-up token: %d", code)
	}
}

func TestJSONAccepting(t *testing.T) {
	t.Parallel()
	srv := serve(t, jsonAccepting(liveMock(time.Hour)))
	for secret, want := range map[string]int{"alice-secret": 200, "wrong": 401} {
		body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": "alice", "client_secret": secret})
		r, _ := http.NewRequest(http.MethodPost, srv.URL+spec.TokenPath, bytes.NewReader(body))
		r.Header.Set("Content-Type", "application/json; charset=utf-8")
		if a := do(t, srv, r); a.code != want {
			t.Errorf("JSON body with %s: %d, want %d", secret, a.code, want)
		}
	}
	token(t, srv) // the form still works
}

func TestProblemJSON(t *testing.T) {
	t.Parallel()
	srv := serve(t, problemJSON(liveMock(time.Hour)))
	a := login(t, srv, "alice", "wrong")
	if a.code != 401 || a.header.Get("Content-Type") != "application/problem+json" || a.body["error"] != "unauthorized_client" ||
		a.body["error_description"] == "" || a.body["status"] != 401.0 {
		t.Errorf("wrong password: %d %q %v", a.code, a.header.Get("Content-Type"), a.body)
	}
	if a := login(t, srv, "alice", "alice-secret"); a.code != 200 || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
		t.Errorf("success: %d %q", a.code, a.header.Get("Content-Type"))
	}
}

// TestRefusingTargets checks the targets that refuse some token requests with a
// documented or RFC error.
func TestRefusingTargets(t *testing.T) {
	t.Parallel()
	mock := liveMock(time.Hour)
	for _, tc := range []struct {
		name   string
		h      http.Handler
		form   string
		code   int
		error_ string
	}{
		{"missing client_id 400", missingClientID400(mock), "grant_type=client_credentials&client_secret=x", 400, "invalid_request"},
		{"missing client_id 400, with one", missingClientID400(mock), "grant_type=client_credentials&client_id=alice&client_secret=x", 401, "unauthorized_client"},
		{"empty secret 400", emptySecret400(mock), "grant_type=client_credentials&client_id=alice&client_secret=", 400, "invalid_request"},
		{"empty secret 400, without one", emptySecret400(mock), "grant_type=client_credentials&client_id=alice", 401, "unauthorized_client"},
		{"bad credentials", badCredentials(mock, "alice"), "grant_type=client_credentials&client_id=alice&client_secret=alice-secret", 401, "unauthorized_client"},
		{"bad credentials, other account", badCredentials(mock, "alice"), "grant_type=client_credentials&client_id=carol&client_secret=carol-secret", 401, "unauthorized_client"},
		{"non-ASCII refused", nonASCIIRefusing(mock), "grant_type=client_credentials&client_id=bob&client_secret=" + url.QueryEscape("p@ss w0rd&=+%ü/?#"), 401, "unauthorized_client"},
		{"ASCII accepted", nonASCIIRefusing(mock), "grant_type=client_credentials&client_id=alice&client_secret=alice-secret", 200, ""},
	} {
		srv := serve(t, tc.h)
		if a := postForm(t, srv, tc.form); a.code != tc.code || (tc.error_ != "" && a.body["error"] != tc.error_) {
			t.Errorf("%s: %d %v, want %d %s", tc.name, a.code, a.body, tc.code, tc.error_)
		}
	}
	if a := login(t, serve(t, badCredentials(mock, "alice")), "bob", "p@ss w0rd&=+%ü/?#"); a.code != 200 {
		t.Errorf("bad credentials for alice, bob: %d", a.code)
	}
}

func TestUnreachableTargets(t *testing.T) {
	t.Parallel()
	short := &http.Client{Timeout: time.Second} // long enough for an answer on a loaded machine
	get := func(base, path string) (int, error) {
		resp, err := short.Get(base + path)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}
	if _, err := get(serve(t, hangAll(t.Context())).URL, spec.TokenPath); err == nil {
		t.Error("hangAll answered")
	}
	hp := serve(t, hangProtected(liveMock(time.Hour), t.Context()))
	if _, err := get(hp.URL, spec.ProjectsPath); err == nil || token(t, hp) == "" {
		t.Errorf("hangProtected: protected path answered (%v)", err)
	}
	third := serve(t, oneInThree(okToEverything(), t.Context()))
	var answered []bool
	for range 4 {
		_, err := get(third.URL, "/")
		answered = append(answered, err == nil)
	}
	if answered[0] != true || answered[1] || answered[2] || !answered[3] {
		t.Errorf("oneInThree answered %v, want [true false false true]", answered)
	}
	if _, err := get(refusingURL(t), "/"); err == nil || !strings.Contains(err.Error(), "refused") {
		t.Errorf("refusing port: %v", err)
	}
	if _, err := http.Get(unknownCA(t, liveMock(time.Hour)).URL + spec.ProjectsPath); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("unknown CA: %v", err)
	}
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	srv := serve(t, redirectToHTTPS())
	resp, err := noFollow.Post(srv.URL+spec.TokenPath+"?a=b", "application/x-www-form-urlencoded", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != 308 || loc != "https://"+srv.Listener.Addr().String()+spec.TokenPath+"?a=b" {
		t.Errorf("redirect: %d %q", resp.StatusCode, loc)
	}
}

// The tests below judge the targets with the built CLI. Those that need the runner being
// rewritten (preflight, footprint budget, 429 handling, measured expiry, judging by the
// RFC where the docs are silent) skip with "needs the new runner" while today's runner
// does not meet them: they are its acceptance tests.
