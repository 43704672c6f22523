package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apiops/apiops-conformance/proxy"
	"github.com/apiops/apiops-conformance/reports"
)

func TestReportOnStop(t *testing.T) {
	r := newRig(t, newMock(t).URL)
	a := r.post("client_id=bob&client_secret="+url.QueryEscape(bobSecret), "application/x-www-form-urlencoded", form(bob, bobSecret))
	if a.StatusCode != http.StatusBadRequest {
		t.Fatalf("credentials in the query: %d %q; want the mock's 400", a.StatusCode, a.body)
	}
	// A token request the mock answers with a token but that breaks a rule: the token
	// ends in the evidence and must be redacted there.
	a = r.post("", "application/x-www-form-urlencoded", form(alice, aliceSecret)+"&note=raw space")
	var issued struct {
		AccessToken string `json:"access_token"`
	}
	if a.StatusCode != http.StatusOK || json.Unmarshal(a.body, &issued) != nil || issued.AccessToken == "" {
		t.Fatalf("raw space: %d %q; want a token", a.StatusCode, a.body)
	}
	tok := r.token(alice, aliceSecret)
	r.get("/apiops/projects/", "bearer\t"+tok)
	r.post("", "application/json", `{"client_id":"alice","client_secret":"`+aliceSecret+`"}`)

	r.stop()
	if n := r.proxy.Exchanges(); n != 5 {
		t.Errorf("recorded %d exchanges, want 5", n)
	}
	res := r.proxy.Result(proxy.Meta{
		Tool:   reports.Tool{Name: "apiops-conformance proxy", Version: "test"},
		Config: map[string]string{"upstream": "http://u.example", "note": "secret " + aliceSecret},
	})
	if res.Conformant() || res.ExitCode() != 1 {
		t.Errorf("result conformant with broken requests: %+v", res.Summary)
	}
	dir := t.TempDir()
	if err := reports.WriteFiles(dir, res); err != nil {
		t.Fatal(err)
	}
	back, err := reports.ReadJSON(filepath.Join(dir, reports.JSONFile))
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]reports.Status{}
	for _, c := range back.Checks {
		status[c.ID] = c.Status
	}
	want := map[string]reports.Status{
		"CLIENT-FORM-001":   reports.Failed,
		"CLIENT-FORM-002":   reports.Passed, // the JSON body is one cause, reported once
		"CLIENT-FORM-005":   reports.Failed,
		"CLIENT-BEARER-001": reports.Failed,
		"TOKEN-SPEC-001":    reports.Passed,
		"TOKEN-SPEC-002":    reports.Passed,
	}
	for id, s := range want {
		if status[id] != s {
			t.Errorf("%s: %s, want %s", id, status[id], s)
		}
	}
	files, _ := os.ReadDir(dir)
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f.Name()))
		if err != nil {
			t.Fatal(err)
		}
		assertNoSecret(t, f.Name(), string(data), bobSecret, aliceSecret, tok, issued.AccessToken)
		if f.Name() == reports.JSONFile && !strings.Contains(string(data), "client_secret is in the URL query") {
			t.Errorf("%s does not explain CLIENT-FORM-005", f.Name())
		}
	}
	assertNoSecret(t, "the logs", r.logs.String(), bobSecret, aliceSecret, tok, issued.AccessToken)
}

func TestNoExchangesIsNotJudged(t *testing.T) {
	r := newRig(t, newMock(t).URL)
	r.stop()
	res := r.proxy.Result(proxy.Meta{Tool: reports.Tool{Name: "apiops-conformance proxy"}})
	if res.Summary.NotJudged != len(proxy.Rules) {
		t.Fatalf("summary %+v; want every rule not judged", res.Summary)
	}
	for _, c := range res.Checks {
		if !strings.HasPrefix(c.Reason, "no ") {
			t.Errorf("%s: reason %q", c.ID, c.Reason)
		}
	}
}
