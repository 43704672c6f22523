package mocktest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/apiops/apiops-conformance/mockserver/mocktest"
)

// ExampleStart is the body of a test of code that uses golang.org/x/oauth2's client
// credentials flow against the mock. (An example has no *testing.T; in your test, t is
// the test's. TestClientCredentials below runs these same steps.)
func ExampleStart() {
	var t *testing.T // your test's t

	m := mocktest.Start(t) // loopback, demo accounts, control API, tokens live 1h
	alice, _ := mocktest.Users().User("alice")
	cc := clientcredentials.Config{
		ClientID:     alice.Username,
		ClientSecret: alice.Password,
		TokenURL:     m.TokenURL(),
		AuthStyle:    oauth2.AuthStyleInParams, // the manager reads credentials from the form
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, m.Client())
	client := cc.Client(ctx)

	resp, err := client.Get(m.ProjectsURL())
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("List Projects: %v %v", resp, err)
	}
	resp.Body.Close()

	// The mock's clock moves, the client's does not: x/oauth2 still trusts its cached
	// token, and the mock answers 401. Your code's 401 handling is what runs next.
	m.Advance(2 * time.Hour)
	resp, err = client.Get(m.ProjectsURL())
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("after expiry: %v %v", resp, err)
	}
	resp.Body.Close()

	// What the client sent, secrets redacted.
	for _, e := range m.Journal() {
		if e.Path == mocktest.TokenPath && e.Form.Get("grant_type") != "client_credentials" {
			t.Errorf("token request without grant_type=client_credentials: %+v", e)
		}
	}
}

// TestClientCredentials runs ExampleStart's steps.
func TestClientCredentials(t *testing.T) {
	m := mocktest.Start(t)
	alice, _ := mocktest.Users().User("alice")
	cc := clientcredentials.Config{ClientID: alice.Username, ClientSecret: alice.Password, TokenURL: m.TokenURL(), AuthStyle: oauth2.AuthStyleInParams}
	client := cc.Client(context.WithValue(context.Background(), oauth2.HTTPClient, m.Client()))
	for _, step := range []struct {
		advance time.Duration
		want    int
	}{{0, http.StatusOK}, {2 * time.Hour, http.StatusUnauthorized}} {
		if step.advance > 0 {
			m.Advance(step.advance)
		}
		resp, err := client.Get(m.ProjectsURL())
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != step.want {
			t.Errorf("after advancing %v: %d, want %d", step.advance, resp.StatusCode, step.want)
		}
	}
	j := m.Journal()
	if len(j) != 3 || j[0].Path != mocktest.TokenPath || j[0].Form.Get("grant_type") != "client_credentials" {
		t.Errorf("journal %+v", j)
	}
}
