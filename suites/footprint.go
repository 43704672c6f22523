package suites

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// The footprint budget on a live target (one without a control API): a run creates at
// most maxTokens tokens in all, causes at most maxFailedLogins failed logins per given
// account, and never two failed logins in a row for an account without a successful
// login between them — so an account-lockout policy never locks the account a CI
// pipeline depends on.
const (
	maxTokens       = 6
	maxFailedLogins = 2
)

// footprint counts what a run costs its target.
type footprint struct {
	totals   evidence.Footprint
	accounts []*accountUse // in the order the configuration gives them
}

// accountUse is the footprint on one given account.
type accountUse struct {
	account    Account
	role       string
	tokens     int
	failed     int  // every 401 to a request carrying this account
	deliberate int  // the failed logins the checks meant to cause
	lastFailed bool // the latest login of this account failed
}

func newFootprint(cfg Config, budgeted bool) *footprint {
	f := &footprint{totals: evidence.Footprint{Budgeted: budgeted,
		Budget: evidence.Budget{Tokens: maxTokens, FailedLoginsPerAccount: maxFailedLogins}}}
	for _, a := range []struct {
		role string
		acc  Account
	}{{"main", cfg.Account}, {"special", cfg.Special}, {"disabled", cfg.Disabled}, {"locked", cfg.Locked}} {
		if a.acc.Given() {
			f.accounts = append(f.accounts, &accountUse{account: a.acc, role: a.role})
		}
	}
	return f
}

// of returns the use of the given account whose client_id the request carries, or nil.
func (f *footprint) of(clientID string) *accountUse {
	for _, a := range f.accounts {
		if clientID != "" && a.account.ClientID == clientID {
			return a
		}
	}
	return nil
}

// role returns the use of the account with the given role, or nil.
func (f *footprint) role(role string) *accountUse {
	for _, a := range f.accounts {
		if a.role == role {
			return a
		}
	}
	return nil
}

// count records one answer of the target: a token created, a failed login of a given
// account, or neither.
func (f *footprint) count(r request, resp *reply) {
	path, _, _ := strings.Cut(r.path, "?")
	if r.method != http.MethodPost || path != spec.TokenPath {
		return
	}
	acc := f.of(clientIDOf(r))
	if _, ok := resp.AccessToken(); ok {
		f.totals.Tokens++
		if m, err := resp.Object(); err == nil && m["expires_in"] == nil {
			f.totals.NeverExpiring++
		}
		if acc != nil {
			acc.tokens++
			acc.lastFailed = false
		}
		return
	}
	if resp.Status == http.StatusUnauthorized && acc != nil {
		f.totals.FailedLogins++
		acc.failed++
		acc.lastFailed = true
	}
}

// report returns the footprint as evidence.
func (f *footprint) report() evidence.Footprint {
	out := f.totals
	out.Accounts = nil
	for _, a := range f.accounts {
		out.Accounts = append(out.Accounts, evidence.AccountFootprint{
			ClientID: a.account.ClientID, Role: a.role, Tokens: a.tokens, FailedLogins: a.failed})
	}
	return out
}

// clientIDOf finds the client_id a token request carries: in its form body, its query,
// or a JSON body.
func clientIDOf(r request) string {
	if v, err := url.ParseQuery(r.body); err == nil && v.Get("client_id") != "" {
		return v.Get("client_id")
	}
	if _, q, ok := strings.Cut(r.path, "?"); ok {
		if v, err := url.ParseQuery(q); err == nil && v.Get("client_id") != "" {
			return v.Get("client_id")
		}
	}
	var m map[string]any
	if json.Unmarshal([]byte(r.body), &m) == nil {
		id, _ := m["client_id"].(string)
		return id
	}
	return ""
}

// What a request to the token endpoint is meant to do, for the footprint budget.
type purpose int

const (
	mayFail   purpose = iota // anything else: it may fail, carrying an account's client_id
	wantToken                // meant to obtain a token
	wantFail                 // meant to fail the login of an account (a wrong or empty password, …)
)

// obtain sends a request meant to obtain a token, within the budget: on a live target
// that has had its maxTokens tokens, the check is not judged.
func (t *checker) obtain(r request) *reply {
	if t.st.budgeted && t.st.foot.totals.Tokens >= maxTokens {
		t.notJudged("footprint budget: the run has already created %d tokens on this live target (at most %d a run)", t.st.foot.totals.Tokens, maxTokens)
	}
	r.purpose = wantToken
	return t.send(r)
}

// failLogin sends r, a request meant to fail the login of account a: at most
// maxFailedLogins such requests per account in a run on a live target.
func (t *checker) failLogin(a Account, r request) *reply {
	r.purpose = wantFail
	if use := t.st.foot.of(a.ClientID); t.st.budgeted && use != nil {
		if use.deliberate >= maxFailedLogins {
			t.notJudged("footprint budget: %d deliberate failed logins for %s already (at most %d a run)", use.deliberate, a.ClientID, maxFailedLogins)
		}
		t.guardLogin(r)
		use.deliberate++
	}
	return t.send(r)
}

// guardLogin keeps any account from two failed logins in a row on a live target: before
// a request that carries an account's client_id and may fail its login, when the latest
// login of that account failed, it makes a successful login first (a token, within the
// budget), or ends the check as not judged. A lockout policy thus never locks an account
// the run was given, whatever the target answers.
func (t *checker) guardLogin(r request) {
	if !t.st.budgeted || r.purpose == wantToken {
		return
	}
	use := t.st.foot.of(clientIDOf(r))
	if use == nil || !use.lastFailed {
		return
	}
	resp := t.obtain(tokenRequest("a successful login first (never two failed logins in a row)", form(credentials(use.account)...)))
	tok, ok := resp.AccessToken()
	if !ok {
		t.notJudged("footprint budget: the successful login that must come between two failed logins of %s failed", use.account.ClientID)
	}
	t.st.spare = append(t.st.spare, tok)
}
