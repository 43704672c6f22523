package suites

import (
	"encoding/json"
	"strings"
)

// tokenObject obtains a token and returns the decoded 200 body.
func (t *checker) tokenObject() (map[string]any, *reply) {
	_, resp := t.token()
	m, err := resp.Object()
	t.Expect(err == nil, "a JSON object as the 200 body; the %v", err)
	return m, resp
}

func successSpecs() {
	check("TOKEN-SUCCESS-001", func(t *checker) {
		_, resp := t.token()
		t.Expect(resp.IsJSON(), "a JSON media type (application/json, or a +json type) on the 200 answer")
		t.Saw("JSON media type %q", resp.Header.Get("Content-Type"))
	})

	check("TOKEN-SUCCESS-002", func(t *checker) {
		m, _ := t.tokenObject()
		tok, ok := m["access_token"].(string)
		t.Expect(ok && tok != "", "\"access_token\" a non-empty string; it is %s", kind(m["access_token"]))
		t.Expect(isPrintableASCII(tok), "\"access_token\" of printable ASCII only (RFC 6749 Appendix A.12: 1*VSCHAR); it has other bytes")
		t.Saw("access_token: a string of %d printable ASCII characters", len(tok))
	})

	check("TOKEN-SUCCESS-003", func(t *checker) {
		m, _ := t.tokenObject()
		tt, _ := m["token_type"].(string)
		t.Expect(strings.EqualFold(tt, "Bearer"), "\"token_type\": \"Bearer\" (any case); it is %s", jsonText(m["token_type"]))
		t.Saw("token_type %q", tt)
	})

	check("TOKEN-SUCCESS-004", func(t *checker) {
		m, _ := t.tokenObject()
		tt, _ := m["token_type"].(string)
		if !strings.EqualFold(tt, "Bearer") {
			t.blockedBy("TOKEN-SUCCESS-003", "token_type is %s, not Bearer in any case: TOKEN-SUCCESS-003 judges that", jsonText(m["token_type"]))
		}
		t.Expect(tt == "Bearer", "\"token_type\" exactly \"Bearer\" as documented; it is %q", tt)
		t.Saw("token_type exactly %q", tt)
	})

	check("TOKEN-SUCCESS-005", func(t *checker) {
		m, _ := t.tokenObject()
		v, present := m["expires_in"]
		if !present {
			// "if applicable": a token without expires_in never expires (TOKEN-EXP-003).
			t.Saw("expires_in absent (allowed: the token never expires)")
			return
		}
		secs, err := expiresIn(v)
		t.Expect(err == nil, "\"expires_in\", when present, a positive integer number; %v (clients such as x/oauth2 tolerate strings, the contract does not)", err)
		t.Saw("expires_in %d, a positive integer", secs)
	})

	check("TOKEN-SUCCESS-006", func(t *checker) {
		_, resp := t.token()
		cc := strings.ToLower(strings.Join(resp.Header.Values("Cache-Control"), ","))
		t.Expect(strings.Contains(cc, "no-store"), "Cache-Control: no-store on the 200 answer; it is %q", strings.Join(resp.Header.Values("Cache-Control"), ", "))
		t.Saw("Cache-Control %q", cc)
	})
}

// expiresIn validates a decoded expires_in value: a JSON number, an integer, positive.
func expiresIn(v any) (int64, error) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, errorf("it is %s %s", kind(v), jsonText(v))
	}
	i, err := n.Int64()
	if err != nil {
		return 0, errorf("it is %s, not an integer", n)
	}
	if i <= 0 {
		return 0, errorf("it is %d, not positive", i)
	}
	return i, nil
}

// kind names the JSON type of a decoded value.
func kind(v any) string {
	switch v.(type) {
	case nil:
		return "missing or null"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	default:
		return "an object"
	}
}
