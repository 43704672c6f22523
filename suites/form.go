package suites

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/apiops/apiops-conformance/spec"
)

// special returns the account whose password needs percent-encoding, or skips.
func (t *T) special() Account {
	if !t.st.cfg.Special.Given() {
		t.Skip("no account whose password needs percent-encoding: give --special-client-id/--special-client-secret (a password with a space, &, =, +, %% or non-ASCII)")
	}
	return t.st.cfg.Special
}

// expectToken fails unless resp is a 200 with an access_token.
func (t *T) expectToken(resp *Resp, what string) {
	_, ok := resp.AccessToken()
	t.Expect(ok, "200 with a non-empty access_token for %s", what)
}

func formSpecs() {
	check("TOKEN-FORM-001", func(t *T) {
		t.expectToken(t.send(t.documented("documented request")), "the documented request")
	})

	check("TOKEN-FORM-002", func(t *T) {
		a := t.special()
		t.expectToken(t.send(tokenRequest("space as '+'", form(credentials(a)...))), "credentials percent-encoded with a space as '+'")
	})

	check("TOKEN-FORM-003", func(t *T) {
		a := t.special()
		body := strings.ReplaceAll(form(credentials(a)...), "+", "%20") // '+' in values is %2B
		t.expectToken(t.send(tokenRequest("space as '%20'", body)), "credentials percent-encoded with a space as '%20'")
	})

	check("TOKEN-FORM-004", func(t *T) {
		r := t.documented("Content-Type with charset")
		r.header.Set("Content-Type", formType+"; charset=UTF-8")
		t.expectToken(t.send(r), "Content-Type: application/x-www-form-urlencoded; charset=UTF-8")
	})

	check("TOKEN-FORM-005", func(t *T) {
		a := t.st.cfg.Account
		body, _ := json.Marshal(map[string]string{"grant_type": "client_credentials", "client_id": a.ClientID, "client_secret": a.ClientSecret})
		resp := t.send(request{step: "JSON body", method: http.MethodPost, path: spec.TokenPath,
			header: headers("Content-Type", jsonType, "Accept", jsonType), body: string(body)})
		t.expect4xx(resp, "valid credentials sent as a JSON body")
	})

	check("TOKEN-FORM-006", func(t *T) {
		r := tokenRequest("credentials in the URL query", "")
		r.path += "?" + form(credentials(t.st.cfg.Account)...)
		t.expect4xx(t.send(r), "valid credentials in the URL query and an empty form body")
	})

	check("TOKEN-FORM-007", func(t *T) {
		q := url.Values{}
		for _, f := range credentials(t.st.cfg.Account) {
			q.Set(f.name, f.value)
		}
		resp := t.send(request{step: "GET with credentials in the query", method: http.MethodGet,
			path: spec.TokenPath + "?" + q.Encode(), header: headers("Accept", jsonType)})
		t.expect4xx(resp, "a GET to the token endpoint with valid credentials in the query")
	})

	check("TOKEN-FORM-008", func(t *T) {
		r := t.documented("no Accept header")
		r.header.Del("Accept")
		resp := t.send(r)
		t.expectToken(resp, "the documented request without an Accept header")
		t.Expect(resp.IsJSON(), "a JSON Content-Type without an Accept header")
	})

	check("TOKEN-FORM-009", func(t *T) {
		fields := append(credentials(t.st.cfg.Account), field{"apiops_unknown_parameter", "ignored"}, field{"x-conformance", "1"})
		t.expectToken(t.send(tokenRequest("unrecognised parameters", form(fields...))), "the documented request plus two unrecognised parameters")
	})
}
