package suites

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/catalog"
)

// TestClientCatalogWellFormed: client IDs are unique across both catalogs, prerequisites
// come earlier, every entry quotes its source, and the IDs the proxy's wire rules share
// are there.
func TestClientCatalogWellFormed(t *testing.T) {
	seen := map[string]int{}
	for _, r := range catalog.All() {
		seen[r.ID] = -1
	}
	for i, r := range catalog.Clients() {
		if !catalog.IDPattern.MatchString(r.ID) || !strings.HasPrefix(r.ID, "CLIENT-") {
			t.Errorf("%s: malformed client ID", r.ID)
		}
		if _, dup := seen[r.ID]; dup {
			t.Errorf("%s: duplicate ID", r.ID)
		}
		seen[r.ID] = i
		if r.Quote == "" || r.Source == "" || r.Title == "" || r.Area == "" {
			t.Errorf("%s: empty quote, source, title or area", r.ID)
		}
		if !slices.Contains(catalog.Kinds, r.Kind) || (r.Level != catalog.Must && r.Level != catalog.Should) {
			t.Errorf("%s: kind %q, level %q", r.ID, r.Kind, r.Level)
		}
		if r.Kind == catalog.RFC && r.Level == catalog.Must {
			t.Errorf("%s: an RFC-only requirement is SHOULD", r.ID)
		}
		for _, dep := range r.After {
			if j, ok := seen[dep]; !ok || j < 0 || j >= i {
				t.Errorf("%s: prerequisite %s is not an earlier client requirement", r.ID, dep)
			}
		}
		if got, ok := catalog.Lookup(r.ID); !ok || got.Title != r.Title {
			t.Errorf("catalog.Lookup(%s) does not find it", r.ID)
		}
	}
	for _, id := range []string{"CLIENT-FORM-001", "CLIENT-FORM-002", "CLIENT-FORM-005", "CLIENT-BEARER-001"} {
		if _, ok := seen[id]; !ok {
			t.Errorf("%s (shared with the proxy's wire rules) is missing", id)
		}
	}
}

func tokenRec(ct, body string) Recorded {
	h := http.Header{}
	if ct != "" {
		h.Set("Content-Type", ct)
	}
	return Recorded{Method: http.MethodPost, Path: spec.TokenPath, Header: h, Body: []byte(body)}
}

func TestClientWireRules(t *testing.T) {
	const secret = "ascii p@ss&=+%/?#w0rd"
	erin := Account{ClientID: "erin", ClientSecret: secret}
	good := "grant_type=client_credentials&client_id=erin&client_secret=" + url.QueryEscape(secret)
	twenty := "grant_type=client_credentials&client_id=erin&client_secret=" + strings.ReplaceAll(url.QueryEscape(secret), "+", "%20")
	form := "application/x-www-form-urlencoded"
	for _, c := range []struct {
		name string
		got  string
		bad  bool
	}{
		{"form", formRule(tokenRec(form, good)), false},
		{"form with charset", formRule(tokenRec(form+"; charset=UTF-8", good)), false},
		{"JSON", formRule(tokenRec("application/json", `{}`)), true},
		{"no content type", formRule(tokenRec("", good)), true},
		{"GET", formRule(Recorded{Method: http.MethodGet, Header: http.Header{"Content-Type": {form}}}), true},
		{"grant", grantRule(tokenRec(form, good)), false},
		{"grant missing", grantRule(tokenRec(form, "client_id=erin")), true},
		{"grant twice", grantRule(tokenRec(form, good+"&grant_type=client_credentials")), true},
		{"grant other", grantRule(tokenRec(form, "grant_type=password")), true},
		{"credentials '+'", credentialsRule(tokenRec(form, good), erin), false},
		{"credentials '%20'", credentialsRule(tokenRec(form, twenty), erin), false},
		{"credentials raw", credentialsRule(tokenRec(form, "grant_type=client_credentials&client_id=erin&client_secret="+secret), erin), true},
		{"credentials missing", credentialsRule(tokenRec(form, "grant_type=client_credentials"), erin), true},
		{"credentials wrong", credentialsRule(tokenRec(form, "client_id=erin&client_secret=x"), erin), true},
		{"query clean", queryRule(Recorded{Path: spec.TokenPath}, leakForms("erin", secret)), false},
		{"query credentials", queryRule(Recorded{Path: spec.TokenPath, RawQuery: "client_secret=x"}, nil), true},
		{"query secret", queryRule(Recorded{Path: "/x", RawQuery: "q=" + url.QueryEscape(secret)}, leakForms("erin", secret)), true},
	} {
		if (c.got != "") != c.bad {
			t.Errorf("%s: rule says %q, want violation=%v", c.name, c.got, c.bad)
		}
		if strings.Contains(c.got, secret) || strings.Contains(c.got, url.QueryEscape(secret)) {
			t.Errorf("%s: the rule's words hold the secret: %q", c.name, c.got)
		}
	}
}

func TestClientBearerRules(t *testing.T) {
	const tok = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln"
	issued := map[string]bool{tok: true}
	call := func(auth ...string) Recorded { return Recorded{Header: http.Header{"Authorization": auth}} }
	for _, c := range []struct {
		rec           Recorded
		syntax, exact bool
	}{
		{call("Bearer " + tok), true, true},
		{call("bearer  " + tok), true, true},
		{call(), false, true},
		{call("Bearer "+tok, "Bearer "+tok), false, true},
		{call("Basic YTpi"), false, true},
		{call("Bearer"), false, true},
		{call(`Bearer "` + tok + `"`), false, true},
		{call("Bearer " + tok[:10]), true, false},
		{call("Bearer abc.def"), true, false},
	} {
		auth := c.rec.Header.Values("Authorization")
		if got := bearerRule(c.rec); (got == "") != c.syntax {
			t.Errorf("bearerRule(%q) = %q, want ok=%v", auth, got, c.syntax)
		}
		if got := issuedRule(c.rec, issued); (got == "") != c.exact {
			t.Errorf("issuedRule(%q) = %q, want ok=%v", auth, got, c.exact)
		}
	}
}

