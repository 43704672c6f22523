package mockserver_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

func TestTokenEndpoint(t *testing.T) {
	bobEncoded := "grant_type=client_credentials&client_id=bob&client_secret=p%40ss+w0rd%26%3D%2B%25%C3%BC%2F%3F%23"
	tests := []struct {
		name        string
		method      string // default POST
		contentType string
		query       string
		body        string
		status      int
		want        spec.ErrorName // for 400, 401 and 500 answers
		wantCode    string         // for other errors
	}{
		{name: "alice", contentType: formType, body: credentials(alice, aliceSecret), status: 200},
		{name: "bob percent-encoded", contentType: formType, body: bobEncoded, status: 200},
		{name: "bob with %20 for the space", contentType: formType, body: strings.Replace(bobEncoded, "+", "%20", 1), status: 200},
		{name: "content type with charset", contentType: formType + "; charset=UTF-8", body: credentials(alice, aliceSecret), status: 200},
		{name: "content type upper case", contentType: "Application/X-WWW-Form-Urlencoded;charset=utf-8", body: credentials(alice, aliceSecret), status: 200},
		{name: "unrecognised parameter ignored", contentType: formType, body: credentials(alice, aliceSecret) + "&scope=read&scope=write&x=%F0%9F%98%80", status: 200},
		{name: "unrecognised query parameter ignored", contentType: formType, query: "trace=1", body: credentials(alice, aliceSecret), status: 200},
		{name: "parameters in another order", contentType: formType, body: "client_secret=alice-secret&client_id=alice&grant_type=client_credentials", status: 200},

		{name: "grant_type missing", contentType: formType, body: "client_id=alice&client_secret=alice-secret", status: 400, want: spec.UnsupportedGrantType},
		{name: "grant_type empty", contentType: formType, body: "grant_type=&client_id=alice&client_secret=alice-secret", status: 400, want: spec.UnsupportedGrantType},
		{name: "grant_type password", contentType: formType, body: "grant_type=password&client_id=alice&client_secret=alice-secret", status: 400, want: spec.UnsupportedGrantType},
		{name: "grant_type case differs", contentType: formType, body: "grant_type=Client_Credentials&client_id=alice&client_secret=alice-secret", status: 400, want: spec.UnsupportedGrantType},
		{name: "grant_type checked before credentials", contentType: formType, body: "grant_type=password&client_id=nobody&client_secret=x", status: 400, want: spec.UnsupportedGrantType},

		{name: "wrong password", contentType: formType, body: credentials(alice, "wrong"), status: 401, want: spec.BadCredentials},
		{name: "password prefix", contentType: formType, body: credentials(alice, "alice-secre"), status: 401, want: spec.BadCredentials},
		{name: "unknown user", contentType: formType, body: credentials("mallory", aliceSecret), status: 401, want: spec.BadCredentials},
		{name: "disabled user", contentType: formType, body: credentials("carol", "carol-secret"), status: 401, want: spec.BadCredentials},
		{name: "locked user", contentType: formType, body: credentials("dave", "dave-secret"), status: 401, want: spec.BadCredentials},
		{name: "empty client_id", contentType: formType, body: credentials("", aliceSecret), status: 401, want: spec.BadCredentials},
		{name: "empty client_secret", contentType: formType, body: credentials(alice, ""), status: 401, want: spec.BadCredentials},
		{name: "missing client_secret", contentType: formType, body: "grant_type=client_credentials&client_id=alice", status: 401, want: spec.BadCredentials},
		{name: "missing both", contentType: formType, body: "grant_type=client_credentials", status: 401, want: spec.BadCredentials},
		{name: "bob not encoded (a bare % is malformed)", contentType: formType, body: "grant_type=client_credentials&client_id=bob&client_secret=" + bobSecret, status: 400, want: spec.InvalidRequest},
		{name: "bob with + not encoded", contentType: formType, body: strings.Replace(bobEncoded, "%2B", "+", 1), status: 401, want: spec.BadCredentials},

		{name: "JSON body", contentType: "application/json", body: `{"grant_type":"client_credentials","client_id":"alice","client_secret":"alice-secret"}`, status: 400, want: spec.InvalidRequest},
		{name: "form body labelled JSON", contentType: "application/json", body: credentials(alice, aliceSecret), status: 400, want: spec.InvalidRequest},
		{name: "no content type", body: credentials(alice, aliceSecret), status: 400, want: spec.InvalidRequest},
		{name: "multipart", contentType: "multipart/form-data; boundary=x", body: "--x--", status: 400, want: spec.InvalidRequest},
		{name: "latin-1 charset", contentType: formType + "; charset=ISO-8859-1", body: credentials(alice, aliceSecret), status: 400, want: spec.InvalidRequest},
		{name: "malformed content type", contentType: "application/x-www-form-urlencoded; charset", body: credentials(alice, aliceSecret), status: 400, want: spec.InvalidRequest},
		{name: "client_secret in query", contentType: formType, query: "client_secret=alice-secret", body: "grant_type=client_credentials&client_id=alice", status: 400, want: spec.InvalidRequest},
		{name: "client_id in query", contentType: formType, query: "client_id=alice", body: "grant_type=client_credentials&client_secret=alice-secret", status: 400, want: spec.InvalidRequest},
		{name: "grant_type in query", contentType: formType, query: "grant_type=client_credentials", body: "client_id=alice&client_secret=alice-secret", status: 400, want: spec.InvalidRequest},
		{name: "credentials only in query", contentType: formType, query: credentials(alice, aliceSecret), status: 400, want: spec.InvalidRequest},
		{name: "repeated client_id", contentType: formType, body: credentials(alice, aliceSecret) + "&client_id=alice", status: 400, want: spec.InvalidRequest},
		{name: "repeated grant_type", contentType: formType, body: "grant_type=client_credentials&" + credentials(alice, aliceSecret), status: 400, want: spec.InvalidRequest},
		{name: "malformed percent-encoding", contentType: formType, body: "grant_type=client_credentials&client_id=alice&client_secret=%zz", status: 400, want: spec.InvalidRequest},
		{name: "truncated percent-encoding", contentType: formType, body: "grant_type=client_credentials&client_id=alice&client_secret=abc%4", status: 400, want: spec.InvalidRequest},
		{name: "invalid UTF-8", contentType: formType, body: "grant_type=client_credentials&client_id=alice&client_secret=%C3%28", status: 400, want: spec.InvalidRequest},
		{name: "invalid UTF-8 in a name", contentType: formType, body: credentials(alice, aliceSecret) + "&%FF=1", status: 400, want: spec.InvalidRequest},
		{name: "semicolon separator", contentType: formType, body: "grant_type=client_credentials;client_id=alice", status: 400, want: spec.InvalidRequest},

		{name: "GET", method: http.MethodGet, status: 405, wantCode: "invalid_request"},
		{name: "PUT", method: http.MethodPut, contentType: formType, body: credentials(alice, aliceSecret), status: 405, wantCode: "invalid_request"},
		{name: "body over 64 KiB", contentType: formType, body: credentials(alice, aliceSecret) + "&pad=" + strings.Repeat("a", 64<<10), status: 413, wantCode: "invalid_request"},
	}
	h := newHarness(t, mockserver.Config{TokenTTL: time.Hour})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			req := h.tokenRequest(tt.contentType, tt.body)
			if tt.method != "" {
				req.Method = tt.method
			}
			req.URL.RawQuery = tt.query
			resp := h.do(req)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, resp.body, tt.status)
			}
			switch {
			case tt.status == 200:
				checkTokenResponse(t, resp, time.Hour)
			case tt.want != "":
				if got := resp.errorBody(t); got != spec.Error(tt.want) {
					t.Errorf("body %+v, want %+v", got, spec.Error(tt.want))
				}
			default:
				if got := resp.errorBody(t); got.Error != tt.wantCode {
					t.Errorf("error %q, want %q", got.Error, tt.wantCode)
				}
			}
			if tt.status == 405 && resp.Header.Get("Allow") != http.MethodPost {
				t.Errorf("Allow %q, want POST", resp.Header.Get("Allow"))
			}
			if tt.status != 200 && strings.Contains(string(resp.body), "eyJ") {
				t.Errorf("an error carries something like a token: %s", resp.body)
			}
		})
	}
}

