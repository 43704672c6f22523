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
	{"TOKEN-FORM-001", Must, "form", srcRequestBody, "The documented form request (grant_type, client_id, client_secret as application/x-www-form-urlencoded) obtains a token with 200"},
	{"TOKEN-FORM-002", Must, "form", srcRequestBody, "Credentials that need percent-encoding obtain a token when a space is sent as '+'"},
	{"TOKEN-FORM-003", Must, "form", srcRequestBody, "Credentials that need percent-encoding obtain a token when a space is sent as '%20'"},
	{"TOKEN-FORM-004", Should, "form", "rfc: RFC 9110 §8.3.1", "A charset parameter on the form Content-Type is accepted"},
	{"TOKEN-FORM-005", Must, "form", srcRequestBody, "A JSON body never yields a token: the answer is a 4xx"},
	{"TOKEN-FORM-006", Must, "form", srcRequestBody + "; rfc: RFC 6749 §2.3.1", "Credentials in the URL query never yield a token: the answer is a 4xx"},
	{"TOKEN-FORM-007", Must, "form", srcEndpoint + "; rfc: RFC 6749 §3.2", "A GET to the token endpoint never yields a token: the answer is a 4xx"},
	{"TOKEN-FORM-008", Must, "form", srcHeaders, "A request without an Accept header still gets a JSON answer"},
	{"TOKEN-FORM-009", Should, "form", srcRFCParams, "Unrecognised request parameters are ignored"},

	// The 200 response.
	{"TOKEN-SUCCESS-001", Must, "success", srcSuccess, "The 200 response has a JSON media type"},
	{"TOKEN-SUCCESS-002", Must, "success", srcFields, "access_token is a non-empty string"},
	{"TOKEN-SUCCESS-003", Must, "success", srcFields + "; rfc: RFC 6749 §5.1", "token_type is Bearer, compared case-insensitively"},
	{"TOKEN-SUCCESS-004", Should, "success", srcFields, "token_type is exactly \"Bearer\""},
	{"TOKEN-SUCCESS-005", Must, "success", srcFields, "expires_in, when present, is a positive integer number"},
	{"TOKEN-SUCCESS-006", Should, "success", srcRFCNoStore, "The 200 response carries Cache-Control: no-store"},

	// Error responses of the token endpoint.
	{"TOKEN-ERR-001", Must, "errors", srcErr400, "A grant_type other than client_credentials gets 400 with JSON error \"unsupported_grant_type\" and an error_description string"},
	{"TOKEN-ERR-002", Should, "errors", srcErr400, "The 400 unsupported_grant_type error_description has the documented wording"},
	{"TOKEN-ERR-003", Must, "errors", srcErr400 + "; rfc: RFC 6749 §5.2", "A missing grant_type gets 400 with a JSON error (unsupported_grant_type or invalid_request) and an error_description string"},
	{"TOKEN-ERR-004", Must, "errors", srcErr401, "A wrong password gets 401 with JSON error \"unauthorized_client\" and an error_description string"},
	{"TOKEN-ERR-005", Must, "errors", srcErr401, "An unknown user gets 401 with JSON error \"unauthorized_client\""},
	{"TOKEN-ERR-006", Must, "errors", srcErr401, "An empty client_secret gets 401 with JSON error \"unauthorized_client\""},
	{"TOKEN-ERR-007", Must, "errors", srcErr401, "A missing client_id gets 401 with JSON error \"unauthorized_client\""},
	{"TOKEN-ERR-008", Must, "errors", srcErr401, "A disabled account gets 401 with JSON error \"unauthorized_client\""},
	{"TOKEN-ERR-009", Must, "errors", srcErr401, "A locked account gets 401 with JSON error \"unauthorized_client\""},
	{"TOKEN-ERR-010", Should, "errors", srcErr401, "The 401 unauthorized_client error_description has the documented wording"},
	{"TOKEN-ERR-011", Must, "errors", srcErr500, "A server failure gets 500 with JSON error \"server_error\" and an error_description string"},
	{"TOKEN-ERR-012", Should, "errors", srcErr500, "The 500 server_error error_description has the documented wording"},

	// Bearer usage on the protected endpoint.
	{"TOKEN-BEARER-001", Must, "bearer", srcUsing, "The issued token, sent as Authorization: Bearer <token>, is accepted on the protected path"},
	{"TOKEN-BEARER-002", Must, "bearer", srcUsing, "A request without an Authorization header is refused with 401"},
	{"TOKEN-BEARER-003", Must, "bearer", srcUsing, "Another scheme (Basic with the account's credentials) is refused with 401"},
	{"TOKEN-BEARER-004", Must, "bearer", srcUsing, "The token without the \"Bearer \" prefix is refused with 401"},
	{"TOKEN-BEARER-005", Must, "bearer", srcUsing, "A tampered token is refused with 401"},
	{"TOKEN-BEARER-006", Should, "bearer", srcRFCChallenge, "The protected path's 401 answers carry a WWW-Authenticate: Bearer challenge"},

	// Expiry and revocation.
	{"TOKEN-EXP-001", Must, "expiry", srcExpiration, "A token is accepted before it expires"},
	{"TOKEN-EXP-002", Must, "expiry", srcExpiration, "A token is refused with 401 once expires_in seconds have passed"},
	{"TOKEN-EXP-003", Must, "expiry", srcExpiration + "; " + srcFields, "A token issued without expires_in never expires"},
	{"TOKEN-EXP-004", Must, "expiry", srcRevoking, "A revoked token is refused with 401"},

	// Robustness and security.
	{"TOKEN-ROBUST-001", Should, "robustness", srcRFCParams, "A repeated request parameter gets a 4xx, never a token or a 5xx"},
	{"TOKEN-ROBUST-002", Should, "robustness", srcRFCEncoding, "Malformed percent-encoding in the form gets a 4xx, never a 5xx"},
	{"TOKEN-ROBUST-003", Should, "robustness", "rfc: RFC 9110 §15.5.14", "An oversized form body (1 MiB) gets a 4xx, never a token or a 5xx"},
	{"TOKEN-ROBUST-004", Must, "robustness", srcSecurity, "No response (200 or error) echoes the client secret, in its body or headers"},

	// The OpenAPI contract (spec/token.yaml), checked with kin-openapi.
	{"TOKEN-SPEC-001", Must, "spec", srcContract, "Token endpoint responses (200, 400, 401 and, where it can be provoked, 500) match the OpenAPI contract"},
	{"TOKEN-SPEC-002", Must, "spec", srcContract, "Protected path responses (200 with a token, 401 without) match the OpenAPI contract"},
}
