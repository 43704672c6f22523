package reports

import (
	"net/http"
	"time"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

const (
	sampleTarget = "http://127.0.0.1:8080"
	tokenURL     = sampleTarget + "/apiops/auth/token"
)

// sampleResult is the fixed result every golden file is rendered from: every status, a
// gating and a non-gating failure, evidence with and without a response, a truncated body,
// contract violations (one line, and a multi-line kin-openapi message), text that needs
// escaping in every format, and a suite-level error only when asked.
func sampleResult() Result {
	okExchange := evidence.Exchange{
		Step: "obtain a token",
		Request: evidence.Request{
			Method: http.MethodPost,
			URL:    tokenURL,
			Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded"}},
			Body:   "username=admin&password=" + evidence.Redacted,
		},
		Response: evidence.Response{
			Status: 200,
			Header: http.Header{"Content-Type": {"application/json"}, "Cache-Control": {"no-store"}},
			Body:   `{"access_token":"[REDACTED]","token_type":"Bearer","expires_in":3600}`,
		},
		DurationMS: 12,
		Curl: "curl -sS -X POST 'http://127.0.0.1:8080/apiops/auth/token' \\\n" +
			"  --data-urlencode grant_type=client_credentials --data-urlencode client_id=admin \\\n" +
			"  --data-urlencode \"client_secret=$APIOPS_CLIENT_SECRET\"",
	}
	badJSON := okExchange
	badJSON.Step = "obtain a token with a JSON body"
	badJSON.Request.Header = http.Header{"Content-Type": {"application/json"}}
	badJSON.Request.Body = `{"username":"admin","password":"[REDACTED]"}`
	badJSON.Response.Header = http.Header{"Content-Type": {"text/html; charset=utf-8"}}
	badJSON.Response.Body = "<html><script>alert('x')</script> & | * _ `code` [link](http://evil.example)</html>"
	badJSON.Response.BodyTruncated = true
	badJSON.Curl = "curl -sS -X POST 'http://127.0.0.1:8080/apiops/auth/token' -H 'Content-Type: application/json' \\\n" +
		"  --data '{\"username\":\"admin\",\"password\":\"'\"$APIOPS_CLIENT_SECRET\"'\"}' # ``` </details> <b>"
	badJSON.Contract = `spec: 200 response does not match the contract: response header Content-Type has unexpected value: "text/html; charset=utf-8"`

	noStore := okExchange
	noStore.Response.Header = http.Header{"Content-Type": {"application/json"}}
	noStore.Response.Body = `{"access_token":"[REDACTED]","token_type":"Bearer","expires_in":"3600"}`
	noStore.Contract = `spec: 200 response does not match the contract: response body doesn't match schema #/components/schemas/TokenResponse: Error at "/expires_in": value must be an integer
Schema:
  {
    "description": "Lifetime in seconds, present only when the token expires (\"if applicable\").",
    "minimum": 1,
    "type": "integer"
  }

Value:
  "3600"
`

	bearer := evidence.Exchange{
		Step: "call a protected endpoint",
		Request: evidence.Request{
			Method: http.MethodGet,
			URL:    sampleTarget + "/apiops/projects",
			Header: http.Header{"Authorization": {"Bearer " + evidence.Redacted}},
		},
		Curl:     `curl -sS 'http://127.0.0.1:8080/apiops/projects' -H "Authorization: Bearer $TOKEN"`,
		Response: evidence.Response{Error: "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"},
	}
	bearer.DurationMS = 5000

	return Result{
		SchemaVersion: SchemaVersion,
		Tool:          Tool{Name: "apiops-conformance", Version: "v0.1.0", Commit: "4799b81", GoVersion: "go1.26.0"},
		Run:           RunStatus{Status: RunComplete},
		Footprint: &evidence.Footprint{
			Requests: 47, Tokens: 5, FailedLogins: 3, NeverExpiring: 1, RateLimited: 1, Budgeted: true,
			Budget: evidence.Budget{Tokens: 8, FailedLoginsPerAccount: 1},
			Accounts: []evidence.AccountFootprint{
				{ClientID: "admin", Role: "main", Tokens: 4, FailedLogins: 1},
				{ClientID: "locked-user", Role: "locked", Tokens: 0, FailedLogins: 1},
			},
		},
		Target:     sampleTarget,
		Started:    time.Date(2026, 11, 23, 1, 0, 0, 0, time.UTC),
		DurationMS: 6321,
		Config: map[string]string{
			"base_url": sampleTarget,
			"username": "admin",
			"password": evidence.Redacted,
			"timeout":  "5s",
		},
		Checks: []Check{
			{ID: "TOKEN-FORM-001", Level: "MUST", Area: "form", Kind: "docs", Title: "Accepts an application/x-www-form-urlencoded body",
				Source: "docs: Create Token, Request Body", Quote: "The request body must be sent as application/x-www-form-urlencoded.",
				Status: Passed, DurationMS: 12, Compared: "200 ✓, application/json ✓, access_token ✓", Evidence: []evidence.Exchange{okExchange}},
			{ID: "TOKEN-FORM-004", Level: "MUST", Area: "form", Kind: "docs", Title: "Rejects a JSON body with 400 <invalid_request>",
				Source: "docs: Create Token, Request Body; rfc: RFC 6749 §3.2", Quote: "Content-Type: application/x-www-form-urlencoded",
				Status: Failed, Gating: true, DurationMS: 15,
				Message:  "expected: status 400 with error=invalid_request\nsent:     POST /apiops/auth/token with a JSON body\ngot:      200 text/html; charset=utf-8",
				Evidence: []evidence.Exchange{badJSON}},
			{ID: "TOKEN-OK-003", Level: "SHOULD", Area: "success", Kind: "rfc", Title: "Sends Cache-Control: no-store with a token",
				Source: "rfc: RFC 6749 §5.1", Quote: `The authorization server MUST include the HTTP "Cache-Control" response header field with a value of "no-store"`,
				Status: Failed, Gating: false, DurationMS: 11,
				Message:  "expected: header Cache-Control: no-store\ngot:      no Cache-Control header",
				Evidence: []evidence.Exchange{noStore}},
			{ID: "TOKEN-OK-004", Level: "MAY", Area: "success", Kind: "rfc", Title: "Accepts expires_in as a number or string",
				Source: "rfc: RFC 6749 Appendix B", Status: Passed, DurationMS: 3, Compared: "number ✓; string not provoked"},
			{ID: "TOKEN-EXP-002", Level: "MUST", Area: "expiry", Kind: "docs", Title: "Rejects an expired token with 401",
				Source: "docs: Token Expiry", Status: NotJudged,
				Reason: "needs a token lifetime shorter than the wait budget (--max-expiry-wait 30s); the target issues tokens for 3600s"},
			{ID: "TOKEN-EXP-004", Level: "MUST", Area: "expiry", Kind: "docs", Title: "Expiry applies to tokens that expire",
				Source: "docs: Token Expiration", Status: NotApplicable, Reason: "the target's tokens never expire (no expires_in)"},
			{ID: "BEARER-USE-001", Level: "MUST", Area: "bearer", Kind: "rfc", Title: "Accepts the issued token as a Bearer credential",
				Source: "rfc: RFC 6750 §2.1", Status: Failed, Gating: true, DurationMS: 5000,
				Message:  "expected: a response within 5s\ngot:      no response: the request timed out",
				Evidence: []evidence.Exchange{okExchange, bearer}},
			{ID: "BEARER-USE-002", Level: "SHOULD", Area: "bearer", Kind: "rfc", Title: "Sends WWW-Authenticate with a 401",
				Source: "rfc: RFC 6750 §3", Status: Blocked, BlockedBy: "BEARER-USE-001", Reason: "no token was obtained"},
			{ID: "BEARER-USE-003", Level: "MUST", Area: "bearer", Kind: "docs", Title: "Rejects a revoked token with 401",
				Source: "docs: Authentication › Revoking Tokens", Status: Blocked, BlockedBy: "BEARER-USE-001"},
		},
	}.summarized()
}

// summarized fills in the summary, as FromGinkgo does.
func (r Result) summarized() Result {
	r.Summary = Summarize(r.Checks)
	return r
}

// conformantResult is sampleResult with its gating failures passed: conformant with one
// SHOULD recommendation not met.
func conformantResult() Result {
	r := sampleResult()
	for i := range r.Checks {
		if r.Checks[i].Gating {
			r.Checks[i].Status, r.Checks[i].Gating, r.Checks[i].Message = Passed, false, ""
		}
	}
	return r.summarized()
}

// allMetResult is sampleResult with every failure passed: nothing failed and SHOULD checks
// ran, so the verdict says the recommendations are met too.
func allMetResult() Result {
	r := sampleResult()
	for i := range r.Checks {
		if r.Checks[i].Status == Failed {
			r.Checks[i].Status, r.Checks[i].Gating, r.Checks[i].Message = Passed, false, ""
		}
	}
	return r.summarized()
}
