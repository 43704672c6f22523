package reports

import (
	"bytes"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

// The secrets of the redaction test. Each has an alphanumeric core that no escaping (HTML,
// XML, JSON, Markdown, percent-encoding) changes, so finding the core anywhere in an output
// proves a leak, whatever the output escaped around it.
const (
	passwordCore = "Zq9PasswordCore"
	tokenCore    = "Xk7TokenCore"
	password     = "p&ss <" + passwordCore + "> w/ü=+%?#"
	token        = "eyJhbGciOiJIUzI1NiJ9." + tokenCore + ".sig-_"
)

// leakyReport is a Ginkgo report whose suites forgot to redact: the secrets appear in
// messages, findings, skip reasons, URLs, headers, bodies, errors, steps and suite errors.
func leakyReport(t *testing.T) types.Report {
	form := url.Values{"username": {"admin"}, "password": {password}}.Encode()
	x := evidence.Exchange{
		Step: "log in with " + password,
		Request: evidence.Request{
			Method: "POST",
			URL:    tokenURL + "?password=" + url.QueryEscape(password) + "&p2=" + url.PathEscape(password),
			Header: http.Header{
				"Authorization": {"Basic " + token},
				"X-Api-Key":     {token},
				"Cookie":        {"session=" + token},
				"Content-Type":  {"application/x-www-form-urlencoded"},
			},
			Body: form,
		},
		Response: evidence.Response{
			Status: 200,
			Header: http.Header{"Set-Cookie": {"s=" + token}, "X-Echo": {password}},
			Body:   `{"access_token":"` + token + `","echo":"` + password + `"}`,
			Error:  "",
		},
		Curl: "curl -X POST '" + tokenURL + "' -H 'Authorization: Basic " + token + "' -H 'Cookie: s=" + tokenCore + "' -d 'client_id=admin&client_secret=" +
			url.QueryEscape(password) + "' -d password=" + tokenCore + "x --data-urlencode \"access_token=" + tokenCore + "\"",
		Contract: "response body doesn't match schema\nValue:\n  {\n    \"access_token\": \"" + token + "\",\n    \"echo\": \"" + password + "\"\n  }",
	}
	y := x
	y.Response = evidence.Response{Error: "dial tcp: password " + password + " rejected, token " + token}
	return types.Report{
		StartTime: time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC),
		SpecReports: types.SpecReports{
			{LeafNodeType: types.NodeTypeBeforeSuite, State: types.SpecStateFailed, Failure: types.Failure{Message: "login failed for " + password}},
			spec(t, reqFail, types.SpecStateFailed, "expected 400 for password "+password+", got token "+token, false,
				entry(t, evidence.EntryExchange, x, false), entry(t, evidence.EntryExchange, y, true)),
			spec(t, reqFinding, types.SpecStatePassed, "", true, entry(t, evidence.EntryFinding, "token "+token+" echoed", true)),
			spec(t, reqSkip, types.SpecStateSkipped, "cannot reuse "+token, false),
			spec(t, reqPass, types.SpecStatePassed, "", false, entry(t, evidence.EntryExchange, x, false),
				entry(t, evidence.EntryCompared, "the token "+token+" ✓", false)),
			spec(t, reqBlocked, types.SpecStateSkipped, "skip "+password, true,
				entry(t, evidence.EntryOutcome, evidence.Outcome{Status: evidence.Blocked, BlockedBy: reqFail.ID, Reason: "no login with " + password}, true)),
		},
	}
}

func TestNoSecretInAnyFormat(t *testing.T) {
	meta := Meta{
		Tool:    Tool{Name: "apiops-conformance", Version: "test"},
		Target:  "https://admin:" + url.PathEscape(password) + "@manager.example",
		Config:  map[string]string{"password": password, "token": token, "username": "admin"},
		Secrets: []string{password, token},
		Run:     RunStatus{Status: RunComplete, Reason: "the password " + password + " was fine"},
	}
	res := FromGinkgo(leakyReport(t), meta)

	dir := t.TempDir()
	if err := WriteFiles(dir, res); err != nil {
		t.Fatal(err)
	}
	outputs := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		outputs[e.Name()] = data
	}
	if len(outputs) != 4 {
		t.Fatalf("WriteFiles wrote %d files, want 4", len(outputs))
	}
	var buf bytes.Buffer
	WriteConsole(&buf, res, ConsoleOptions{ShowCurl: true, Verbose: true})
	outputs["console"] = buf.Bytes()
	buf = bytes.Buffer{}
	d := Compare(Result{}, res)
	WriteDiff(&buf, d)
	if err := WriteDiffMarkdown(&buf, d); err != nil {
		t.Fatal(err)
	}
	outputs["compare"] = buf.Bytes()

	for name, out := range outputs {
		for _, core := range []string{passwordCore, tokenCore} {
			if i := bytes.Index(out, []byte(core)); i >= 0 {
				lo, hi := max(0, i-80), min(len(out), i+80)
				t.Errorf("%s leaks a secret: …%s…", name, out[lo:hi])
			}
		}
		if name != "compare" && !bytes.Contains(out, []byte(evidence.Redacted)) {
			t.Errorf("%s shows no %s marker: the test's secrets did not reach it", name, evidence.Redacted)
		}
	}
	// The evidence must still be there, only redacted.
	if !strings.Contains(string(outputs[HTMLFile]), "Authorization: Basic "+evidence.Redacted) {
		t.Errorf("report.html should show the Authorization header with its scheme kept")
	}
}

// TestRenderersRedactSensitiveHeaders: a result that did not come through FromGinkgo (a
// hand-made conformance.json) still never shows an Authorization or Cookie value.
func TestRenderersRedactSensitiveHeaders(t *testing.T) {
	r := sampleResult()
	r.Checks[1].Evidence[0].Request.Header.Set("Authorization", "Bearer "+tokenCore)
	r.Checks[1].Evidence[0].Response.Header.Set("Set-Cookie", "sid="+tokenCore)
	r.Checks[1].Evidence[0].Curl = "curl -H 'Authorization: Bearer " + tokenCore + "' -d client_secret=" + tokenCore
	for name, f := range map[string]Renderer{"json": WriteJSON, "junit": WriteJUnit, "md": WriteMarkdown, "html": WriteHTML, "console": consoleAll} {
		if out := render(t, f, r); bytes.Contains(out, []byte(tokenCore)) {
			t.Errorf("%s shows a sensitive header's value", name)
		}
	}
	if r.Checks[1].Evidence[0].Request.Header.Get("Authorization") != "Bearer "+tokenCore {
		t.Error("rendering must not modify the caller's result")
	}
}
