package catalog

// Sources used by the table. "docs: …" names a page and section of the vendor
// documentation; "rfc: …" a section of an RFC the docs leave to the standard; "owasp: …"
// an entry of the OWASP API Security Top 10 (2023).
const (
	srcRequestBody = "docs: Create Token › Request Body (URL Encoded)"
	srcHeaders     = "docs: Create Token › Request › Headers"
	srcOverview    = "docs: Create Token › Overview"
	srcSuccess     = "docs: Create Token › Response (200, Content-Type)"
	srcFields      = "docs: Create Token › Response Fields"
	srcErr400      = "docs: Create Token › Error Response (400 Bad Request)"
	srcErr401      = "docs: Create Token › Error Response (401 Unauthorized)"
	srcErr500      = "docs: Create Token › Error Response (500 Internal Server Error)"
	srcAuthAll     = "docs: Authentication › Overview"
	srcUsing       = "docs: Authentication › Using the Token"
	srcTrouble401  = "docs: Authentication › Troubleshooting › 401 Unauthorized"
	srcExpiration  = "docs: Authentication › Token Expiration"
	srcRevoking    = "docs: Authentication › Revoking Tokens"
	srcRFCParams   = "rfc: RFC 6749 §3.2"
	srcRFCClient   = "rfc: RFC 6749 §2.3.1"
	srcRFCErrors   = "rfc: RFC 6749 §5.2"
	srcRFCNoStore  = "rfc: RFC 6749 §5.1"
	srcRFCVSChar   = "rfc: RFC 6749 Appendix A.12"
	srcRFCMedia    = "rfc: RFC 9110 §8.3.1"
	srcRFC413      = "rfc: RFC 9110 §15.5.14"
	srcRFCChalleng = "rfc: RFC 6750 §3"
	srcOWASPAuth   = "owasp: API2:2023 Broken Authentication"
	srcOWASPConfig = "owasp: API8:2023 Security Misconfiguration"
	srcOWASPData   = "owasp: API3:2023 Broken Object Property Level Security"
)

// Quotes: the sentences that require what the checks judge, word for word.
const (
	qFormBody      = "The request body must be sent as application/x-www-form-urlencoded (not JSON)."
	qParams        = "grant_type … Required: Yes … Must be client_credentials; client_id … Your Apinizer username; client_secret … Your Apinizer password"
	qAccept        = "Accept | application/json | Required: No"
	qContentType   = "Content-Type: application/json;charset=UTF-8"
	qAccessToken   = "access_token | string | The Personal API Access Token to use for authentication"
	qTokenType     = "token_type | string | Always Bearer"
	qExpiresIn     = "expires_in | integer | Token expiration time in seconds (if applicable)"
	q400           = "Cause: The grant_type parameter is not client_credentials."
	q401           = "Causes: Invalid username or password; Account is disabled or locked; Credentials are incorrect"
	q500           = `{"error": "server_error", "error_description": "An unexpected error occurred"}`
	qAllEndpoints  = "All Management API endpoints (except the test endpoint) require authentication using a Personal API Access Token."
	qUsing         = "Include the token in the Authorization header of all API requests: Authorization: Bearer YOUR_TOKEN"
	qHeaderFormat  = "Verify the Authorization header format: Bearer {token}"
	qTokenCorrect  = "Verify the token is correct (no extra spaces)"
	qSubsequent    = "This token can be used to authenticate all subsequent API requests."
	qExpired       = "Expired tokens will return 401 Unauthorized responses"
	qNeverExpire   = "Tokens can be configured to never expire or expire at a specific date"
	qRevoked       = "Once revoked, the token cannot be used for API requests."
	qEmptyParam    = "Parameters sent without a value MUST be treated as if they were omitted from the request."
	qUnknownParams = "The authorization server MUST ignore unrecognized request parameters."
	qRepeated      = "Request and response parameters MUST NOT be included more than once."
	qInvalidReq    = "invalid_request: The request is missing a required parameter, includes an unsupported parameter value (other than grant type), repeats a parameter, … or is otherwise malformed."
	qNoStore       = `The authorization server MUST include the HTTP "Cache-Control" response header field … with a value of "no-store" in any response containing tokens, credentials, or other sensitive information`
	qTokenTypeCase = "token_type … The value is case insensitive."
	qVSChar        = "access-token = 1*VSCHAR"
	qMediaType     = `media-type = type "/" subtype parameters`
	q413           = "The 413 (Content Too Large) status code indicates that the server is refusing to process a request because the request content is larger than the server is willing or able to process."
	qChallenge     = `If the protected resource request does not include authentication credentials or does not contain an access token that enables access to the protected resource, the resource server MUST include the HTTP "WWW-Authenticate" response header field`
	qNoURI         = "The parameters can only be transmitted in the request-body and MUST NOT be included in the request URI."
	qPost          = `The client MUST use the HTTP "POST" method when making access token requests.`
	qSameAnswer    = "Causes: Invalid username or password; Account is disabled or locked; Credentials are incorrect — one documented body for all: {\"error\": \"unauthorized_client\", \"error_description\": \"Bad credentials\"}"
	qContract      = "The documented responses: 200 {access_token, token_type, expires_in}, 400/401/500 {error, error_description}, each Content-Type: application/json;charset=UTF-8"
)

