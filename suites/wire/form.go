package wire

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Field is one name=value pair of a form, decoded.
type Field struct {
	Name  string
	Value string
}

// DecodeForm decodes an application/x-www-form-urlencoded string as RFC 6749 Appendix B
// describes it: pairs separated by "&", name and value separated by the first "=", "+"
// for a space, "%XX" for any other byte, the decoded bytes UTF-8. Empty pairs are skipped.
//
// It never fails: a pair it cannot decode keeps its raw text and is named in problems,
// sentences that quote field names but never values. A byte that must be
// percent-encoded (a control character, a space, a non-ASCII byte) is a problem too.
func DecodeForm(s string) (fields []Field, problems []string) {
	for pair := range strings.SplitSeq(s, "&") {
		if pair == "" {
			continue
		}
		rawName, rawValue, _ := strings.Cut(pair, "=")
		name, nameErr := unescape(rawName)
		if nameErr != "" {
			problems = append(problems, fmt.Sprintf("a field name %s", nameErr))
			name = rawName
		}
		value, valueErr := unescape(rawValue)
		if valueErr != "" {
			problems = append(problems, fmt.Sprintf("the value of %s %s", quote(name), valueErr))
			value = rawValue
		}
		fields = append(fields, Field{Name: name, Value: value})
	}
	return fields, problems
}

// unescape decodes one form component; on failure it returns a description of the
// first problem, naming its byte offset but not the text.
func unescape(s string) (string, string) {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '+':
			b.WriteByte(' ')
		case c == '%':
			if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
				return "", fmt.Sprintf("has a %% not followed by two hex digits (byte %d)", i)
			}
			b.WriteByte(unhex(s[i+1])<<4 | unhex(s[i+2]))
			i += 2
		case c <= ' ' || c >= 0x7f:
			return "", fmt.Sprintf("has a byte that must be percent-encoded: %s (byte %d)", byteClass(c), i)
		default:
			b.WriteByte(c)
		}
	}
	out := b.String()
	if !utf8.ValidString(out) {
		return "", "does not decode to UTF-8"
	}
	return out, ""
}

func byteClass(c byte) string {
	switch {
	case c == ' ':
		return "a space"
	case c < ' ' || c == 0x7f:
		return "a control character"
	default:
		return "a non-ASCII byte"
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// values returns the values of every field called name, in order.
func values(fields []Field, name string) []string {
	var out []string
	for _, f := range fields {
		if f.Name == name {
			out = append(out, f.Value)
		}
	}
	return out
}
