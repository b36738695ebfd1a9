package i18n

import (
	"fmt"
	"os"
	"strings"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"
)

// Language codes New accepts and Printer.Lang returns.
const (
	English  = "en"
	Japanese = "ja"
)

// localeVars are the environment variables consulted, first non-empty
// wins, as POSIX setlocale does for LC_MESSAGES.
func localeVars() []string { return []string{"LC_ALL", "LC_MESSAGES", "LANG"} }

// entry is one message of a catalog file.
type entry struct {
	key Key
	msg string
	// one is the English singular form, used when argument pluralArg
	// (1-based) is 1; pluralArg 0 means the message has no plural.
	one       string
	pluralArg int
}

func text(k Key, msg string) entry { return entry{key: k, msg: msg} }

func counted(k Key, arg int, one, other string) entry {
	return entry{key: k, msg: other, one: one, pluralArg: arg}
}

// builtCatalog is the only package-level state: built once from the
// catalog files and never changed afterwards.
var builtCatalog = mustBuild() //nolint:gochecknoglobals // immutable after init

func catalogs() map[language.Tag][]entry {
	return map[language.Tag][]entry{
		language.English:  englishEntries(),
		language.Japanese: japaneseEntries(),
	}
}

func mustBuild() catalog.Catalog {
	c, err := build()
	if err != nil {
		panic(err) // a catalog file is malformed: caught by the tests
	}
	return c
}

func build() (catalog.Catalog, error) {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for tag, entries := range catalogs() {
		for _, e := range entries {
			var err error
			if e.pluralArg > 0 {
				err = b.Set(tag, string(e.key), plural.Selectf(e.pluralArg, "%d", "=1", e.one, "other", e.msg))
			} else {
				err = b.SetString(tag, string(e.key), e.msg)
			}
			if err != nil {
				return nil, fmt.Errorf("building %v catalog, key %s: %w", tag, e.key, err)
			}
		}
	}
	return b, nil
}

// Printer formats messages in one language. It is safe for concurrent
// use.
type Printer struct {
	lang string
	p    *message.Printer
}

// New returns a Printer for lang: "ja" or "en" (a locale name such as
// "ja_JP.UTF-8" is accepted too); "" detects the language from LC_ALL,
// LC_MESSAGES and LANG, in that order. Anything not Japanese is English.
func New(lang string) *Printer {
	if lang == "" {
		lang = Detect(os.Getenv)
	}
	lang = normalize(lang)
	tag := language.English
	if lang == Japanese {
		tag = language.Japanese
	}
	return &Printer{lang: lang, p: message.NewPrinter(tag, message.Catalog(builtCatalog))}
}

// Detect returns "ja" or "en" from the locale environment read through
// getenv: the first non-empty of LC_ALL, LC_MESSAGES and LANG decides
// (so LC_ALL=C gives English even with LANG=ja_JP.UTF-8).
func Detect(getenv func(string) string) string {
	for _, v := range localeVars() {
		if s := getenv(v); s != "" {
			return normalize(s)
		}
	}
	return English
}

// normalize maps a language or locale name to "ja" or "en":
// "ja", "ja_JP", "ja_JP.UTF-8", "ja-JP", "ja_JP@x" are Japanese.
func normalize(s string) string {
	s = strings.ToLower(s)
	if i := strings.IndexAny(s, "_-.@"); i >= 0 {
		s = s[:i]
	}
	if s == Japanese {
		return Japanese
	}
	return English
}

// Lang returns "ja" or "en".
func (p *Printer) Lang() string { return p.lang }

// Sprintf formats the message key in the Printer's language with args.
func (p *Printer) Sprintf(key Key, args ...any) string {
	return p.p.Sprintf(string(key), args...)
}

// Keys returns every message key, in the English catalog's order.
func Keys() []Key {
	es := englishEntries()
	keys := make([]Key, len(es))
	for i, e := range es {
		keys[i] = e.key
	}
	return keys
}
