package suites

import (
	"encoding/json"
	"net/url"
	"strings"
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
	check("TOKEN-ROBUST-001", func(t *checker) {
		a := t.st.cfg.Account
		body := form(append(credentials(a), field{"client_id", a.ClientID})...)
		t.expect4xx(t.send(tokenRequest("client_id repeated", body)), "a form with client_id sent twice")
	})

	check("TOKEN-ROBUST-002", func(t *checker) {
		body := form(unknownUser()[:2]...) + "&client_secret=%zz%"
		t.expect4xx(t.send(tokenRequest("malformed percent-encoding", body)), "client_secret=%zz% (malformed percent-encoding), an unknown user")
	})

	check("TOKEN-ROBUST-003", func(t *checker) {
		body := form(append(unknownUser()[:2], field{"client_secret", strings.Repeat("a", oversized)})...)
		t.expect4xx(t.send(tokenRequest("1 MiB client_secret", body)), "a 1 MiB form body, an unknown user")
	})

	check("TOKEN-ROBUST-004", func(t *checker) {
		a := t.st.cfg.Account
		cases := []struct {
			what   string
			resp   *reply
			secret string
		}{
			{"documented request", t.shared(keyDocumented, func() *reply { return t.obtain(t.documented("documented request")) }), a.ClientSecret},
			{"grant_type=password", t.wrongGrant(), a.ClientSecret},
			{"JSON body", t.jsonBody(), a.ClientSecret},
		}
		cases = append(cases, struct {
			what   string
			resp   *reply
			secret string
		}{"wrong password", t.wrongPassword(), t.st.wrongSecret})
		var answered []string
		for _, c := range cases {
			if c.resp.Status == 0 {
				continue // no answer: nothing to judge here (the other checks say why)
			}
			answered = append(answered, c.what)
			var head strings.Builder
			_ = c.resp.Header.Write(&head)
			t.Expect(!echoes(string(c.resp.Body), c.secret), "no client secret in the answer to the %s; the body contains it (redacted here)", c.what)
			t.Expect(!echoes(head.String(), c.secret), "no client secret in the answer to the %s; a header contains it (redacted here)", c.what)
		}
		if len(answered) == 0 {
			t.notJudged("no answer came back to judge: the target answered none of the %d requests", len(cases))
		}
		t.Saw("no echo of the secret (raw, percent- or JSON-encoded) in the answers to: %s", strings.Join(answered, ", "))
	})
}
