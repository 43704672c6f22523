package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// The file names WriteFiles writes in its directory.
const (
	JSONFile     = "conformance.json"
	JUnitFile    = "junit.xml"
	MarkdownFile = "summary.md"
	HTMLFile     = "report.html"
)

// Renderer writes one format of a result.
type Renderer func(w io.Writer, r Result) error

// WriteFiles creates dir if needed and writes every file format of r into it:
// conformance.json, junit.xml, summary.md and report.html. Each file is written to a
// temporary file in dir and renamed into place, so a reader never sees half a report.
// It writes every format it can and returns the errors joined, each naming its file.
func WriteFiles(dir string, r Result) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("reports: create report directory: %w", err)
	}
	var errs []error
	for _, f := range []struct {
		name   string
		render Renderer
	}{
		{JSONFile, WriteJSON},
		{JUnitFile, WriteJUnit},
		{MarkdownFile, WriteMarkdown},
		{HTMLFile, WriteHTML},
	} {
		if err := WriteFile(filepath.Join(dir, f.name), r, f.render); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WriteFile renders r with render into the file at path, atomically: the output goes to a
// temporary file next to path, which is renamed over path once complete. Errors name path.
func WriteFile(path string, r Result, render Renderer) error {
	var buf bytes.Buffer
	if err := render(&buf, r); err != nil {
		return fmt.Errorf("reports: render %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := tmp.Write(buf.Bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("reports: write %s: %w", path, err)
	}
	return nil
}

// WriteJSON writes r as conformance.json: indented, fields in the struct's (stable) order,
// checks in catalog order, no HTML escaping of '<', '>' and '&' (the file is not HTML).
func WriteJSON(w io.Writer, r Result) error {
	r = sanitize(r)
	if r.Checks == nil {
		r.Checks = []Check{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}
