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

// Targets for the runner's tests. Each is a small http.Handler, most of them the mock
// (liveMock) wrapped in one middleware that changes one behaviour, so a test can start
// one with serve and judge it with the built CLI. Their own tests follow them; the tests
// that judge them with the CLI are at the end.

// liveMock is the mock as a live target: the default demo accounts, tokens living ttl,
// no control API.
func liveMock(ttl time.Duration) *mockserver.Server {
	return mockserver.New(mockserver.Config{Users: fixtures.Default(), TokenTTL: ttl})
}

// serve serves h on loopback until the test ends.
func serve(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

// maxPeek bounds how much of a request body a target reads to look at the form.
const maxPeek = 2 << 20

// peekForm returns the token request's parameters, the form body's and then the URL
// query's, and leaves r.Body readable from the start for the next handler.
func peekForm(r *http.Request) url.Values {
	raw, _ := io.ReadAll(io.LimitReader(r.Body, maxPeek))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(raw), r.Body))
	form, _ := url.ParseQuery(string(raw))
	if form == nil {
		form = url.Values{}
	}
	for k, v := range r.URL.Query() {
		if _, ok := form[k]; !ok {
			form[k] = v
		}
	}
	return form
}

// isTokenPost reports whether r is a POST to the token endpoint.
func isTokenPost(r *http.Request) bool {
	return r.URL.Path == spec.TokenPath && r.Method == http.MethodPost
}

// writeDocError answers with status and the contract's error body name.
func writeDocError(w http.ResponseWriter, status int, name spec.ErrorName) {
	if name == spec.InvalidToken {
		w.Header().Set("WWW-Authenticate", `Bearer realm="apiops", error="invalid_token"`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(spec.Error(name))
}

// bearer returns the token of r's Authorization: Bearer header.
func bearer(r *http.Request) (string, bool) {
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	return tok, ok && strings.EqualFold(scheme, "Bearer") && tok != ""
}

// capture passes a response through and remembers its status and the first 64 KiB of
// its body.
type capture struct {
	http.ResponseWriter
	code int
	body bytes.Buffer
}

func (c *capture) WriteHeader(code int) {
	if c.code == 0 {
		c.code = code
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *capture) Write(p []byte) (int, error) {
	if c.code == 0 {
		c.code = http.StatusOK
	}
	if c.body.Len() < 64<<10 {
		c.body.Write(p)
	}
	return c.ResponseWriter.Write(p)
}

func (c *capture) Unwrap() http.ResponseWriter { return c.ResponseWriter }

// accessToken returns the access_token of a token response body.
func accessToken(body []byte) (string, bool) {
	var m struct {
		AccessToken string `json:"access_token"`
	}
	return m.AccessToken, json.Unmarshal(body, &m) == nil && m.AccessToken != ""
}

// known returns the usernames of users.
func known(users fixtures.Set) map[string]bool {
	m := map[string]bool{}
	for _, u := range users.Users {
		m[u.Username] = true
	}
	return m
}

// footprint records what a run cost a target, from the server side: per client_id the
// tokens issued (200 with an access_token), and per known account the sequence of its
// logins, true for a failed one (401 on the token endpoint). Safe for concurrent use.
type footprint struct {
	known  map[string]bool
	mu     sync.Mutex
	tokens map[string]int
	logins map[string][]bool
}

// footprintCounter wraps next, counting for the accounts of users.
func footprintCounter(next http.Handler, users fixtures.Set) (*footprint, http.Handler) {
	f := &footprint{known: known(users), tokens: map[string]int{}, logins: map[string][]bool{}}
	return f, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != spec.TokenPath {
			next.ServeHTTP(w, r)
			return
		}
		id := peekForm(r).Get("client_id")
		c := &capture{ResponseWriter: w}
		next.ServeHTTP(c, r)
		f.mu.Lock()
		defer f.mu.Unlock()
		if _, ok := accessToken(c.body.Bytes()); ok && c.code == http.StatusOK {
			f.tokens[id]++
		}
		if f.known[id] && (c.code == http.StatusOK || c.code == http.StatusUnauthorized) {
			f.logins[id] = append(f.logins[id], c.code == http.StatusUnauthorized)
		}
	})
}

// issued returns the tokens issued to id.
func (f *footprint) issued(id string) int { f.mu.Lock(); defer f.mu.Unlock(); return f.tokens[id] }

// totalIssued returns the tokens issued to anyone.
func (f *footprint) totalIssued() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, v := range f.tokens {
		n += v
	}
	return n
}

// failed returns the failed logins of account id and the longest run of them in a row.
func (f *footprint) failed(id string) (total, inRow int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	run := 0
	for _, fail := range f.logins[id] {
		if !fail {
			run = 0
			continue
		}
		total, run = total+1, run+1
		inRow = max(inRow, run)
	}
	return total, inRow
}

// loginsOf returns account id's logins in order, true for a failed one.
func (f *footprint) loginsOf(id string) []bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.logins[id])
}

// accounts returns the known accounts that tried to log in.
func (f *footprint) accounts() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var ids []string
	for id := range f.logins {
		ids = append(ids, id)
	}
	return ids
}

// lockoutAfter is how many failed logins in a row lock an account of the lockout target.
const lockoutAfter = 3

