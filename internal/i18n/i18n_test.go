package i18n

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// declaredKeys parses keys.go and returns the value of every Key constant,
// so a key declared but missing from a catalog is caught.
func declaredKeys(t *testing.T) map[Key]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "keys.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	keys := map[Key]string{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for i, name := range vs.Names {
				lit, ok := vs.Values[i].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				v, _ := strconv.Unquote(lit.Value)
				if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "Key" {
					keys[Key(v)] = name.Name
				}
			}
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found only %d Key constants in keys.go", len(keys))
	}
	return keys
}

func index(t *testing.T, lang string, entries []entry) map[Key]entry {
	t.Helper()
	m := map[Key]entry{}
	for _, e := range entries {
		if _, dup := m[e.key]; dup {
			t.Errorf("%s: key %q defined twice", lang, e.key)
		}
		m[e.key] = e
	}
	return m
}

func TestEveryKeyInBothCatalogs(t *testing.T) {
	declared := declaredKeys(t)
	cats := map[string]map[Key]entry{
		English:  index(t, English, englishEntries()),
		Japanese: index(t, Japanese, japaneseEntries()),
	}
	for lang, cat := range cats {
		for k, name := range declared {
			if _, ok := cat[k]; !ok {
				t.Errorf("%s catalog lacks %s (%q)", lang, name, k)
			}
		}
		for k := range cat {
			if _, ok := declared[k]; !ok {
				t.Errorf("%s catalog has %q, which keys.go does not declare", lang, k)
			}
		}
	}
	if got, want := len(Keys()), len(declared); got != want {
		t.Errorf("Keys() has %d keys, keys.go declares %d", got, want)
	}
}

// verbs returns the fmt verbs of format by argument index (0-based),
// following fmt's rules for explicit indexes [n].
func verbs(t *testing.T, format string) map[int]rune {
	t.Helper()
	out := map[int]rune{}
	arg := 0
	for i := 0; i < len(format); i++ {
		if format[i] != '%' {
			continue
		}
		i++
		if i < len(format) && format[i] == '%' {
			continue
		}
		for i < len(format) && strings.IndexByte("+-# 0123456789.", format[i]) >= 0 {
			i++
		}
		if i < len(format) && format[i] == '[' {
			end := strings.IndexByte(format[i:], ']')
			n, err := strconv.Atoi(format[i+1 : i+end])
			if end < 0 || err != nil || n < 1 {
				t.Fatalf("bad argument index in %q", format)
			}
			arg = n - 1
			i += end + 1
		}
		if i >= len(format) {
			t.Fatalf("dangling %% in %q", format)
		}
		r, size := utf8.DecodeRuneInString(format[i:])
		i += size - 1
		if prev, ok := out[arg]; ok && prev != r {
			t.Fatalf("argument %d used as %%%c and %%%c in %q", arg+1, prev, r, format)
		}
		out[arg] = r
		arg++
	}
	return out
}

func TestVerbsMatch(t *testing.T) {
	ja := index(t, Japanese, japaneseEntries())
	for _, en := range englishEntries() {
		want := verbs(t, en.msg)
		if en.pluralArg > 0 {
			if got := verbs(t, en.one); !maps.Equal(got, want) {
				t.Errorf("%s: singular verbs %v differ from plural %v", en.key, got, want)
			}
			if want[en.pluralArg-1] != 'd' {
				t.Errorf("%s: plural argument %d is not a %%d", en.key, en.pluralArg)
			}
		}
		j, ok := ja[en.key]
		if !ok {
			continue // reported by TestEveryKeyInBothCatalogs
		}
		if got := verbs(t, j.msg); !maps.Equal(got, want) {
			t.Errorf("%s: Japanese verbs %v, English %v\n  en %q\n  ja %q", en.key, got, want, en.msg, j.msg)
		}
	}
}

// sampleArgs makes arguments that fit the verbs of format.
func sampleArgs(t *testing.T, format string) []any {
	v := verbs(t, format)
	args := make([]any, len(v))
	for i := range args {
		switch v[i] {
		case 'd':
			args[i] = 3
		default:
			args[i] = "ARG" + strconv.Itoa(i+1)
		}
	}
	return args
}

// TestRenders formats every message in both languages and checks that the
// catalog, not the fallback to the key, produced it, with every argument.
func TestRenders(t *testing.T) {
	for _, lang := range []string{English, Japanese} {
		p := New(lang)
		for _, e := range englishEntries() {
			args := sampleArgs(t, e.msg)
			got := p.Sprintf(e.key, args...)
			if got == string(e.key) || strings.Contains(got, "%!") {
				t.Errorf("%s %s: %q", lang, e.key, got)
			}
			for _, a := range args {
				if s, ok := a.(string); ok && !strings.Contains(got, s) {
					t.Errorf("%s %s: argument %q missing from %q", lang, e.key, s, got)
				}
			}
			if lang == Japanese && got == New(English).Sprintf(e.key, args...) && utf8.RuneCountInString(got) > 2 {
				t.Errorf("%s: Japanese rendering equals English: %q", e.key, got)
			}
		}
	}
}

