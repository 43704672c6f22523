package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// A broken target is the mock with one middleware that breaks exactly one thing. The
// runner judges it through --base-url with every account and the control API given, so
// nothing is skipped for want of configuration, and must fail exactly the listed checks.

// breaker wraps a correct handler; issued lists the tokens the target handed out.
type breaker func(next http.Handler, issued *tokens) http.Handler

// tokens records the access tokens a target issued.
type tokens struct {
	mu  sync.Mutex
	all []string
}

func (ts *tokens) add(tok string) { ts.mu.Lock(); ts.all = append(ts.all, tok); ts.mu.Unlock() }

// near reports whether s is an issued token changed in one character or cut by one.
func (ts *tokens) near(s string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, tok := range ts.all {
		if s == tok {
			return false
		}
		if s == tok[:len(tok)-1] {
			return true
		}
		if len(s) == len(tok) {
			diff := 0
			for i := range s {
				if s[i] != tok[i] {
					diff++
				}
			}
			if diff == 1 {
				return true
			}
		}
	}
	return false
}

// recorded runs next on r and returns what it answered, for rewriting.
func recorded(next http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	return rec
}

// replay writes rec to w, with body instead of rec's body when body is not nil.
func replay(w http.ResponseWriter, rec *httptest.ResponseRecorder, body []byte) {
	if body == nil {
		body = rec.Body.Bytes()
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.Header().Del("Content-Length")
	w.WriteHeader(rec.Code)
	_, _ = w.Write(body)
}

// rewriteJSON rewrites the JSON object bodies of token endpoint answers with the given status.
func rewriteJSON(status int, edit func(m map[string]any, form url.Values)) breaker {
	return func(next http.Handler, _ *tokens) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != spec.TokenPath {
				next.ServeHTTP(w, r)
				return
			}
			raw, _ := io.ReadAll(r.Body)
			r.Body = io.NopCloser(bytes.NewReader(raw))
			form, _ := url.ParseQuery(string(raw))
			rec := recorded(next, r)
			var m map[string]any
			if rec.Code != status || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
				replay(w, rec, nil)
				return
			}
			edit(m, form)
			body, _ := json.Marshal(m)
			replay(w, rec, body)
		})
	}
}

// onPath applies fn to requests to one path; others reach next untouched.
func onPath(path string, fn func(w http.ResponseWriter, r *http.Request, next http.Handler, issued *tokens)) breaker {
	return func(next http.Handler, issued *tokens) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path {
				next.ServeHTTP(w, r)
				return
			}
			fn(w, r, next, issued)
		})
	}
}

