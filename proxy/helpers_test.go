package proxy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/proxy"
)

// Demo accounts of fixtures.Default().
const (
	alice       = "alice"
	aliceSecret = "alice-secret"
	bob         = "bob"
	bobSecret   = "p@ss w0rd&=+%ü/?#"
)

// syncBuffer is a bytes.Buffer safe for the concurrent writes of a logger.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// rig is a proxy served over loopback in front of an upstream.
type rig struct {
	t      *testing.T
	proxy  *proxy.Proxy
	url    string
	logs   *syncBuffer
	stop   func() // stops serving; idempotent
	client *http.Client
}

// newRig serves a proxy to upstream on a loopback port until the test ends.
func newRig(t *testing.T, upstream string, mutate ...func(*proxy.Config)) *rig {
	t.Helper()
	u, err := url.Parse(upstream)
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	cfg := proxy.Config{
		Upstream: u,
		Timeout:  5 * time.Second,
		Logger:   slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	}
	for _, m := range mutate {
		m(&cfg)
	}
	p, err := proxy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, ln) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("Serve: %v", err)
			}
		})
	}
	t.Cleanup(stop)
	client := &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		Transport:     &http.Transport{Proxy: nil},
	}
	t.Cleanup(client.CloseIdleConnections)
	return &rig{t: t, proxy: p, url: "http://" + ln.Addr().String(), logs: logs, stop: stop, client: client}
}

// newMock serves the mock with the default fixtures and one-hour tokens.
func newMock(t *testing.T) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(mockserver.New(mockserver.Config{Users: fixtures.Default(), TokenTTL: time.Hour}))
	t.Cleanup(ts.Close)
	return ts
}

// answer is a response with its body read.
type answer struct {
	*http.Response
	body []byte
}

func (a answer) violations() string { return a.Header.Get(proxy.HeaderViolations) }

// do sends req through the proxy and reads the whole answer.
func (r *rig) do(req *http.Request) answer {
	r.t.Helper()
	resp, err := r.client.Do(req)
	if err != nil {
		r.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		r.t.Fatalf("%s %s: reading the body: %v", req.Method, req.URL.Path, err)
	}
	return answer{resp, body}
}

// post sends a token request with the given query, Content-Type and body.
func (r *rig) post(query, contentType, body string) answer {
	r.t.Helper()
	target := r.url + "/apiops/auth/token"
	if query != "" {
		target += "?" + query
	}
	req, err := http.NewRequest(http.MethodPost, target, strings.NewReader(body))
	if err != nil {
		r.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return r.do(req)
}

// form encodes a correct token request.
func form(id, secret string) string {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}}.Encode()
}

// token obtains a token for id through the proxy.
func (r *rig) token(id, secret string) string {
	r.t.Helper()
	a := r.post("", "application/x-www-form-urlencoded", form(id, secret))
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if a.StatusCode != http.StatusOK || json.Unmarshal(a.body, &tok) != nil || tok.AccessToken == "" {
		r.t.Fatalf("token for %s: %d %q", id, a.StatusCode, a.body)
	}
	return tok.AccessToken
}

// get sends GET path with the given Authorization value ("" for none).
func (r *rig) get(path, authorization string) answer {
	r.t.Helper()
	req, err := http.NewRequest(http.MethodGet, r.url+path, nil)
	if err != nil {
		r.t.Fatal(err)
	}
	if authorization != "" {
		req.Header.Set("Authorization", authorization)
	}
	return r.do(req)
}

// secretForms returns s and the encodings it travels in.
func secretForms(s string) []string {
	return []string{s, url.QueryEscape(s), url.PathEscape(s)}
}

// assertNoSecret fails when text contains any of the secrets, in any encoding.
func assertNoSecret(t *testing.T, where, text string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		for _, f := range secretForms(s) {
			if strings.Contains(text, f) {
				t.Errorf("%s contains a secret (%d bytes)", where, len(f))
			}
		}
	}
}
