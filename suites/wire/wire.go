// Package wire holds the rules a client's requests must follow on the wire, as plain
// functions: the token request (RFC 6749 §4.4.2 and Appendix B, as the vendor documents
// it) and the Bearer Authorization header (RFC 6750 §2.1).
//
// It is used by the validating proxy, which sees live traffic, and by the client judge,
// which reads the mock's journal. It depends on neither Ginkgo nor the mock: every check
// takes what was sent and returns what is wrong with it, each finding named by the ID of
// the client requirement it breaks. Findings never quote a secret or a token.
package wire

import (
	"strconv"
	"strings"
)

// Rule IDs of the client requirements these checks implement; their levels, titles,
// sources and quotes are the catalog's (catalog.Lookup).
const (
	// RuleForm: the token request is a POST with an application/x-www-form-urlencoded body.
	RuleForm = "CLIENT-FORM-001"
	// RuleGrantType: grant_type=client_credentials, once.
	RuleGrantType = "CLIENT-FORM-002"
	// RuleCredentials: the body decodes per RFC 6749 Appendix B and carries client_id and
	// client_secret once each (what they decode to is the client judge's to compare).
	RuleCredentials = "CLIENT-FORM-003"
	// RuleNoQueryCredentials: no credentials in the URL query.
	RuleNoQueryCredentials = "CLIENT-FORM-005"
	// RuleBearer: the token is sent as "Authorization: Bearer <token>" (RFC 6750 §2.1).
	RuleBearer = "CLIENT-BEARER-001"
)

// Rules lists the rules of this package in catalog order.
var Rules = []string{RuleForm, RuleGrantType, RuleCredentials, RuleNoQueryCredentials, RuleBearer}

// Messages joins the messages of the violations of one rule ("" when it is kept).
func Messages(vs []Violation, rule string) string {
	var ms []string
	for _, v := range vs {
		if v.Rule == rule {
			ms = append(ms, v.Message)
		}
	}
	return strings.Join(ms, "; ")
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
