package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/internal/i18n"
)

// constValues parses the string constants declared in the Go files of dir
// (tests excluded) whose names match prefix: name -> value.
func constValues(t *testing.T, files []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	fset := token.NewFileSet()
	for _, f := range files {
		af, err := parser.ParseFile(fset, f, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range af.Decls {
			gd, ok := d.(*ast.GenDecl)
			if !ok || gd.Tok != token.CONST {
				continue
			}
			for _, s := range gd.Specs {
				vs := s.(*ast.ValueSpec)
				for i, n := range vs.Names {
					if i < len(vs.Values) {
						if bl, ok := vs.Values[i].(*ast.BasicLit); ok && bl.Kind == token.STRING {
							v, _ := strconv.Unquote(bl.Value)
							out[n.Name] = v
						}
					}
				}
			}
		}
	}
	return out
}

// sources returns the command's non-test Go files.
func sources(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range files {
		if !strings.HasSuffix(f, "_test.go") {
			out = append(out, f)
		}
	}
	return out
}

// TestMessageKeysInBothCatalogs checks that every message key the
// commands use — internal/i18n keys and the CLI's own — has an English
// and a Japanese text.
func TestMessageKeysInBothCatalogs(t *testing.T) {
	i18nFiles, err := filepath.Glob("../../internal/i18n/*.go")
	if err != nil {
		t.Fatal(err)
	}
	var keyFiles []string
	for _, f := range i18nFiles {
		if !strings.HasSuffix(f, "_test.go") {
			keyFiles = append(keyFiles, f)
		}
	}
	i18nKeys := constValues(t, keyFiles)
	catalogFiles, err := filepath.Glob("messages*.go")
	if err != nil {
		t.Fatal(err)
	}
	var localFiles []string
	for _, f := range catalogFiles {
		if !strings.HasSuffix(f, "_test.go") {
			localFiles = append(localFiles, f)
		}
	}
	local := constValues(t, localFiles)
	useI18n := regexp.MustCompile(`\bi18n\.([A-Z]\w*)`)
	useLocal := regexp.MustCompile(`\b(msg[A-Z]\w*)`)
	notKeys := map[string]bool{"New": true, "Printer": true, "Key": true, "Japanese": true, "English": true,
		"RevokedKey": true, "EligibilityKey": true, "Has": true, "Keys": true, "Detect": true}
	usedI18n, usedLocal := 0, 0
	for _, f := range sources(t) {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range useI18n.FindAllStringSubmatch(string(src), -1) {
			name := m[1]
			if notKeys[name] {
				continue
			}
			v, ok := i18nKeys[name]
			if !ok {
				t.Errorf("%s: i18n.%s is not a declared key", f, name)
				continue
			}
			usedI18n++
			for _, lang := range []string{i18n.English, i18n.Japanese} {
				if !i18n.Has(lang, i18n.Key(v)) {
					t.Errorf("%s: i18n.%s (%q) missing from the %s catalog", f, name, v, lang)
				}
			}
		}
		for _, m := range useLocal.FindAllStringSubmatch(string(src), -1) {
			if _, ok := local[m[1]]; !ok && m[1] != "msgKey" {
				t.Errorf("%s: %s is not a declared CLI message key", f, m[1])
			}
			usedLocal++
		}
	}
	if usedI18n == 0 || usedLocal == 0 {
		t.Fatalf("found %d i18n and %d CLI key uses: the scan is broken", usedI18n, usedLocal)
	}
	catalog := map[msgKey]bool{}
	for _, m := range append(cliMessages(), storeMessages()...) {
		if catalog[m.key] {
			t.Errorf("CLI message %s listed twice", m.key)
		}
		catalog[m.key] = true
		if strings.TrimSpace(m.en) == "" || strings.TrimSpace(m.ja) == "" {
			t.Errorf("CLI message %s lacks an English or a Japanese text", m.key)
		}
		if strings.Count(m.en, "%") != strings.Count(m.ja, "%") {
			t.Errorf("CLI message %s: English and Japanese take different verbs", m.key)
		}
	}
	for name, v := range local {
		if strings.HasPrefix(name, "msg") && !catalog[msgKey(v)] {
			t.Errorf("CLI key %s (%q) has no message", name, v)
		}
	}
	// Keys chosen at run time.
	for s := 1; s <= 6; s++ {
		k, ok := i18n.EligibilityKey(s)
		if !ok || !i18n.Has(i18n.Japanese, k) || !i18n.Has(i18n.English, k) {
			t.Errorf("eligibility status %d not in both catalogs", s)
		}
	}
	for _, r := range []string{"affiliationChanged", "superseded", "keyCompromise", "cACompromise", "cessationOfOperation", "certificateHold", "unspecified"} {
		k, ok := i18n.RevokedKey(r)
		if !ok || !i18n.Has(i18n.Japanese, k) || !i18n.Has(i18n.English, k) {
			t.Errorf("revocation reason %s not in both catalogs", r)
		}
	}
}

// TestSameText: only safe differences are folded when names and
// addresses are compared.
func TestSameText(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"東京都千代田区試験町１丁目２番３号", "東京都千代田区試験町1丁目2番3号", true},
		{"山田　太郎", "山田 太郎", true},
		{"ＡＢＣマンション１０１", "ABCマンション101", true},
		{"ａｂｃ", "abc", true},
		{"渡辺　花子", "渡邉　花子", false},
		{"東京都千代田区試験町１丁目２番３号", "東京都千代田区試験町１丁目２番４号", false},
		{"ｶﾀｶﾅ", "カタカナ", false},
	} {
		if got := sameText(c.a, c.b); got != c.same {
			t.Errorf("sameText(%q, %q) = %v, want %v", c.a, c.b, got, c.same)
		}
	}
}