// checkTokenResponse checks a 200 token response's headers, body and JWT claims.
func checkTokenResponse(t *testing.T, resp response, ttl time.Duration) tokenResponse {
	t.Helper()
	if got := resp.Header.Get("Pragma"); got != "no-cache" {
		t.Errorf("Pragma %q", got)
	}
	var tr tokenResponse
	if err := json.Unmarshal(resp.body, &tr); err != nil {
		t.Fatalf("body %s: %v", resp.body, err)
	}
	if tr.TokenType != "Bearer" || tr.AccessToken == "" {
		t.Errorf("body %s", resp.body)
	}
	var raw map[string]any
	_ = json.Unmarshal(resp.body, &raw)
	_, hasExpiresIn := raw["expires_in"]
	switch {
	case ttl == 0 && hasExpiresIn:
		t.Errorf("never-expiring token with expires_in: %s", resp.body)
	case ttl > 0 && (tr.ExpiresIn == nil || *tr.ExpiresIn != int64(ttl/time.Second)):
		t.Errorf("expires_in in %s, want %d", resp.body, int64(ttl/time.Second))
	}
	var c jwt.MapClaims
	if _, _, err := jwt.NewParser().ParseUnverified(tr.AccessToken, &c); err != nil {
		t.Fatalf("access_token is not a JWT: %v", err)
	}
	for _, claim := range []string{"sub", "iat", "jti"} {
		if _, ok := c[claim]; !ok {
			t.Errorf("claim %s missing in %v", claim, c)
		}
	}
	if _, ok := c["exp"]; ok != (ttl > 0) {
		t.Errorf("exp claim present=%v with TTL %v", ok, ttl)
	}
	if ttl > 0 {
		if exp, iat := c["exp"].(float64), c["iat"].(float64); exp-iat != ttl.Seconds() {
			t.Errorf("exp-iat = %v, want %v", exp-iat, ttl.Seconds())
		}
	}
	return tr
}

