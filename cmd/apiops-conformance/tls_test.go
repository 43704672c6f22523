package main

import (
	"encoding/pem"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/apiops/apiops-conformance/mockserver"
)

// TLS is verified by default; --ca-cert trusts a private CA; --insecure skips the check
// and says so loudly.
func TestTLS(t *testing.T) {
	t.Parallel()
	srv := httptest.NewTLSServer(mockserver.New(mockserver.Config{Control: true}))
	defer srv.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"run", "--base-url", srv.URL, "--client-id", "alice", "--client-secret", "alice-secret",
		"--timeout", "2s", "--label-filter", "form || success"}

	unverified := runBinary(t, 30*time.Second, nil, append(base, "--report-dir", t.TempDir())...)
	if unverified.code != 3 || !strings.Contains(unverified.stdout, "--ca-cert") {
		t.Errorf("untrusted certificate: exit %d, want 3 (could not judge) naming --ca-cert\n%s", unverified.code, unverified.stdout)
	}
	trusted := runBinary(t, 30*time.Second, nil, append(base, "--ca-cert", ca)...)
	if trusted.code != 0 {
		t.Errorf("--ca-cert: exit %d, want 0\n%s", trusted.code, trusted.stdout)
	}
	insecure := runBinary(t, 30*time.Second, nil, append(base, "--insecure")...)
	if insecure.code != 0 || !strings.Contains(insecure.stderr, "WARNING") {
		t.Errorf("--insecure: exit %d, stderr %q; want 0 and a warning", insecure.code, insecure.stderr)
	}
	notPEM := filepath.Join(t.TempDir(), "empty.pem")
	_ = os.WriteFile(notPEM, []byte("nothing"), 0o600)
	if o := runBinary(t, 30*time.Second, nil, append(base, "--ca-cert", notPEM)...); o.code != 2 {
		t.Errorf("--ca-cert without PEM: exit %d, want 2", o.code)
	}
}
