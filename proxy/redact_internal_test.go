package proxy

import (
	"fmt"
	"strings"
	"testing"

	"github.com/apiops/apiops-conformance/suites/wire"
)

func TestRedactorIsBounded(t *testing.T) {
	r := newRedactor()
	for i := range maxSecrets + 100 {
		r.Add(fmt.Sprintf("token-%04d-secret", i))
	}
	if n := len(r.secrets); n > maxSecrets {
		t.Fatalf("%d secrets remembered, want at most %d", n, maxSecrets)
	}
	last := fmt.Sprintf("token-%04d-secret", maxSecrets+99)
	if got := r.String("a " + last + " b"); strings.Contains(got, last) {
		t.Errorf("the newest secret is not redacted: %q", got)
	}
	// Forgotten or not, a secret-carrying field is always redacted.
	if got := r.String("client_secret=token-0000-secret&x=1"); strings.Contains(got, "token-0000") {
		t.Errorf("a client_secret field is not redacted: %q", got)
	}
}

func TestHeaderLine(t *testing.T) {
	p := &Proxy{red: newRedactor()}
	p.red.Add("hunter22")
	line := p.headerLine([]wire.Violation{
		{Rule: "CLIENT-FORM-001", Message: "line one\nline two ü … hunter22"},
		{Rule: "TOKEN-SPEC-001", Message: strings.Repeat("x", 5000)},
	})
	if len(line) > maxHeaderLine || strings.Contains(line, "hunter22") {
		t.Fatalf("line %q: too long or unredacted", line)
	}
	for _, c := range []byte(line) {
		if c < ' ' || c > '~' {
			t.Fatalf("line %q: byte %q is not printable ASCII", line, c)
		}
	}
	if !strings.HasPrefix(line, "CLIENT-FORM-001: line one line two ? ... [REDACTED]; TOKEN-SPEC-001: xxx") {
		t.Errorf("line %q", line)
	}
}
