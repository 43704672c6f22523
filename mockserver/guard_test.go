package mockserver_test

import (
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/apiops/apiops-conformance/mockserver"
)

// controlRequest builds a control API request to the harness's listener with the given
// Content-Type, Origin and Host ("" leaves each as a Go client sends it).
func (h *harness) controlRequest(method, path, body, contentType, origin, host string) *http.Request {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url(path), strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if host != "" {
		req.Host = host
	}
	return req
}

// TestControlRefusesWebPages plays what a web page in the developer's browser can send to
// a mock on 127.0.0.1: a cross-site form or "simple" fetch, and a DNS-rebinding page whose
// requests name the attacker's host. Each is refused with a JSON error and changes nothing.
func TestControlRefusesWebPages(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(h.ts.URL, "http://"))
	faults := `{"fail_next_tokens":5,"latency":"1s"}`
	tests := []struct {
		name                      string
		method, path, body        string
		contentType, origin, host string
		status                    int
	}{
		{"cross-site text/plain POST", "POST", "/_mock/faults", faults, "text/plain", "http://evil.example", "", 403},
		{"cross-site form POST", "POST", "/_mock/reset", "", "application/x-www-form-urlencoded", "http://evil.example", "", 403},
		{"cross-site JSON POST", "POST", "/_mock/faults", faults, "application/json", "http://evil.example", "", 403},
		{"opaque origin", "POST", "/_mock/faults", faults, "application/json", "null", "", 403},
		{"other port on localhost", "POST", "/_mock/faults", faults, "application/json", "http://127.0.0.1:1", "", 403},
		{"https origin for an http listener", "POST", "/_mock/faults", faults, "application/json", "https://127.0.0.1:" + port, "", 403},
		{"cross-site GET of the journal", "GET", "/_mock/journal", "", "", "http://evil.example", "", 403},
		{"no Origin, text/plain", "POST", "/_mock/faults", faults, "text/plain", "", "", 415},
		{"no Origin, no Content-Type", "POST", "/_mock/faults", faults, "", "", "", 415},
		{"no Origin, form", "POST", "/_mock/reset", "", "application/x-www-form-urlencoded", "", "", 415},
		{"DNS rebinding", "POST", "/_mock/faults", faults, "application/json", "", "evil.example:" + port, 403},
		{"DNS rebinding with its own origin", "POST", "/_mock/faults", faults, "application/json", "http://evil.example:" + port, "evil.example:" + port, 403},
		{"DNS rebinding GET", "GET", "/_mock/journal", "", "", "", "evil.example:" + port, 403},
		{"a subdomain of localhost", "GET", "/_mock/", "", "", "", "evil.localhost:" + port, 403},
		{"another loopback address", "GET", "/_mock/", "", "", "", "127.0.0.2:" + port, 403},
	}
	for _, tt := range tests {
		resp := h.do(h.controlRequest(tt.method, tt.path, tt.body, tt.contentType, tt.origin, tt.host))
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d %s, want %d", tt.name, resp.StatusCode, resp.body, tt.status)
			continue
		}
		if e := resp.errorBody(t); e.Description == "" {
			t.Errorf("%s: no error_description", tt.name)
		}
		if tt.status == 415 && resp.Header.Get("Accept") != "application/json" {
			t.Errorf("%s: 415 without Accept: application/json", tt.name)
		}
	}
	if st := h.srv.State(); st.FailNextTokens != 0 || st.Latency != "0s" {
		t.Errorf("a refused request changed the state: %+v", st)
	}
	if resp := h.token(alice, aliceSecret); resp.AccessToken == "" {
		t.Error("no token after refused requests")
	}
}

// TestControlAcceptsItsOwnOrigin: the listener's own origin, under every name it answers
// to, and clients that send no Origin at all (curl, Go) are served.
func TestControlAcceptsItsOwnOrigin(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true})
	_, port, _ := net.SplitHostPort(strings.TrimPrefix(h.ts.URL, "http://"))
	tests := []struct{ contentType, origin, host string }{
		{"application/json", "", ""},
		{"application/json; charset=utf-8", "", ""},
		{"application/json", "http://127.0.0.1:" + port, ""},
		{"application/json", "HTTP://LOCALHOST:" + port, "localhost:" + port},
		{"application/json", "http://localhost:" + port, "LocalHost:" + port},
		{"application/json", "", "127.0.0.1"},
	}
	for _, tt := range tests {
		resp := h.do(h.controlRequest("POST", "/_mock/faults", `{"fail_next_tokens":1}`, tt.contentType, tt.origin, tt.host))
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%+v: %d %s", tt, resp.StatusCode, resp.body)
		}
	}
	if resp := h.do(h.controlRequest("GET", "/_mock/journal", "", "", "", "")); resp.StatusCode != http.StatusOK {
		t.Errorf("GET journal: %d %s", resp.StatusCode, resp.body)
	}
}

// TestControlAllowRemoteHost: --control-allow-remote serves any Host (a DNS name in front
// of a shared mock), but still refuses other origins and non-JSON POSTs.
func TestControlAllowRemoteHost(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, ControlAllowRemote: true})
	const host = "mock.internal:8080"
	if resp := h.do(h.controlRequest("POST", "/_mock/faults", `{"fail_next_tokens":1}`, "application/json", "", host)); resp.StatusCode != 200 {
		t.Errorf("remote Host: %d %s", resp.StatusCode, resp.body)
	}
	if resp := h.do(h.controlRequest("POST", "/_mock/faults", `{"fail_next_tokens":1}`, "application/json", "http://"+host, host)); resp.StatusCode != 200 {
		t.Errorf("remote Host, own origin: %d %s", resp.StatusCode, resp.body)
	}
	if resp := h.do(h.controlRequest("POST", "/_mock/faults", `{"fail_next_tokens":7}`, "application/json", "http://evil.example", host)); resp.StatusCode != 403 {
		t.Errorf("remote Host, other origin: %d %s", resp.StatusCode, resp.body)
	}
	if resp := h.do(h.controlRequest("POST", "/_mock/faults", `{"fail_next_tokens":7}`, "text/plain", "", host)); resp.StatusCode != 415 {
		t.Errorf("remote Host, text/plain: %d %s", resp.StatusCode, resp.body)
	}
	if st := h.srv.State(); st.FailNextTokens != 1 {
		t.Errorf("state %+v", st)
	}
}
