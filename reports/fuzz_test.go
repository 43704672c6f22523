package reports

import (
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
		for _, render := range []Renderer{WriteJSON, WriteJUnit, WriteMarkdown, WriteHTML} {
			if err := render(io.Discard, r); err != nil {
				t.Fatalf("rendering a result ReadJSON accepted: %v", err)
			}
		}
		WriteConsole(io.Discard, r)
		WriteDiff(io.Discard, Compare(r, r))
	})
}
