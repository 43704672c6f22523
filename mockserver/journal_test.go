package mockserver_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent log writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestSecretsNeverLeak sends secrets and tokens every way a client might, then checks
// that neither the journal (Go API and control API) nor the debug log shows any of them.
func TestSecretsNeverLeak(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: time.Hour, Logger: logger})

	token := h.token(bob, bobSecret).AccessToken
	token2 := h.token(alice, aliceSecret).AccessToken
	h.projects("Bearer " + token)
	h.projects("bearer " + token2)
	h.projects(token)                   // no scheme: the whole value is the token
	h.projects("Basic " + aliceSecret)  // another scheme
	h.srv.Advance(2 * time.Hour)        // expired: the debug log gives a reason
	h.projects("Bearer " + token + "x") // tampered
	h.do(h.tokenRequest(formType, credentials(alice, "wrong-"+aliceSecret)))
	h.do(h.tokenRequest(formType, credentials(bob, bobSecret)+"&client_secret=again"))
	h.do(h.tokenRequest(formType, credentials(alice, aliceSecret)+"&refresh_token="+token2+"&password=hunter2"))
	h.do(h.tokenRequest("application/json", `{"client_secret":"`+aliceSecret+`"}`))
	h.do(h.tokenRequest(formType, "grant_type=client_credentials&client_id=alice&client_secret=s3cr%zzt"))
	query := h.tokenRequest(formType, "grant_type=client_credentials")
	query.URL.RawQuery = "client_id=alice&client_secret=" + aliceSecret
	h.do(query)

	var j struct{ Entries []mockserver.JournalEntry }
	resp := h.control(http.MethodGet, "/_mock/journal", "", &j)
	goJournal, err := json.Marshal(h.srv.Journal())
	if err != nil {
		t.Fatal(err)
	}
	if len(j.Entries) != 13 {
		t.Errorf("journal has %d entries, want 13", len(j.Entries))
	}
	secrets := []string{aliceSecret, bobSecret, "p@ss", "hunter2", token, token2, "again",
		strings.Split(token, ".")[2], strings.Split(token2, ".")[1], "%zz", "s3cr"}
	for name, text := range map[string]string{"control journal": string(resp.body), "Go journal": string(goJournal), "log": logs.String()} {
		for _, secret := range secrets {
			if strings.Contains(text, secret) || strings.Contains(text, jsonEscaped(secret)) {
				t.Errorf("%s contains the secret %.12q…", name, secret)
			}
		}
	}
	if !strings.Contains(logs.String(), `"client_id":"alice"`) || !strings.Contains(logs.String(), `"status":401`) {
		t.Errorf("the log lacks the expected fields:\n%s", logs.String())
	}
}

func jsonEscaped(s string) string {
	b, _ := json.Marshal(s)
	return strings.Trim(string(b), `"`)
}

func TestJournalIsBounded(t *testing.T) {
	h := newHarness(t, mockserver.Config{})
	req := func(i int) *http.Request {
		return mustRequest(t, http.MethodGet, h.url(fmt.Sprintf("/nothing/%d", i)))
	}
	client := h.ts.Client()
	for i := range 1005 {
		resp, err := client.Do(req(i))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	j := h.srv.Journal()
	if len(j) != 1000 || j[0].Path != "/nothing/5" || j[999].Path != "/nothing/1004" {
		t.Fatalf("journal: %d entries, first %q last %q", len(j), j[0].Path, j[len(j)-1].Path)
	}
	h.srv.ClearJournal()
	if len(h.srv.Journal()) != 0 {
		t.Error("ClearJournal left entries")
	}
}

// TestConcurrentUse drives every operation at once; its value is under -race.
func TestConcurrentUse(t *testing.T) {
	h := newHarness(t, mockserver.Config{Control: true, TokenTTL: time.Hour})
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			client := h.ts.Client()
			for range 20 {
				resp, err := client.Post(h.url(spec.TokenPath), formType, strings.NewReader(credentials(alice, aliceSecret)))
				if err != nil {
					t.Error(err)
					return
				}
				var tr tokenResponse
				_ = json.NewDecoder(resp.Body).Decode(&tr)
				resp.Body.Close()
				if tr.AccessToken != "" && i%2 == 0 {
					h.srv.Revoke(tr.AccessToken)
				}
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			h.srv.Advance(time.Second)
			h.srv.RevokeUser(alice)
			h.srv.FailNextTokens(1)
			h.srv.SetLatency(0)
			_ = h.srv.Journal()
			_ = h.srv.State()
		}
		h.srv.Reset()
	})
	wg.Wait()
}

func TestJournalEntriesAreBounded(t *testing.T) {
	h := newHarness(t, mockserver.Config{})
	long := strings.Repeat("é", 1000)
	form := credentials(alice, aliceSecret) + "&note=" + long + "&r=1&r=2&r=3&r=4&r=5"
	for i := range 30 {
		form += fmt.Sprintf("&p%d=x", i)
	}
	h.do(h.tokenRequest(formType+"; x="+strings.Repeat("y", 1000), form))
	h.do(mustRequest(t, http.MethodGet, h.url("/"+strings.Repeat("z", 5000))))
	j := h.srv.Journal()
	if len(j) != 2 {
		t.Fatalf("journal %d entries", len(j))
	}
	if want := "…(+4745 bytes)"; !strings.HasSuffix(j[1].Path, want) {
		t.Errorf("cut path %q does not end in %q", j[1].Path, want)
	}
	// A cut text is at most 256 bytes (a value 128) plus "…(+N bytes)".
	if len(j[0].Form) > 16 || len(j[0].ContentType) > 256+20 || len(j[1].Path) > 256+20 {
		t.Errorf("entries not bounded: %d params, Content-Type %d bytes, path %d bytes", len(j[0].Form), len(j[0].ContentType), len(j[1].Path))
	}
	for name, values := range j[0].Form {
		if len(values) > 3 {
			t.Errorf("%s: %d values", name, len(values))
		}
		for _, v := range values {
			if len(v) > 128+20 || !utf8.ValidString(v) {
				t.Errorf("%s: value of %d bytes, valid UTF-8 %v", name, len(v), utf8.ValidString(v))
			}
			if strings.Contains(v, aliceSecret) {
				t.Errorf("%s: the secret", name)
			}
		}
	}
}
