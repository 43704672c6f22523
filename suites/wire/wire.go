// Package wire holds the rules a client's requests must follow on the wire, as plain
// functions: the token request (RFC 6749 §4.4.2 and Appendix B, as the vendor documents
// it) and the Bearer Authorization header (RFC 6750 §2.1).
//
// It is used by the validating proxy, which sees live traffic, and by the client judge,
// which reads the mock's journal. It depends on neither Ginkgo nor the mock: every check
// takes what was sent and returns what is wrong with it, each finding named by the ID of
// the client requirement it breaks. Findings never quote a secret or a token.
package wire

import "strconv"

// Rule IDs of the client requirements these checks implement (the CLIENT-… catalog).
const (
	// RuleForm: the token request is a POST with an application/x-www-form-urlencoded
	// body that decodes per RFC 6749 Appendix B and carries client_id and client_secret
	// once each.
	RuleForm = "CLIENT-FORM-001"
	// RuleGrantType: grant_type=client_credentials, once.
	RuleGrantType = "CLIENT-FORM-002"
	// RuleNoQueryCredentials: no credentials in the URL query.
	RuleNoQueryCredentials = "CLIENT-FORM-005"
	// RuleBearer: the token is sent as "Authorization: Bearer <token>" (RFC 6750 §2.1).
	RuleBearer = "CLIENT-BEARER-001"
)

// Rule describes one client requirement for callers that have no catalog at hand.
type Rule struct {
	ID     string
	Title  string
	Source string
}

// Rules lists the rules of this package in catalog order.
var Rules = []Rule{
	{RuleForm, "The token request is a POST with an application/x-www-form-urlencoded body carrying client_id and client_secret once each", "docs: Create Token › Request Body; rfc: RFC 6749 §4.4.2, Appendix B"},
	{RuleGrantType, "The token request carries grant_type=client_credentials", "docs: Create Token › Request Body; rfc: RFC 6749 §4.4.2"},
	{RuleNoQueryCredentials, "The token request carries no credentials in the URL query", "rfc: RFC 6749 §2.3.1, §3.2"},
	{RuleBearer, "The access token is sent as Authorization: Bearer <token>", "docs: Authentication; rfc: RFC 6750 §2.1"},
}

// RuleByID returns the rule with the given ID.
func RuleByID(id string) (Rule, bool) {
	for _, r := range Rules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}

// Violation is one broken rule: the rule's ID and a sentence saying what was wrong.
// Message never contains a client_secret or a token.
type Violation struct {
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// String returns "RULE: message".
func (v Violation) String() string { return v.Rule + ": " + v.Message }

// maxQuoted is the longest non-secret value a message quotes.
const maxQuoted = 40

// quote returns s quoted for a message, cut to maxQuoted bytes.
func quote(s string) string {
	if len(s) > maxQuoted {
		return strconv.Quote(s[:maxQuoted]) + "…"
	}
	return strconv.Quote(s)
}
