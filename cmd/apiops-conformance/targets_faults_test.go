package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"log"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/apiops/apiops-conformance/spec"
)

// More targets: answers the docs allow or forbid, refusals, hangs and network faults.

// singleUse wraps next so a token is accepted exactly once on the protected path.
func singleUse(next http.Handler) http.Handler {
	var mu sync.Mutex
	used := map[string]bool{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok, ok := bearer(r)
		if r.URL.Path != spec.ProjectsPath || !ok {
			next.ServeHTTP(w, r)
			return
		}
		mu.Lock()
		again := used[tok]
		used[tok] = true
		mu.Unlock()
		if again {
			writeDocError(w, http.StatusUnauthorized, spec.InvalidToken)
			return
		}
		c := &capture{ResponseWriter: w}
		next.ServeHTTP(c, r)
		if c.code != http.StatusOK {
			mu.Lock()
			delete(used, tok)
			mu.Unlock()
		}
	})
}

// okToEverything answers 200 to every request: a fresh token on the token path, {}
// elsewhere.
func okToEverything() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxPeek))
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		if r.URL.Path != spec.TokenPath {
			_, _ = io.WriteString(w, "{}")
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": randomToken(), "token_type": "Bearer", "expires_in": 3600})
	})
}

// randomToken returns an opaque random token.
func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// jsonAccepting wraps next so the token endpoint also accepts a JSON object body of string
// fields (it issues a token for the right credentials), besides the form.
func jsonAccepting(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		var m map[string]string
		if isTokenPost(r) && mt == "application/json" && json.NewDecoder(io.LimitReader(r.Body, maxPeek)).Decode(&m) == nil {
			form := url.Values{}
			for k, v := range m {
				form.Set(k, v)
			}
			r = r.Clone(r.Context())
			r.Body = io.NopCloser(strings.NewReader(form.Encode()))
			r.ContentLength = -1
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		next.ServeHTTP(w, r)
	})
}

// problemJSON wraps next so its JSON error bodies are application/problem+json (RFC 9457)
// that still carry the documented error and error_description members.
func problemJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := recorded(next, r)
		var m map[string]any
		if rec.Code < 400 || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
			replay(w, rec, nil)
			return
		}
		m["type"], m["title"], m["status"] = "about:blank", http.StatusText(rec.Code), rec.Code
		body, _ := json.Marshal(m)
		rec.Header().Set("Content-Type", "application/problem+json")
		replay(w, rec, body)
	})
}

// missingClientID400 wraps next so a token request without client_id gets 400
// invalid_request (RFC 6749 §5.2: a required parameter is missing).
func missingClientID400(next http.Handler) http.Handler {
	return refuseForm(next, http.StatusBadRequest, spec.InvalidRequest, func(f url.Values) bool { return !f.Has("client_id") })
}

// emptySecret400 wraps next so a token request with an empty client_secret gets 400
// invalid_request (RFC 6749 §3.1: a parameter sent without a value is treated as omitted).
func emptySecret400(next http.Handler) http.Handler {
	return refuseForm(next, http.StatusBadRequest, spec.InvalidRequest, func(f url.Values) bool { return f.Has("client_secret") && f.Get("client_secret") == "" })
}

// badCredentials wraps next so account's password is rejected: every token request for it
// gets the documented 401.
func badCredentials(next http.Handler, account string) http.Handler {
	return refuseForm(next, http.StatusUnauthorized, spec.BadCredentials, func(f url.Values) bool { return f.Get("client_id") == account })
}

// nonASCIIRefusing wraps next so a client_secret with a non-ASCII byte gets the documented
// 401, as servers that compare secrets as ASCII do.
func nonASCIIRefusing(next http.Handler) http.Handler {
	return refuseForm(next, http.StatusUnauthorized, spec.BadCredentials, func(f url.Values) bool {
		return strings.ContainsFunc(f.Get("client_secret"), func(r rune) bool { return r > 0x7f })
	})
}

// refuseForm answers the token POSTs whose parameters match with status and the
// contract's error body name; other requests reach next.
func refuseForm(next http.Handler, status int, name spec.ErrorName, match func(url.Values) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isTokenPost(r) && match(peekForm(r)) {
			writeDocError(w, status, name)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// hang holds r until its context ends (the client went away) or stop does (pass
// t.Context(), so the test server can close). It reads the body first: a server only
// notices a client that went away once the body is read.
func hang(stop context.Context, r *http.Request) {
	_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, maxPeek))
	select {
	case <-r.Context().Done():
	case <-stop.Done():
	}
}

// hangAll never answers.
func hangAll(stop context.Context) http.Handler {
	return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { hang(stop, r) })
}

// hangProtected wraps next so the protected path never answers; the token path works.
func hangProtected(next http.Handler, stop context.Context) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == spec.ProjectsPath {
			hang(stop, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// oneInThree wraps next so only the 1st, 4th, 7th… request is answered; the others hang.
func oneInThree(next http.Handler, stop context.Context) http.Handler {
	var mu sync.Mutex
	n := 0
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		answer := n%3 == 0
		n++
		mu.Unlock()
		if !answer {
			hang(stop, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// refusingURL returns the base URL of a loopback port with nothing listening.
func refusingURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// unknownCA serves h over TLS with a certificate from httptest's own CA, which the CLI is
// not given. The failed handshakes are not logged.
func unknownCA(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// redirectToHTTPS answers every request 308 to the same URL with https.
func redirectToHTTPS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://"+r.Host+r.URL.RequestURI(), http.StatusPermanentRedirect)
	})
}
