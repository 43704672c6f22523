package proxy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/apiops/apiops-conformance/proxy"
	"github.com/apiops/apiops-conformance/reports"
)

func TestCorrectClientThroughProxy(t *testing.T) {
	r := newRig(t, newMock(t).URL)
	tok := r.token(bob, bobSecret)
	a := r.post("", "application/x-www-form-urlencoded; charset=UTF-8", form(alice, aliceSecret))
	if a.StatusCode != http.StatusOK || a.violations() != "" {
		t.Fatalf("token: %d, violations %q", a.StatusCode, a.violations())
	}
	a = r.get("/apiops/projects/", "Bearer "+tok)
	if a.StatusCode != http.StatusOK || a.violations() != "" {
		t.Fatalf("projects: %d, violations %q", a.StatusCode, a.violations())
	}
	// A documented error answer is no violation either.
	a = r.post("", "application/x-www-form-urlencoded", form(alice, "wrong-password"))
	if a.StatusCode != http.StatusUnauthorized || a.violations() != "" {
		t.Fatalf("wrong password: %d, violations %q", a.StatusCode, a.violations())
	}
	if a.Header.Get("Date") == "" || !strings.HasPrefix(a.Header.Get("Content-Type"), "application/json") {
		t.Errorf("the mock's headers did not come through: %v", a.Header)
	}

	r.stop()
	res := r.proxy.Result(proxy.Meta{Tool: reports.Tool{Name: "apiops-conformance proxy", Version: "test"}})
	if res.Summary.Passed != len(proxy.Rules) || res.Summary.Failed != 0 || res.Summary.NotJudged != 0 {
		t.Fatalf("summary %+v, checks %+v", res.Summary, res.Checks)
	}
	assertNoSecret(t, "the logs", r.logs.String(), bobSecret, aliceSecret, tok)
}

func TestBrokenRequestsNameTheirRules(t *testing.T) {
	r := newRig(t, newMock(t).URL)
	tok := r.token(alice, aliceSecret)
	tests := []struct {
		name string
		send func() answer
		want []string // rule IDs in the header
	}{
		{"JSON body", func() answer {
			return r.post("", "application/json", `{"grant_type":"client_credentials","client_id":"alice","client_secret":"alice-secret"}`)
		}, []string{"CLIENT-FORM-001"}},
		{"credentials in the query", func() answer {
			return r.post("client_id=bob&client_secret="+url.QueryEscape(bobSecret), "application/x-www-form-urlencoded", form(bob, bobSecret))
		}, []string{"CLIENT-FORM-005"}},
		{"wrong grant_type", func() answer {
			return r.post("", "application/x-www-form-urlencoded", "grant_type=password&client_id=alice&client_secret=alice-secret")
		}, []string{"CLIENT-FORM-002"}},
		{"GET", func() answer {
			req, _ := http.NewRequest(http.MethodGet, r.url+"/apiops/auth/token", nil)
			return r.do(req)
		}, []string{"CLIENT-FORM-001"}},
		{"a quoted token", func() answer { return r.get("/apiops/projects/", "Bearer \""+tok+"\"") }, []string{"CLIENT-BEARER-001"}},
		{"wrong scheme", func() answer { return r.get("/apiops/projects/", "Token "+tok) }, []string{"CLIENT-BEARER-001"}},
		{"no token on another API path", func() answer { return r.get("/apiops/other", "") }, []string{"CLIENT-BEARER-001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.send()
			h := a.violations()
			for _, id := range tt.want {
				if !strings.Contains(h, id+": ") {
					t.Errorf("%s = %q; want %s", proxy.HeaderViolations, h, id)
				}
			}
			if strings.Contains(h, "TOKEN-SPEC") {
				t.Errorf("the mock's answer was judged as breaking the contract: %q", h)
			}
			for _, c := range h {
				if c < ' ' || c > '~' {
					t.Fatalf("header %q is not one line of printable ASCII", h)
				}
			}
			assertNoSecret(t, "the header", h, aliceSecret, bobSecret, tok)
		})
	}

	r.stop()
	res := r.proxy.Result(proxy.Meta{Tool: reports.Tool{Name: "apiops-conformance proxy"}})
	failed := map[string]bool{}
	for _, c := range res.Checks {
		failed[c.ID] = c.Status == reports.Failed
		if c.Status == reports.Failed && (!c.Gating || len(c.Evidence) == 0) {
			t.Errorf("%s: failed without gating or evidence: %+v", c.ID, c)
		}
	}
	for _, id := range []string{"CLIENT-FORM-001", "CLIENT-FORM-002", "CLIENT-FORM-005", "CLIENT-BEARER-001"} {
		if !failed[id] {
			t.Errorf("%s did not fail in the report", id)
		}
	}
	if failed["TOKEN-SPEC-001"] || failed["TOKEN-SPEC-002"] {
		t.Errorf("the mock failed its contract: %+v", res.Checks)
	}
	assertNoSecret(t, "the logs", r.logs.String(), aliceSecret, bobSecret, tok)
}

func TestLargeTokenRequestIsStreamedNotJudged(t *testing.T) {
	r := newRig(t, newMock(t).URL)
	body := form(alice, aliceSecret) + "&pad=" + strings.Repeat("x", proxy.MaxValidate)
	a := r.post("", "application/x-www-form-urlencoded", body)
	if a.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d; want the mock's 413", a.StatusCode)
	}
	if strings.Contains(a.violations(), "CLIENT-") {
		t.Errorf("a request too large to judge was judged: %q", a.violations())
	}
	if !strings.Contains(r.logs.String(), "request body over 1 MiB") {
		t.Errorf("the log does not say the request was not judged:\n%s", r.logs)
	}
}

// TestConcurrentClients sends correct and broken requests from many clients at once;
// under -race it checks the proxy's shared state.
func TestConcurrentClients(t *testing.T) {
	r := newRig(t, newMock(t).URL)
	const clients, each = 8, 6
	var wg sync.WaitGroup
	errs := make(chan string, clients*each)
	for c := range clients {
		wg.Go(func() {
			for i := range each {
				var req *http.Request
				switch (c + i) % 3 {
				case 0:
					req, _ = http.NewRequest(http.MethodPost, r.url+"/apiops/auth/token", strings.NewReader(form(bob, bobSecret)))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				case 1:
					req, _ = http.NewRequest(http.MethodPost, r.url+"/apiops/auth/token?client_secret=x"+strconv.Itoa(c), strings.NewReader(form(alice, aliceSecret)))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				default:
					req, _ = http.NewRequest(http.MethodGet, r.url+"/apiops/projects/", nil)
					req.Header.Set("Authorization", "Basic YWxpY2U6YWxpY2Utc2VjcmV0")
				}
				resp, err := r.client.Do(req)
				if err != nil {
					errs <- err.Error()
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if got := resp.Header.Get(proxy.HeaderViolations) != ""; got != ((c+i)%3 != 0) {
					errs <- fmt.Sprintf("request kind %d: violations %q", (c+i)%3, resp.Header.Get(proxy.HeaderViolations))
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	r.stop()
	if n := r.proxy.Exchanges(); n != clients*each {
		t.Errorf("recorded %d exchanges, want %d", n, clients*each)
	}
	assertNoSecret(t, "the logs", r.logs.String(), bobSecret, aliceSecret)
}
