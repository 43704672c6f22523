package mockserver_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

const (
	challengeMissing = `Bearer realm="apiops"`
	challengeInvalid = `Bearer realm="apiops", error="invalid_token"`
)

func TestProtectedEndpoint(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	clock := &fixedClock{t: time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHarness(t, mockserver.Config{SigningKey: key, Now: clock.Now, TokenTTL: time.Hour})
	token := h.token(alice, aliceSecret).AccessToken

	sign := func(method jwt.SigningMethod, k any, c jwt.Claims) string {
		s, err := jwt.NewWithClaims(method, c).SignedString(k)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	valid := jwt.RegisteredClaims{Subject: alice, ID: "1.x", IssuedAt: jwt.NewNumericDate(clock.t),
		ExpiresAt: jwt.NewNumericDate(clock.t.Add(time.Hour))}
	expired := valid
	expired.ExpiresAt = jwt.NewNumericDate(clock.t.Add(-time.Second))
	parts := strings.Split(token, ".")
	tampered := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
	noSub := valid
	noSub.Subject = ""

	tests := []struct {
		name          string
		authorization string
		status        int
		challenge     string
	}{
		{"Bearer", "Bearer " + token, 200, ""},
		{"bearer lower case", "bearer " + token, 200, ""},
		{"BEARER upper case", "BEARER " + token, 200, ""},
		{"same key, forged elsewhere", "Bearer " + sign(jwt.SigningMethodHS256, key, valid), 200, ""},
		{"missing header", "", 401, challengeMissing},
		{"Basic scheme", "Basic YWxpY2U6YWxpY2Utc2VjcmV0", 401, challengeInvalid},
		{"token without the prefix", token, 401, challengeInvalid},
		{"scheme without a token", "Bearer", 401, challengeInvalid},
		{"scheme and spaces", "Bearer   ", 401, challengeInvalid},
		{"garbage", "Bearer not-a-jwt", 401, challengeInvalid},
		{"tampered signature", "Bearer " + tampered, 401, challengeInvalid},
		{"another key", "Bearer " + sign(jwt.SigningMethodHS256, []byte("another key of thirty-two bytes!"), valid), 401, challengeInvalid},
		{"HS512 with the right key", "Bearer " + sign(jwt.SigningMethodHS512, key, valid), 401, challengeInvalid},
		{"alg none", "Bearer " + sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid), 401, challengeInvalid},
		{"expired", "Bearer " + sign(jwt.SigningMethodHS256, key, expired), 401, challengeInvalid},
		{"no sub", "Bearer " + sign(jwt.SigningMethodHS256, key, noSub), 401, challengeInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.t = t
			resp := h.projects(tt.authorization)
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, resp.body, tt.status)
			}
			if got := resp.Header.Get("WWW-Authenticate"); got != tt.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tt.challenge)
			}
			if tt.status == 200 {
				var projects spec.ProjectList
				if err := json.Unmarshal(resp.body, &projects); err != nil || projects.ResultCount != len(fixtures.Default().ProjectsOf(alice)) {
					t.Errorf("projects %s: %v", resp.body, err)
				}
				return
			}
			if got := resp.errorBody(t); got != spec.Error(spec.InvalidToken) {
				t.Errorf("body %+v", got)
			}
		})
	}
}

// TestListProjects: each user sees the projects they are a member of, in the vendor's
// List Projects shape; a user in no project gets an empty list.
func TestListProjects(t *testing.T) {
	h := newHarness(t, mockserver.Config{})
	set := fixtures.Default()
	for _, user := range []string{alice, bob, "erin", "frank"} {
		u, _ := set.User(user)
		resp := h.projects("Bearer " + h.token(user, u.Password).AccessToken)
		want := spec.ProjectList{Status: "SUCCESS", ResultList: []spec.Project{}}
		for _, p := range set.ProjectsOf(user) {
			want.ResultList = append(want.ResultList, spec.Project{Name: p.Name, Description: p.Description})
		}
		want.ResultCount = len(want.ResultList)
		wantBody, _ := json.Marshal(want)
		if resp.StatusCode != 200 || string(resp.body) != string(wantBody) {
			t.Errorf("%s: %d %s, want %s", user, resp.StatusCode, resp.body, wantBody)
		}
	}
	frank := h.projects("Bearer " + h.token("frank", "frank-secret").AccessToken)
	if want := `{"status":"SUCCESS","resultList":[],"resultCount":0}`; string(frank.body) != want {
		t.Errorf("frank: %s, want %s", frank.body, want)
	}
	refused := h.projects("Bearer nope")
	if want := `{"error":"unauthorized_client","error_description":"Invalid token"}`; string(refused.body) != want {
		t.Errorf("401 body %s, want %s", refused.body, want)
	}
}