func TestTokenClaimsAndUniqueness(t *testing.T) {
	h := newHarness(t, mockserver.Config{TokenTTL: 90 * time.Second})
	seen := map[string]bool{}
	for range 5 {
		tr := checkTokenResponse(t, h.do(h.tokenRequest(formType, credentials(bob, bobSecret))), 90*time.Second)
		var c jwt.RegisteredClaims
		if _, _, err := jwt.NewParser().ParseUnverified(tr.AccessToken, &c); err != nil {
			t.Fatal(err)
		}
		if c.Subject != bob {
			t.Errorf("sub %q", c.Subject)
		}
		if seen[c.ID] {
			t.Errorf("jti %q repeated", c.ID)
		}
		seen[c.ID] = true
	}
}

func TestNeverExpiringTokens(t *testing.T) {
	h := newHarness(t, mockserver.Config{TokenTTL: mockserver.NeverExpires})
	tr := checkTokenResponse(t, h.do(h.tokenRequest(formType, credentials(alice, aliceSecret))), 0)
	h.srv.Advance(100 * 365 * 24 * time.Hour)
	if resp := h.projects("Bearer " + tr.AccessToken); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 100 years: %d %s", resp.StatusCode, resp.body)
	}
	if got := h.srv.TokenTTL(); got != 0 {
		t.Errorf("TokenTTL() = %v", got)
	}
}

func TestSigningKeyAndFixedClock(t *testing.T) {
	key := []byte("a shared key for this test, 32 bytes or more")
	clock := &fixedClock{t: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	h := newHarness(t, mockserver.Config{SigningKey: key, Now: clock.Now, TokenTTL: time.Minute})
	tr := h.token(alice, aliceSecret)
	var c jwt.RegisteredClaims
	_, err := jwt.NewParser(jwt.WithTimeFunc(clock.Now)).ParseWithClaims(tr.AccessToken, &c,
		func(*jwt.Token) (any, error) { return key, nil })
	if err != nil {
		t.Fatalf("token does not verify with the configured key: %v", err)
	}
	if !c.IssuedAt.Equal(clock.t) || !c.ExpiresAt.Equal(clock.t.Add(time.Minute)) {
		t.Errorf("iat %v exp %v, want %v and a minute later", c.IssuedAt, c.ExpiresAt, clock.t)
	}
}

// TestDefaultTokenTTL: the zero Config issues tokens that live DefaultTokenTTL, as
// apiops-mock does by default; any negative TTL means never-expiring tokens.
func TestDefaultTokenTTL(t *testing.T) {
	h := newHarness(t, mockserver.Config{})
	if got := h.srv.TokenTTL(); got != mockserver.DefaultTokenTTL {
		t.Errorf("TokenTTL() = %v, want DefaultTokenTTL", got)
	}
	checkTokenResponse(t, h.do(h.tokenRequest(formType, credentials(alice, aliceSecret))), mockserver.DefaultTokenTTL)
	for _, d := range []time.Duration{mockserver.NeverExpires, -time.Hour} {
		if got := mockserver.New(mockserver.Config{TokenTTL: d}).TokenTTL(); got != 0 {
			t.Errorf("TokenTTL %v: TokenTTL() = %v, want 0 (never expires)", d, got)
		}
	}
}

func TestNewChecked(t *testing.T) {
	bad := []mockserver.Config{
		{TokenTTL: 1},
		{TokenTTL: 500 * time.Millisecond},
		{Realm: `a"b`},
	}
	for _, cfg := range bad {
		if _, err := mockserver.NewChecked(cfg); err == nil {
			t.Errorf("NewChecked(%+v) = nil error", cfg)
		}
	}
	func() {
		defer func() {
			if recover() == nil {
				t.Error("New with a sub-second TTL did not panic")
			}
		}()
		mockserver.New(mockserver.Config{TokenTTL: time.Millisecond})
	}()
	if _, err := mockserver.NewChecked(mockserver.Config{TokenTTL: 1500 * time.Millisecond}); err != nil {
		t.Errorf("1.5s TTL: %v", err)
	}
}

func TestCustomUsersAndRealm(t *testing.T) {
	cfg := mockserver.Config{Realm: "acme", TokenTTL: time.Hour}
	cfg.Users.Users = []fixtures.User{{Username: "eve", Password: "eve-secret"}}
	h := newHarness(t, cfg)
	if resp := h.do(h.tokenRequest(formType, credentials(alice, aliceSecret))); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("alice with custom users: %d", resp.StatusCode)
	}
	tr := h.token("eve", "eve-secret")
	if resp := h.projects("Bearer " + tr.AccessToken); resp.StatusCode != http.StatusOK || string(resp.body) != `{"status":"SUCCESS","resultList":[],"resultCount":0}` {
		t.Errorf("projects with no fixture projects: %d %s", resp.StatusCode, resp.body)
	}
	resp := h.projects("Bearer x" + tr.AccessToken)
	if got := resp.Header.Get("WWW-Authenticate"); got != `Bearer realm="acme", error="invalid_token"` {
		t.Errorf("WWW-Authenticate %q", got)
	}
}
