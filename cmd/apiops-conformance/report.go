package main

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/apiops/apiops-conformance/reports"
)

// reportCmd re-renders reports from a saved conformance.json and compares two results.
type reportCmd struct {
	From     string `required:"" placeholder:"FILE" help:"The conformance.json to render (at most 64 MiB)."`
	HTML     string `name:"html" placeholder:"FILE" help:"Write the HTML report to FILE ('-' for stdout); with --compare it shows the changes too."`
	Markdown string `placeholder:"FILE" help:"Write the Markdown summary to FILE ('-' for stdout); with --compare the changes are appended."`
	JUnit    string `name:"junit" placeholder:"FILE" help:"Write JUnit XML to FILE ('-' for stdout)."`
	JSON     string `name:"json" placeholder:"FILE" help:"Write the result again as conformance.json (schema version 2) to FILE ('-' for stdout)."`
	Dir      string `placeholder:"DIR" help:"Write every format (conformance.json, junit.xml, summary.md, report.html) into DIR."`
	Compare  string `placeholder:"OLD" help:"Compare with an older conformance.json: print what changed and exit 1 if a check newly fails a gate."`
	ShowCurl bool   `name:"show-curl" help:"Print the curl command that reproduces each exchange of a failure."`
	Verbose  bool   `short:"v" help:"List the passed checks too, each with what it compared."`
	NoColor  bool   `name:"no-color" help:"No colour on the console (also when NO_COLOR is set, or output is not a terminal)."`
}

// Help is shown by "apiops-conformance report --help".
func (reportCmd) Help() string {
	return `Reads a result saved by "run" (conformance.json, schema version 1 or 2, at most
64 MiB: a larger file or an endless stream fails at once) and writes it again in any
format. With no output flag it prints the console summary.

--compare OLD prints what changed since OLD: newly failing (with what was expected and
what came back), fixed, still failing, newly not judged, new and removed checks; with
--html the report shows the same changes. Exit status with --compare: 1 when the new
result fails a gate the old one did not (a check failing and gating now that was not
failing and gating before, a new suite error, or with --require-all a MUST check newly
not judged), 3 when the new result did not judge its target (could not judge, or
interrupted), otherwise 0 — so a CI can gate on new failures only, keeping a known-bad
baseline. Without --compare the exit status is 0 whatever the verdict (the verdict's
exit status is "run"'s). A missing, invalid or too large file exits 2.

Examples:
  apiops-conformance report --from reports-out/conformance.json
  apiops-conformance report --from conformance.json --html report.html --junit junit.xml
  apiops-conformance report --from conformance.json --markdown - >> "$GITHUB_STEP_SUMMARY"
  apiops-conformance report --from new/conformance.json --compare baseline/conformance.json --html diff.html`
}

// Run renders the requested formats.
func (c reportCmd) Run() error {
	res, err := reports.ReadJSON(c.From)
	if err != nil {
		return fmt.Errorf("%w (conformance.json is written by 'apiops-conformance run --report-dir DIR')", err)
	}
	var diff *reports.Diff
	html := reports.WriteHTML
	if c.Compare != "" {
		old, err := reports.ReadJSON(c.Compare)
		if err != nil {
			return err
		}
		d := reports.Compare(old, res)
		diff = &d
		html = reports.HTMLWithDiff(d)
	}

	toStdout := false
	outputs := []struct {
		path   string
		render reports.Renderer
	}{
		{c.JSON, reports.WriteJSON},
		{c.JUnit, reports.WriteJUnit},
		{c.Markdown, markdownWithDiff(diff)},
		{c.HTML, html},
	}
	for _, o := range outputs {
		switch o.path {
		case "":
			continue
		case "-":
			toStdout = true
			var buf bytes.Buffer
			if err := o.render(&buf, res); err != nil {
				return err
			}
			if _, err := os.Stdout.Write(buf.Bytes()); err != nil {
				return err
			}
		default:
			if err := reports.WriteFile(o.path, res, o.render); err != nil {
				return err
			}
		}
	}
	if c.Dir != "" {
		if err := reports.WriteFiles(c.Dir, res); err != nil {
			return err
		}
	}
	wroteFiles := c.JSON != "" || c.JUnit != "" || c.Markdown != "" || c.HTML != "" || c.Dir != ""

	console := os.Stdout
	if toStdout {
		console = os.Stderr // stdout carries a rendered format
	}
	if diff != nil {
		reports.WriteDiff(console, *diff)
		switch {
		case !diff.Judged():
			return exitError{reports.ExitCouldNotJudge}
		case diff.Regressed():
			return exitError{exitFailed}
		}
		return nil
	}
	if !wroteFiles {
		reports.WriteConsole(console, res, reports.ConsoleOptions{
			Color:    colorWanted(console, c.NoColor),
			ShowCurl: c.ShowCurl,
			Verbose:  c.Verbose,
		})
	}
	return nil
}

// colorWanted decides whether the console gets colour: only on a terminal, and not with
// --no-color, a non-empty NO_COLOR or TERM=dumb.
func colorWanted(f *os.File, noColor bool) bool {
	if noColor || os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// markdownWithDiff renders summary.md, followed by the changes when comparing.
func markdownWithDiff(d *reports.Diff) reports.Renderer {
	return func(w io.Writer, r reports.Result) error {
		if err := reports.WriteMarkdown(w, r); err != nil {
			return err
		}
		if d == nil {
			return nil
		}
		if _, err := fmt.Fprintln(w); err != nil {
			return err
		}
		return reports.WriteDiffMarkdown(w, *d)
	}
}
