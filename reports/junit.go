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
// check named "ID [LEVEL] title" with the check's area as classname and id, level, source,
// area, status and gating as properties.
//
// Only gating failures are <failure>s, so a CI fails exactly when the run does. A failed
// check that does not gate (SHOULD without --strict, MAY) has no <failure> but stays
// visible: status="failed", properties status=failed and gating=false, and the message in
// <system-out>. (JUnit consumers decide pass/fail from <failure> and <error> elements.)
// Skipped checks carry <skipped message="reason">. Suite errors (outside any check) are
// extra <testcase>s with an <error>. The run's configuration is echoed as suite properties.
func WriteJUnit(w io.Writer, r Result) error {
	r = sanitize(r)
	v := VerdictOf(r)
	suite := reporters.JUnitTestSuite{
		Name:     orUnknown(r.Tool.Name),
		Package:  r.Target,
		Tests:    len(r.Checks) + len(r.Errors),
		Skipped:  r.Summary.Skipped,
		Failures: r.Summary.GatingFailed,
		Errors:   len(r.Errors),
		Time:     seconds(r.DurationMS),
	}
	if !r.Started.IsZero() {
		suite.Timestamp = r.Started.UTC().Format(time.RFC3339)
	}
	prop := func(name, value string) {
		suite.Properties.Properties = append(suite.Properties.Properties, reporters.JUnitProperty{Name: name, Value: value})
	}
	prop("tool", r.Tool.Name)
	prop("version", r.Tool.Version)
	prop("target", r.Target)
	prop("strict", strconv.FormatBool(r.Strict))
	prop("verdict", v.Headline)
	prop("verdict_detail", v.Sentence)
	prop("passed", strconv.Itoa(r.Summary.Passed))
	prop("failed", strconv.Itoa(r.Summary.Failed))
	prop("gating_failed", strconv.Itoa(r.Summary.GatingFailed))
	prop("skipped", strconv.Itoa(r.Summary.Skipped))
	for _, k := range slices.Sorted(maps.Keys(r.Config)) {
		prop("config."+k, r.Config[k])
	}

	for _, c := range r.Checks {
		suite.TestCases = append(suite.TestCases, junitCase(c))
	}
	for i, e := range r.Errors {
		suite.TestCases = append(suite.TestCases, reporters.JUnitTestCase{
			Name:      fmt.Sprintf("suite error %d: %s", i+1, shorten(firstLine(e), 120)),
			Classname: "suite",
			Status:    "failed",
			Error:     &reporters.JUnitError{Message: firstLine(e), Type: "suite error", Description: e},
		})
	}
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
			{Name: "source", Value: c.Source},
			{Name: "area", Value: c.Area},
			{Name: "status", Value: string(c.Status)},
			{Name: "gating", Value: strconv.FormatBool(c.Gating)},
		}},
	}
	switch {
	case c.Status == Failed && c.Gating:
		tc.Failure = &reporters.JUnitFailure{
			Message:     orDefault(firstLine(c.Message), "failed"),
			Type:        "failed",
			Description: checkText(c),
		}
	case c.Status == Failed:
		// Not a <failure>: a CI must not go red on a recommendation.
		tc.SystemOut = fmt.Sprintf("NOT GATING: %s requirement not met (a --strict run gates SHOULD).\n%s", c.Level, checkText(c))
	case c.Status == Skipped:
		tc.Skipped = &reporters.JUnitSkipped{Message: orDefault(c.Message, "skipped")}
	}
	return tc
}

// checkText is the plain-text body of a check: source, message and one line per exchange
// (and one per contract violation).
func checkText(c Check) string {
	var b strings.Builder
	if c.Source != "" {
		fmt.Fprintf(&b, "source: %s\n", c.Source)
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
	}
	return b.String()
}

func seconds(ms int64) float64 { return float64(ms) / 1000 }