func TestProtectedEndpointMethodsAndUnknownPaths(t *testing.T) {
	h := newHarness(t, mockserver.Config{})
	token := h.token(alice, aliceSecret).AccessToken
	for _, method := range []string{http.MethodPost, http.MethodDelete, http.MethodPut} {
		req, _ := http.NewRequest(method, h.url(spec.ProjectsPath), nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp := h.do(req)
		if resp.StatusCode != http.StatusMethodNotAllowed || resp.Header.Get("Allow") != http.MethodGet {
			t.Errorf("%s: %d Allow %q", method, resp.StatusCode, resp.Header.Get("Allow"))
		}
	}
	for _, path := range []string{"/", "/apiops/projects", "/apiops/auth/token/", "/_mock/", "/_mock/journal"} {
		resp := h.do(mustRequest(t, http.MethodGet, h.url(path)))
		if resp.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, resp.StatusCode)
		}
	}
}

func TestTwoAuthorizationHeaders(t *testing.T) {
	h := newHarness(t, mockserver.Config{})
	token := h.token(alice, aliceSecret).AccessToken
	req := mustRequest(t, http.MethodGet, h.url(spec.ProjectsPath))
	req.Header.Add("Authorization", "Bearer "+token)
	req.Header.Add("Authorization", "Bearer "+token)
	if resp := h.do(req); resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("two Authorization headers: %d", resp.StatusCode)
	}
}

