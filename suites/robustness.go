package suites

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/apiops/apiops-conformance/spec"
)

// oversized is the size of the oversized form body.
const oversized = 1 << 20

// echoes reports whether text contains secret in any form it could be echoed in: raw,
// form- or path-encoded, or JSON-escaped.
func echoes(text, secret string) bool {
	js, _ := json.Marshal(secret)
	for _, form := range []string{secret, url.QueryEscape(secret), url.PathEscape(secret),
		strings.ReplaceAll(url.QueryEscape(secret), "+", "%20"), strings.Trim(string(js), `"`)} {
		if strings.Contains(text, form) {
			return true
		}
	}
	return false
}

func robustnessSpecs() {
	check("TOKEN-ROBUST-001", func(t *T) {
		a := t.st.cfg.Account
		body := form(append(credentials(a), field{"client_id", a.ClientID})...)
		t.expect4xx(t.send(tokenRequest("client_id repeated", body)), "a form with client_id sent twice")
	})

	check("TOKEN-ROBUST-002", func(t *T) {
		a := t.st.cfg.Account
		body := form(field{"grant_type", "client_credentials"}, field{"client_id", a.ClientID}) + "&client_secret=%zz%"
		t.expect4xx(t.send(tokenRequest("malformed percent-encoding", body)), "client_secret=%zz% (malformed percent-encoding)")
	})

	check("TOKEN-ROBUST-003", func(t *T) {
		a := t.st.cfg.Account
		body := form(field{"grant_type", "client_credentials"}, field{"client_id", a.ClientID}, field{"client_secret", strings.Repeat("a", oversized)})
		t.expect4xx(t.send(tokenRequest("1 MiB client_secret", body)), "a 1 MiB form body")
	})

	check("TOKEN-ROBUST-004", func(t *T) {
		a := t.st.cfg.Account
		probe := Account{a.ClientID, "echo-probe-" + nonce()}
		t.st.red.Add(probe.ClientSecret)
		jsonBody, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": a.ClientID, "client_secret": a.ClientSecret})
		answered := 0
		cases := []struct {
			r      request
			secret string
		}{
			{t.documented("documented request"), a.ClientSecret},
			{tokenRequest("wrong password", form(credentials(probe)...)), probe.ClientSecret},
			{tokenRequest("grant_type=password", form(field{"grant_type", "password"}, field{"client_id", a.ClientID}, field{"client_secret", a.ClientSecret})), a.ClientSecret},
			{request{step: "JSON body", method: http.MethodPost, path: spec.TokenPath, header: headers("Content-Type", jsonType), body: string(jsonBody)}, a.ClientSecret},
		}
		for _, c := range cases {
			resp := t.send(c.r)
			if resp.Status == 0 {
				continue // no answer: nothing to judge here (the other checks say why)
			}
			answered++
			var head strings.Builder
			_ = resp.Header.Write(&head)
			t.Expect(!echoes(string(resp.Body), c.secret), "no client secret in the answer to the %s; the body contains it (redacted here)", c.r.step)
			t.Expect(!echoes(head.String(), c.secret), "no client secret in the answer to the %s; a header contains it (redacted here)", c.r.step)
		}
		if answered == 0 {
			t.Skip("no answer came back to judge: the target answered none of the %d requests", len(cases))
		}
	})
}
