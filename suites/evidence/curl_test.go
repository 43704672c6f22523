package evidence

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/fixtures"
	"github.com/apiops/apiops-conformance/mockserver"
	"github.com/apiops/apiops-conformance/spec"
)

const testToken = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2ln-_x"

// curlFor returns a Curl knowing secret as the main account's and testToken as TOKEN,
// and the Redactor it falls back to.
func curlFor(user, secret string) *Curl {
	var red Redactor
	red.AddCredentials(user, secret)
	red.Add(testToken, "unknown-secret-value")
	c := &Curl{Redactor: &red}
	c.User("APIOPS_CLIENT_ID", user)
	c.Env("APIOPS_CLIENT_SECRET", secret)
	c.Env("TOKEN", testToken)
	return c
}

func formBody(user, secret string) string {
	return url.Values{"grant_type": {"client_credentials"}, "client_id": {user}, "client_secret": {secret}}.Encode()
}

// curlRequests are the ways a check sends a secret or a token.
func curlRequests(user, secret string) map[string]CurlRequest {
	form := http.Header{"Content-Type": {"application/x-www-form-urlencoded"}, "Accept": {"application/json"}}
	js, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": user, "client_secret": secret})
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + secret))
	return map[string]CurlRequest{
		"form":            {Method: "POST", URL: "http://h" + spec.TokenPath, Header: form, Body: formBody(user, secret)},
		"form %20":        {Method: "POST", URL: "http://h" + spec.TokenPath, Header: form, Body: strings.ReplaceAll(formBody(user, secret), "+", "%20")},
		"form raw secret": {Method: "POST", URL: "http://h" + spec.TokenPath, Header: form, Body: "grant_type=client_credentials&client_id=" + user + "&client_secret=" + secret},
		"query":           {Method: "POST", URL: "http://h" + spec.TokenPath + "?" + formBody(user, secret), Header: form},
		"json":            {Method: "POST", URL: "http://h" + spec.TokenPath, Header: http.Header{"Content-Type": {"application/json"}}, Body: string(js)},
		"basic":           {Method: "GET", URL: "http://h" + spec.ProjectsPath, Header: http.Header{"Authorization": {"Basic " + basic}}},
		"bearer":          {Method: "GET", URL: "http://h" + spec.ProjectsPath, Header: http.Header{"Authorization": {"Bearer " + testToken}}},
		"bare token":      {Method: "GET", URL: "http://h" + spec.ProjectsPath, Header: http.Header{"Authorization": {testToken}}},
		"unknown bearer":  {Method: "GET", URL: "http://h" + spec.ProjectsPath, Header: http.Header{"Authorization": {"Bearer unknown-secret-value"}}},
		"echo header":     {Method: "GET", URL: "http://h" + spec.ProjectsPath, Header: http.Header{"X-Echo": {secret}}},
		"odd field names": {Method: "POST", URL: "http://h" + spec.TokenPath, Header: form, Body: "=" + url.QueryEscape(secret) + "&a%40b=" + url.QueryEscape(secret) + "&client_id=" + user},
		"oversized":       {Method: "POST", URL: "http://h" + spec.TokenPath, Header: form, Body: "client_secret=" + strings.Repeat("a", 1<<20)},
	}
}

func TestCurlNeverShowsASecret(t *testing.T) {
	for _, secret := range append([]string{"alice-secret"}, canaries...) {
		c := curlFor("alice", secret)
		var check Redactor // finds any form of the secret or token left in a command
		check.AddCredentials("alice", secret)
		check.Add(testToken, "unknown-secret-value")
		for name, r := range curlRequests("alice", secret) {
			cmd := c.Command(r)
			if red := check.replace(cmd); red != cmd { // the secrets, not the field names
				t.Errorf("%s, %q: a secret shows in\n%s", name, secret, cmd)
			}
			for enc, f := range encoders {
				if strings.Contains(cmd, f(secret)) && f(secret) != "" {
					t.Errorf("%s, %q: %s form shows in\n%s", name, secret, enc, cmd)
				}
			}
			if len(cmd) > 4096 {
				t.Errorf("%s: %d bytes", name, len(cmd))
			}
		}
	}
	c := curlFor("alice", "alice-secret")
	for _, w := range []struct{ name, want string }{
		{"form", `--data-urlencode client_secret="$APIOPS_CLIENT_SECRET"`},
		{"query", `'&client_secret='"$(jq -rn --arg v "$APIOPS_CLIENT_SECRET" '$v|@uri')"`},
		{"json", `"client_secret":'"$(jq -n --arg v "$APIOPS_CLIENT_SECRET" '$v')"`},
		{"basic", `-u "$APIOPS_CLIENT_ID:$APIOPS_CLIENT_SECRET"`},
		{"bearer", `-H 'Authorization: Bearer '"$TOKEN"`},
		{"json", `-X POST http://h/apiops/auth/token`},
		{"unknown bearer", "# Some values were redacted"},
		{"oversized", `"$(printf '%1048576s' '' | tr ' ' 'a')"`},
	} {
		if cmd := c.Command(curlRequests("alice", "alice-secret")[w.name]); !strings.Contains(cmd, w.want) {
			t.Errorf("%s: no %s in\n%s", w.name, w.want, cmd)
		}
	}
}

