package catalog

// Sources used by the table. "docs: …" names a page and section of the vendor
// documentation; "rfc: …" a section of an RFC the docs leave to the standard.
const (
	srcRequestBody  = "docs: Create Token › Request Body (URL Encoded)"
	srcHeaders      = "docs: Create Token › Request › Headers"
	srcEndpoint     = "docs: Create Token › Endpoint"
	srcSuccess      = "docs: Create Token › Success Response (200 OK)"
	srcFields       = "docs: Create Token › Response Fields"
	srcErr400       = "docs: Create Token › Error Response (400 Bad Request)"
	srcErr401       = "docs: Create Token › Error Response (401 Unauthorized)"
	srcErr500       = "docs: Create Token › Error Response (500 Internal Server Error)"
	srcUsing        = "docs: Authentication › Using the Token"
	srcExpiration   = "docs: Authentication › Token Expiration"
	srcRevoking     = "docs: Authentication › Revoking Tokens"
	srcSecurity     = "docs: Authentication › Token Security"
	srcContract     = "docs: Create Token; Authentication (as spec/token.yaml)"
	srcRFCParams    = "rfc: RFC 6749 §3.2"
	srcRFCEncoding  = "rfc: RFC 6749 Appendix B"
	srcRFCNoStore   = "rfc: RFC 6749 §5.1"
	srcRFCChallenge = "rfc: RFC 6750 §3"
)

