package mockserver_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// Demo accounts of fixtures.Default().
const (
	alice       = "alice"
	aliceSecret = "alice-secret"
	bob         = "bob"
	bobSecret   = "p@ss w0rd&=+%ü/?#"
)

var validator = sync.OnceValues(spec.NewValidator)

// harness is a mock served over loopback HTTP; every response it sees is checked against
// the contract.
type harness struct {
	t   testing.TB
	srv *mockserver.Server
	ts  *httptest.Server
}

func newHarness(t testing.TB, cfg mockserver.Config) *harness {
	t.Helper()
	srv := mockserver.New(cfg)
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &harness{t: t, srv: srv, ts: ts}
}

// response is a response with its body read.
type response struct {
	*http.Response
	body []byte
}

func (r response) errorBody(t testing.TB) spec.ErrorBody {
	t.Helper()
	var e spec.ErrorBody
	if err := json.Unmarshal(r.body, &e); err != nil || e.Error == "" {
		t.Fatalf("status %d: body %q is not a JSON error: %v", r.StatusCode, r.body, err)
	}
	return e
}

// do sends req and checks the response: against the contract when the request is one the
// contract describes, and for every error that the body is a JSON error with the mock's
// headers.
func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	resp, err := h.ts.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("read body: %v", err)
	}
	checkResponse(h.t, req, resp.StatusCode, resp.Header, body)
	return response{resp, body}
}

// checkResponse validates one response as described on harness.do.
func checkResponse(t testing.TB, req *http.Request, status int, header http.Header, body []byte) {
	t.Helper()
	if ct := header.Get("Content-Type"); ct != "application/json;charset=UTF-8" {
		t.Errorf("%s %s → %d: Content-Type %q", req.Method, req.URL.Path, status, ct)
	}
	if cc := header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("%s %s → %d: Cache-Control %q", req.Method, req.URL.Path, status, cc)
	}
	if status >= 400 {
		var e spec.ErrorBody
		if err := json.Unmarshal(body, &e); err != nil || e.Error == "" {
			t.Errorf("%s %s → %d: body %q is not a JSON error", req.Method, req.URL.Path, status, body)
		}
	}
	inContract := (req.Method == http.MethodPost && req.URL.Path == spec.TokenPath) ||
		(req.Method == http.MethodGet && req.URL.Path == spec.ProjectsPath)
	if !inContract {
		return
	}
	v, err := validator()
	if err != nil {
		t.Fatalf("validator: %v", err)
	}
	if err := v.ValidateResponse(context.Background(), req, status, header, body); err != nil {
		t.Errorf("%s %s → %d %s: %v", req.Method, req.URL.Path, status, body, err)
	}
}

func (h *harness) url(path string) string { return h.ts.URL + path }

// tokenRequest builds a token request with a raw body and Content-Type.
func (h *harness) tokenRequest(contentType, body string) *http.Request {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.url(spec.TokenPath), strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}

const formType = "application/x-www-form-urlencoded"

func credentials(user, secret string) string {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {user}, "client_secret": {secret}}.Encode()
}

// tokenResponse is the 200 body of the token endpoint.
type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   *int64 `json:"expires_in"`
}

// token obtains a token for user or fails the test.
func (h *harness) token(user, secret string) tokenResponse {
	h.t.Helper()
	resp := h.do(h.tokenRequest(formType, credentials(user, secret)))
	if resp.StatusCode != http.StatusOK {
		h.t.Fatalf("token for %s: %d %s", user, resp.StatusCode, resp.body)
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.body, &tr); err != nil {
		h.t.Fatalf("token response %s: %v", resp.body, err)
	}
	return tr
}

// projects calls the protected endpoint with the given Authorization header ("" = none).
func (h *harness) projects(authorization string) response {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodGet, h.url(spec.ProjectsPath), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return h.do(req)
}

// control calls the control API as curl or a Go client would (application/json on a
// POST, no Origin) and decodes a 200 answer into out (if not nil).
func (h *harness) control(method, path, body string, out any) response {
	h.t.Helper()
	req, err := http.NewRequest(method, h.url(path), strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	resp := h.do(req)
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(resp.body, out); err != nil {
			h.t.Fatalf("%s %s: %s: %v", method, path, resp.body, err)
		}
	}
	return resp
}

// fixedClock is a settable clock for Config.Now.
type fixedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fixedClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}
