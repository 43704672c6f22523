package catalog

import "fmt"

// Requirement is one entry of the catalog.
type Requirement struct {
	ID     string `json:"id"`     // e.g. TOKEN-FORM-003; stable across releases
	Level  Level  `json:"level"`  // MUST, SHOULD or MAY
	Area   string `json:"area"`   // Ginkgo label of the area, e.g. "form"
	Kind   Kind   `json:"kind"`   // the kind of source: docs, rfc or owasp
	Source string `json:"source"` // e.g. "docs: Create Token › Request Body" or "rfc: RFC 6749 §5.1"
	// Quote is the sentence of the source that requires it, quoted word for word.
	Quote string `json:"quote"`
	Title string `json:"title"` // one sentence, what must hold
	// Needs are what the check needs to be judged at all ("not judged: needs …" when one
	// is missing); After are the checks whose failure blocks it ("blocked by …").
	Needs []Need   `json:"needs,omitempty"`
	After []string `json:"after,omitempty"`
}

// Gating reports whether a failure of r fails the run under the given scope of --strict:
// every MUST; a SHOULD when the scope is all or r's kind; never a MAY.
func (r Requirement) Gating(scope Scope) bool {
	switch r.Level {
	case Must:
		return true
	case Should:
		return scope == ScopeAll || (scope != ScopeOff && Scope(r.Kind) == scope)
	}
	return false
}

// Kind is the kind of source a requirement comes from. It is a Ginkgo label too, so
// --label-filter and --strict can select by it.
type Kind string

// The source kinds.
const (
	Docs  Kind = "docs"  // the vendor documentation says so
	RFC   Kind = "rfc"   // an RFC the docs leave the matter to (RFC 6749, 6750, 9110)
	OWASP Kind = "owasp" // security hardening (OWASP API Security Top 10)
)

// Kinds lists the source kinds in display order.
var Kinds = []Kind{Docs, RFC, OWASP}

// Scope is the reach of --strict: which SHOULD failures gate besides every MUST failure.
// The zero value gates on MUST only.
type Scope string

// The scopes of strictness besides one per Kind ("docs" gates on the SHOULD requirements
// the vendor documents, and so on).
const (
	ScopeOff Scope = ""
	ScopeAll Scope = "all"
)

// ParseScope parses a --strict value: "" or "false" (off), "all" or "true", or a Kind.
func ParseScope(s string) (Scope, error) {
	switch s {
	case "", "false":
		return ScopeOff, nil
	case "all", "true":
		return ScopeAll, nil
	}
	for _, k := range Kinds {
		if s == string(k) {
			return Scope(k), nil
		}
	}
	return ScopeOff, fmt.Errorf("--strict=%q: want all, docs, rfc or owasp", s)
}

// Need is something a check needs from the user or the target before it can be judged.
type Need string

// The needs. Need.Describe says what to give for each.
const (
	NeedSpecial     Need = "special-account"  // an account whose password needs percent-encoding
	NeedDisabled    Need = "disabled-account" // a disabled account and its correct password
	NeedLocked      Need = "locked-account"   // a locked account and its correct password
	NeedServerError Need = "server-error"     // a way to make the target answer 500
	NeedRevocation  Need = "revocation"       // a way to revoke a token
	NeedExpiry      Need = "expiry"           // an expiry that can be waited for, or a control API
	NeedNeverExpire Need = "never-expiring"   // tokens without expires_in, or a control API to issue some
)

var needText = map[Need]string{
	NeedSpecial:     "an account whose password needs percent-encoding: --special-client-id/--special-client-secret",
	NeedDisabled:    "a disabled account: --disabled-client-id/--disabled-client-secret",
	NeedLocked:      "a locked account: --locked-client-id/--locked-client-secret",
	NeedServerError: "a way to make the target answer 500: --fault-header 'Name: value' or --control-url",
	NeedRevocation:  "a way to revoke a token: --revoke-command 'CMD' or --control-url",
	NeedExpiry:      "an expires_in the run can wait for (--max-expiry-wait) or --control-url",
	NeedNeverExpire: "tokens issued without expires_in: a target that issues them, or --control-url",
}

// Describe says what the need takes, naming the flags that give it.
func (n Need) Describe() string {
	if s, ok := needText[n]; ok {
		return s
	}
	return string(n)
}
