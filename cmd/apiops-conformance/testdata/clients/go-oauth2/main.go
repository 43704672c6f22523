// Command go-oauth2 is a token client on golang.org/x/oauth2/clientcredentials, as a
// service would write it: credentials in the form body (AuthStyleInParams), one token
// reused while valid, a new token and one retry after a 401, a delayed retry after a
// 5xx of the token endpoint. It calls the protected path twice and exits 0, or prints
// what failed (never the secret or the token) and exits 1.
//
// Broken variants: with -refuse-non-ascii it refuses a secret outside printable ASCII,
// as some libraries do, and prints the secret in its validation error; with -scheme
// Token it sends the token under another Authorization scheme than Bearer.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func main() {
	refuse := flag.Bool("refuse-non-ascii", false, "broken: refuse a secret outside printable ASCII, printing it")
	flag.StringVar(&scheme, "scheme", "", "broken: send the token with this Authorization scheme instead of Bearer")
	flag.Parse()
	if err := run(context.Background(), *refuse); err != nil {
		fmt.Fprintln(os.Stderr, "go-oauth2:", err)
		os.Exit(1)
	}
	fmt.Println("ok: 2 calls")
}

// scheme, when set, replaces the token's own type (Bearer) in the Authorization header.
var scheme string

func run(ctx context.Context, refuse bool) error {
	base := os.Getenv("APIOPS_BASE_URL")
	secret := os.Getenv("APIOPS_CLIENT_SECRET")
	if refuse {
		for _, r := range secret {
			if r < 0x20 || r > 0x7e {
				return fmt.Errorf("invalid client_secret %q: only printable ASCII is allowed (RFC 6749 Appendix A.2)", secret)
			}
		}
	}
	conf := &clientcredentials.Config{
		ClientID:     os.Getenv("APIOPS_CLIENT_ID"),
		ClientSecret: secret,
		TokenURL:     base + "/apiops/auth/token",
		AuthStyle:    oauth2.AuthStyleInParams, // the docs want the credentials in the form body
	}
	httpClient := &http.Client{Timeout: 10 * time.Second}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, httpClient)
	c := &client{conf: conf, http: httpClient, base: base}
	c.src = conf.TokenSource(ctx)
	for i := 0; i < 2; i++ {
		if err := c.call(ctx); err != nil {
			return err
		}
	}
	return nil
}

type client struct {
	conf *clientcredentials.Config
	src  oauth2.TokenSource
	http *http.Client
	base string
}

// token returns the cached token or a new one; a 5xx of the token endpoint is retried
// twice, 500 ms apart.
func (c *client) token() (*oauth2.Token, error) {
	for attempt := 1; ; attempt++ {
		tok, err := c.src.Token()
		var re *oauth2.RetrieveError
		if err == nil || attempt == 3 || !errors.As(err, &re) || re.Response.StatusCode < 500 {
			return tok, err
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// call GETs the protected path; after a 401 it drops the token and tries once more.
func (c *client) call(ctx context.Context) error {
	for attempt := 1; attempt <= 2; attempt++ {
		tok, err := c.token()
		if err != nil {
			return fmt.Errorf("token: %w", err)
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.base+"/apiops/projects/", nil)
		if err != nil {
			return err
		}
		tok.SetAuthHeader(req)
		if scheme != "" {
			req.Header.Set("Authorization", scheme+" "+tok.AccessToken)
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return err
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		switch {
		case resp.StatusCode == http.StatusOK:
			return nil
		case resp.StatusCode == http.StatusUnauthorized && attempt == 1:
			c.src = c.conf.TokenSource(ctx) // expired or revoked: a new token
		default:
			return fmt.Errorf("GET /apiops/projects/: %s", resp.Status)
		}
	}
	return errors.New("GET /apiops/projects/: refused with a new token too")
}
