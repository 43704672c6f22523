package mocktest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/mockserver/mocktest"
)

// post sends a token request for user and returns the status and decoded body.
func post(t *testing.T, m *mocktest.Mock, user, password string) (int, map[string]any) {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {user}, "client_secret": {password}}
	resp, err := m.Client().Post(m.TokenURL(), "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

// token obtains a token for alice.
func token(t *testing.T, m *mocktest.Mock) string {
	t.Helper()
	status, body := post(t, m, "alice", "alice-secret")
	tok, _ := body["access_token"].(string)
	if status != 200 || tok == "" {
		t.Fatalf("token: %d %v", status, body)
	}
	return tok
}

// projects calls List Projects with tok and returns the status.
func projects(t *testing.T, m *mocktest.Mock, tok string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, m.ProjectsURL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := m.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

func TestStart(t *testing.T) {
	m := mocktest.Start(t)
	if !strings.HasPrefix(m.URL, "http://127.0.0.1:") || m.TokenURL() != m.URL+"/apiops/auth/token" || m.ProjectsURL() != m.URL+"/apiops/projects/" {
		t.Errorf("URLs %s %s %s", m.URL, m.TokenURL(), m.ProjectsURL())
	}
	// The same token lifetime as `make mock`.
	if status, body := post(t, m, "alice", "alice-secret"); status != 200 || body["expires_in"] != float64(mockserver.DefaultTokenTTL/time.Second) {
		t.Errorf("token: %d %v", status, body)
	}
	// The demo accounts.
	for _, u := range mocktest.Users().Users {
		want := 200
		if !u.Active() {
			want = 401
		}
		if status, _ := post(t, m, u.Username, u.Password); status != want {
			t.Errorf("%s: %d, want %d", u.Username, status, want)
		}
	}
	// The control API over HTTP.
	resp, err := m.Client().Get(m.URL + "/_mock/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /_mock/: %d", resp.StatusCode)
	}
}

func TestControlMethods(t *testing.T) {
	m := mocktest.Start(t)
	tok := token(t, m)
	if got := projects(t, m, tok); got != 200 {
		t.Fatalf("fresh token: %d", got)
	}
	before := m.Now()
	m.Advance(2 * time.Hour)
	if m.Now().Sub(before) < 2*time.Hour {
		t.Errorf("Now() did not move: %v → %v", before, m.Now())
	}
	if got := projects(t, m, tok); got != 401 {
		t.Errorf("after Advance: %d", got)
	}
	m.Reset()
	if got := projects(t, m, tok); got != 200 {
		t.Errorf("after Reset: %d", got)
	}

	m.Revoke(tok)
	m.Revoke(tok) // twice is harmless
	if got := projects(t, m, tok); got != 401 {
		t.Errorf("after Revoke: %d", got)
	}
	other := token(t, m)
	if n := m.RevokeUser("alice"); n != 1 { // counted since the Reset
		t.Errorf("RevokeUser = %d, want 1", n)
	}
	if got := projects(t, m, other); got != 401 {
		t.Errorf("after RevokeUser: %d", got)
	}

	m.FailNextTokens(1)
	if status, body := post(t, m, "alice", "alice-secret"); status != 500 || body["error"] != "server_error" {
		t.Errorf("after FailNextTokens: %d %v", status, body)
	}
	m.SetTokenTTL(mockserver.NeverExpires)
	if _, body := post(t, m, "alice", "alice-secret"); body["expires_in"] != nil {
		t.Errorf("never-expiring token with expires_in: %v", body)
	}
	m.SetTokenTTL(90 * time.Second)
	if _, body := post(t, m, "alice", "alice-secret"); body["expires_in"] != float64(90) {
		t.Errorf("90s token: %v", body)
	}
	j := m.Journal()
	if len(j) == 0 || j[len(j)-1].Path != mocktest.TokenPath || j[len(j)-1].Form.Get("client_secret") != mockserver.Redacted {
		t.Errorf("journal %+v", j)
	}
	m.Reset()
	if len(m.Journal()) != 0 {
		t.Errorf("journal after Reset: %+v", m.Journal())
	}
}

// fatalTB records Fatalf instead of ending the test.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper()                           {}
func (f *fatalTB) Fatalf(format string, args ...any) { f.msg = fmt.Sprintf(format, args...) }
func (f *fatalTB) Cleanup(fn func())                 { f.TB.Cleanup(fn) }

// TestRefusalsFailTheTest: what the mock refuses fails the test with a clear message.
func TestRefusalsFailTheTest(t *testing.T) {
	tests := map[string]func(*mocktest.Mock){
		"Revoke(garbage)":       func(m *mocktest.Mock) { m.Revoke("garbage") },
		"RevokeUser(nobody)":    func(m *mocktest.Mock) { m.RevokeUser("nobody") },
		"Advance(0)":            func(m *mocktest.Mock) { m.Advance(0) },
		"FailNextTokens(-1)":    func(m *mocktest.Mock) { m.FailNextTokens(-1) },
		"SetTokenTTL(1ms)":      func(m *mocktest.Mock) { m.SetTokenTTL(time.Millisecond) },
		"StartConfig(bad user)": nil,
	}
	for name, call := range tests {
		tb := &fatalTB{TB: t}
		if call == nil {
			cfg := mockserver.Config{}
			cfg.Users.Users = append(cfg.Users.Users, mocktest.Users().Users[0], mocktest.Users().Users[0])
			mocktest.StartConfig(tb, cfg)
		} else {
			call(mocktest.StartConfig(tb, mockserver.Config{}))
		}
		if !strings.HasPrefix(tb.msg, "mocktest: ") {
			t.Errorf("%s: Fatalf %q", name, tb.msg)
		}
	}
}