// locker is the state of a lockout target.
type locker struct {
	known  map[string]bool
	mu     sync.Mutex
	inRow  map[string]int
	locked map[string]bool
}

// lockout wraps next and locks an account of users after lockoutAfter failed logins in a
// row (a successful one resets the count); a locked account gets 401 even with the right
// password, for the rest of the test.
func lockout(next http.Handler, users fixtures.Set) (*locker, http.Handler) {
	l := &locker{known: known(users), inRow: map[string]int{}, locked: map[string]bool{}}
	return l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := ""
		if isTokenPost(r) {
			id = peekForm(r).Get("client_id")
		}
		if !l.known[id] {
			next.ServeHTTP(w, r)
			return
		}
		if l.isLocked(id) {
			writeDocError(w, http.StatusUnauthorized, spec.BadCredentials)
			return
		}
		c := &capture{ResponseWriter: w}
		next.ServeHTTP(c, r)
		l.mu.Lock()
		defer l.mu.Unlock()
		switch c.code {
		case http.StatusOK:
			l.inRow[id] = 0
		case http.StatusUnauthorized:
			l.inRow[id]++
			if l.inRow[id] >= lockoutAfter {
				l.locked[id] = true
			}
		}
	})
}

// isLocked reports whether account id is locked.
func (l *locker) isLocked(id string) bool { l.mu.Lock(); defer l.mu.Unlock(); return l.locked[id] }

// limiter is the state of a rateLimit gateway.
type limiter struct {
	rps     float64
	now     func() time.Time
	mu      sync.Mutex
	bucket  float64
	last    time.Time
	limited int
}

// rateLimit is a gateway in front of next: a token bucket of rps requests refilled at rps
// per second; a request beyond it gets 429 with Retry-After: 1. now is its clock (nil:
// the real one).
func rateLimit(next http.Handler, rps int, now func() time.Time) (*limiter, http.Handler) {
	if now == nil {
		now = time.Now
	}
	l := &limiter{rps: float64(rps), now: now, bucket: float64(rps), last: now()}
	return l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !l.allow() {
			w.Header().Set("Retry-After", "1")
			http.Error(w, "rate limit exceeded", http.StatusTooManyRequests)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (l *limiter) allow() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	t := l.now()
	l.bucket = min(l.rps, l.bucket+t.Sub(l.last).Seconds()*l.rps)
	l.last = t
	if l.bucket < 1 {
		l.limited++
		return false
	}
	l.bucket--
	return true
}

// answered429 returns how many requests the gateway answered 429.
func (l *limiter) answered429() int { l.mu.Lock(); defer l.mu.Unlock(); return l.limited }

// lifetime is how a target announces and honours its tokens' lifetime.
type lifetime struct {
	announced time.Duration                    // sent as expires_in (whole seconds)
	deadline  func(issued time.Time) time.Time // from then on the token is refused
}

// honestExpiry announces ttl and honours it.
func honestExpiry(ttl time.Duration) lifetime {
	return lifetime{ttl, func(t time.Time) time.Time { return t.Add(ttl) }}
}

// earlyExpiry announces ttl and honours only half of it.
func earlyExpiry(ttl time.Duration) lifetime {
	return lifetime{ttl, func(t time.Time) time.Time { return t.Add(ttl / 2) }}
}

// lateExpiry announces ttl and honours the token for 3 × ttl.
func lateExpiry(ttl time.Duration) lifetime {
	return lifetime{ttl, func(t time.Time) time.Time { return t.Add(3 * ttl) }}
}

// roundingDown announces one second less than the token lives (expires_in 1 for a token
// that lives 2 s).
func roundingDown(lives time.Duration) lifetime {
	return lifetime{lives - time.Second, func(t time.Time) time.Time { return t.Add(lives) }}
}

// wholeSecondClock announces ttl but keeps time in whole seconds, as a server whose clock
// has no fractions does: a token issued at 10.7 s with ttl 2 s is refused from 12.0 s on,
// 1.3 s after it was issued (between ttl-1s and ttl in general).
func wholeSecondClock(ttl time.Duration) lifetime {
	return lifetime{ttl, func(t time.Time) time.Time { return t.Truncate(time.Second).Add(ttl) }}
}

// expiring wraps next (whose tokens must outlive lt) so its tokens are announced and
// honoured as lt says, on the clock now (nil: the real one).
func expiring(next http.Handler, lt lifetime, now func() time.Time) http.Handler {
	if now == nil {
		now = time.Now
	}
	var mu sync.Mutex
	deadlines := map[string]time.Time{}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case spec.TokenPath:
			rec := recorded(next, r)
			var m map[string]any
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &m) != nil {
				replay(w, rec, nil)
				return
			}
			if tok, ok := m["access_token"].(string); ok {
				mu.Lock()
				deadlines[tok] = lt.deadline(now())
				mu.Unlock()
			}
			m["expires_in"] = int64(lt.announced / time.Second)
			body, _ := json.Marshal(m)
			replay(w, rec, body)
		case spec.ProjectsPath:
			tok, _ := bearer(r)
			mu.Lock()
			d, ok := deadlines[tok]
			mu.Unlock()
			if ok && !now().Before(d) {
				writeDocError(w, http.StatusUnauthorized, spec.InvalidToken)
				return
			}
			next.ServeHTTP(w, r)
		default:
			next.ServeHTTP(w, r)
		}
	})
}