// requirements is the catalog, in report order. Sources name a section of the vendor docs
// ("docs: …") or of an RFC ("rfc: RFC 6749 §…"); the level follows DESIGN.md: the docs'
// statements are MUST, exact wording of error_description is SHOULD, RFC-only
// requirements are SHOULD.
var requirements = []Requirement{
	// Form encoding of the token request.
	{ID: "TOKEN-FORM-001", Level: Must, Area: "form", Kind: Docs, Source: srcRequestBody, Title: "The documented form request (grant_type, client_id, client_secret as application/x-www-form-urlencoded) obtains a token with 200"},
	{ID: "TOKEN-FORM-002", Level: Must, Area: "form", Kind: Docs, Source: srcRequestBody, Title: "Credentials that need percent-encoding obtain a token when a space is sent as '+'"},
	{ID: "TOKEN-FORM-003", Level: Must, Area: "form", Kind: Docs, Source: srcRequestBody, Title: "Credentials that need percent-encoding obtain a token when a space is sent as '%20'"},
	{ID: "TOKEN-FORM-004", Level: Should, Area: "form", Kind: RFC, Source: "rfc: RFC 9110 §8.3.1", Title: "A charset parameter on the form Content-Type is accepted"},
	{ID: "TOKEN-FORM-005", Level: Must, Area: "form", Kind: Docs, Source: srcRequestBody, Title: "A JSON body never yields a token: the answer is a 4xx"},
	{ID: "TOKEN-FORM-006", Level: Must, Area: "form", Kind: Docs, Source: srcRequestBody + "; rfc: RFC 6749 §2.3.1", Title: "Credentials in the URL query never yield a token: the answer is a 4xx"},
	{ID: "TOKEN-FORM-007", Level: Must, Area: "form", Kind: Docs, Source: srcEndpoint + "; rfc: RFC 6749 §3.2", Title: "A GET to the token endpoint never yields a token: the answer is a 4xx"},
	{ID: "TOKEN-FORM-008", Level: Must, Area: "form", Kind: Docs, Source: srcHeaders, Title: "A request without an Accept header still gets a JSON answer"},
	{ID: "TOKEN-FORM-009", Level: Should, Area: "form", Kind: RFC, Source: srcRFCParams, Title: "Unrecognised request parameters are ignored"},

	// The 200 response.
	{ID: "TOKEN-SUCCESS-001", Level: Must, Area: "success", Kind: Docs, Source: srcSuccess, Title: "The 200 response has a JSON media type"},
	{ID: "TOKEN-SUCCESS-002", Level: Must, Area: "success", Kind: Docs, Source: srcFields, Title: "access_token is a non-empty string"},
	{ID: "TOKEN-SUCCESS-003", Level: Must, Area: "success", Kind: Docs, Source: srcFields + "; rfc: RFC 6749 §5.1", Title: "token_type is Bearer, compared case-insensitively"},
	{ID: "TOKEN-SUCCESS-004", Level: Should, Area: "success", Kind: Docs, Source: srcFields, Title: "token_type is exactly \"Bearer\""},
	{ID: "TOKEN-SUCCESS-005", Level: Must, Area: "success", Kind: Docs, Source: srcFields, Title: "expires_in, when present, is a positive integer number"},
	{ID: "TOKEN-SUCCESS-006", Level: Should, Area: "success", Kind: RFC, Source: srcRFCNoStore, Title: "The 200 response carries Cache-Control: no-store"},

	// Error responses of the token endpoint.
	{ID: "TOKEN-ERR-001", Level: Must, Area: "errors", Kind: Docs, Source: srcErr400, Title: "A grant_type other than client_credentials gets 400 with JSON error \"unsupported_grant_type\" and an error_description string"},
	{ID: "TOKEN-ERR-002", Level: Should, Area: "errors", Kind: Docs, Source: srcErr400, Title: "The 400 unsupported_grant_type error_description has the documented wording"},
	{ID: "TOKEN-ERR-003", Level: Must, Area: "errors", Kind: Docs, Source: srcErr400 + "; rfc: RFC 6749 §5.2", Title: "A missing grant_type gets 400 with a JSON error (unsupported_grant_type or invalid_request) and an error_description string"},
	{ID: "TOKEN-ERR-004", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Title: "A wrong password gets 401 with JSON error \"unauthorized_client\" and an error_description string"},
	{ID: "TOKEN-ERR-005", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Title: "An unknown user gets 401 with JSON error \"unauthorized_client\""},
	{ID: "TOKEN-ERR-006", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Title: "An empty client_secret gets 401 with JSON error \"unauthorized_client\""},
	{ID: "TOKEN-ERR-007", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Title: "A missing client_id gets 401 with JSON error \"unauthorized_client\""},
	{ID: "TOKEN-ERR-008", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Title: "A disabled account gets 401 with JSON error \"unauthorized_client\""},
	{ID: "TOKEN-ERR-009", Level: Must, Area: "errors", Kind: Docs, Source: srcErr401, Title: "A locked account gets 401 with JSON error \"unauthorized_client\""},
	{ID: "TOKEN-ERR-010", Level: Should, Area: "errors", Kind: Docs, Source: srcErr401, Title: "The 401 unauthorized_client error_description has the documented wording"},
	{ID: "TOKEN-ERR-011", Level: Must, Area: "errors", Kind: Docs, Source: srcErr500, Title: "A server failure gets 500 with JSON error \"server_error\" and an error_description string"},
	{ID: "TOKEN-ERR-012", Level: Should, Area: "errors", Kind: Docs, Source: srcErr500, Title: "The 500 server_error error_description has the documented wording"},

	// Bearer usage on the protected endpoint.
	{ID: "TOKEN-BEARER-001", Level: Must, Area: "bearer", Kind: Docs, Source: srcUsing, Title: "The issued token, sent as Authorization: Bearer <token>, is accepted on the protected path"},
	{ID: "TOKEN-BEARER-002", Level: Must, Area: "bearer", Kind: Docs, Source: srcUsing, Title: "A request without an Authorization header is refused with 401"},
	{ID: "TOKEN-BEARER-003", Level: Must, Area: "bearer", Kind: Docs, Source: srcUsing, Title: "Another scheme (Basic with the account's credentials) is refused with 401"},
	{ID: "TOKEN-BEARER-004", Level: Must, Area: "bearer", Kind: Docs, Source: srcUsing, Title: "The token without the \"Bearer \" prefix is refused with 401"},
	{ID: "TOKEN-BEARER-005", Level: Must, Area: "bearer", Kind: Docs, Source: srcUsing, Title: "A tampered token is refused with 401"},
	{ID: "TOKEN-BEARER-006", Level: Should, Area: "bearer", Kind: RFC, Source: srcRFCChallenge, Title: "The protected path's 401 answers carry a WWW-Authenticate: Bearer challenge"},

	// Expiry and revocation.
	{ID: "TOKEN-EXP-001", Level: Must, Area: "expiry", Kind: Docs, Source: srcExpiration, Title: "A token is accepted before it expires"},
	{ID: "TOKEN-EXP-002", Level: Must, Area: "expiry", Kind: Docs, Source: srcExpiration, Title: "A token is refused with 401 once expires_in seconds have passed"},
	{ID: "TOKEN-EXP-003", Level: Must, Area: "expiry", Kind: Docs, Source: srcExpiration + "; " + srcFields, Title: "A token issued without expires_in never expires"},
	{ID: "TOKEN-EXP-004", Level: Must, Area: "expiry", Kind: Docs, Source: srcRevoking, Title: "A revoked token is refused with 401"},

	// Robustness and security.
	{ID: "TOKEN-ROBUST-001", Level: Should, Area: "robustness", Kind: RFC, Source: srcRFCParams, Title: "A repeated request parameter gets a 4xx, never a token or a 5xx"},
	{ID: "TOKEN-ROBUST-002", Level: Should, Area: "robustness", Kind: RFC, Source: srcRFCEncoding, Title: "Malformed percent-encoding in the form gets a 4xx, never a 5xx"},
	{ID: "TOKEN-ROBUST-003", Level: Should, Area: "robustness", Kind: RFC, Source: "rfc: RFC 9110 §15.5.14", Title: "An oversized form body (1 MiB) gets a 4xx, never a token or a 5xx"},
	{ID: "TOKEN-ROBUST-004", Level: Must, Area: "robustness", Kind: Docs, Source: srcSecurity, Title: "No response (200 or error) echoes the client secret, in its body or headers"},

	// The OpenAPI contract (spec/token.yaml), checked with kin-openapi.
	{ID: "TOKEN-SPEC-001", Level: Must, Area: "spec", Kind: Docs, Source: srcContract, Title: "Token endpoint responses (200, 400, 401 and, where it can be provoked, 500) match the OpenAPI contract"},
	{ID: "TOKEN-SPEC-002", Level: Must, Area: "spec", Kind: Docs, Source: srcContract, Title: "Protected path responses (200 with a token, 401 without) match the OpenAPI contract"},
}
