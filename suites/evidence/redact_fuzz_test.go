package evidence

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzRedactor checks that no encoding of a random secret survives String, whatever
// text surrounds it, and that String never panics on arbitrary text.
func FuzzRedactor(f *testing.F) {
	for i, c := range canaries {
		f.Add(c, "client_secret=", "&x=1", uint64(i))
	}
	f.Add("abc", "", "", uint64(0))
	f.Add(`\\\`, `"\`, `\"`, uint64(7))
	f.Fuzz(func(t *testing.T, secret, before, after string, seed uint64) {
		if len(secret) < minSecret || !utf8.ValidString(secret) || strings.ContainsRune(secret, 0) ||
			strings.Contains(Redacted, secret) {
			return
		}
		var r Redactor
		r.Add(secret)
		_ = r.String(before + secret[:len(secret)/2] + after) // any text: no panic
		rng := rand.New(rand.NewPCG(seed, uint64(len(secret))))
		forms := []string{mixed(secret, rng)}
		for _, enc := range encoders {
			forms = append(forms, enc(secret))
		}
		for _, form := range forms {
			got := r.String(before + form + after)
			if strings.Contains(got, form) {
				t.Fatalf("secret %q: form %q survives in %q", secret, form, got)
			}
		}
	})
}
