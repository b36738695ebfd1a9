// Command apisurface counts the exported identifiers of every public
// package under a directory (default "."), and prints them as one markdown
// table: a row per package, then the total.
//
// Columns:
//   - top-level: exported functions (not methods), types, variables and
//     constants;
//   - fields: exported fields of exported struct types;
//   - typed consts: the exported constants among top-level that have a
//     named type (declared with one, converted to one, or repeated in a
//     const block after one), that is, the values of a typed code family;
//   - surface: top-level without typed consts — funcs, types, vars and
//     untyped constants, the count a reader has to learn.
//
// Test files, package main, and directories named testdata or internal
// (below the root) or starting with "." are left out.
//
// Usage:
//
//	go run ./scripts/apisurface [DIR]
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// counts are one package's figures.
type counts struct {
	top, fields, typedConsts int
}

// surface is top-level without the typed constants.
func (c counts) surface() int { return c.top - c.typedConsts }

func main() {
	root := "."
	switch len(os.Args) {
	case 1:
	case 2:
		root = os.Args[1]
	default:
		fmt.Fprintln(os.Stderr, "usage: apisurface [DIR]")
		os.Exit(2)
	}
	res, err := count(root)
	if err != nil {
		fmt.Fprintln(os.Stderr, "apisurface:", err)
		os.Exit(1)
	}
	render(os.Stdout, res)
}

// count walks root and returns the figures of each package directory,
// keyed by its path relative to root (slash-separated).
func count(root string) (map[string]*counts, error) {
	res := make(map[string]*counts)
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			b := d.Name()
			if path != root && (b == "testdata" || b == "internal" || strings.HasPrefix(b, ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		if f.Name.Name == "main" {
			return nil
		}
		rel, err := filepath.Rel(root, filepath.Dir(path))
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		c := res[rel]
		if c == nil {
			c = &counts{}
			res[rel] = c
		}
		countFile(f, c)
		return nil
	})
	return res, err
}

// countFile adds f's exported declarations to c.
func countFile(f *ast.File, c *counts) {
	for _, d := range f.Decls {
		switch d := d.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil && d.Name.IsExported() {
				c.top++
			}
		case *ast.GenDecl:
			typed := false // the const block's implicit type so far
			for _, s := range d.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					if !s.Name.IsExported() {
						continue
					}
					c.top++
					if st, ok := s.Type.(*ast.StructType); ok {
						for _, fl := range st.Fields.List {
							for _, n := range fl.Names {
								if n.IsExported() {
									c.fields++
								}
							}
						}
					}
				case *ast.ValueSpec:
					if d.Tok == token.CONST {
						// A spec without values repeats the previous one,
						// type included.
						if s.Type != nil || len(s.Values) > 0 {
							typed = s.Type != nil || len(s.Values) > 0 && isConversion(s.Values[0])
						}
					}
					for _, n := range s.Names {
						if !n.IsExported() {
							continue
						}
						c.top++
						if d.Tok == token.CONST && typed {
							c.typedConsts++
						}
					}
				}
			}
		}
	}
}

// isConversion reports whether a constant's value expression is a
// conversion to a named type, T(x) or pkg.T(x): in a constant the only
// other calls are to builtins, whose results are untyped or basic.
func isConversion(e ast.Expr) bool {
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return false
	}
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		return !builtins[fn.Name]
	case *ast.SelectorExpr:
		return true
	case *ast.ParenExpr:
		return true
	}
	return false
}

// builtins are the predeclared names a constant expression can call with
// one argument that do not give a named type of the package: builtin
// functions and the basic types.
var builtins = map[string]bool{
	"len": true, "cap": true, "real": true, "imag": true, "min": true, "max": true,
	"bool": true, "string": true, "byte": true, "rune": true, "int": true, "int8": true,
	"int16": true, "int32": true, "int64": true, "uint": true, "uint8": true, "uint16": true,
	"uint32": true, "uint64": true, "uintptr": true, "float32": true, "float64": true,
	"complex64": true, "complex128": true,
}

// render prints res as a markdown table, packages sorted, then the total.
func render(w io.Writer, res map[string]*counts) {
	keys := make([]string, 0, len(res))
	for k := range res {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	fmt.Fprintln(w, "| package | exported top-level | exported struct fields | typed consts | surface (top-level − typed consts) |")
	fmt.Fprintln(w, "|---|---:|---:|---:|---:|")
	var total counts
	for _, k := range keys {
		c := res[k]
		fmt.Fprintf(w, "| %s | %d | %d | %d | %d |\n", k, c.top, c.fields, c.typedConsts, c.surface())
		total.top += c.top
		total.fields += c.fields
		total.typedConsts += c.typedConsts
	}
	fmt.Fprintf(w, "| **total** | %d | %d | %d | %d |\n", total.top, total.fields, total.typedConsts, total.surface())
}
