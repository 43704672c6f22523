package mockserver_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/apiops/apiops-conformance/mockserver"
)

// ExampleNew serves the mock in a test with httptest, obtains a token for a demo user and
// calls the protected endpoint with it; then the mock's clock moves past the expiry. The
// zero Config behaves as `make mock` does: demo accounts, tokens that live an hour.
// (Package mocktest does the serving and cleaning up in one call.)
func ExampleNew() {
	mock := mockserver.New(mockserver.Config{})
	ts := httptest.NewServer(mock)
	defer ts.Close()

	form := url.Values{
		"grant_type":    {"client_credentials"},
		"client_id":     {"bob"},
		"client_secret": {"p@ss w0rd&=+%ü/?#"}, // url.Values percent-encodes it
	}
	resp, err := http.Post(ts.URL+"/apiops/auth/token", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
	if err != nil {
		panic(err)
	}
	var token struct {
		AccessToken string `json:"access_token"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	err = json.NewDecoder(resp.Body).Decode(&token)
	resp.Body.Close()
	if err != nil {
		panic(err)
	}
	fmt.Println(resp.StatusCode, token.TokenType, token.ExpiresIn)

	call := func() int {
		req, _ := http.NewRequest(http.MethodGet, ts.URL+"/apiops/projects/", nil)
		req.Header.Set("Authorization", "Bearer "+token.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	fmt.Println(call())
	mock.Advance(2 * time.Hour)
	fmt.Println(call())
	// Output:
	// 200 Bearer 3600
	// 200
	// 401
}