// swallow answers a control API call with 200 without doing it.
func swallow(path string) breaker {
	return onPath(path, func(w http.ResponseWriter, _ *http.Request, _ http.Handler, _ *tokens) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{}`)
	})
}

func jsonError(w http.ResponseWriter, status int, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": "broken"})
}

var brokenTargets = []struct {
	name   string
	break_ breaker
	failed []string
	gating bool // a MUST fails: exit 1 even without --strict
}{
	{"token_type bearer-ish", rewriteJSON(200, func(m map[string]any, _ url.Values) { m["token_type"] = "bearer-ish" }),
		[]string{"TOKEN-SPEC-001", "TOKEN-SUCCESS-003"}, true},
	{"token_type lower-case", rewriteJSON(200, func(m map[string]any, _ url.Values) { m["token_type"] = "bearer" }),
		[]string{"TOKEN-SUCCESS-004"}, false},
	{"expires_in as a string", rewriteJSON(200, func(m map[string]any, _ url.Values) { m["expires_in"] = "3600" }),
		[]string{"TOKEN-SPEC-001", "TOKEN-SUCCESS-005"}, true},
	{"401 with invalid_client", rewriteJSON(401, func(m map[string]any, _ url.Values) { m["error"] = "invalid_client" }),
		[]string{"TOKEN-ERR-004", "TOKEN-ERR-005", "TOKEN-ERR-006", "TOKEN-ERR-007", "TOKEN-ERR-008", "TOKEN-ERR-009"}, true},
	{"400 wording", rewriteJSON(400, func(m map[string]any, _ url.Values) { m["error_description"] = "bad grant" }),
		[]string{"TOKEN-ERR-002"}, false},
	{"secret echoed in the 401 body", rewriteJSON(401, func(m map[string]any, f url.Values) { m["debug"] = "client_secret=" + f.Get("client_secret") }),
		[]string{"TOKEN-ROBUST-004"}, false},
	{"no Cache-Control", onPath(spec.TokenPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		rec := recorded(next, r)
		rec.Header().Del("Cache-Control")
		replay(w, rec, nil)
	}), []string{"TOKEN-SUCCESS-006"}, false},
	{"text/html on 200", onPath(spec.TokenPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		rec := recorded(next, r)
		if rec.Code == 200 {
			rec.Header().Set("Content-Type", "text/html")
		}
		replay(w, rec, nil)
	}), []string{"TOKEN-FORM-008", "TOKEN-SPEC-001", "TOKEN-SUCCESS-001"}, true},
	{"JSON body accepted", onPath(spec.TokenPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		var m map[string]string
		if r.Header.Get("Content-Type") == "application/json" && json.NewDecoder(r.Body).Decode(&m) == nil {
			form := url.Values{}
			for k, v := range m {
				form.Set(k, v)
			}
			r.Body = io.NopCloser(strings.NewReader(form.Encode()))
			r.ContentLength = -1
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		next.ServeHTTP(w, r)
	}), []string{"TOKEN-FORM-005"}, false},
	{"GET issues a token", onPath(spec.TokenPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		if r.Method == http.MethodGet {
			r = r.Clone(r.Context())
			r.Method = http.MethodPost
			r.Body = io.NopCloser(strings.NewReader(r.URL.RawQuery))
			r.URL.RawQuery = ""
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		next.ServeHTTP(w, r)
	}), []string{"TOKEN-FORM-007"}, false},
	{"credentials in the query accepted", onPath(spec.TokenPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		if r.URL.RawQuery != "" && r.Method == http.MethodPost {
			r.Body = io.NopCloser(strings.NewReader(r.URL.RawQuery))
			r.ContentLength = -1
			r.URL.RawQuery = ""
		}
		next.ServeHTTP(w, r)
	}), []string{"TOKEN-FORM-006"}, false},
	{"500 on repeated parameters", onPath(spec.TokenPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		raw, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(raw))
		for _, v := range form {
			if len(v) > 1 {
				jsonError(w, 500, "server_error")
				return
			}
		}
		r.Body = io.NopCloser(bytes.NewReader(raw))
		next.ServeHTTP(w, r)
	}), []string{"TOKEN-ROBUST-001"}, false},
	{"charset rejected", onPath(spec.TokenPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		if strings.Contains(r.Header.Get("Content-Type"), ";") {
			jsonError(w, 415, "invalid_request")
			return
		}
		next.ServeHTTP(w, r)
	}), []string{"TOKEN-FORM-004"}, false},
	{"no Accept header refused", onPath(spec.TokenPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		if r.Header.Get("Accept") == "" && r.Method == http.MethodPost {
			jsonError(w, 406, "invalid_request")
			return
		}
		next.ServeHTTP(w, r)
	}), []string{"TOKEN-FORM-008"}, true},
	{"protected path accepts anything", onPath(spec.ProjectsPath, func(w http.ResponseWriter, _ *http.Request, _ http.Handler, _ *tokens) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":"SUCCESS","resultList":[],"resultCount":0}`)
	}), []string{"TOKEN-BEARER-002", "TOKEN-BEARER-003", "TOKEN-BEARER-004", "TOKEN-BEARER-005", "TOKEN-EXP-002", "TOKEN-EXP-004"}, true},
	{"tampered token accepted", onPath(spec.ProjectsPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, issued *tokens) {
		if tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && issued.near(tok) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"status":"SUCCESS","resultList":[],"resultCount":0}`)
			return
		}
		next.ServeHTTP(w, r)
	}), []string{"TOKEN-BEARER-005"}, true},
	{"no WWW-Authenticate", onPath(spec.ProjectsPath, func(w http.ResponseWriter, r *http.Request, next http.Handler, _ *tokens) {
		rec := recorded(next, r)
		rec.Header().Del("WWW-Authenticate")
		replay(w, rec, nil)
	}), []string{"TOKEN-BEARER-006"}, false},
	{"expired token still accepted", swallow("/_mock/clock/advance"), []string{"TOKEN-EXP-002"}, true},
	{"revocation ignored", swallow("/_mock/revoke"), []string{"TOKEN-EXP-004"}, true},
	{"token lifetime not changed", swallow("/_mock/token-ttl"), []string{"TOKEN-EXP-003"}, true},
}

// brokenServer serves the mock wrapped in br, recording issued tokens.
func brokenServer(t *testing.T, br breaker, users fixtures.Set) (*httptest.Server, *tokens) {
	issued := &tokens{}
	mock := mockserver.New(mockserver.Config{Users: users, TokenTTL: time.Hour, Control: true})
	h := http.Handler(mock)
	if br != nil {
		h = br(mock, issued)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorded(h, r)
		if r.URL.Path == spec.TokenPath && rec.Code == 200 {
			var m map[string]any
			if json.Unmarshal(rec.Body.Bytes(), &m) == nil {
				if tok, ok := m["access_token"].(string); ok {
					issued.add(tok)
				}
			}
		}
		replay(w, rec, nil)
	}))
	t.Cleanup(srv.Close)
	return srv, issued
}

// targetArgs are the run flags for a test server with the default accounts.
func targetArgs(base string, extra ...string) []string {
	return append([]string{"run", "--base-url", base, "--control-url", base,
		"--client-id", "alice", "--client-secret", "alice-secret",
		"--special-client-id", "bob", "--special-client-secret", "p@ss w0rd&=+%ü/?#",
		"--disabled-client-id", "carol", "--disabled-client-secret", "carol-secret",
		"--locked-client-id", "dave", "--locked-client-secret", "dave-secret",
		"--timeout", "5s"}, extra...)
}

func TestBrokenTargets(t *testing.T) {
	t.Parallel()
	t.Run("unbroken", func(t *testing.T) {
		t.Parallel()
		srv, _ := brokenServer(t, nil, fixtures.Default())
		o := runBinary(t, 60*time.Second, nil, targetArgs(srv.URL, "--strict", "--report-dir", t.TempDir())...)
		r := o.result(t)
		if o.code != 0 || len(failedIDs(r)) != 0 || r.Summary.Skipped != 0 {
			t.Errorf("exit %d, failed %v, summary %+v\n%s", o.code, failedIDs(r), r.Summary, o.stdout)
		}
	})
	for _, bt := range brokenTargets {
		t.Run(bt.name, func(t *testing.T) {
			t.Parallel()
			srv, _ := brokenServer(t, bt.break_, fixtures.Default())
			o := runBinary(t, 60*time.Second, nil, targetArgs(srv.URL, "--report-dir", t.TempDir())...)
			got := failedIDs(o.result(t))
			want := slices.Sorted(slices.Values(bt.failed))
			if !slices.Equal(got, want) {
				t.Errorf("failed %v, want %v\n%s", got, want, o.stdout)
			}
			if wantCode := map[bool]int{true: 1, false: 0}[bt.gating]; o.code != wantCode {
				t.Errorf("exit %d, want %d", o.code, wantCode)
			}
			if !bt.gating { // a SHOULD violation gates under --strict
				s := runBinary(t, 60*time.Second, nil, targetArgs(srv.URL, "--strict", "--label-filter", strings.Join(want, "||"))...)
				if s.code != 1 {
					t.Errorf("--strict: exit %d, want 1\n%s", s.code, s.stdout)
				}
			}
		})
	}
}
