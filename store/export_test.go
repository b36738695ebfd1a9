package store

// MaxLineBytes is the longest line an eligibility file may have, for the
// tests of the import.
const MaxLineBytes = maxLineBytes
