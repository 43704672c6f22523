// Package mockserver is an http.Handler that behaves like an Apinizer manager's token
// endpoint (POST /apiops/auth/token) and a Bearer-protected endpoint (GET /apiops/projects/),
// as the embedded contract in package spec describes them.
//
// Use it three ways: the apiops-mock binary; inside any Go test, with package mocktest
// (mocktest.Start(t)) or httptest.NewServer(mockserver.New(cfg)); or in-process from the
// conformance runner. docs/mock.md describes it. An opt-in control API under
// /_mock/ (docs/control-api.md) and the matching methods of [Server] move the mock's clock,
// revoke tokens, change the lifetime of tokens issued next, inject faults and show a
// journal of what clients sent, secrets redacted.
package mockserver

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/spec"
)

// DefaultTokenTTL is the token lifetime when none is configured: the zero value of
// [Config.TokenTTL], and the default of apiops-mock's --token-ttl (so `make mock`,
// mockserver.New(mockserver.Config{}) and mocktest.Start behave the same).
const DefaultTokenTTL = time.Hour

// NeverExpires as [Config.TokenTTL] (any negative value does) makes issued tokens never
// expire: no expires_in in the token response, no exp claim. apiops-mock's
// `--token-ttl 0` maps to it.
const NeverExpires time.Duration = -1

// DefaultRealm is the realm of the WWW-Authenticate challenges when Config.Realm is empty.
const DefaultRealm = "apiops"

// MaxLatency bounds the latency that [Server.SetLatency] and the control API can inject.
const MaxLatency = 10 * time.Second

// maxBodyBytes bounds every request body the mock reads (token form and control JSON).
const maxBodyBytes = 64 << 10

// Config describes a mock server. The zero value is usable: the embedded demo users,
// tokens that live DefaultTokenTTL, a random signing key, the real clock, no control
// API, no logs.
type Config struct {
	// Users are the accounts and the protected data. The zero value means fixtures.Default().
	Users fixtures.Set
	// TokenTTL is the lifetime of issued tokens. Zero means DefaultTokenTTL, as for the
	// apiops-mock binary; NeverExpires (any negative value) means tokens never expire:
	// the token response has no expires_in and the JWT no exp claim (`--token-ttl 0`).
	// A positive TTL must be at least one second (expires_in is a whole number of
	// seconds, at least 1); fractions of a second are dropped.
	TokenTTL time.Duration
	// SigningKey is the HS256 key of issued tokens. Nil or empty means 32 random bytes.
	SigningKey []byte
	// Now is the real clock; nil means time.Now. The mock's clock is Now plus the offset
	// that Advance (or the control API) adds.
	Now func() time.Time
	// Control serves the control API under /_mock/ and honours the
	// X-Apiops-Mock-Fault request header. Off by default. It answers loopback clients
	// whose Host is localhost or the listener's IP, refuses other origins and POSTs that
	// are not application/json (docs/control-api.md).
	Control bool
	// ControlAllowRemote lets any client, under any Host, use the control API; the
	// Origin and Content-Type checks stay.
	ControlAllowRemote bool
	// Logger receives one line per request (method, path, status, client_id, duration;
	// never a secret or a token), each text cut as the journal cuts it. Nil means no logs.
	Logger *slog.Logger
	// Realm is the realm of WWW-Authenticate challenges; empty means DefaultRealm.
	// Printable ASCII without quotes or backslashes.
	Realm string
}

