package mockserver_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

// TestOAuth2Client drives the mock with golang.org/x/oauth2/clientcredentials, a real
// client: credentials in the form body (AuthStyleInParams), then the protected call.
func TestOAuth2Client(t *testing.T) {
	h := newHarness(t, mockserver.Config{TokenTTL: time.Hour})
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, h.ts.Client())
	for _, user := range []struct{ id, secret string }{{alice, aliceSecret}, {bob, bobSecret}} {
		t.Run(user.id, func(t *testing.T) {
			cfg := clientcredentials.Config{
				ClientID:     user.id,
				ClientSecret: user.secret,
				TokenURL:     h.url(spec.TokenPath),
				AuthStyle:    oauth2.AuthStyleInParams,
			}
			tok, err := cfg.Token(ctx)
			if err != nil {
				t.Fatalf("Token: %v", err)
			}
			if tok.TokenType != "Bearer" || tok.AccessToken == "" {
				t.Errorf("token %+v", tok)
			}
			if left := time.Until(tok.Expiry); left < 59*time.Minute || left > 61*time.Minute {
				t.Errorf("expiry in %v, want about 1h", left)
			}
			resp, err := cfg.Client(ctx).Get(h.url(spec.ProjectsPath))
			if err != nil {
				t.Fatalf("protected call: %v", err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			checkResponse(t, resp.Request, resp.StatusCode, resp.Header, body)
			var projects spec.ProjectList
			if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &projects) != nil || projects.ResultCount == 0 {
				t.Errorf("protected call: %d %s", resp.StatusCode, body)
			}
		})
	}
	// The client sees the documented 401 as an *oauth2.RetrieveError.
	bad := clientcredentials.Config{ClientID: alice, ClientSecret: "wrong", TokenURL: h.url(spec.TokenPath), AuthStyle: oauth2.AuthStyleInParams}
	_, err := bad.Token(ctx)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.Response.StatusCode != http.StatusUnauthorized || re.ErrorCode != spec.Error(spec.BadCredentials).Error {
		t.Errorf("bad credentials: %v", err)
	}
}
