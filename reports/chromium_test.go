package reports

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromium is Debian's headless-capable browser; the test that needs it is skipped without it.
const chromium = "/usr/bin/chromium"

// chromiumFlags keep a headless run offline and self-contained.
func chromiumFlags(profile string) []string {
	return []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + profile}
}

// TestHTMLInChromium loads report.html in a real browser and checks what a person sees:
// the verdict, and failures listed before anything else.
func TestHTMLInChromium(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: no browser")
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not installed (apt-get install chromium)", chromium)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, HTMLFile)
	if err := WriteFile(page, sampleResult(), WriteHTML); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	args := append(chromiumFlags(filepath.Join(dir, "profile")), "--dump-dom", "file://"+page)
	cmd := exec.CommandContext(ctx, chromium, args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.Bytes())
	}
	doc, err := html.Parse(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	v := byID(doc, "verdict")
	if v == nil || !strings.HasPrefix(text(v), "NOT CONFORMANT") {
		t.Fatalf("the browser shows no NOT CONFORMANT verdict; DOM:\n%s", out)
	}
	var statuses []string
	walk(doc, func(n *html.Node) {
		if st, ok := attr(n, "data-status"); ok && n.Data == "article" {
			statuses = append(statuses, st)
		}
	})
	if len(statuses) != len(sampleResult().Checks) || statuses[0] != "failed" {
		t.Errorf("checks in the browser: %v, want all of them, failures first", statuses)
	}
	for _, want := range []string{"Rejects a JSON body with 400 <invalid_request>", "Request sent", "Not judged: needs a token lifetime", "Blocked by BEARER-USE-001", "Reproduce with curl"} {
		if !strings.Contains(text(doc), want) {
			t.Errorf("the page does not show %q", want)
		}
	}
}
