package suites

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/apiops/apiops-conformance/spec"
	"github.com/apiops/apiops-conformance/suites/catalog"
)

// contractProbe is one answer the contract checks compare, with the check that judges
// its status: a probe that did not get its status blocks the contract check on that one.
type contractProbe struct {
	status   int
	what     string
	judge    string
	resp     *reply
	contract string // the deviation from the contract kin-openapi found, if any
}

// probe gets the answer with send and keeps its contract deviation.
func (t *checker) probe(status int, what, judge string, send func() *reply) contractProbe {
	resp := send()
	return contractProbe{status: status, what: what, judge: judge, resp: resp, contract: t.exchanges[len(t.exchanges)-1].Contract}
}

// expectContract compares every probe that got its status with the contract, fails on any
// deviation, and says what it compared and what it could not. A probe that did not get its
// status leaves the contract check blocked by the check that judges that status: it never
// passes without having compared every status it names.
func (t *checker) expectContract(probes []contractProbe, notProvoked ...string) {
	var seen, bad []string
	var missing *contractProbe
	for i, p := range probes {
		switch {
		case p.resp.Err != nil || p.resp.Status != p.status:
			if missing == nil {
				missing = &probes[i]
			}
			continue
		case p.contract != "":
			bad = append(bad, fmt.Sprintf("%d (%s): %s", p.status, p.what, strings.Join(strings.Fields(p.contract), " ")))
		}
		seen = append(seen, fmt.Sprintf("%d ✓", p.status))
	}
	t.compared = append(t.compared, strings.Join(seen, ", ")+orEmpty("; not compared: ", strings.Join(notProvoked, ", ")))
	t.Expect(len(bad) == 0, "answers that match spec/token.yaml; %d do not:\n  - %s", len(bad), strings.Join(bad, "\n  - "))
	if missing != nil {
		got := "no answer"
		if missing.resp.Status != 0 {
			got = fmt.Sprintf("%d", missing.resp.Status)
		}
		t.blockedBy(missing.judge, "the %d answer to %s could not be compared (it got %s): %s judges that status", missing.status, missing.what, got, missing.judge)
	}
}

func orEmpty(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

func contractSpecs() {
	check("TOKEN-SPEC-001", func(t *checker) {
		probes := []contractProbe{
			t.probe(http.StatusOK, "the documented request", "TOKEN-FORM-001", func() *reply {
				return t.shared(keyDocumented, func() *reply { return t.obtain(t.documented("documented request")) })
			}),
			t.probe(http.StatusBadRequest, "grant_type=password", "TOKEN-ERR-001", t.wrongGrant),
			t.probe(http.StatusUnauthorized, "a wrong password", "TOKEN-ERR-004", t.wrongPassword),
		}
		var notProvoked []string
		if ok, _ := t.st.needMet(catalog.NeedServerError); ok {
			probes = append(probes, t.probe(http.StatusInternalServerError, "a server failure", "TOKEN-ERR-011", t.serverError))
		} else {
			notProvoked = append(notProvoked, "500 (not provoked: no --fault-header or --control-url)")
		}
		t.expectContract(probes, notProvoked...)
	})

	check("TOKEN-SPEC-002", func(t *checker) {
		tok, _ := t.token()
		probes := []contractProbe{
			t.probe(http.StatusOK, "the token", "TOKEN-BEARER-001", func() *reply { return t.withToken(tok) }),
			t.probe(http.StatusUnauthorized, "no Authorization", "TOKEN-BEARER-002", t.noAuthorization),
		}
		notCompared := []string{"the 401 body (the checks assume none on the protected path: status only)"}
		if t.st.cfg.ProtectedPath != spec.ProjectsPath {
			notCompared = append(notCompared, "the 200 body (--protected-path is not the documented "+spec.ProjectsPath+": status only)")
		}
		t.expectContract(probes, notCompared...)
	})
}