// TestLeakForms: the secret is found however a client printed it.
func TestLeakForms(t *testing.T) {
	const id, secret = "bob", "p@ss w0rd&=+%ü/?#"
	forms := leakForms(id, secret)
	for _, printed := range []string{
		"error: invalid secret " + secret,
		fmt.Sprintf("invalid client_secret %q", secret),
		fmt.Sprintf("invalid client_secret %+q", secret),
		`{"client_secret":"p@ss w0rd\u0026=+%ü/?#"}`,
		"body: client_secret=" + url.QueryEscape(secret),
		"Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret)),
	} {
		if line, _ := findLeak([]byte("first line\n"+printed+"\n"), forms); line != 2 {
			t.Errorf("leak in %q found on line %d, want 2", printed, line)
		}
	}
	if line, _ := findLeak([]byte("ok: 2 calls\np@ss w0rd\n"), forms); line != 0 {
		t.Errorf("a part of the secret counted as a leak (line %d)", line)
	}
}

// TestClientRecorder: the hook runs before the client sees the answer; the mock gets the
// whole body while the record keeps a bounded head; the control API is not recorded.
func TestClientRecorder(t *testing.T) {
	var inner atomic.Int64
	rec := NewClientRecorder(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		inner.Store(n)
		if r.URL.Path == spec.TokenPath {
			fmt.Fprint(w, `{"access_token":"tok-1","token_type":"Bearer","expires_in":60}`)
			return
		}
		w.WriteHeader(http.StatusTeapot)
	}))
	srv := httptest.NewServer(rec)
	defer srv.Close()
	var hooked atomic.Int64
	rec.start(func(i int, r Recorded) { hooked.Store(int64(i) + 1) })

	big := bytes.Repeat([]byte("a"), recordMaxBody+10)
	resp, err := http.Post(srv.URL+spec.TokenPath, "application/x-www-form-urlencoded", bytes.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if hooked.Load() != 1 {
		t.Errorf("the answer arrived before the hook ran")
	}
	if inner.Load() != int64(len(big)) {
		t.Errorf("the mock read %d bytes, want %d", inner.Load(), len(big))
	}
	for _, path := range []string{"/_mock/reset", "/apiops/projects/"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTeapot {
			t.Errorf("%s: status %d passed through as %d", path, http.StatusTeapot, resp.StatusCode)
		}
	}
	reqs, dropped := rec.stop()
	if len(reqs) != 2 || dropped != 0 {
		t.Fatalf("recorded %d (+%d dropped), want 2", len(reqs), dropped)
	}
	if len(reqs[0].Body) != recordMaxBody || reqs[0].Issued != "tok-1" || reqs[0].ExpiresIn != 60 {
		t.Errorf("token request recorded with %d body bytes, issued %q, expires_in %d", len(reqs[0].Body), reqs[0].Issued, reqs[0].ExpiresIn)
	}
	if reqs[1].Path != "/apiops/projects/" || reqs[1].Status != http.StatusTeapot {
		t.Errorf("second record %s %d", reqs[1].Path, reqs[1].Status)
	}
}

func TestClientEnv(t *testing.T) {
	env := clientEnv([]string{"PATH=/bin", "APIOPS_CLIENT_SECRET=leak", "APIOPS_TIMEOUT=1s", "NO_PROXY=corp"},
		"http://127.0.0.1:1", Account{ClientID: "alice", ClientSecret: "s"})
	want := []string{"PATH=/bin", "APIOPS_BASE_URL=http://127.0.0.1:1", "APIOPS_CLIENT_ID=alice", "APIOPS_CLIENT_SECRET=s",
		"NO_PROXY=corp,127.0.0.1,localhost,::1", "no_proxy=corp,127.0.0.1,localhost,::1"}
	if !slices.Equal(env, want) {
		t.Errorf("clientEnv = %q\nwant %q", env, want)
	}
}

// FuzzClientRules feeds the wire rules hostile requests: they never panic, and their
// words never hold the account's secret.
func FuzzClientRules(f *testing.F) {
	f.Add("grant_type=client_credentials&client_id=a&client_secret=s%3Fcr%C3%BCt", "Bearer abc", "x=1")
	f.Add("client_secret=%zz&&==", "bearer  \"", "client_secret=s?crüt")
	f.Add("\xff\xfe=%", "Basic YTpi", "%")
	const secret = "s?crüt"
	acc := Account{ClientID: "a", ClientSecret: secret}
	forms := leakForms("a", secret)
	f.Fuzz(func(t *testing.T, body, auth, query string) {
		rec := Recorded{Method: http.MethodPost, Path: spec.TokenPath, RawQuery: query, Body: []byte(body),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Authorization": {auth}}}
		for _, words := range []string{formRule(rec), credentialsRule(rec, acc), queryRule(rec, forms),
			bearerRule(rec), issuedRule(rec, map[string]bool{"abc": true})} {
			if strings.Contains(words, secret) {
				t.Errorf("the rule's words hold the secret: %q", words)
			}
		}
		_ = grantRule(rec)
		_, _ = findLeak([]byte(body), forms)
	})
}
