package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxMarkdownLine bounds a line of result text in summary.md ("expected:", "got:", a reason).
const maxMarkdownLine = 300

// WriteMarkdown writes summary.md, compact enough for $GITHUB_STEP_SUMMARY or a pull
// request comment: the embedded-mock note first when it applies, the verdict line and its
// explanation, counts by level and status, a card per failing requirement (gating first:
// ID, level, kind, source, quote, expected and got, the curl reproductions collapsed), the
// blocked, not judged and not applicable checks with their reasons, suite errors, the
// footprint, and a pointer to report.html. Every text from the result is escaped, so a
// response body cannot inject Markdown or HTML.
func WriteMarkdown(w io.Writer, r Result) error {
	r = sanitize(r)
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	v := VerdictOf(r)
	if r.Embedded {
		p("> [!WARNING]\n> %s\n\n", mdEscape(embeddedNote))
	}
	icon := map[string]string{"pass": "✅", "fail": "❌"}[v.Tone]
	if icon == "" {
		icon = "⚠️"
	}
	p("## %s %s\n\n", icon, mdEscape(v.Line()))
	p("%s\n\n", mdEscape(v.Sentence))
	p("Target %s · %s %s · %s · %s\n\n", mdCode(orUnknown(r.Target)), mdEscape(orUnknown(r.Tool.Name)), mdEscape(r.Tool.Version), when(r.Started), formatDuration(r.DurationMS))

	p("| Level | Passed | Failed | Not judged | Blocked | Not applicable |\n|---|---:|---:|---:|---:|---:|\n")
	for _, row := range countBy(r.Checks, func(c Check) string { return c.Level }, levelOrder) {
		p("| %s | %d | %s | %d | %d | %d |\n", mdEscape(row.Key), row.Passed, failedCell(row), row.NotJudged, row.Blocked, row.NotApplicable)
	}
	t := countTotal(r.Checks)
	p("| **Total** | **%d** | **%s** | **%d** | **%d** | **%d** |\n\n", t.Passed, failedCell(t), t.NotJudged, t.Blocked, t.NotApplicable)

	if r.Summary.Failed > 0 {
		p("### Failing requirements\n\n")
		for _, c := range readingOrder(r.Checks) {
			if c.Status == Failed {
				writeMarkdownCard(bw, c)
			}
		}
	}
	if n := r.Summary.Total() - r.Summary.Passed - r.Summary.Failed; n > 0 {
		p("### Not judged, blocked or not applicable (%d)\n\n", n)
		same := 0 // checks not judged for the reason the whole run could not judge
		for _, c := range readingOrder(r.Checks) {
			switch {
			case c.Status == Passed || c.Status == Failed:
			case r.Run.Status == RunCouldNotJudge && c.Status == NotJudged && c.Reason == r.Run.Reason:
				same++
			case c.Status == Blocked:
				p("- %s **%s** — %s\n", mdCode(c.ID), mdEscape(c.Level), mdEscape(shorten(oneLine(reasonText(c)), maxMarkdownLine)))
			default:
				p("- %s **%s** %s — %s\n", mdCode(c.ID), mdEscape(c.Level), c.Status.Label(), mdEscape(shorten(oneLine(reasonText(c)), maxMarkdownLine)))
			}
		}
		if same > 0 {
			p("- %s not judged — %s\n", plural(same, "check", "checks"), mdEscape(shorten(oneLine(r.Run.Reason), maxMarkdownLine)))
		}
		p("\n")
	}
	if len(r.Errors) > 0 {
		p("### Suite errors\n\n")
		for _, e := range r.Errors {
			p("- %s\n", mdEscape(shorten(firstLine(e), maxMarkdownLine)))
		}
		p("\n")
	}
	if lines := footprintText(r.Footprint, r.Embedded); lines != nil {
		p("### Footprint on the target\n\n")
		for _, l := range lines {
			p("- %s\n", mdEscape(l))
		}
		p("\n")
	}
	p("Evidence and details for every check are in `%s`.\n", HTMLFile)
	return bw.Flush()
}

