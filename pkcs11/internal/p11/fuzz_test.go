package p11

import (
	"strings"
	"testing"
)

// FuzzParseConfig: any file either fails or gives a configuration whose
// PIN policy the file spelt out: the last try is allowed only by an
// explicit allow-last-try line, and some key is always offered.
func FuzzParseConfig(f *testing.F) {
	f.Add("reader = ACS\nallow-last-try = no\nkeys = auth sign\n")
	f.Add("allow-last-try = yes\n# comment\nkeys = sign\ncache-dir = /x\npin-helper = /bin/true\n")
	f.Add("keys = auth,sign\nsign-cert-cache = off\n")
	f.Fuzz(func(t *testing.T, s string) {
		cfg, err := ParseConfig(strings.NewReader(s))
		if err != nil {
			return
		}
		if cfg.AllowLastTry && !strings.Contains(s, "allow-last-try") {
			t.Fatalf("last try allowed by %q", s)
		}
		if !cfg.Auth && !cfg.Sign {
			t.Fatalf("no key offered by %q", s)
		}
		if cfg.PINHelper != "" && !strings.HasPrefix(cfg.PINHelper, "/") {
			t.Fatalf("relative PIN helper from %q", s)
		}
	})
}