func TestCurlEmptySecretFieldStaysEmpty(t *testing.T) {
	c := curlFor("alice", "alice-secret")
	cmd := c.Command(CurlRequest{Method: "POST", URL: "http://h/t", Body: "client_id=alice&client_secret=",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}})
	if !strings.Contains(cmd, "--data-raw client_secret=\n") && !strings.HasSuffix(cmd, "--data-raw client_secret=") || strings.Contains(cmd, "#") {
		t.Errorf("empty client_secret:\n%s", cmd)
	}
}

// TestCurlReplays runs the commands with sh against the mock: each answers the status
// the request itself got.
func TestCurlReplays(t *testing.T) {
	for _, tool := range []string{"sh", "curl", "jq"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed: %v", tool, err)
		}
	}
	srv := httptest.NewServer(mockserver.New(mockserver.Config{Users: fixtures.Default(), TokenTTL: time.Hour}))
	defer srv.Close()
	users := fixtures.Default()
	for _, name := range []string{"alice", "bob"} {
		u, _ := users.User(name)
		// A token to replay, obtained the ordinary way.
		resp, err := http.PostForm(srv.URL+spec.TokenPath, url.Values{"grant_type": {"client_credentials"},
			"client_id": {u.Username}, "client_secret": {u.Password}})
		if err != nil {
			t.Fatal(err)
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		_ = json.NewDecoder(resp.Body).Decode(&tok)
		resp.Body.Close()
		c := curlFor(u.Username, u.Password)
		c.Env("TOKEN", tok.AccessToken)
		env := []string{"APIOPS_CLIENT_ID=" + u.Username, "APIOPS_CLIENT_SECRET=" + u.Password, "TOKEN=" + tok.AccessToken}
		for what, r := range curlRequests(u.Username, u.Password) {
			if what == "oversized" || what == "unknown bearer" {
				continue
			}
			r.URL = strings.Replace(r.URL, "http://h", srv.URL, 1)
			if strings.Contains(r.Header.Get("Authorization"), testToken) {
				r.Header = http.Header{"Authorization": {strings.Replace(r.Header.Get("Authorization"), testToken, tok.AccessToken, 1)}}
			}
			want := send(t, r)
			cmd := c.Command(r)
			if got := replay(t, cmd, env); got != want {
				t.Errorf("%s %s: the command answered %d, the request %d\n%s", name, what, got, want, cmd)
			}
		}
		// A token first, then the call with it.
		call := CurlRequest{Method: "GET", URL: srv.URL + spec.ProjectsPath, Header: http.Header{"Authorization": {"Bearer " + tok.AccessToken}}}
		get := CurlRequest{Method: "POST", URL: srv.URL + spec.TokenPath, Body: formBody(u.Username, u.Password),
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
		script := c.WithToken(get, call)
		if got := replay(t, script, env[:2]); got != http.StatusOK {
			t.Errorf("%s: WithToken answered %d\n%s", name, got, script)
		}
	}
}

// send sends r with net/http and returns the status.
func send(t *testing.T, r CurlRequest) int {
	t.Helper()
	req, err := http.NewRequest(r.Method, r.URL, strings.NewReader(r.Body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header = r.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// replay runs script with sh and env, and returns the status of the last answer curl
// printed (-i).
func replay(t *testing.T, script string, env []string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", "-c", script)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH")}, env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Errorf("sh: %v\n%s\n%s", err, stderr.String(), script)
		return 0
	}
	status := 0
	for _, line := range strings.Split(stdout.String(), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && strings.HasPrefix(f[0], "HTTP/") {
			status, _ = strconv.Atoi(f[1])
		}
	}
	return status
}

// A script that redacted says so once, before the token request.
func TestCurlWithTokenComment(t *testing.T) {
	c := curlFor("alice", "alice-secret")
	get := CurlRequest{Method: "POST", URL: "http://h" + spec.TokenPath, Body: formBody("alice", "alice-secret"),
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}}}
	call := CurlRequest{Method: "GET", URL: "http://h" + spec.ProjectsPath, Header: http.Header{"Authorization": {"Bearer unknown-secret-value"}}}
	script := c.WithToken(get, call)
	if !strings.HasPrefix(script, "# Some values were redacted") || strings.Count(script, "#") != 1 ||
		strings.Contains(script, "unknown-secret-value") {
		t.Errorf("script:\n%s", script)
	}
}
