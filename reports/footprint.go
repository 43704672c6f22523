package reports

import (
	"fmt"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

// revokeAdvice says where a person revokes a never-expiring token of a manager.
const revokeAdvice = "in the Management Console (My Profile → Personal API Access Tokens)"

// footprintText is what a run cost its target, in lines every format shows: the totals,
// the budget, one line per account and, when never-expiring tokens were created, where to
// revoke them. Nil when the footprint is unknown.
func footprintText(f *evidence.Footprint, embedded bool) []string {
	if f == nil {
		return nil
	}
	lines := []string{fmt.Sprintf("%s, %s, %s, %s",
		plural(f.Requests, "request", "requests"),
		plural(f.Tokens, "token created", "tokens created"),
		plural(f.FailedLogins, "failed login", "failed logins"),
		plural(f.RateLimited, "rate-limited answer", "rate-limited answers"))}
	if f.Budgeted {
		lines = append(lines, fmt.Sprintf("budget: %s, %s per account (never two in a row)",
			plural(f.Budget.Tokens, "token", "tokens"),
			plural(f.Budget.FailedLoginsPerAccount, "failed login", "failed logins")))
	} else {
		lines = append(lines, "no budget applied (a target with a control API may be used freely)")
	}
	for _, a := range f.Accounts {
		lines = append(lines, fmt.Sprintf("%s (%s): %s, %s", orUnknown(a.ClientID), orUnknown(a.Role),
			plural(a.Tokens, "token created", "tokens created"),
			plural(a.FailedLogins, "failed login", "failed logins")))
	}
	if n := f.NeverExpiring; n > 0 {
		what, them := plural(n, "token", "tokens")+" created by the run never expire", "them"
		if n == 1 {
			what, them = "1 token created by the run never expires", "it"
		}
		if embedded {
			lines = append(lines, what+" (in the embedded mock: gone with it)")
		} else {
			lines = append(lines, what+": revoke "+them+" "+revokeAdvice+".")
		}
	}
	return lines
}

// embeddedNote is the plain warning every format puts first when the embedded mock was
// judged.
const embeddedNote = "This judged the embedded demo mock, not your deployment: give --base-url (and an account) to judge yours."
