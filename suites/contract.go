package suites

import (
	"strings"

	"github.com/apiops/apiops-conformance/suites/evidence"
)

// expectContract fails unless every exchange in xs matched the contract, listing each
// deviation.
func (t *T) expectContract(what string, xs []evidence.Exchange) {
	var bad []string
	for _, x := range xs {
		if x.Contract != "" {
			bad = append(bad, x.Step+": "+strings.Join(strings.Fields(x.Contract), " "))
		}
		if x.Response.Error != "" {
			bad = append(bad, x.Step+": no complete answer: "+x.Response.Error)
		}
	}
	t.Expect(len(bad) == 0, "%s match spec/token.yaml; %d do not:\n  - %s", what, len(bad), strings.Join(bad, "\n  - "))
}

func contractSpecs() {
	check("TOKEN-SPEC-001", func(t *T) {
		t.send(t.documented("documented request (200)"))
		t.wrongGrant()
		t.wrongPassword()
		if t.st.control != nil || t.st.cfg.FaultHeader != "" {
			t.serverError()
		}
		t.expectContract("the token endpoint's answers", t.exchanges)
	})

	check("TOKEN-SPEC-002", func(t *T) {
		tok, _ := t.token()
		t.protected("with the token (200)", "Bearer "+tok)
		t.protected("without a token (401)", "")
		t.expectContract("the protected path's answers", t.exchanges[1:]) // not the token's
	})
}
