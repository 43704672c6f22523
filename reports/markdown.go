package reports

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// maxMarkdownMessage bounds the message shown per failing requirement in summary.md.
const maxMarkdownMessage = 160

// WriteMarkdown writes summary.md, compact enough for $GITHUB_STEP_SUMMARY or a pull
// request comment: the verdict, counts by level and status, one line per failing
// requirement (gating first), suite errors, and the number of skipped checks with a pointer
// to report.html. Every text from the result is escaped, so a response body cannot inject
// Markdown or HTML.
func WriteMarkdown(w io.Writer, r Result) error {
	r = sanitize(r)
	bw := bufio.NewWriter(w)
	p := func(format string, args ...any) { fmt.Fprintf(bw, format, args...) }
	v := VerdictOf(r)
	icon := "✅"
	if !v.Conformant {
		icon = "❌"
	}
	p("## %s %s\n\n", icon, v.Headline)
	p("%s\n\n", mdEscape(v.Sentence))
	p("Target %s · %s %s · %s · %s\n\n", mdCode(orUnknown(r.Target)), mdEscape(orUnknown(r.Tool.Name)), mdEscape(r.Tool.Version), when(r.Started), formatDuration(r.DurationMS))

	p("| Level | Passed | Failed | Skipped |\n|---|---:|---:|---:|\n")
	for _, row := range countBy(r.Checks, func(c Check) string { return c.Level }, levelOrder) {
		p("| %s | %d | %s | %d |\n", mdEscape(row.Key), row.Passed, failedCell(row), row.Skipped)
	}
	t := countTotal(r.Checks)
	p("| **Total** | **%d** | **%s** | **%d** |\n\n", t.Passed, failedCell(t), t.Skipped)

	if r.Summary.Failed > 0 {
		p("### Failing requirements\n\n")
		for _, c := range readingOrder(r.Checks) {
			if c.Status != Failed {
				continue
			}
			gate := "❌"
			note := ""
			if !c.Gating {
				gate, note = "⚠️", " (not gating)"
			}
			p("- %s %s **%s**%s %s — %s\n", gate, mdCode(c.ID), c.Level, note, mdEscape(c.Title), mdEscape(shorten(firstLine(c.Message), maxMarkdownMessage)))
		}
		p("\n")
	}
	if len(r.Errors) > 0 {
		p("### Suite errors\n\n")
		for _, e := range r.Errors {
			p("- %s\n", mdEscape(shorten(firstLine(e), maxMarkdownMessage)))
		}
		p("\n")
	}
	if n := r.Summary.Skipped; n > 0 {
		p("%s skipped (each with its reason); evidence and details for every check are in `%s`.\n", plural(n, "check", "checks"), HTMLFile)
	} else {
		p("Evidence and details for every check are in `%s`.\n", HTMLFile)
	}
	return bw.Flush()
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
	Key                             string
	Passed, Failed, Gating, Skipped int
}

// Total is the number of checks in the row.
func (c countRow) Total() int { return c.Passed + c.Failed + c.Skipped }

func (c *countRow) add(ch Check) {
	switch ch.Status {
	case Passed:
		c.Passed++
	case Failed:
		c.Failed++
		if ch.Gating {
			c.Gating++
		}
	case Skipped:
		c.Skipped++
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
