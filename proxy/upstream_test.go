package proxy_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/proxy"
	"github.com/apiops/apiops-conformance/reports"
)

// fakeToken is what the broken upstreams issue; it must never leave the proxy unredacted
// anywhere but in the answer itself.
const fakeToken = "upstream-issued-token-0123456789"

// upstream serves h over loopback until the test ends.
func upstream(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

func TestBrokenUpstreams(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		rule    string // in the header; "" for none
	}{
		{"wrong token_type", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"`+fakeToken+`","token_type":"MAC","expires_in":3600}`)
		}, http.StatusOK, proxy.RuleTokenContract},
		{"500 without JSON", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, "<h1>Internal Server Error</h1>")
		}, http.StatusInternalServerError, proxy.RuleTokenContract},
		{"no Content-Type", func(w http.ResponseWriter, _ *http.Request) {
			w.Header()["Content-Type"] = nil
			io.WriteString(w, `{"access_token":"`+fakeToken+`","token_type":"Bearer"}`)
		}, http.StatusOK, proxy.RuleTokenContract},
		{"a correct answer", func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"access_token":"`+fakeToken+`","token_type":"bearer"}`)
		}, http.StatusOK, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			up := upstream(t, tt.handler)
			direct, err := http.Post(up.URL+"/apiops/auth/token", "application/x-www-form-urlencoded", strings.NewReader(form(alice, aliceSecret)))
			if err != nil {
				t.Fatal(err)
			}
			want, _ := io.ReadAll(direct.Body)
			direct.Body.Close()

			r := newRig(t, up.URL)
			a := r.post("", "application/x-www-form-urlencoded", form(alice, aliceSecret))
			if a.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", a.StatusCode, tt.status)
			}
			if !bytes.Equal(a.body, want) {
				t.Errorf("body changed:\n got %q\nwant %q", a.body, want)
			}
			if got, want := a.Header.Values("Content-Type"), direct.Header.Values("Content-Type"); strings.Join(got, ",") != strings.Join(want, ",") {
				t.Errorf("Content-Type %q, upstream sent %q", got, want)
			}
			h := a.violations()
			switch {
			case tt.rule == "" && h != "":
				t.Errorf("violations %q on a correct answer", h)
			case tt.rule != "" && !strings.HasPrefix(h, tt.rule+": "):
				t.Errorf("violations %q; want %s", h, tt.rule)
			}
			r.stop()
			assertNoSecret(t, "the header", h, aliceSecret, fakeToken)
			assertNoSecret(t, "the logs", r.logs.String(), aliceSecret, fakeToken)
		})
	}
}

func TestHangingUpstreamTimesOut(t *testing.T) {
	for _, tt := range []struct {
		name string
		h    http.HandlerFunc
	}{
		// Each reads the request body first: only then does net/http notice a client
		// (here the proxy) that went away, and end the handler.
		{"no headers", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			<-r.Context().Done()
		}},
		{"headers, then no body", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, `{"access_token":"`)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			up := upstream(t, tt.h)
			r := newRig(t, up.URL, func(c *proxy.Config) { c.Timeout = 300 * time.Millisecond })
			a := r.post("", "application/x-www-form-urlencoded", form(alice, aliceSecret))
			if a.StatusCode != http.StatusGatewayTimeout {
				t.Fatalf("status %d %q, want 504", a.StatusCode, a.body)
			}
			if !strings.Contains(a.violations(), proxy.RuleTokenContract) {
				t.Errorf("violations %q; want %s", a.violations(), proxy.RuleTokenContract)
			}
			assertNoSecret(t, "the answer", string(a.body), aliceSecret)
		})
	}
}

func TestUnreachableUpstreamIs502(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	r := newRig(t, "http://"+addr)
	a := r.post("client_secret="+aliceSecret, "application/x-www-form-urlencoded", form(alice, aliceSecret))
	if a.StatusCode != http.StatusBadGateway {
		t.Fatalf("status %d %q, want 502", a.StatusCode, a.body)
	}
	// The credentials in the query are the client's fault; the refused connection is no
	// contract violation of the upstream, only a reason it could not be judged.
	if h := a.violations(); !strings.Contains(h, "CLIENT-FORM-005") || strings.Contains(h, "TOKEN-SPEC") {
		t.Errorf("violations %q; want CLIENT-FORM-005 only", h)
	}
	r.stop()
	if r.proxy.CouldNotJudge() == "" {
		t.Error("CouldNotJudge is empty after the upstream refused every connection")
	}
	res := r.proxy.Result(proxy.Meta{})
	for _, c := range res.Checks {
		if c.ID == proxy.RuleTokenContract && (c.Status != reports.NotJudged || !strings.Contains(c.Reason, "could not be reached")) {
			t.Errorf("%s: %s %q; want skipped as unreachable", c.ID, c.Status, c.Message)
		}
	}
	assertNoSecret(t, "the answer", string(a.body)+a.violations(), aliceSecret)
	assertNoSecret(t, "the logs", r.logs.String(), aliceSecret)
}

