package catalog

// Sources and quotes of the client catalog. A client is judged on what it sent to the
// embedded mock and what it printed, in the scenarios of `apiops-conformance client`.
// The sources are spelled here, not shared with the server table, so either table can
// change on its own.
const (
	cliSrcRequestBody     = "docs: Create Token › Request Body (URL Encoded)"
	cliSrcOverview        = "docs: Create Token › Overview"
	cliSrcErr500          = "docs: Create Token › Error Response (500 Internal Server Error)"
	cliSrcNotes           = "docs: Create Token › Notes and Warnings"
	cliSrcUsing           = "docs: Authentication › Using the Token"
	cliSrcExpiration      = "docs: Authentication › Token Expiration"
	cliSrcRevoking        = "docs: Authentication › Revoking Tokens"
	cliSrcSecurity        = "docs: Authentication › Token Security"
	cliSrcTroubleshooting = "docs: Authentication › Troubleshooting"
	cliSrcRFCURI          = "rfc: RFC 6749 §2.3.1"
	cliSrcRFCEncoding     = "rfc: RFC 6749 Appendix B"
	cliSrcRFCBearer       = "rfc: RFC 6750 §2.1"

	cliQuoteFormBody   = "The request body must be sent as application/x-www-form-urlencoded (not JSON)."
	cliQuoteGrantType  = "grant_type | string | Yes | Must be client_credentials"
	cliQuoteCredFields = "client_id | string | Yes | Your Apinizer username; client_secret | string | Yes | Your Apinizer password"
	cliQuoteUTF8       = "names and values MUST be encoded using the UTF-8 character encoding scheme [RFC3629] first; the resulting octet sequence then needs to be further encoded using the escaping rules defined in [W3C.REC-html401-19991224]."
	cliQuoteNoURI      = "The parameters can only be transmitted in the request-body and MUST NOT be included in the request URI."
	cliQuoteBearer     = "Include the token in the Authorization header of all API requests: Authorization: Bearer YOUR_TOKEN"
	cliQuoteAsIssued   = "Verify the token is correct (no extra spaces)"
	cliQuoteSubsequent = "This token can be used to authenticate all subsequent API requests."
	cliQuoteExpired    = "Expired tokens will return 401 Unauthorized responses; Create a new token when your token expires"
	cliQuoteServerErr  = "Error Response (500 Internal Server Error): {\"error\": \"server_error\", \"error_description\": \"An unexpected error occurred\"}"
	cliQuoteStorage    = "Token Storage: Store tokens securely (use environment variables or secret management)"
)

// clientRequirements is the client catalog, in the order its checks run: a check comes
// after the checks it names in After.
var clientRequirements = []Requirement{
	{ID: "CLIENT-FORM-001", Level: Must, Area: "form", Kind: Docs, Source: cliSrcRequestBody, Quote: cliQuoteFormBody,
		Title: "The token request is a POST with an application/x-www-form-urlencoded body"},
	{ID: "CLIENT-FORM-002", Level: Must, Area: "form", Kind: Docs, Source: cliSrcRequestBody, Quote: cliQuoteGrantType,
		Title: "The token request carries grant_type=client_credentials"},
	{ID: "CLIENT-FORM-005", Level: Must, Area: "form", Kind: Docs, Source: cliSrcRequestBody + "; " + cliSrcRFCURI, Quote: cliQuoteNoURI,
		Title: "No request carries the credentials in its URL query"},
	{ID: "CLIENT-FORM-003", Level: Must, Area: "form", Kind: Docs, Source: cliSrcRequestBody + "; " + cliSrcRFCEncoding, Quote: cliQuoteCredFields,
		Title: "The decoded form carries exactly the given client_id and client_secret, a printable-ASCII secret that needs percent-encoding included",
		Needs: []Need{NeedSpecial}},
	{ID: "CLIENT-FORM-004", Level: Should, Area: "form", Kind: RFC, Source: cliSrcRFCEncoding, Quote: cliQuoteUTF8,
		Title: "A secret outside printable ASCII is sent UTF-8 and percent-encoded, and decodes to the given secret",
		Needs: []Need{NeedSpecial}},
	{ID: "CLIENT-BEARER-001", Level: Must, Area: "bearer", Kind: Docs, Source: cliSrcUsing + "; " + cliSrcRFCBearer, Quote: cliQuoteBearer,
		Title: "Calls of the protected path carry the token as Authorization: Bearer <token> (RFC 6750 §2.1 syntax)"},
	{ID: "CLIENT-BEARER-002", Level: Must, Area: "bearer", Kind: Docs, Source: cliSrcTroubleshooting, Quote: cliQuoteAsIssued,
		Title: "The Bearer token is exactly an access_token the token endpoint issued, byte for byte",
		After: []string{"CLIENT-BEARER-001"}},
	{ID: "CLIENT-FLOW-001", Level: Must, Area: "flow", Kind: Docs, Source: cliSrcOverview, Quote: cliQuoteSubsequent,
		Title: "With valid credentials the client obtains a token, calls the protected path with it (200) and exits 0",
		After: []string{"CLIENT-FORM-001", "CLIENT-FORM-002", "CLIENT-FORM-005", "CLIENT-FORM-003", "CLIENT-BEARER-001", "CLIENT-BEARER-002"}},
	{ID: "CLIENT-REUSE-001", Level: Should, Area: "reuse", Kind: Docs, Source: cliSrcOverview, Quote: cliQuoteSubsequent,
		Title: "One token serves every call while it is valid: two or more calls, one token request",
		After: []string{"CLIENT-FLOW-001"}},
	{ID: "CLIENT-RENEW-001", Level: Must, Area: "renewal", Kind: Docs, Source: cliSrcExpiration + "; " + cliSrcRevoking, Quote: cliQuoteExpired,
		Title: "After its token expires or is revoked (401), the client obtains a new token and succeeds, with a bounded number of token requests",
		After: []string{"CLIENT-FLOW-001"}},
	{ID: "CLIENT-RETRY-001", Level: Should, Area: "retry", Kind: Docs, Source: cliSrcErr500, Quote: cliQuoteServerErr,
		Title: "After a 500 from the token endpoint the client retries after a delay or fails cleanly (non-zero exit), never more than 4 token requests a second",
		After: []string{"CLIENT-FLOW-001"}},
	{ID: "CLIENT-SECRET-001", Level: Must, Area: "secrecy", Kind: Docs, Source: cliSrcNotes + "; " + cliSrcSecurity, Quote: cliQuoteStorage,
		Title: "The client never prints the secret or a token (in any common encoding) on stdout or stderr"},
}

// Clients returns a copy of the client catalog (CLIENT-…) in its canonical order: the
// requirements `apiops-conformance client` judges a token client by.
func Clients() []Requirement {
	return append([]Requirement(nil), clientRequirements...)
}