// TestStyle keeps the catalogs consistent with the CLI's output rules.
func TestStyle(t *testing.T) {
	for _, e := range englishEntries() {
		for _, m := range []string{e.msg, e.one} {
			if strings.HasSuffix(m, ".") || strings.HasSuffix(m, ":") {
				t.Errorf("en %s ends in punctuation: %q", e.key, m)
			}
		}
	}
	for _, e := range japaneseEntries() {
		if strings.HasSuffix(e.msg, "。") {
			t.Errorf("ja %s ends in 。: %q", e.key, e.msg)
		}
		if strings.ContainsAny(e.msg, "()") {
			t.Errorf("ja %s uses half-width parentheses: %q", e.key, e.msg)
		}
	}
}

func TestPlural(t *testing.T) {
	p := New(English)
	for n, want := range map[int]string{
		1: "wrong signing password: 1 try left",
		2: "wrong signing password: 2 tries left",
		0: "wrong signing password: 0 tries left",
	} {
		if got := p.Sprintf(ErrWrongPIN, p.Sprintf(LabelSigningPassword), n); got != want {
			t.Errorf("n=%d: %q, want %q", n, got, want)
		}
	}
	ja := New(Japanese)
	if got, want := ja.Sprintf(PromptSigningPassword, 3), "署名用電子証明書のパスワードを入力してください（残り3回）"; got != want {
		t.Errorf("ja prompt %q, want %q", got, want)
	}
}

func TestDetect(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{}, English},
		{map[string]string{"LANG": "ja_JP.UTF-8"}, Japanese},
		{map[string]string{"LANG": "ja_JP.eucJP"}, Japanese},
		{map[string]string{"LANG": "ja"}, Japanese},
		{map[string]string{"LANG": "en_US.UTF-8"}, English},
		{map[string]string{"LANG": "C.UTF-8"}, English},
		{map[string]string{"LANG": "jax"}, English},
		{map[string]string{"LC_MESSAGES": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, Japanese},
		{map[string]string{"LC_ALL": "C", "LC_MESSAGES": "ja_JP.UTF-8", "LANG": "ja_JP.UTF-8"}, English},
		{map[string]string{"LC_ALL": "ja_JP.UTF-8", "LANG": "en_US.UTF-8"}, Japanese},
		{map[string]string{"LC_ALL": "", "LANG": "ja_JP.UTF-8"}, Japanese},
		{map[string]string{"LANG": "POSIX"}, English},
	}
	for _, tt := range tests {
		got := Detect(func(k string) string { return tt.env[k] })
		if got != tt.want {
			t.Errorf("Detect(%v) = %q, want %q", tt.env, got, tt.want)
		}
	}
}

func TestNewLang(t *testing.T) {
	for in, want := range map[string]string{"ja": Japanese, "JA": Japanese, "ja-JP": Japanese, "ja_JP.UTF-8": Japanese, "en": English, "fr": English} {
		if got := New(in).Lang(); got != want {
			t.Errorf("New(%q).Lang() = %q, want %q", in, got, want)
		}
	}
	t.Setenv("LC_ALL", "")
	t.Setenv("LC_MESSAGES", "")
	t.Setenv("LANG", "ja_JP.UTF-8")
	if got := New("").Lang(); got != Japanese {
		t.Errorf(`New("") with LANG=ja_JP.UTF-8 = %q`, got)
	}
	t.Setenv("LC_ALL", "C")
	if got := New("").Lang(); got != English {
		t.Errorf(`New("") with LC_ALL=C = %q`, got)
	}
}

func TestRevokedKey(t *testing.T) {
	for _, r := range []string{"affiliationChanged", "superseded", "keyCompromise", "cACompromise", "cessationOfOperation", "certificateHold", "unspecified"} {
		k, ok := RevokedKey(r)
		if !ok || !strings.HasSuffix(string(k), "."+r) {
			t.Errorf("RevokedKey(%q) = %q, %v", r, k, ok)
		}
	}
	if k, ok := RevokedKey("removeFromCRL"); ok || k != RevokedUnspecified {
		t.Errorf("RevokedKey(removeFromCRL) = %q, %v", k, ok)
	}
	ja := New(Japanese).Sprintf(RevokedAffiliationChanged)
	if !strings.Contains(ja, "異動") || !strings.Contains(ja, "本人確認") {
		t.Errorf("affiliationChanged in Japanese: %q", ja)
	}
}

func TestEligibilityKey(t *testing.T) {
	seen := map[Key]bool{}
	for s := 1; s <= 6; s++ {
		k, ok := EligibilityKey(s)
		if !ok || !strings.HasPrefix(string(k), fmt.Sprintf("eligibility.%d.", s)) || seen[k] {
			t.Errorf("EligibilityKey(%d) = %q, %v", s, k, ok)
		}
		seen[k] = true
	}
	for _, s := range []int{0, 7, -1} {
		if _, ok := EligibilityKey(s); ok {
			t.Errorf("EligibilityKey(%d) ok", s)
		}
	}
}

func TestKeysOrder(t *testing.T) {
	keys := Keys()
	if !slices.Contains(keys, PromptSigningPassword) || !slices.Contains(keys, SubstituteInName) {
		t.Fatal("Keys() misses core messages")
	}
}
