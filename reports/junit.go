package reports

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2/reporters"
)

// WriteJUnit writes r as JUnit XML with Ginkgo's own reporter types, one <testcase> per
// check named "ID [LEVEL] title" with the check's area as classname and id, level, kind,
// source, area, status and gating as properties.
//
// Only gating failures are <failure>s, so a CI fails exactly when the run does; their
// message is "expected: …; got: …" and their text the whole card (source, quote, message,
// exchanges, curl reproductions). A failed check that does not gate (SHOULD outside the
// scope of --strict, MAY) has no <failure> but stays visible: status="failed", properties
// status=failed and gating=false, and the card in <system-out>. Checks not judged, blocked
// or not applicable carry <skipped message="reason">. Suite errors (outside any check) are
// extra <testcase>s with an <error>; so is a run that could not judge the target or was
// interrupted, and, with --require-all, the MUST checks not judged. The verdict, footprint
// and the run's configuration are suite properties (the embedded-mock note first).
func WriteJUnit(w io.Writer, r Result) error {
	r = sanitize(r)
	v := VerdictOf(r)
	suite := reporters.JUnitTestSuite{
		Name:     orUnknown(r.Tool.Name),
		Package:  r.Target,
		Skipped:  r.Summary.Total() - r.Summary.Passed - r.Summary.Failed,
		Failures: r.Summary.GatingFailed,
		Time:     seconds(r.DurationMS),
	}
	if !r.Started.IsZero() {
		suite.Timestamp = r.Started.UTC().Format(time.RFC3339)
	}
	prop := func(name, value string) {
		suite.Properties.Properties = append(suite.Properties.Properties, reporters.JUnitProperty{Name: name, Value: value})
	}
	if r.Embedded {
		prop("note", embeddedNote)
	}
	prop("schema_version", strconv.Itoa(r.SchemaVersion))
	prop("tool", r.Tool.Name)
	prop("version", r.Tool.Version)
	prop("target", r.Target)
	prop("embedded", strconv.FormatBool(r.Embedded))
	prop("run_status", string(r.Run.Status))
	prop("strict", strconv.FormatBool(r.Strict))
	prop("strict_scope", string(r.StrictScope))
	prop("require_all", strconv.FormatBool(r.RequireAll))
	prop("verdict", v.Line())
	prop("verdict_detail", v.Sentence)
	prop("exit_code", strconv.Itoa(v.ExitCode))
	prop("passed", strconv.Itoa(r.Summary.Passed))
	prop("failed", strconv.Itoa(r.Summary.Failed))
	prop("gating_failed", strconv.Itoa(r.Summary.GatingFailed))
	prop("not_judged", strconv.Itoa(r.Summary.NotJudged))
	prop("blocked", strconv.Itoa(r.Summary.Blocked))
	prop("not_applicable", strconv.Itoa(r.Summary.NotApplicable))
	prop("must_not_judged", strings.Join(r.Summary.MustNotJudged, " "))
	for i, l := range footprintText(r.Footprint, r.Embedded) {
		prop(fmt.Sprintf("footprint.%d", i+1), l)
	}
	for _, k := range slices.Sorted(maps.Keys(r.Config)) {
		prop("config."+k, r.Config[k])
	}

	for _, c := range r.Checks {
		suite.TestCases = append(suite.TestCases, junitCase(c))
	}
	errs := slices.Clone(r.Errors)
	switch {
	case r.Run.Status == RunCouldNotJudge || r.Run.Status == RunInterrupted:
		errs = append(errs, v.Line()+": "+v.Sentence)
	case r.RequireAll && len(r.Summary.MustNotJudged) > 0:
		errs = append(errs, "--require-all: MUST checks not judged: "+strings.Join(r.Summary.MustNotJudged, ", "))
	}
	for i, e := range errs {
		suite.TestCases = append(suite.TestCases, reporters.JUnitTestCase{
			Name:      fmt.Sprintf("suite error %d: %s", i+1, shorten(firstLine(e), 120)),
			Classname: "suite",
			Status:    "failed",
			Error:     &reporters.JUnitError{Message: firstLine(e), Type: "suite error", Description: e},
		})
	}
	suite.Tests, suite.Errors = len(r.Checks)+len(errs), len(errs)
	suites := reporters.JUnitTestSuites{
		Tests:      suite.Tests,
		Disabled:   suite.Skipped,
		Errors:     suite.Errors,
		Failures:   suite.Failures,
		Time:       suite.Time,
		TestSuites: []reporters.JUnitTestSuite{suite},
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suites); err != nil {
		return fmt.Errorf("encode JUnit XML: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitCase(c Check) reporters.JUnitTestCase {
	tc := reporters.JUnitTestCase{
		Name:      fmt.Sprintf("%s [%s] %s", c.ID, c.Level, c.Title),
		Classname: orDefault(c.Area, "unknown"),
		Status:    string(c.Status),
		Time:      seconds(c.DurationMS),
		Properties: &reporters.JUnitProperties{Properties: []reporters.JUnitProperty{
			{Name: "id", Value: c.ID},
			{Name: "level", Value: c.Level},
			{Name: "kind", Value: c.Kind},
			{Name: "source", Value: c.Source},
			{Name: "area", Value: c.Area},
			{Name: "status", Value: string(c.Status)},
			{Name: "gating", Value: strconv.FormatBool(c.Gating)},
		}},
	}
	switch {
	case c.Status == Failed && c.Gating:
		tc.Failure = &reporters.JUnitFailure{
			Message:     junitMessage(c),
			Type:        "failed",
			Description: checkText(c),
		}
	case c.Status == Failed:
		// Not a <failure>: a CI must not go red on a recommendation.
		tc.SystemOut = fmt.Sprintf("NOT GATING: %s requirement not met (--strict decides which SHOULD failures gate).\n%s", c.Level, checkText(c))
	case c.Status == Passed:
		if c.Compared != "" {
			tc.SystemOut = "compared: " + c.Compared
		}
	default:
		tc.Skipped = &reporters.JUnitSkipped{Message: c.Status.Label() + ": " + reasonText(c)}
	}
	return tc
}

// checkText is the plain-text card of a failed check: level and kind, source, quote,
// message and one line per exchange (and one per contract violation, and its curl
// reproduction).
func checkText(c Check) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s [%s] %s\n", c.ID, levelKind(c), c.Title)
	if c.Source != "" {
		fmt.Fprintf(&b, "source: %s\n", c.Source)
	}
	if c.Quote != "" {
		fmt.Fprintf(&b, "quote:  “%s”\n", oneLine(c.Quote))
	}
	if m := strings.TrimRight(c.Message, "\n"); m != "" {
		fmt.Fprintf(&b, "%s\n", m)
	}
	for _, x := range c.Evidence {
		if x.Step != "" {
			fmt.Fprintf(&b, "%s: ", x.Step)
		}
		fmt.Fprintf(&b, "%s\n", exchangeLine(x))
		if l := contractLine(x); l != "" {
			fmt.Fprintf(&b, "  %s\n", l)
		}
		if x.Curl != "" {
			fmt.Fprintf(&b, "  reproduce: %s\n", strings.ReplaceAll(strings.TrimRight(x.Curl, "\n"), "\n", "\n    "))
		}
	}
	return b.String()
}

// junitMessage is the one-line message of a gating failure, the card in short:
// "ID [MUST, docs] expected: …; got: … — source: … — “quote”".
func junitMessage(c Check) string {
	m := fmt.Sprintf("%s [%s] %s", c.ID, levelKind(c), failureSummary(c))
	if c.Source != "" {
		m += " — source: " + c.Source
	}
	if c.Quote != "" {
		m += " — “" + oneLine(c.Quote) + "”"
	}
	return m
}

func seconds(ms int64) float64 { return float64(ms) / 1000 }
