package mocktest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/mockserver/mocktest"
)

// refreshingClient is the kind of code these recipes test: it caches a token, fetches a
// new one when its own clock says the cached one has expired, and once more when the
// server answers 401 anyway.
type refreshingClient struct {
	base, id, secret string
	http             *http.Client
	now              func() time.Time // injectable clock

	token   string
	expiry  time.Time
	fetches int
}

func (c *refreshingClient) fetch() error {
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {c.id}, "client_secret": {c.secret}}
	resp, err := c.http.Post(c.base+mocktest.TokenPath, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != http.StatusOK {
		return fmt.Errorf("token: %d %v", resp.StatusCode, err)
	}
	c.token, c.expiry, c.fetches = tok.AccessToken, c.now().Add(time.Duration(tok.ExpiresIn)*time.Second), c.fetches+1
	return nil
}

// projects calls List Projects and returns its status.
func (c *refreshingClient) projects() (int, error) {
	for attempt := 0; ; attempt++ {
		if c.token == "" || !c.now().Before(c.expiry) {
			if err := c.fetch(); err != nil {
				return 0, err
			}
		}
		req, _ := http.NewRequest(http.MethodGet, c.base+mocktest.ProjectsPath, nil)
		req.Header.Set("Authorization", "Bearer "+c.token)
		resp, err := c.http.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || attempt == 1 {
			return resp.StatusCode, nil
		}
		c.token = "" // refused: fetch a new token and try once more
	}
}

// statuses lists the journal as "METHOD path status" lines.
func statuses(m *mocktest.Mock) []string {
	var out []string
	for _, e := range m.Journal() {
		out = append(out, fmt.Sprintf("%s %s %d", e.Method, e.Path, e.Status))
	}
	return out
}

// TestRefreshAfter401: the mock's clock moves the server only. After Advance the client
// still trusts its token, the mock answers 401, and the client's 401 path fetches a new
// token — which is what this test observes.
func TestRefreshAfter401(t *testing.T) {
	m := mocktest.Start(t)
	c := &refreshingClient{base: m.URL, id: "alice", secret: "alice-secret", http: m.Client(), now: time.Now}
	if status, err := c.projects(); status != 200 || err != nil {
		t.Fatalf("first call: %d %v", status, err)
	}
	m.Advance(2 * time.Hour)
	if status, err := c.projects(); status != 200 || err != nil {
		t.Fatalf("after expiry: %d %v", status, err)
	}
	want := []string{
		"POST /apiops/auth/token 200", "GET /apiops/projects/ 200",
		"GET /apiops/projects/ 401", "POST /apiops/auth/token 200", "GET /apiops/projects/ 200",
	}
	if got := statuses(m); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("journal\n got %q\nwant %q", got, want)
	}
}

// TestRefreshByTheClientsClock: inject the mock's clock into the client, so Advance moves
// both; the client sees the expiry itself and fetches a new token before calling — no
// 401 is ever sent.
func TestRefreshByTheClientsClock(t *testing.T) {
	m := mocktest.Start(t)
	c := &refreshingClient{base: m.URL, id: "alice", secret: "alice-secret", http: m.Client(), now: m.Now}
	if status, err := c.projects(); status != 200 || err != nil {
		t.Fatalf("first call: %d %v", status, err)
	}
	m.Advance(2 * time.Hour)
	if status, err := c.projects(); status != 200 || err != nil {
		t.Fatalf("after expiry: %d %v", status, err)
	}
	want := []string{
		"POST /apiops/auth/token 200", "GET /apiops/projects/ 200",
		"POST /apiops/auth/token 200", "GET /apiops/projects/ 200",
	}
	if got := statuses(m); fmt.Sprint(got) != fmt.Sprint(want) || c.fetches != 2 {
		t.Errorf("journal\n got %q\nwant %q (%d fetches)", got, want, c.fetches)
	}
}
