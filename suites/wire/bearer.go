package wire

import (
	"fmt"
	"net/http"
	"strings"
)

// CheckBearer checks the Authorization header of a request to a Bearer-protected path
// against RFC 6750 §2.1: exactly one header, the scheme "Bearer" (any case), one or more
// spaces (1*SP), then a b64token (ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then any number of
// "="). It returns the credentials part of the header (the token, or what stands in its
// place, for a caller to redact) and the violations, all under RuleBearer.
func CheckBearer(header http.Header) (token string, vs []Violation) {
	add := func(format string, args ...any) {
		vs = append(vs, Violation{Rule: RuleBearer, Message: fmt.Sprintf(format, args...)})
	}
	auths := header.Values("Authorization")
	switch len(auths) {
	case 0:
		add("there is no Authorization header; want Authorization: Bearer <token>")
		return "", vs
	case 1:
	default:
		add("there are %d Authorization headers; want one", len(auths))
		return "", vs
	}
	v := auths[0]
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		if strings.EqualFold(v, "Bearer") {
			add("there is no token after Bearer")
			return "", vs
		}
		add("the Authorization header is not <scheme> <credentials>; want Bearer <token>")
		return v, vs
	}
	if !strings.EqualFold(scheme, "Bearer") {
		add("the scheme is %s, not Bearer", schemeName(scheme))
		return cred, vs
	}
	cred = strings.TrimLeft(cred, " ") // credentials = "Bearer" 1*SP b64token
	if cred == "" {
		add("there is no token after Bearer")
		return "", vs
	}
	if i := b64tokenError(cred); i >= 0 {
		add("the token is not an RFC 6750 b64token: byte %d is %s", i, tokenByteClass(cred, i))
	}
	return cred, vs
}

// b64tokenError returns the offset of the first byte of s that breaks the b64token
// grammar, or -1 when s is a b64token.
func b64tokenError(s string) int {
	i := 0
	for i < len(s) && isB64TokenChar(s[i]) {
		i++
	}
	if i == 0 {
		return 0 // at least one character before any "="
	}
	for i < len(s) && s[i] == '=' {
		i++
	}
	if i < len(s) {
		return i
	}
	return -1
}

func isB64TokenChar(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
		c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/'
}

// tokenByteClass describes the byte at i without quoting the token.
func tokenByteClass(s string, i int) string {
	c := s[i]
	switch {
	case c == '=':
		if i == 0 {
			return `"=" at the start`
		}
		return `"=" followed by more token characters`
	case c == ' ' || c == '\t':
		return "whitespace"
	case c < ' ' || c == 0x7f:
		return "a control character"
	case c >= 0x80:
		return "a non-ASCII byte"
	default:
		return fmt.Sprintf("%q, outside the b64token set", string(c))
	}
}

// schemeName quotes an authentication scheme when it looks like one; anything longer or
// stranger might be a credential and is not repeated.
func schemeName(s string) string {
	if len(s) > 16 {
		return "an unknown scheme"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
			return "an unknown scheme"
		}
	}
	return quote(s)
}
