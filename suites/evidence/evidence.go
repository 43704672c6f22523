// Package evidence describes what a check saw on the wire — the request it sent and the
// response that came back — in a bounded, redacted form that reports can show, and the
// names of the Ginkgo report entries that carry it from the suites to the reports.
package evidence

import (
	"net/http"
	"time"
)

// Names of the Ginkgo report entries the suites attach to every spec. Reports decode the
// entries' JSON (ReportEntry.Value.AsJSON) into the types of this package.
const (
	// EntryRequirement carries the spec's catalog.Requirement.
	EntryRequirement = "requirement"
	// EntryExchange carries one Exchange; a spec may attach several, in order.
	EntryExchange = "exchange"
	// EntryFinding carries a string: a SHOULD or MAY violation recorded without failing the
	// spec (non-strict mode). Reports count such a spec as failed but not gating.
	EntryFinding = "finding"
	// EntryOutcome carries an Outcome: why a check was not judged, is blocked, or does
	// not apply. A spec with this entry ends as a Ginkgo skip.
	EntryOutcome = "outcome"
	// EntryCompared carries a string: what a check compared and what it could not
	// provoke, e.g. "200 ✓, 400 ✓, 401 ✓; 500 not provoked". A pass always says it.
	EntryCompared = "compared"
)

// OutcomeStatus is how a check that neither passed nor failed ended.
type OutcomeStatus string

// The outcomes of a check that was not judged.
const (
	// NotJudged: a need was not met (an account, a control API, …), the run ended before
	// the check (interrupted, deadline, the target stopped answering), or the footprint
	// budget does not allow it. Reason says which and what to give.
	NotJudged OutcomeStatus = "not_judged"
	// Blocked: a check it depends on failed; BlockedBy names that check.
	Blocked OutcomeStatus = "blocked"
	// NotApplicable: the requirement does not apply to this target (for example expiry
	// when its tokens never expire). Reason says why.
	NotApplicable OutcomeStatus = "not_applicable"
)

// Outcome is the entry of a check that was not judged, is blocked or does not apply.
type Outcome struct {
	Status    OutcomeStatus `json:"status"`
	Reason    string        `json:"reason"`
	BlockedBy string        `json:"blocked_by,omitempty"`
}

// Footprint is what a run cost its target: the tokens it created and the failed logins
// it caused, per account, and the rate-limit answers it waited for. On a live target (no
// control API) the run keeps within Budget.
type Footprint struct {
	Requests     int `json:"requests"`
	Tokens       int `json:"tokens_created"`
	FailedLogins int `json:"failed_logins"`
	// NeverExpiring counts the created tokens that carried no expires_in: they stay valid
	// until revoked (Management Console: My Profile → Personal API Access Tokens).
	NeverExpiring int `json:"never_expiring_tokens"`
	RateLimited   int `json:"rate_limited"` // 429 (or 503 with Retry-After) answers waited for
	// Budgeted is true when the budget applied (a live target without a control API).
	Budgeted bool               `json:"budgeted"`
	Budget   Budget             `json:"budget"`
	Accounts []AccountFootprint `json:"accounts,omitempty"`
}

// Budget is the most a run may spend on a live target.
type Budget struct {
	Tokens                 int `json:"tokens"`                    // tokens created per run, in total
	FailedLoginsPerAccount int `json:"failed_logins_per_account"` // never two in a row
}

// AccountFootprint is the footprint on one given account.
type AccountFootprint struct {
	ClientID     string `json:"client_id"`
	Role         string `json:"role"` // "main", "special", "disabled" or "locked"
	Tokens       int    `json:"tokens_created"`
	FailedLogins int    `json:"failed_logins"`
}

// MaxBody is the largest body excerpt kept in evidence, in bytes.
const MaxBody = 2048

// Redacted replaces every secret in evidence, logs and reports.
const Redacted = "[REDACTED]"

// Request is a sent request, redacted.
type Request struct {
	Method string      `json:"method"`
	URL    string      `json:"url"`
	Header http.Header `json:"header,omitempty"`
	Body   string      `json:"body,omitempty"`
}

// Response is a received response, redacted and with the body cut to MaxBody bytes.
// Error is set instead when no response came back (timeout, reset, TLS failure).
type Response struct {
	Status        int         `json:"status,omitempty"`
	Header        http.Header `json:"header,omitempty"`
	Body          string      `json:"body,omitempty"`
	BodyTruncated bool        `json:"body_truncated,omitempty"`
	Error         string      `json:"error,omitempty"`
}

// Exchange is one request and what came back.
type Exchange struct {
	Step       string   `json:"step,omitempty"` // what the request was for, e.g. "obtain a token"
	Request    Request  `json:"request"`
	Response   Response `json:"response"`
	DurationMS int64    `json:"duration_ms"`
	// Contract is set when the response does not match the OpenAPI contract (spec/):
	// what kin-openapi found, redacted. Requirements TOKEN-SPEC-* gate on it; other
	// checks only record it here.
	Contract string `json:"contract,omitempty"`
	// Curl reproduces the request as a copy-pasteable curl command, secrets and tokens as
	// environment references ("$APIOPS_CLIENT_SECRET", "$TOKEN"), never literal.
	Curl string `json:"curl,omitempty"`
}

// Duration sets DurationMS from d.
func (e *Exchange) Duration(d time.Duration) { e.DurationMS = d.Milliseconds() }
