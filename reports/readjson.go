package reports

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/apiops/apiops-conformance/suites/catalog"
)

// MaxJSONSize is the largest conformance.json ReadJSON reads: 64 MiB, far above any real
// result (a full run writes well under 1 MiB), low enough to bound memory.
const MaxJSONSize = 64 << 20

// ReadJSON reads a result written as conformance.json, of schema version 1 or 2. A
// version 1 file is read as version 2 would say it: "skipped" checks are not judged, their
// message the reason. The summary is computed again from the checks. A file larger than
// MaxJSONSize (or a stream that does not end within it, such as /dev/zero) fails without
// being read whole.
func ReadJSON(path string) (Result, error) {
	f, err := os.Open(path)
	if err != nil {
		return Result{}, fmt.Errorf("reports: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxJSONSize {
		return Result{}, fmt.Errorf("reports: %s is %d MiB, larger than the %d MiB a conformance.json may be", path, fi.Size()>>20, MaxJSONSize>>20)
	}
	r, err := decodeResult(f, MaxJSONSize)
	if err != nil {
		return Result{}, fmt.Errorf("reports: %s %w", path, err)
	}
	return r, nil
}

// decodeResult decodes one result from rd, reading at most limit+1 bytes of it. Errors
// read after the file's path: "is not a conformance.json result: …".
func decodeResult(rd io.Reader, limit int64) (Result, error) {
	var r Result
	lr := &io.LimitedReader{R: rd, N: limit + 1}
	err := json.NewDecoder(lr).Decode(&r)
	if lr.N <= 0 {
		return Result{}, fmt.Errorf("is larger than the %d MiB a conformance.json may be", MaxJSONSize>>20)
	}
	if err != nil {
		if errors.Is(err, io.EOF) {
			err = errors.New("the file is empty")
		}
		return Result{}, fmt.Errorf("is not a conformance.json result: %w", err)
	}
	if r.Tool.Name == "" || r.Checks == nil {
		return Result{}, errors.New("is not a conformance.json result: no tool or checks")
	}
	if r.SchemaVersion > SchemaVersion {
		return Result{}, fmt.Errorf("has schema_version %d; this version reads up to %d", r.SchemaVersion, SchemaVersion)
	}
	return upgrade(r), nil
}

// upgrade brings a result read from a file to the current schema: statuses of version 1
// mapped, an unknown status read as not judged, run status and strict scope filled in,
// the summary counted again.
func upgrade(r Result) Result {
	if r.SchemaVersion < SchemaVersion {
		if r.Strict && r.StrictScope == catalog.ScopeOff {
			r.StrictScope = catalog.ScopeAll
		}
		r.SchemaVersion = SchemaVersion
	}
	switch r.Run.Status {
	case "":
		r.Run.Status = RunComplete
	case RunComplete, RunCouldNotJudge, RunInterrupted:
	default: // a run whose end this version cannot read judged nothing it can vouch for
		r.Run = RunStatus{Status: RunCouldNotJudge, Reason: fmt.Sprintf("conformance.json gives the unknown run status %q", r.Run.Status)}
	}
	for i := range r.Checks {
		c := &r.Checks[i]
		switch c.Status {
		case Passed, Failed, NotJudged, Blocked, NotApplicable:
		case Skipped:
			c.Status = NotJudged
			if c.Reason == "" {
				c.Reason, c.Message = c.Message, ""
			}
		default:
			if c.Reason == "" {
				c.Reason = fmt.Sprintf("conformance.json gives the unknown status %q", c.Status)
			}
			c.Status = NotJudged
		}
		if c.Status != Failed {
			c.Gating = false
		}
	}
	r.Summary = Summarize(r.Checks)
	return r
}
