package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// write makes the files of a module tree under a temporary directory.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, src := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestCount(t *testing.T) {
	root := write(t, map[string]string{
		"p/p.go": `package p

type Code string

const (
	CodeA Code = "a" // typed
	CodeB            // typed, repeated
	Max   = 3        // untyped
)

const (
	KindX = Kind(iota + 1) // typed by conversion
	KindY
	Size = len("abcd") // untyped: a builtin
)

type Kind int

type Config struct {
	Name, Path string
	hidden     int
	Kind
}

var Default = Config{}

func New() *Config        { return nil }
func (c *Config) Method() {}
func helper()             {}

type unexported struct{ Field int }
`,
		"p/p_test.go":          "package p\n\nfunc TestOnly() {}\n",
		"p/internal/i/i.go":    "package i\n\nfunc Hidden() {}\n",
		"p/testdata/x/x.go":    "package x\n\nfunc Data() {}\n",
		"cmd/tool/main.go":     "package main\n\nfunc Exported() {}\n",
		"q/q.go":               "package q\n\nconst A, B = 1, 2\n",
		".hidden/h/h.go":       "package h\n\nfunc H() {}\n",
		"internal/root/r.go":   "package r\n\nfunc R() {}\n",
		"q/sub/sub.go":         "package sub\n\ntype T struct{ A int }\n",
		"q/sub/sub_windows.go": "package sub\n\nfunc W() {}\n",
	})
	res, err := count(root)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]counts{
		// Code, CodeA, CodeB, Max, KindX, KindY, Size, Kind, Config,
		// Default, New; fields Name, Path (the embedded Kind has no name).
		"p":     {top: 11, fields: 2, typedConsts: 4},
		"q":     {top: 2},
		"q/sub": {top: 2, fields: 1},
	}
	if len(res) != len(want) {
		t.Errorf("packages %v, want %d", res, len(want))
	}
	for k, w := range want {
		if got := res[k]; got == nil || *got != w {
			t.Errorf("%s: %+v, want %+v", k, got, w)
		}
	}
	if res["p"].surface() != 7 {
		t.Errorf("p surface %d, want 7", res["p"].surface())
	}

	var b strings.Builder
	render(&b, res)
	out := b.String()
	for _, line := range []string{"| p | 11 | 2 | 4 | 7 |", "| q/sub | 2 | 1 | 0 | 2 |", "| **total** | 15 | 3 | 4 | 11 |"} {
		if !strings.Contains(out, line+"\n") {
			t.Errorf("table lacks %q:\n%s", line, out)
		}
	}
}

func TestCountFailsOnBadSource(t *testing.T) {
	root := write(t, map[string]string{"p/p.go": "package p\n\nfunc {\n"})
	if _, err := count(root); err == nil {
		t.Error("a file that does not parse was counted")
	}
}
