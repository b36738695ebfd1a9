package main

import (
	"strings"
	"testing"

	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/store"
)

// TestImportColumnWords: every column of the eligibility file has a name
// and a rule in both languages, so no bad field is reported by its key.
func TestImportColumnWords(t *testing.T) {
	for _, lang := range []string{i18n.English, i18n.Japanese} {
		g := &globals{p: i18n.New(lang)}
		for _, col := range strings.Split(store.EligibilityCSVHeader, ",") {
			for _, k := range []string{"cli.import.col." + col, "cli.import.rule." + col} {
				if got := g.tr(msgKey(k)); got == k || got == "" {
					t.Errorf("%s: %s has no text", lang, k)
				}
			}
		}
	}
}
