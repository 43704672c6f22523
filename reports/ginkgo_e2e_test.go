package reports

import (
	"bytes"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
	. "github.com/onsi/gomega"

	"github.com/apiops/apiops-conformance/suites/catalog"
	"github.com/apiops/apiops-conformance/suites/evidence"
)

// The e2e suite attaches entries exactly as the real suites do, so this test proves the
// path AddReportEntry → Skip → ReportAfterSuite → FromGinkgo → every format, in-process.
var (
	e2eReport types.Report
	e2eSecret = "e2e-" + passwordCore
)

func attach(req catalog.Requirement) {
	AddReportEntry(evidence.EntryRequirement, req, ReportEntryVisibilityNever)
}

var _ = Describe("e2e", func() {
	x := evidence.Exchange{
		Step:     "obtain a token",
		Request:  evidence.Request{Method: "POST", URL: tokenURL, Body: "password=" + e2eSecret},
		Response: evidence.Response{Status: 200, Header: http.Header{"Content-Type": {"application/json"}}},
	}
	It("passes", Label(reqPass.Labels()...), func() {
		attach(reqPass)
		AddReportEntry(evidence.EntryExchange, &x, ReportEntryVisibilityNever)
		AddReportEntry(evidence.EntryCompared, "200 ✓; 500 not provoked", ReportEntryVisibilityNever)
	})
	It("fails", Label(reqFail.Labels()...), func() {
		attach(reqFail)
		AddReportEntry(evidence.EntryExchange, x, ReportEntryVisibilityNever)
		Expect(x.Response.Status).To(Equal(400), "sent password %s", e2eSecret)
	})
	It("skips", Label(reqSkip.Labels()...), func() {
		attach(reqSkip)
		Skip("needs a short token lifetime")
	})
	It("is blocked", Label(reqBlocked.Labels()...), func() {
		attach(reqBlocked)
		AddReportEntry(evidence.EntryOutcome, evidence.Outcome{Status: evidence.Blocked, BlockedBy: reqFail.ID, Reason: "no token with " + e2eSecret}, ReportEntryVisibilityNever)
		Skip("blocked by " + reqFail.ID)
	})
	It("does not apply", Label(reqNA.Labels()...), func() {
		attach(reqNA)
		AddReportEntry(evidence.EntryOutcome, &evidence.Outcome{Status: evidence.NotApplicable, Reason: "tokens never expire"}, ReportEntryVisibilityNever)
		Skip("not applicable")
	})
	It("finds", Label(reqFinding.Labels()...), func() {
		attach(reqFinding)
		AddReportEntry(evidence.EntryFinding, "no Cache-Control header", ReportEntryVisibilityNever)
	})
})

var _ = ReportAfterSuite("capture", func(r Report) { e2eReport = r })

// quietT is the GinkgoTestingT of the e2e run: the suite fails on purpose, which must not
// fail the Go test; the test judges the report instead.
type quietT struct{}

func (quietT) Fail() {}

// e2eChildEnv marks the child process that runs the e2e suite.
const e2eChildEnv = "APIOPS_REPORTS_E2E_CHILD"

// TestGinkgoEndToEnd runs in a child process of the test binary: Ginkgo runs a suite once per
// process and refuses go test -count > 1, which must keep working for the other tests.
func TestGinkgoEndToEnd(t *testing.T) {
	if os.Getenv(e2eChildEnv) == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestGinkgoEndToEnd$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), e2eChildEnv+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the e2e suite's child process: %v\n%s", err, out)
		}
		return
	}
	RegisterFailHandler(Fail)
	suite, reporter := GinkgoConfiguration()
	suite.RandomizeAllSpecs = true // the result must not depend on run order
	reporter.Succinct, reporter.NoColor, reporter.SilenceSkips = true, true, true
	RunSpecs(quietT{}, "reports e2e", suite, reporter)

	res := FromGinkgo(e2eReport, Meta{Tool: Tool{Name: "apiops-conformance", Version: "e2e"}, Target: sampleTarget, Secrets: []string{e2eSecret}})

	var got []string
	for _, c := range res.Checks {
		got = append(got, c.ID+"="+string(c.Status)+map[bool]string{true: "/gating"}[c.Gating]+"/ev"+string(rune('0'+len(c.Evidence))))
	}
	want := "TEST-A-001=passed/ev1 TEST-A-002=failed/gating/ev1 TEST-A-003=not_judged/ev0 TEST-A-004=failed/ev0 TEST-A-006=blocked/ev0 TEST-A-007=not_applicable/ev0"
	if strings.Join(got, " ") != want {
		t.Errorf("checks = %s\nwant     %s", strings.Join(got, " "), want)
	}
	if c := res.Checks[2]; c.Reason != "needs a short token lifetime" || c.Message != "" {
		t.Errorf("skip reason = %q, message %q", c.Reason, c.Message)
	}
	if c := res.Checks[0]; c.Compared != "200 ✓; 500 not provoked" {
		t.Errorf("compared = %q", c.Compared)
	}
	if c := res.Checks[4]; c.BlockedBy != reqFail.ID || c.Reason != "no token with "+evidence.Redacted {
		t.Errorf("blocked = %+v", c)
	}
	if c := res.Checks[5]; c.Reason != "tokens never expire" {
		t.Errorf("not applicable = %+v", c)
	}
	if c := res.Checks[3]; c.Message != "no Cache-Control header" || c.Source != reqFinding.Source {
		t.Errorf("finding = %+v", c)
	}
	if c := res.Checks[1]; !strings.Contains(c.Message, "sent password "+evidence.Redacted) || c.Evidence[0].Request.URL != tokenURL {
		t.Errorf("failure = %+v", c)
	}

	dir := t.TempDir()
	if err := WriteFiles(dir, res); err != nil {
		t.Fatal(err)
	}
	var console bytes.Buffer
	WriteConsole(&console, res, ConsoleOptions{})
	outs := [][]byte{console.Bytes()}
	for _, f := range []string{JSONFile, JUnitFile, MarkdownFile, HTMLFile} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		outs = append(outs, b)
	}
	for i, b := range outs {
		if bytes.Contains(b, []byte(passwordCore)) {
			t.Errorf("output %d leaks the secret", i)
		}
	}
	if !strings.Contains(console.String(), "Checks: 1 passed, 2 failed (1 not gating), 1 not judged, 1 blocked, 1 not applicable\n") ||
		!strings.HasSuffix(console.String(), "NOT CONFORMANT — 4 of 6 checks judged; not judged: TEST-A-003, TEST-A-006 (MUST)\n") {
		t.Errorf("console verdict:\n%s", console.String())
	}
}
