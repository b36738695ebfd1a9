package i18n

// Has reports whether the catalog of lang ("ja" or "en") holds a message
// for k, without falling back to English. The CLI's tests use it to check
// that every key a command uses is translated.
func Has(lang string, k Key) bool {
	entries := englishEntries()
	if normalize(lang) == Japanese {
		entries = japaneseEntries()
	}
	for _, e := range entries {
		if e.key == k {
			return true
		}
	}
	return false
}
