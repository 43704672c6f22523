package reports

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// FuzzReadJSON feeds `apiops-conformance report --from` a file that may be hand-edited,
// truncated or hostile: reading it either fails with an error or gives a result that
// every renderer can write, without a panic.
func FuzzReadJSON(f *testing.F) {
	sample, err := os.ReadFile(filepath.Join("testdata", "sample.json"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sample)
	f.Add([]byte(`{"tool":{"name":"x"},"checks":[]}`))
	f.Add([]byte(`{"tool":{"name":"x"},"checks":[{"id":"<script>","status":"failed","evidence":[{"request":{"url":"%zz"},"response":{"status":-1,"header":{"Authorization":["Bearer t"]}}}]}]}`))
	f.Add([]byte(`{"tool":{"name":"x"},"checks":null}`))
	f.Add([]byte(`{"schema_version":1,"tool":{"name":"x"},"strict":true,"checks":[{"id":"A","level":"MUST","status":"skipped","message":"why"}]}`))
	f.Add([]byte(`{"schema_version":2,"tool":{"name":"x"},"run":{"status":"could_not_judge","reason":"[31mred"},"footprint":{"accounts":[{}]},"checks":[{"status":"blocked","title":"]0;x"}]}`))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "conformance.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		r, err := ReadJSON(path)
		if err != nil {
			return
		}
		d := Compare(r, r)
		for _, render := range []Renderer{WriteJSON, WriteJUnit, WriteMarkdown, WriteHTML, HTMLWithDiff(d)} {
			if err := render(io.Discard, r); err != nil {
				t.Fatalf("rendering a result ReadJSON accepted: %v", err)
			}
		}
		var out bytes.Buffer
		WriteConsole(&out, r, ConsoleOptions{ShowCurl: true, Verbose: true})
		WriteDiff(&out, d)
		if bytes.Contains(out.Bytes(), []byte("\x1b")) {
			t.Fatal("the console shows an escape character of the input")
		}
	})
}
