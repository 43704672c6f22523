package wire

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
)

// FormMediaType is the media type of a token request's body.
const FormMediaType = "application/x-www-form-urlencoded"

// GrantClientCredentials is the only grant type of the token endpoint.
const GrantClientCredentials = "client_credentials"

// credentialFields are the parameters that carry credentials and must not be in a URL.
var credentialFields = []string{"client_id", "client_secret"}

// TokenRequest is what a token request carried, decoded from its body.
type TokenRequest struct {
	// GrantType, ClientID and ClientSecret are the body's first values of grant_type,
	// client_id and client_secret ("" when absent or when the body is not a form).
	GrantType    string
	ClientID     string
	ClientSecret string
	// Secrets are every client_secret value the request carried, in its body or its
	// query, whether or not it was well-formed: a caller registers them for redaction.
	Secrets []string
}

// CheckTokenRequest checks a request to the token endpoint: its method, the raw query of
// its URL, its headers and its body (the whole body; a caller that bounds bodies must
// not call it with a cut one). It returns the decoded credentials and every violation,
// each naming its rule (RuleForm, RuleGrantType, RuleCredentials, RuleNoQueryCredentials).
//
// When the body is not declared as a form, grant_type and the credentials are not judged:
// that one cause is reported once, under RuleForm.
func CheckTokenRequest(method, rawQuery string, header http.Header, body []byte) (TokenRequest, []Violation) {
	var tr TokenRequest
	var vs []Violation
	add := func(rule, format string, args ...any) {
		vs = append(vs, Violation{Rule: rule, Message: fmt.Sprintf(format, args...)})
	}

	if method != http.MethodPost {
		add(RuleForm, "the method is %s, not POST", quote(method))
	}

	queryFields, _ := DecodeForm(rawQuery)
	for _, f := range queryFields {
		if f.Name == "client_secret" {
			tr.Secrets = append(tr.Secrets, f.Value)
		}
	}
	for _, name := range credentialFields {
		if len(values(queryFields, name)) > 0 {
			add(RuleNoQueryCredentials, "%s is in the URL query; credentials belong in the form body", name)
		}
	}

	isForm := checkContentType(header, add)
	form := string(body)
	fields, problems := DecodeForm(form)
	for _, f := range fields {
		if f.Name == "client_secret" {
			tr.Secrets = append(tr.Secrets, f.Value)
		}
	}
	if !isForm {
		return tr, vs
	}
	if len(body) == 0 {
		add(RuleCredentials, "the body is empty")
	}
	if len(problems) > 0 {
		add(RuleCredentials, "the body does not decode as a form (RFC 6749 Appendix B): %s", strings.Join(problems, "; "))
	}

	grant := values(fields, "grant_type")
	switch {
	case len(grant) == 0:
		add(RuleGrantType, "the body has no grant_type")
	case len(grant) > 1:
		add(RuleGrantType, "grant_type appears %d times in the body", len(grant))
	case grant[0] != GrantClientCredentials:
		add(RuleGrantType, "grant_type is %s, not client_credentials", quote(grant[0]))
	}
	if len(grant) > 0 {
		tr.GrantType = grant[0]
	}
	for _, name := range credentialFields {
		got := values(fields, name)
		switch {
		case len(got) == 0:
			add(RuleCredentials, "the body has no %s", name)
		case len(got) > 1:
			add(RuleCredentials, "%s appears %d times in the body", name, len(got))
		case got[0] == "":
			add(RuleCredentials, "%s is empty", name)
		}
		if len(got) > 0 {
			if name == "client_id" {
				tr.ClientID = got[0]
			} else {
				tr.ClientSecret = got[0]
			}
		}
	}
	return tr, vs
}

// checkContentType checks that the request declares exactly one form Content-Type
// (a charset parameter, UTF-8, is allowed) and reports whether the body is a form.
func checkContentType(header http.Header, add func(rule, format string, args ...any)) bool {
	cts := header.Values("Content-Type")
	switch {
	case len(cts) == 0:
		add(RuleForm, "there is no Content-Type header; want %s", FormMediaType)
		return false
	case len(cts) > 1:
		add(RuleForm, "there are %d Content-Type headers; want one, %s", len(cts), FormMediaType)
		return false
	}
	mt, params, err := mime.ParseMediaType(cts[0])
	if err != nil {
		add(RuleForm, "the Content-Type %s does not parse; want %s", quote(cts[0]), FormMediaType)
		return false
	}
	if mt != FormMediaType {
		add(RuleForm, "the Content-Type is %s, not %s (the body was not judged as a form)", quote(mt), FormMediaType)
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") && !strings.EqualFold(cs, "us-ascii") {
		add(RuleForm, "the Content-Type's charset is %s; the form is UTF-8 (RFC 6749 Appendix B)", quote(cs))
	}
	return true
}
