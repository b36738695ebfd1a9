package store_test

import (
	"strings"
	"unicode/utf8"

	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/internal/storetest"
)

// The shared fixtures, under the names the tests of this package use.
const testIssuer = storetest.TestIssuer

var (
	csvFields        = storetest.CSVFields
	csvLine          = storetest.CSVLine
	csvFile          = storetest.CSVFile
	bigFile          = storetest.BigFile
	day              = storetest.Day
	mustDate         = storetest.MustDate
	dateText         = storetest.DateText
	sampleAttributes = storetest.SampleAttributes
	sampleEnrolment  = storetest.SampleEnrolment
	sampleRecord     = storetest.SampleRecord
	chainSeal        = storetest.ChainSeal
	rawExec          = storetest.RawExec
	countRows        = storetest.CountRows
)

// maxLineBytes is the longest line an eligibility file may have.
const maxLineBytes = store.MaxLineBytes

// allZeroFlags is the stored substitute flags of text with no substitute
// character, from a non-nil empty list: one '0' per character.
func allZeroFlags(text string) string {
	return strings.Repeat("0", utf8.RuneCountInString(text))
}
