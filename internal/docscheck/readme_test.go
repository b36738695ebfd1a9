package docscheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// exampleRef matches a table cell such as `confirm.ExampleConfirmer_Qualify`
// or `reader/pcsc.Example`: a package directory and an Example function.
var exampleRef = regexp.MustCompile("`([a-z0-9/]+)\\.(Example[A-Za-z0-9_]*)`")

// goDevTable returns the README's "For Go developers" section.
func goDevTable(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "\n## For Go developers")
	if i < 0 {
		t.Fatal(`README.md has no "## For Go developers" section`)
	}
	s = s[i+1:]
	if j := strings.Index(s[3:], "\n## "); j >= 0 {
		s = s[:j+3]
	}
	return s
}

// examples returns the Example functions of the package in dir, each
// with whether its body ends with an "// Output:" comment (so that go test
// runs it and checks what it prints).
func examples(t *testing.T, dir string) map[string]bool {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "..", dir, "*_test.go"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no test files in %s (%v)", dir, err)
	}
	out := map[string]bool{}
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil || !strings.HasPrefix(fn.Name.Name, "Example") {
				continue
			}
			runs := false
			for _, cg := range f.Comments {
				if cg.Pos() > fn.Body.Lbrace && cg.End() <= fn.Body.Rbrace {
					for _, c := range cg.List {
						if strings.HasPrefix(c.Text, "// Output:") || strings.HasPrefix(c.Text, "// Unordered output:") {
							runs = true
						}
					}
				}
			}
			out[fn.Name.Name] = runs
		}
	}
	return out
}

// TestReadmeExamplesRun checks that every example the README's table
// names exists and, unless the row says it needs a reader, is checked by
// go test through its "// Output:".
func TestReadmeExamplesRun(t *testing.T) {
	table := goDevTable(t)
	rows := 0
	cache := map[string]map[string]bool{}
	for _, line := range strings.Split(table, "\n") {
		if !strings.HasPrefix(line, "| ") || strings.HasPrefix(line, "| Task") {
			continue
		}
		refs := exampleRef.FindAllStringSubmatch(line, -1)
		if len(refs) == 0 {
			t.Errorf("README row names no runnable example: %s", line)
			continue
		}
		rows++
		needsReader := strings.Contains(line, "needs a reader")
		ran := false
		for _, r := range refs {
			dir, name := r[1], r[2]
			ex, ok := cache[dir]
			if !ok {
				ex = examples(t, dir)
				cache[dir] = ex
			}
			runs, ok := ex[name]
			if !ok {
				t.Errorf("README names %s.%s, which does not exist", dir, name)
				continue
			}
			ran = ran || runs
		}
		if !ran && !needsReader {
			t.Errorf("README row has no example with // Output: (go test would not run it): %s", line)
		}
	}
	if rows < 10 {
		t.Errorf("README's Go developers table has %d task rows, want every main task (at least 10)", rows)
	}
}