// Server is the mock. It implements http.Handler and is safe for concurrent use.
// Create it with [New] or [NewChecked].
type Server struct {
	cfg        Config
	users      map[string]account
	dummy      [sha256.Size]byte // compared for unknown users, so timing does not tell
	projects   map[string][]byte // List Projects' pre-marshalled 200 body per user
	noProjects []byte            // the body for a user in no project
	key        []byte
	parser     *jwt.Parser // verifies signature (HS256 only) and expiry on the mock's clock
	anyTime    *jwt.Parser // verifies the signature only, for Revoke
	keyFunc    jwt.Keyfunc
	realNow    func() time.Time
	log        *slog.Logger

	challengeMissing string // WWW-Authenticate for a request without credentials
	challengeInvalid string // WWW-Authenticate for an invalid, expired or revoked token

	errBodies map[spec.ErrorName][]byte // the documented error bodies, pre-marshalled

	offset  atomic.Int64 // clock offset in nanoseconds, added to realNow
	ttl     atomic.Int64 // lifetime of tokens issued from now on, in nanoseconds; 0: never expire
	seq     atomic.Uint64
	journal journal

	failNext atomic.Int64 // token requests still to fail (FailNextTokens)
	latency  atomic.Int64 // injected latency in nanoseconds (SetLatency)

	mu       sync.Mutex
	revoked  map[string]struct{}   // jti of revoked tokens not expired yet (revoke.go)
	expiries expiryHeap            // the expiring ones among them, soonest first
	accounts map[string]*userState // per known account: issue count, revocation cutoff
}

// account is a user as the server keeps it: the SHA-256 digest of the password only.
type account struct {
	digest [sha256.Size]byte
	active bool
}

// New returns a mock server for cfg, filling defaults as documented on [Config].
// It panics if cfg is unusable (see [NewChecked]); that is a programmer error, as with
// regexp.MustCompile. Code that builds a Config from user input calls NewChecked.
func New(cfg Config) *Server {
	s, err := NewChecked(cfg)
	if err != nil {
		panic(err)
	}
	return s
}

// NewChecked is [New] returning an error instead of panicking when cfg is unusable:
// invalid users (fixtures.Set.Validate), a TokenTTL between zero and one second, a realm
// that is not printable ASCII or holds a quote or backslash.
func NewChecked(cfg Config) (*Server, error) {
	if len(cfg.Users.Users) == 0 && len(cfg.Users.Projects) == 0 {
		cfg.Users = fixtures.Default()
	}
	if err := cfg.Users.Validate(); err != nil {
		return nil, fmt.Errorf("mockserver: users: %w", err)
	}
	switch {
	case cfg.TokenTTL == 0:
		cfg.TokenTTL = DefaultTokenTTL
	case cfg.TokenTTL < 0:
		cfg.TokenTTL = 0 // from here on, 0 means "never expires" (as TokenTTL reports it)
	}
	if err := checkTTL(cfg.TokenTTL); err != nil {
		return nil, err
	}
	cfg.TokenTTL = cfg.TokenTTL.Truncate(time.Second)
	if cfg.Realm == "" {
		cfg.Realm = DefaultRealm
	}
	if strings.ContainsFunc(cfg.Realm, func(r rune) bool { return r == '"' || r == '\\' || r < 0x20 || r > 0x7e }) {
		return nil, fmt.Errorf("mockserver: realm %q: only printable ASCII without quotes or backslashes", cfg.Realm)
	}
	key := cfg.SigningKey
	if len(key) == 0 {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, fmt.Errorf("mockserver: random signing key: %w", err)
		}
	} else {
		key = append([]byte(nil), key...)
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	realNow := cfg.Now
	if realNow == nil {
		realNow = time.Now
	}
	projects, noProjects, err := projectBodies(cfg.Users)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg:              cfg,
		users:            make(map[string]account, len(cfg.Users.Users)),
		projects:         projects,
		noProjects:       noProjects,
		key:              key,
		realNow:          realNow,
		log:              logger,
		challengeMissing: fmt.Sprintf("Bearer realm=%q", cfg.Realm),
		challengeInvalid: fmt.Sprintf("Bearer realm=%q, error=\"invalid_token\"", cfg.Realm),
		errBodies:        make(map[spec.ErrorName][]byte),
		journal:          journal{max: journalSize},
	}
	s.parser = jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithTimeFunc(s.Now))
	s.keyFunc = func(*jwt.Token) (any, error) { return s.key, nil }
	s.anyTime = jwt.NewParser(jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}), jwt.WithoutClaimsValidation())
	if _, err := rand.Read(s.dummy[:]); err != nil {
		return nil, fmt.Errorf("mockserver: random dummy digest: %w", err)
	}
	s.accounts = make(map[string]*userState, len(cfg.Users.Users))
	for _, u := range cfg.Users.Users {
		s.users[u.Username] = account{digest: sha256.Sum256([]byte(u.Password)), active: u.Active()}
		s.accounts[u.Username] = &userState{}
	}
	for _, name := range []spec.ErrorName{spec.UnsupportedGrantType, spec.BadCredentials, spec.ServerError, spec.InvalidRequest, spec.InvalidToken} {
		body, err := json.Marshal(spec.Error(name))
		if err != nil {
			return nil, fmt.Errorf("mockserver: marshal %s: %w", name, err)
		}
		s.errBodies[name] = body
	}
	s.ttl.Store(int64(cfg.TokenTTL))
	s.resetState()
	return s, nil
}