func TestExpiryWithAdvance(t *testing.T) {
	h := newHarness(t, mockserver.Config{TokenTTL: time.Hour})
	token := h.token(alice, aliceSecret).AccessToken
	h.srv.Advance(59 * time.Minute)
	if resp := h.projects("Bearer " + token); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 59m: %d", resp.StatusCode)
	}
	h.srv.Advance(2 * time.Minute)
	resp := h.projects("Bearer " + token)
	if resp.StatusCode != http.StatusUnauthorized || resp.Header.Get("WWW-Authenticate") != challengeInvalid {
		t.Fatalf("after 61m: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	// A token issued on the advanced clock lives its full TTL from there.
	fresh := h.token(alice, aliceSecret).AccessToken
	if resp := h.projects("Bearer " + fresh); resp.StatusCode != http.StatusOK {
		t.Fatalf("fresh token: %d", resp.StatusCode)
	}
	h.srv.Reset() // back to real time: the first token is valid again
	if resp := h.projects("Bearer " + token); resp.StatusCode != http.StatusOK {
		t.Fatalf("after Reset: %d", resp.StatusCode)
	}
	h.srv.Advance(-time.Hour) // ignored
	h.srv.Advance(1<<63 - 1)  // saturates, no overflow
	h.srv.Advance(time.Hour)
	if h.srv.Now().Before(time.Now().Add(100 * 365 * 24 * time.Hour)) {
		t.Errorf("Now() = %v after a saturated Advance", h.srv.Now())
	}
}

func TestRevocation(t *testing.T) {
	h := newHarness(t, mockserver.Config{TokenTTL: time.Hour})
	a1 := h.token(alice, aliceSecret).AccessToken
	a2 := h.token(alice, aliceSecret).AccessToken
	b1 := h.token(bob, bobSecret).AccessToken

	if ok, err := h.srv.Revoke(a1); !ok || err != nil {
		t.Fatalf("Revoke(a1) = %v, %v", ok, err)
	}
	if ok, err := h.srv.Revoke(a1); ok || err != nil {
		t.Errorf("Revoke(a1) twice = %v, %v", ok, err)
	}
	if _, err := h.srv.Revoke("not-a-token"); !errors.Is(err, mockserver.ErrMalformedToken) {
		t.Errorf("Revoke(garbage) error %v", err)
	}
	foreign := mockserver.New(mockserver.Config{})
	ft := newHarness(t, mockserver.Config{}).token(alice, aliceSecret).AccessToken
	if _, err := foreign.Revoke(ft); !errors.Is(err, mockserver.ErrUnknownToken) {
		t.Errorf("Revoke(another mock's token) error %v", err)
	}
	want := map[string]int{a1: 401, a2: 200, b1: 200}
	for tok, status := range want {
		if resp := h.projects("Bearer " + tok); resp.StatusCode != status {
			t.Errorf("after Revoke(a1): %d, want %d", resp.StatusCode, status)
		}
	}
	if n, err := h.srv.RevokeUser(alice); n != 2 || err != nil {
		t.Errorf("RevokeUser(alice) = %d, %v; want 2", n, err)
	}
	a3 := h.token(alice, aliceSecret).AccessToken // issued after: valid
	want = map[string]int{a1: 401, a2: 401, a3: 200, b1: 200}
	for tok, status := range want {
		if resp := h.projects("Bearer " + tok); resp.StatusCode != status {
			t.Errorf("after RevokeUser(alice): %d, want %d", resp.StatusCode, status)
		}
	}
	if n, err := h.srv.RevokeUser(alice); n != 1 || err != nil {
		t.Errorf("second RevokeUser(alice) = %d, %v; want 1", n, err)
	}
	if n, err := h.srv.RevokeUser("carol"); n != 0 || err != nil {
		t.Errorf("RevokeUser(carol, disabled) = %d, %v", n, err)
	}
	if _, err := h.srv.RevokeUser("nobody"); !errors.Is(err, mockserver.ErrUnknownAccount) {
		t.Errorf("RevokeUser(nobody) error %v", err)
	}
	h.srv.Reset() // revocations cleared; issued tokens stay valid
	for _, tok := range []string{a1, a2, a3, b1} {
		if resp := h.projects("Bearer " + tok); resp.StatusCode != 200 {
			t.Errorf("after Reset: %d", resp.StatusCode)
		}
	}
	if n, _ := h.srv.RevokeUser(alice); n != 0 {
		t.Errorf("RevokeUser(alice) after Reset = %d, want 0", n)
	}
}

// TestRevokedTokensAreForgottenAtExpiry: a revoked token's id is kept until the token's
// own expiry on the mock's clock, a never-expiring token's for good; an expired token
// has nothing to revoke.
func TestRevokedTokensAreForgottenAtExpiry(t *testing.T) {
	h := newHarness(t, mockserver.Config{TokenTTL: time.Hour})
	short := h.token(alice, aliceSecret).AccessToken
	if err := h.srv.SetTokenTTL(2 * time.Hour); err != nil {
		t.Fatal(err)
	}
	long := h.token(alice, aliceSecret).AccessToken
	if err := h.srv.SetTokenTTL(mockserver.NeverExpires); err != nil {
		t.Fatal(err)
	}
	never := h.token(bob, bobSecret).AccessToken
	for _, tok := range []string{short, long, never} {
		if ok, err := h.srv.Revoke(tok); !ok || err != nil {
			t.Fatalf("Revoke = %v, %v", ok, err)
		}
	}
	if n := h.srv.State().RevokedTokens; n != 3 {
		t.Errorf("revoked_tokens %d, want 3", n)
	}
	h.srv.Advance(90 * time.Minute)
	if n := h.srv.State().RevokedTokens; n != 2 {
		t.Errorf("after the first expiry: revoked_tokens %d, want 2", n)
	}
	if ok, err := h.srv.Revoke(short); ok || err != nil {
		t.Errorf("Revoke(expired) = %v, %v; want false, nil", ok, err)
	}
	h.srv.Advance(time.Hour)
	if n := h.srv.State().RevokedTokens; n != 1 {
		t.Errorf("after the second expiry: revoked_tokens %d, want 1 (the never-expiring token)", n)
	}
	for tok, status := range map[string]int{short: 401, long: 401, never: 401} {
		if resp := h.projects("Bearer " + tok); resp.StatusCode != status {
			t.Errorf("status %d, want %d", resp.StatusCode, status)
		}
	}
}

func mustRequest(t testing.TB, method, url string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