func TestRedirectIsPassedThroughNotFollowed(t *testing.T) {
	var followed atomic.Int32
	up := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/elsewhere" {
			followed.Add(1)
			return
		}
		http.Redirect(w, r, "/elsewhere?from=proxy", http.StatusFound)
	})
	r := newRig(t, up.URL)
	a := r.post("", "application/x-www-form-urlencoded", form(alice, aliceSecret))
	if a.StatusCode != http.StatusFound || a.Header.Get("Location") != "/elsewhere?from=proxy" {
		t.Fatalf("got %d Location %q; want the upstream's 302 as sent", a.StatusCode, a.Header.Get("Location"))
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
	if !strings.Contains(a.violations(), "redirected (302)") {
		t.Errorf("violations %q; want the redirect named", a.violations())
	}
}

func TestLargeAnswerIsStreamedWhole(t *testing.T) {
	big := bytes.Repeat([]byte(`{"id":"x"},`), 3*proxy.MaxValidate/10)
	up := upstream(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(big)
	})
	r := newRig(t, up.URL)
	a := r.get("/apiops/projects/", "Bearer abc")
	if a.StatusCode != http.StatusOK || sha256.Sum256(a.body) != sha256.Sum256(big) {
		t.Fatalf("status %d, %d bytes; want 200 and the %d bytes sent", a.StatusCode, len(a.body), len(big))
	}
	if a.violations() != "" {
		t.Errorf("an answer too large to judge was judged: %q", a.violations())
	}
	if !strings.Contains(r.logs.String(), "answer body over 1 MiB") {
		t.Errorf("the log does not say the answer was not judged")
	}
}

func TestOtherPathsPassThroughUntouched(t *testing.T) {
	up := upstream(t, func(w http.ResponseWriter, _ *http.Request) {
		w.Header()["Content-Type"] = nil
		w.Header()["Date"] = nil
		w.Header().Set("X-Upstream", "1")
		w.Write([]byte("<html>not json</html>"))
	})
	r := newRig(t, up.URL)
	a := r.get("/health", "")
	if a.Header.Get("X-Upstream") != "1" || string(a.body) != "<html>not json</html>" {
		t.Fatalf("answer changed: %v %q", a.Header, a.body)
	}
	if _, ok := a.Header["Content-Type"]; ok {
		t.Errorf("a Content-Type was added: %q", a.Header.Get("Content-Type"))
	}
	if _, ok := a.Header["Date"]; ok {
		t.Errorf("a Date was added")
	}
	if a.violations() != "" {
		t.Errorf("an unjudged path got violations %q", a.violations())
	}
}

func TestAnswerCutShortIs502(t *testing.T) {
	up := upstream(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, `{"access_token":"`+fakeToken) // then the handler ends: the body is short
	})
	r := newRig(t, up.URL)
	a := r.post("", "application/x-www-form-urlencoded", form(alice, aliceSecret))
	if a.StatusCode != http.StatusBadGateway || !strings.Contains(a.violations(), proxy.RuleTokenContract) {
		t.Fatalf("status %d, violations %q; want 502 naming %s", a.StatusCode, a.violations(), proxy.RuleTokenContract)
	}
	r.stop()
	assertNoSecret(t, "the answer", string(a.body)+a.violations(), aliceSecret, fakeToken)
	assertNoSecret(t, "the logs", r.logs.String(), aliceSecret, fakeToken)
}

func TestUpstreamTLS(t *testing.T) {
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"`+fakeToken+`","token_type":"Bearer"}`)
	}))
	t.Cleanup(up.Close)
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	pemBytes := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: up.Certificate().Raw})
	if err := os.WriteFile(caFile, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name   string
		mutate func(*proxy.Config)
		status int
	}{
		{"verified by default", func(*proxy.Config) {}, http.StatusBadGateway},
		{"--ca-cert", func(c *proxy.Config) { c.CACert = caFile }, http.StatusOK},
		{"--insecure", func(c *proxy.Config) { c.Insecure = true }, http.StatusOK},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, up.URL, tt.mutate)
			a := r.post("", "application/x-www-form-urlencoded", form(alice, aliceSecret))
			if a.StatusCode != tt.status || a.violations() != "" {
				t.Fatalf("status %d %q, violations %q; want %d and none", a.StatusCode, a.body, a.violations(), tt.status)
			}
			r.stop()
			if got := r.proxy.CouldNotJudge() != ""; got != (tt.status != http.StatusOK) {
				t.Errorf("CouldNotJudge() != \"\" is %v", got)
			}
		})
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, raw := range []string{"ftp://x", "http://", "http://user:pw@h", "http://h/?q=1", "/relative"} {
		u, _ := url.Parse(raw)
		if _, err := proxy.New(proxy.Config{Upstream: u}); err == nil {
			t.Errorf("New(%q): no error", raw)
		}
	}
	u, _ := url.Parse("https://h")
	if _, err := proxy.New(proxy.Config{Upstream: u, CACert: filepath.Join(t.TempDir(), "none.pem")}); err == nil {
		t.Error("New with a missing CA file: no error")
	}
}
