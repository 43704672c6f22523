package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/reports"
)

// Hostile targets must give failed checks within the time bounds: no hang, no memory
// blow-up, exit 1.
func TestHostileTargets(t *testing.T) {
	t.Parallel()
	zeros := bytes.Repeat([]byte{0}, 64<<10)
	// release ends the hanging handlers once a subtest is done: a server only notices a
	// client that went away when it reads, and these handlers do not.
	release := map[string]chan struct{}{}
	type want struct {
		code int
		why  string
	}
	gone := want{3, "could not judge: the preflight got no answer"}
	broken := want{1, "the answer is broken: the checks fail"}
	for _, h := range []struct {
		name    string
		want    want
		handler http.HandlerFunc
	}{
		{"hangs", gone, func(_ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-release["hangs"]:
			}
		}},
		{"huge body", broken, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			for i := 0; i < (1<<30)/len(zeros) && r.Context().Err() == nil; i++ { // 1 GiB
				if _, err := w.Write(zeros); err != nil {
					return
				}
			}
		}},
		{"slow drip", broken, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			for r.Context().Err() == nil {
				select {
				case <-release["slow drip"]:
					return
				default:
				}
				if _, err := w.Write([]byte(" ")); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				time.Sleep(100 * time.Millisecond)
			}
		}},
		{"connection reset", gone, func(w http.ResponseWriter, _ *http.Request) {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		}},
	} {
		release[h.name] = make(chan struct{})
		t.Run(h.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(h.handler)
			defer srv.Close()
			defer close(release[h.name])
			o := runBinary(t, 45*time.Second, nil, "run", "--base-url", srv.URL, "--client-id", "alice",
				"--client-secret", "alice-secret", "--timeout", "1s", "--report-dir", t.TempDir())
			r := o.result(t)
			if want := h.want; o.code != want.code || (want.code == 1) != (r.Summary.GatingFailed > 0) {
				t.Errorf("exit %d, summary %+v; want exit %d (%s)", o.code, r.Summary, want.code, want.why)
			}
			t.Logf("%s: %s, %d failed", h.name, o.elapsed.Round(time.Millisecond), r.Summary.Failed)
		})
	}
}

// No secret and no issued token appears in any output of a run: stdout, stderr, and
// every report file.
func TestRedaction(t *testing.T) {
	t.Parallel()
	const secret = "Zq9 distinctive+secret%ü/x"
	users := fixtures.Set{Users: []fixtures.User{{Username: "erin", Password: secret}, {Username: "frank", Password: "frank-secret-2"}}}
	// Echo the secret in error bodies, so redaction is exercised, not merely untested.
	srv, issued := brokenServer(t, rewriteJSON(401, func(m map[string]any, f url.Values) { m["debug"] = f.Get("client_secret") }), users)
	dir := t.TempDir()
	o := runBinary(t, 60*time.Second, nil, "run", "--base-url", srv.URL, "--control-url", srv.URL,
		"--client-id", "erin", "--client-secret", secret, "--special-client-id", "frank", "--special-client-secret", "frank-secret-2",
		"--report-dir", dir)
	if r := o.result(t); o.code != 0 || statusOf(r, "TOKEN-ROBUST-004") != reports.Failed {
		t.Errorf("exit %d, want 0 with the SHOULD TOKEN-ROBUST-004 failing\n%s", o.code, o.stdout)
	}
	issued.mu.Lock()
	toks := append([]string(nil), issued.all...)
	issued.mu.Unlock()
	if len(toks) < 5 {
		t.Fatalf("only %d tokens issued", len(toks))
	}
	js, _ := json.Marshal(secret)
	forbidden := []string{secret, url.QueryEscape(secret), url.PathEscape(secret), strings.Trim(string(js), `"`),
		base64.StdEncoding.EncodeToString([]byte("erin:" + secret)), "frank-secret-2"}
	for _, tok := range toks {
		forbidden = append(forbidden, tok, tok[:len(tok)-1])
	}
	outputs := map[string]string{"stdout": o.stdout, "stderr": o.stderr}
	files, _ := os.ReadDir(dir)
	if len(files) < 4 {
		t.Fatalf("report dir has %d files", len(files))
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		outputs[f.Name()] = string(data)
	}
	for name, text := range outputs {
		for _, s := range forbidden {
			if strings.Contains(text, s) {
				t.Errorf("%s contains a secret or token (%.12s…)", name, s)
			}
		}
	}
	if !strings.Contains(outputs["conformance.json"], "[REDACTED]") {
		t.Error("conformance.json shows no redaction at all")
	}
}