// writeMarkdownCard writes one failing requirement: heading, source and quote, expected
// and got, and the curl reproductions of its exchanges in a collapsed block.
func writeMarkdownCard(w io.Writer, c Check) {
	p := func(format string, args ...any) { fmt.Fprintf(w, format, args...) }
	gate, note := "❌", ""
	if !c.Gating {
		gate, note = "⚠️", " (not gating)"
	}
	p("#### %s %s %s%s — %s\n\n", gate, mdCode(c.ID), mdEscape(levelKind(c)), note, mdEscape(c.Title))
	if c.Source != "" {
		p("Source: %s\n\n", mdEscape(c.Source))
	}
	if c.Quote != "" {
		p("> %s\n\n", mdEscape(oneLine(c.Quote)))
	}
	exp, got := keyLine(c.Message, "expected:"), keyLine(c.Message, "got:")
	if exp == "" && got == "" {
		p("- %s\n", mdEscape(shorten(orDefault(oneLine(c.Message), "failed"), maxMarkdownLine)))
	}
	if exp != "" {
		p("- **expected:** %s\n", mdEscape(shorten(exp, maxMarkdownLine)))
	}
	if got != "" {
		p("- **got:** %s\n", mdEscape(shorten(got, maxMarkdownLine)))
	}
	var curls []string
	for _, x := range c.Evidence {
		if x.Curl != "" {
			curls = append(curls, strings.TrimRight(x.Curl, "\n"))
		}
	}
	if len(curls) > 0 {
		all := strings.Join(curls, "\n\n")
		fence := "```"
		for strings.Contains(all, fence) {
			fence += "`"
		}
		p("\n<details><summary>Reproduce with curl (%d)</summary>\n\n%ssh\n%s\n%s\n\n</details>\n", len(curls), fence, all, fence)
	}
	p("\n")
}

// failedCell shows "2 (1 gating)" when some failures do not gate.
func failedCell(c countRow) string {
	if c.Failed > 0 && c.Gating == 0 {
		return fmt.Sprintf("%d (not gating)", c.Failed)
	}
	if c.Failed != c.Gating {
		return fmt.Sprintf("%d (%d gating)", c.Failed, c.Gating)
	}
	return fmt.Sprint(c.Failed)
}

// mdEscaper backslash-escapes Markdown punctuation and HTML's '<', '>' and '&', and turns
// line breaks into spaces, so result text stays inline and inert.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`, `#`, `\#`,
	`|`, `\|`, `~`, `\~`, `!`, `\!`, `<`, `&lt;`, `>`, `&gt;`, `&`, `&amp;`,
	"\r\n", " ", "\n", " ", "\r", " ",
)

func mdEscape(s string) string { return mdEscaper.Replace(s) }

// mdCode renders s as inline code, choosing a fence longer than any backtick run in s.
func mdCode(s string) string {
	s = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	fence := "`"
	for strings.Contains(s, fence) {
		fence += "`"
	}
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// countRow counts the checks sharing a key (a level or an area).
type countRow struct {
	Key                                                       string
	Passed, Failed, Gating, NotJudged, Blocked, NotApplicable int
}

// Total is the number of checks in the row.
func (c countRow) Total() int {
	return c.Passed + c.Failed + c.NotJudged + c.Blocked + c.NotApplicable
}

func (c *countRow) add(ch Check) {
	switch ch.Status {
	case Passed:
		c.Passed++
	case Failed:
		c.Failed++
		if ch.Gating {
			c.Gating++
		}
	case Blocked:
		c.Blocked++
	case NotApplicable:
		c.NotApplicable++
	default:
		c.NotJudged++
	}
}

// countBy counts checks by key, rows in the given order first, then any other key in
// order of first appearance. Keys of the given order with no check are left out.
func countBy(checks []Check, key func(Check) string, order []string) []countRow {
	idx := map[string]int{}
	var rows []countRow
	for _, k := range order {
		idx[k] = len(rows)
		rows = append(rows, countRow{Key: k})
	}
	for _, c := range checks {
		k := orDefault(key(c), "unknown")
		i, ok := idx[k]
		if !ok {
			i = len(rows)
			idx[k] = i
			rows = append(rows, countRow{Key: k})
		}
		rows[i].add(c)
	}
	out := rows[:0]
	for _, r := range rows {
		if r.Total() > 0 {
			out = append(out, r)
		}
	}
	return out
}

func countTotal(checks []Check) countRow {
	t := countRow{Key: "Total"}
	for _, c := range checks {
		t.add(c)
	}
	return t
}
