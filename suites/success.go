package suites

import (
	"encoding/json"
	"strings"
)

// tokenObject obtains a token and returns the decoded 200 body.
func (t *T) tokenObject() (map[string]any, *Resp) {
	_, resp := t.token()
	m, err := resp.Object()
	t.Expect(err == nil, "a JSON object as the 200 body; the %v", err)
	return m, resp
}

func successSpecs() {
	check("TOKEN-SUCCESS-001", func(t *T) {
		_, resp := t.token()
		t.Expect(resp.IsJSON(), "Content-Type: application/json on the 200 answer")
	})

	check("TOKEN-SUCCESS-002", func(t *T) {
		m, _ := t.tokenObject()
		tok, ok := m["access_token"].(string)
		t.Expect(ok && tok != "", "\"access_token\" a non-empty string; it is %s", kind(m["access_token"]))
	})

	check("TOKEN-SUCCESS-003", func(t *T) {
		m, _ := t.tokenObject()
		tt, _ := m["token_type"].(string)
		t.Expect(strings.EqualFold(tt, "Bearer"), "\"token_type\": \"Bearer\" (any case); it is %s", jsonText(m["token_type"]))
	})

	check("TOKEN-SUCCESS-004", func(t *T) {
		m, _ := t.tokenObject()
		tt, _ := m["token_type"].(string)
		if !strings.EqualFold(tt, "Bearer") {
			t.Skip("token_type is %s, not Bearer in any case: judged by TOKEN-SUCCESS-003", jsonText(m["token_type"]))
		}
		t.Expect(tt == "Bearer", "\"token_type\" exactly \"Bearer\" as documented; it is %q", tt)
	})

	check("TOKEN-SUCCESS-005", func(t *T) {
		m, _ := t.tokenObject()
		v, present := m["expires_in"]
		if !present {
			return // "if applicable": a token without expires_in never expires (TOKEN-EXP-003)
		}
		_, err := expiresIn(v)
		t.Expect(err == nil, "\"expires_in\", when present, a positive integer number; %v (clients such as x/oauth2 tolerate strings, the contract does not)", err)
	})

	check("TOKEN-SUCCESS-006", func(t *T) {
		_, resp := t.token()
		cc := strings.ToLower(strings.Join(resp.Header.Values("Cache-Control"), ","))
		t.Expect(strings.Contains(cc, "no-store"), "Cache-Control: no-store on the 200 answer; it is %q", strings.Join(resp.Header.Values("Cache-Control"), ", "))
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