// The prerequisites most checks share: a token from the documented request, and that
// token accepted on the protected path.
var (
	afterToken     = []string{"TOKEN-FORM-001"}
	afterProtected = []string{"TOKEN-FORM-001", "TOKEN-BEARER-001"}
)

// requirements is the catalog, in report order. Levels follow the sources: what the docs
// state is MUST; the exact wording of error_description is SHOULD; what only an RFC or
// OWASP asks, or what the docs ask of clients rather than servers, is SHOULD. Where the
// docs are silent and the RFC allows alternatives, a check accepts all of them.
var requirements = []Requirement{
	// Form encoding of the token request.
	{ID: "TOKEN-FORM-001", Level: Must, Area: "form", Kind: Docs, Source: srcRequestBody, Quote: qFormBody,
		Title: "The documented form request (grant_type, client_id, client_secret as application/x-www-form-urlencoded) obtains a token with 200"},
	{ID: "TOKEN-FORM-002", Level: Must, Area: "form", Kind: Docs, Source: srcRequestBody, Quote: qFormBody,
		Title: "Credentials that need percent-encoding obtain a token when a space is sent as '+'", Needs: []Need{NeedSpecial}, After: afterToken},
	{ID: "TOKEN-FORM-003", Level: Must, Area: "form", Kind: Docs, Source: srcRequestBody, Quote: qFormBody,
		Title: "Credentials that need percent-encoding obtain a token when a space is sent as '%20'", Needs: []Need{NeedSpecial}, After: afterToken},
	{ID: "TOKEN-FORM-004", Level: Should, Area: "form", Kind: RFC, Source: srcRFCMedia, Quote: qMediaType,
		Title: "A charset parameter on the form Content-Type is accepted (the media type is still the documented one)", After: afterToken},
	{ID: "TOKEN-FORM-005", Level: Should, Area: "form", Kind: OWASP, Source: srcOWASPConfig + "; " + srcRequestBody, Quote: qFormBody,
		Title: "A JSON body does not yield a token (hardening: the docs tell clients to send a form, they do not oblige the server to refuse JSON)"},
	{ID: "TOKEN-FORM-006", Level: Should, Area: "form", Kind: OWASP, Source: srcOWASPConfig + "; " + srcRFCClient, Quote: qNoURI,
		Title: "Credentials in the URL query do not yield a token (hardening: URLs end up in logs; the RFC forbids clients to send them there)"},
	{ID: "TOKEN-FORM-007", Level: Should, Area: "form", Kind: OWASP, Source: srcOWASPConfig + "; " + srcRFCParams, Quote: qPost,
		Title: "A GET to the token endpoint does not yield a token (hardening: the RFC requires clients to POST)"},
	{ID: "TOKEN-FORM-008", Level: Must, Area: "form", Kind: Docs, Source: srcHeaders, Quote: qAccept,
		Title: "A request without an Accept header still obtains a token and a JSON answer", After: afterToken},
	{ID: "TOKEN-FORM-009", Level: Should, Area: "form", Kind: RFC, Source: srcRFCParams, Quote: qUnknownParams,
		Title: "Unrecognised request parameters are ignored", After: afterToken},

	// The 200 response.
	{ID: "TOKEN-SUCCESS-001", Level: Must, Area: "success", Kind: Docs, Source: srcSuccess, Quote: qContentType,
		Title: "The 200 response has a JSON media type (application/json, or a +json type per RFC 6839)", After: afterToken},
	{ID: "TOKEN-SUCCESS-002", Level: Must, Area: "success", Kind: Docs, Source: srcFields + "; " + srcRFCVSChar, Quote: qAccessToken + " — " + qVSChar,
		Title: "access_token is a non-empty string of printable ASCII (VSCHAR)", After: afterToken},
	{ID: "TOKEN-SUCCESS-003", Level: Must, Area: "success", Kind: Docs, Source: srcFields + "; " + srcRFCNoStore, Quote: qTokenType + " — " + qTokenTypeCase,
		Title: "token_type is Bearer, compared case-insensitively", After: afterToken},
	{ID: "TOKEN-SUCCESS-004", Level: Should, Area: "success", Kind: Docs, Source: srcFields, Quote: qTokenType,
		Title: "token_type is exactly \"Bearer\"", After: []string{"TOKEN-FORM-001", "TOKEN-SUCCESS-003"}},
	{ID: "TOKEN-SUCCESS-005", Level: Must, Area: "success", Kind: Docs, Source: srcFields, Quote: qExpiresIn,
		Title: "expires_in, when present, is a positive integer number", After: afterToken},
	{ID: "TOKEN-SUCCESS-006", Level: Should, Area: "success", Kind: RFC, Source: srcRFCNoStore, Quote: qNoStore,
		Title: "The 200 response carries Cache-Control: no-store", After: afterToken},

	// Error responses of the token endpoint.
	{ID: "TOKEN-ERR-001", Level: Must, Area: "errors", Kind: Docs, Source: srcErr400, Quote: q400,
		Title: "A grant_type other than client_credentials gets 400 with JSON error \"unsupported_grant_type\" and an error_description string"},
	{ID: "TOKEN-ERR-002", Level: Should, Area: "errors", Kind: Docs, Source: srcErr400, Quote: `"error_description": "GrantType value must be client_credentials!"`,
		Title: "The 400 unsupported_grant_type error_description has the documented wording", After: []string{"TOKEN-ERR-001"}},
	{ID: "TOKEN-ERR-003", Level: Must, Area: "errors", Kind: Docs, Source: srcErr400 + "; " + srcRFCErrors, Quote: qParams + " — " + qInvalidReq,
		Title: "A missing grant_type gets 400 with a JSON error (unsupported_grant_type or invalid_request) and an error_description string"},
	{ID: "TOKEN-ERR-004", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Quote: q401,
		Title: "A wrong password gets 401 with JSON error \"unauthorized_client\" and an error_description string"},
	{ID: "TOKEN-ERR-005", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Quote: q401,
		Title: "An unknown user gets 401 with JSON error \"unauthorized_client\""},
	{ID: "TOKEN-ERR-006", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401 + "; " + srcRFCParams, Quote: q401 + " — " + qEmptyParam,
		Title: "An empty client_secret yields no token: 401 \"unauthorized_client\" (bad credentials) or 400 \"invalid_request\" (an empty parameter is an omitted one)"},
	{ID: "TOKEN-ERR-007", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401 + "; " + srcRFCErrors, Quote: qParams + " — " + qInvalidReq,
		Title: "A missing client_id yields no token: 400 \"invalid_request\" (a missing required parameter) or 401 \"unauthorized_client\""},
	{ID: "TOKEN-ERR-008", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Quote: q401,
		Title: "A disabled account gets 401 with JSON error \"unauthorized_client\"", Needs: []Need{NeedDisabled}},
	{ID: "TOKEN-ERR-009", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Quote: q401,
		Title: "A locked account gets 401 with JSON error \"unauthorized_client\"", Needs: []Need{NeedLocked}},
	{ID: "TOKEN-ERR-010", Level: Should, Area: "errors", Kind: Docs, Source: srcErr401, Quote: `"error_description": "Bad credentials"`,
		Title: "The 401 unauthorized_client error_description has the documented wording", After: []string{"TOKEN-ERR-004"}},
	{ID: "TOKEN-ERR-011", Level: Must, Area: "errors", Kind: Docs, Source: srcErr500, Quote: q500,
		Title: "A server failure gets 500 with JSON error \"server_error\" and an error_description string", Needs: []Need{NeedServerError}},
	{ID: "TOKEN-ERR-012", Level: Should, Area: "errors", Kind: Docs, Source: srcErr500, Quote: `"error_description": "An unexpected error occurred"`,
		Title: "The 500 server_error error_description has the documented wording", Needs: []Need{NeedServerError}, After: []string{"TOKEN-ERR-011"}},
	{ID: "TOKEN-ERR-013", Level: Should, Area: "errors", Kind: OWASP, Source: srcOWASPAuth + "; " + srcErr401, Quote: qSameAnswer,
		Title: "The 401 answers for a wrong password, an unknown user, an empty secret and disabled or locked accounts are identical in error and error_description (no account-state disclosure)", After: []string{"TOKEN-ERR-004"}},

	// Bearer usage on the protected endpoint.
	{ID: "TOKEN-BEARER-001", Level: Must, Area: "bearer", Kind: Docs, Source: srcUsing, Quote: qUsing,
		Title: "The issued token, sent as Authorization: Bearer <token>, is accepted on the protected path", After: afterToken},
	{ID: "TOKEN-BEARER-002", Level: Must, Area: "bearer", Kind: Docs, Source: srcAuthAll, Quote: qAllEndpoints,
		Title: "A request without an Authorization header is refused with 401"},
	{ID: "TOKEN-BEARER-003", Level: Must, Area: "bearer", Kind: Docs, Source: srcAuthAll, Quote: qAllEndpoints,
		Title: "Another scheme (Basic with the account's credentials) is refused with 401"},
	{ID: "TOKEN-BEARER-004", Level: Must, Area: "bearer", Kind: Docs, Source: srcTrouble401, Quote: qHeaderFormat,
		Title: "The token without the \"Bearer \" prefix is refused with 401", After: afterProtected},
	{ID: "TOKEN-BEARER-005", Level: Must, Area: "bearer", Kind: Docs, Source: srcTrouble401, Quote: qTokenCorrect,
		Title: "A tampered token is refused with 401", After: afterProtected},
	{ID: "TOKEN-BEARER-006", Level: Should, Area: "bearer", Kind: RFC, Source: srcRFCChalleng, Quote: qChallenge,
		Title: "The protected path's 401 answers carry a WWW-Authenticate: Bearer challenge", After: []string{"TOKEN-BEARER-002"}},
	{ID: "TOKEN-BEARER-007", Level: Must, Area: "bearer", Kind: Docs, Source: srcOverview, Quote: qSubsequent,
		Title: "One token works for several calls (3, spread over a second) within its lifetime: it is not single-use", After: afterProtected},

	// Expiry and revocation.
	{ID: "TOKEN-EXP-001", Level: Must, Area: "expiry", Kind: Docs, Source: srcFields, Quote: qExpiresIn,
		Title: "A token is accepted until shortly before the end of its announced lifetime", After: afterProtected},
	{ID: "TOKEN-EXP-002", Level: Must, Area: "expiry", Kind: Docs, Source: srcExpiration, Quote: qExpired,
		Title: "A token is refused with 401 once expires_in seconds have passed", Needs: []Need{NeedExpiry}, After: afterProtected},
	{ID: "TOKEN-EXP-003", Level: Must, Area: "expiry", Kind: Docs, Source: srcExpiration + "; " + srcFields, Quote: qNeverExpire + " — " + qExpiresIn,
		Title: "A token issued without expires_in never expires", Needs: []Need{NeedNeverExpire}, After: afterProtected},
	{ID: "TOKEN-EXP-004", Level: Must, Area: "expiry", Kind: Docs, Source: srcRevoking, Quote: qRevoked,
		Title: "A revoked token is refused with 401", Needs: []Need{NeedRevocation}, After: afterProtected},

	// Robustness and security.
	{ID: "TOKEN-ROBUST-001", Level: Should, Area: "robustness", Kind: RFC, Source: srcRFCParams + "; " + srcRFCErrors, Quote: qRepeated + " — " + qInvalidReq,
		Title: "A repeated request parameter gets a 4xx, never a token or a 5xx"},
	{ID: "TOKEN-ROBUST-002", Level: Should, Area: "robustness", Kind: RFC, Source: srcRFCErrors, Quote: qInvalidReq,
		Title: "Malformed percent-encoding in the form gets a 4xx, never a 5xx", After: []string{"TOKEN-ERR-005"}},
	{ID: "TOKEN-ROBUST-003", Level: Should, Area: "robustness", Kind: RFC, Source: srcRFC413, Quote: q413,
		Title: "An oversized form body (1 MiB) gets a 4xx, never a token or a 5xx", After: []string{"TOKEN-ERR-005"}},
	{ID: "TOKEN-ROBUST-004", Level: Should, Area: "robustness", Kind: OWASP, Source: srcOWASPData, Quote: "API3:2023 Broken Object Property Level Security: an API exposes properties the client must not see.",
		Title: "No response (200 or error) echoes the client secret, in its body or headers, in any encoding"},

	// The OpenAPI contract (spec/token.yaml), checked with kin-openapi.
	{ID: "TOKEN-SPEC-001", Level: Must, Area: "spec", Kind: Docs, Source: "docs: Create Token › Response (as spec/token.yaml)", Quote: qContract,
		Title: "Token endpoint responses (200, 400, 401 and, where it can be provoked, 500) match the OpenAPI contract", After: afterToken},
	{ID: "TOKEN-SPEC-002", Level: Must, Area: "spec", Kind: Docs, Source: srcUsing + " (as spec/token.yaml)", Quote: qUsing,
		Title: "Protected path responses (200 with a token, 401 without) match the OpenAPI contract", After: []string{"TOKEN-FORM-001", "TOKEN-BEARER-001", "TOKEN-BEARER-002"}},
}