// projectBodies marshals List Projects' 200 body for every user of set, and the body of a
// user in no project.
func projectBodies(set fixtures.Set) (map[string][]byte, []byte, error) {
	marshal := func(projects []fixtures.Project) ([]byte, error) {
		list := spec.ProjectList{Status: spec.StatusSuccess, ResultList: make([]spec.Project, 0, len(projects)), ResultCount: len(projects)}
		for _, p := range projects {
			list.ResultList = append(list.ResultList, spec.Project{Name: p.Name, Description: p.Description})
		}
		body, err := json.Marshal(list)
		if err != nil {
			return nil, fmt.Errorf("mockserver: marshal projects: %w", err)
		}
		return body, nil
	}
	none, err := marshal(nil)
	if err != nil {
		return nil, nil, err
	}
	bodies := make(map[string][]byte, len(set.Users))
	for _, u := range set.Users {
		if bodies[u.Username], err = marshal(set.ProjectsOf(u.Username)); err != nil {
			return nil, nil, err
		}
	}
	return bodies, none, nil
}

// checkTTL validates a token lifetime: 0 (never expires) or at least one second.
func checkTTL(d time.Duration) error {
	if d < 0 || (d > 0 && d < time.Second) {
		return fmt.Errorf("mockserver: token TTL %v: want at least 1s, or NeverExpires", d)
	}
	return nil
}

// TokenTTL returns the lifetime of tokens issued from now on: the configured one
// (Config.TokenTTL, DefaultTokenTTL when zero) unless [Server.SetTokenTTL] changed it
// since the start or the last Reset. Zero means they never expire.
func (s *Server) TokenTTL() time.Duration { return time.Duration(s.ttl.Load()) }

// ServeHTTP routes a request: the token endpoint, the protected endpoint, the control API
// when enabled, and a JSON 404 for anything else.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Control && (r.URL.Path == controlPrefix || strings.HasPrefix(r.URL.Path, controlPrefix+"/")) {
		s.serveControl(w, r)
		return
	}
	start := time.Now()
	rec := &recorder{ResponseWriter: w}
	var entry JournalEntry
	if s.waitLatency(r.Context()) {
		switch r.URL.Path {
		case spec.TokenPath:
			s.serveToken(rec, r, &entry)
		case spec.ProjectsPath:
			s.serveProjects(rec, r)
		default:
			writeError(rec, http.StatusNotFound, "not_found", "no such endpoint")
		}
	}
	if rec.status == 0 {
		return // the client went away during the injected latency
	}
	entry.Time = s.Now()
	entry.Method = r.Method
	entry.Path = r.URL.Path
	entry.ContentType = r.Header.Get("Content-Type")
	entry.Authorization = redactAuthorization(r.Header.Get("Authorization"))
	entry.Status = rec.status
	rcd := newRecord(&entry) // the journal and the log line get the same bounded texts
	s.journal.add(rcd)
	if s.log.Enabled(r.Context(), slog.LevelInfo) {
		attrs := []slog.Attr{
			slog.String("method", rcd.method),
			slog.String("path", rcd.path),
			slog.Int("status", rec.status),
			slog.Duration("duration", time.Since(start)),
		}
		if id := rcd.clientID(); id != "" {
			attrs = append(attrs, slog.String("client_id", id))
		}
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request", attrs...)
	}
}

// waitLatency sleeps the injected latency, if any. It reports false when the request's
// context ended first.
func (s *Server) waitLatency(ctx context.Context) bool {
	d := time.Duration(s.latency.Load())
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
