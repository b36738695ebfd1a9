package store

import (
	"bufio"
	"cmp"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// EligibilityCSVHeader is the header row an eligibility CSV file starts
// with. The file is UTF-8, with or without a byte-order mark, comma
// separated with RFC 4180 quoting; the columns may come in any order but
// each must be present exactly once and no other column is allowed. Each
// following row is one qualification:
//
//	issuer            authentication certificate issuer (required): its DN as
//	                  crypto/x509 writes it or in the certificate's own order
//	                  (see CanonicalIssuer), or keyid:HEX, its key identifier
//	serial            its serial in hex digits, 1–40 (any case; stored canonical)
//	insurer_number    保険者番号: 8 digits, or 6 for national health insurance
//	symbol            記号: up to 38 characters, may be empty
//	number            番号: 1–38 characters
//	branch            枝番: exactly 2 digits
//	name              1–100 characters
//	name_kana         full-width katakana (spaces, ー and ・ allowed), may be empty
//	birth_date        date
//	sex               1 male, 2 female
//	qualified_from    date the qualification starts
//	qualified_until   last day of the qualification, empty when open-ended
//	card_valid_until  the insurance card's validity, may be empty
//	copay_percent     10, 20 or 30
//	registered        1 when the holder registered the card for insurance use, else 0
//
// Dates are YYYY-MM-DD or YYYYMMDD. Text may not contain control
// characters (a quoted line break is refused).
const EligibilityCSVHeader = "issuer,serial,insurer_number,symbol,number,branch,name,name_kana," +
	"birth_date,sex,qualified_from,qualified_until,card_valid_until,copay_percent,registered"

// Column positions in EligibilityCSVHeader.
const (
	colIssuer = iota
	colSerial
	colInsurerNumber
	colSymbol
	colNumber
	colBranch
	colName
	colNameKana
	colBirthDate
	colSex
	colQualifiedFrom
	colQualifiedUntil
	colCardValidUntil
	colCopayPercent
	colRegistered
	numColumns
)

// Field limits of the CSV format.
const (
	maxIssuerBytes = 1024
	maxSerialHex   = 2 * maxSerialBytes
	maxSymbolRunes = 38
	maxNumberRunes = 38
	maxNameRunes   = 100
	// minYear is the first year a date may carry (明治 1 = 1868).
	minYear = 1868
)

// utf8BOM is the byte-order mark some spreadsheet programs put first.
const utf8BOM = "\xEF\xBB\xBF"

// maxLineBytes bounds one line of the file, so a file without line breaks
// cannot exhaust memory.
const maxLineBytes = 64 << 10

// csvRow is one validated data row.
type csvRow struct {
	line int
	e    Eligibility
}

// csvReader reads and validates an eligibility CSV file row by row,
// collecting errors. It holds one row at a time.
type csvReader struct {
	r       *csv.Reader
	lines   *lineLimiter
	names   []string
	parsers [numColumns]fieldParser
	// ioErr is a failure to read the input (not a bad file); the import
	// returns it as is.
	ioErr error
	// pos maps a column number of EligibilityCSVHeader to its index in the
	// file.
	pos  [numColumns]int
	errs ImportErrors
}

// newCSVReader reads the header. A bad header is reported as *ImportErrors.
func newCSVReader(in io.Reader) (*csvReader, error) {
	br := bufio.NewReader(in)
	if head, err := br.Peek(len(utf8BOM)); err == nil && string(head) == utf8BOM {
		if _, err := br.Discard(len(utf8BOM)); err != nil {
			return nil, fmt.Errorf("reading eligibility csv: %w", err)
		}
	}
	c := &csvReader{names: strings.Split(EligibilityCSVHeader, ","), parsers: fieldParsers()}
	c.lines = &lineLimiter{r: br, line: 1}
	c.r = csv.NewReader(c.lines)
	c.r.ReuseRecord = true
	header, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		c.add(1, "", "empty file: the header row is missing")
		return nil, &c.errs
	}
	if err != nil {
		if c.addParseError(err); c.ioErr != nil {
			return nil, fmt.Errorf("reading eligibility csv: %w", c.ioErr)
		}
		return nil, &c.errs
	}
	for i := range c.pos {
		c.pos[i] = -1
	}
	for i, h := range header {
		k := c.column(h)
		switch {
		case k < 0:
			c.add(1, h, fmt.Sprintf("unknown column (the header is %s)", EligibilityCSVHeader))
		case c.pos[k] >= 0:
			c.add(1, h, "column appears twice")
		default:
			c.pos[k] = i
		}
	}
	for k, p := range c.pos {
		if p < 0 {
			c.add(1, c.names[k], "column missing from the header")
		}
	}
	if len(c.errs.Errors) > 0 {
		return nil, &c.errs
	}
	c.r.FieldsPerRecord = len(header)
	return c, nil
}

func (c *csvReader) column(name string) int {
	for k, n := range c.names {
		if n == name {
			return k
		}
	}
	return -1
}

// full says the error list reached MaxImportErrors.
func (c *csvReader) full() bool { return c.errs.Truncated }

func (c *csvReader) add(line int, column, reason string) {
	c.addError(&ImportError{Line: line, Column: column, Reason: reason})
}

func (c *csvReader) addError(e *ImportError) {
	if len(c.errs.Errors) >= MaxImportErrors {
		c.errs.Truncated = true
		return
	}
	c.errs.Errors = append(c.errs.Errors, e)
}

// addParseError records why the csv reader stopped: a malformed or too
// long line is the file's fault, anything else a failure to read.
func (c *csvReader) addParseError(err error) {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		c.add(pe.Line, "", pe.Err.Error())
	case errors.Is(err, errLineTooLong):
		c.add(c.lines.line, "", fmt.Sprintf("line longer than %d bytes", maxLineBytes))
	default:
		c.ioErr = err
	}
}

// errLineTooLong is returned by lineLimiter.
var errLineTooLong = errors.New("line too long")

// lineLimiter fails a read once a line exceeds maxLineBytes, and counts
// lines for the report.
type lineLimiter struct {
	r    io.Reader
	n    int // bytes since the last line break
	line int // the line being read, 1-based
}

// Read implements io.Reader.
func (l *lineLimiter) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for i, b := range p[:n] {
		if b == '\n' {
			l.line++
			l.n = 0
			continue
		}
		if l.n++; l.n > maxLineBytes {
			return i, errLineTooLong
		}
	}
	return n, err
}

// errFatal says reading cannot go on; the errors collected say why.
var errFatal = errors.New("csv reading stopped")

// next returns the next good row. Bad rows are recorded and skipped. It
// returns io.EOF at the end, errFatal when the file cannot be read further
// or the error list is full.
func (c *csvReader) next() (csvRow, error) {
	for {
		if c.full() {
			return csvRow{}, errFatal
		}
		rec, err := c.r.Read()
		if errors.Is(err, io.EOF) {
			return csvRow{}, io.EOF
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) && errors.Is(pe.Err, csv.ErrFieldCount) {
				line, _ := c.r.FieldPos(0)
				c.add(line, "", fmt.Sprintf("%d fields, the header has %d", len(rec), c.r.FieldsPerRecord))
				continue
			}
			c.addParseError(err)
			return csvRow{}, errFatal
		}
		row, ok := c.parse(rec)
		if ok {
			return row, nil
		}
	}
}

// fieldParser validates one field and stores it into e.
type fieldParser func(s string, e *Eligibility) (reason string)

// fieldParsers returns the validators of the columns in
// EligibilityCSVHeader order.
func fieldParsers() [numColumns]fieldParser {
	return [numColumns]fieldParser{
		colIssuer:         parseIssuer,
		colSerial:         parseSerial,
		colInsurerNumber:  parseInsurerNumber,
		colSymbol:         textField(0, maxSymbolRunes, func(e *Eligibility) *string { return &e.Symbol }),
		colNumber:         textField(1, maxNumberRunes, func(e *Eligibility) *string { return &e.Number }),
		colBranch:         parseBranch,
		colName:           textField(1, maxNameRunes, func(e *Eligibility) *string { return &e.Name }),
		colNameKana:       parseKana,
		colBirthDate:      dateField(true, func(e *Eligibility) *time.Time { return &e.BirthDate }),
		colSex:            parseSex,
		colQualifiedFrom:  dateField(true, func(e *Eligibility) *time.Time { return &e.QualifiedFrom }),
		colQualifiedUntil: dateField(false, func(e *Eligibility) *time.Time { return &e.QualifiedUntil }),
		colCardValidUntil: dateField(false, func(e *Eligibility) *time.Time { return &e.CardValidUntil }),
		colCopayPercent:   parseCopay,
		colRegistered:     parseRegistered,
	}
}

func (c *csvReader) parse(rec []string) (csvRow, bool) {
	line, _ := c.r.FieldPos(0)
	row := csvRow{line: line}
	ok := true
	for k, p := range c.parsers {
		i := c.pos[k]
		if reason := p(rec[i], &row.e); reason != "" {
			fl, _ := c.r.FieldPos(i)
			c.add(fl, c.names[k], reason)
			ok = false
		}
	}
	if ok && !row.e.QualifiedUntil.IsZero() && row.e.QualifiedUntil.Before(row.e.QualifiedFrom) {
		fl, _ := c.r.FieldPos(c.pos[colQualifiedUntil])
		c.add(fl, c.names[colQualifiedUntil], "ends before qualified_from")
		ok = false
	}
	return row, ok
}

// checkText refuses invalid UTF-8 and control characters.
func checkText(s string) string {
	if !utf8.ValidString(s) {
		return "not valid UTF-8 (save the file as UTF-8, not Shift_JIS)"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return fmt.Sprintf("control character %U not allowed", r)
		}
	}
	return ""
}

func textField(minRunes, maxRunes int, dst func(*Eligibility) *string) fieldParser {
	return func(s string, e *Eligibility) string {
		if reason := checkText(s); reason != "" {
			return reason
		}
		n := utf8.RuneCountInString(s)
		if n < minRunes {
			return "required"
		}
		if n > maxRunes {
			return fmt.Sprintf("longer than %d characters", maxRunes)
		}
		*dst(e) = s
		return ""
	}
}

func parseIssuer(s string, e *Eligibility) string {
	if reason := checkText(s); reason != "" {
		return reason
	}
	if strings.TrimSpace(s) == "" {
		return "required"
	}
	if len(s) > maxIssuerBytes {
		return fmt.Sprintf("longer than %d bytes", maxIssuerBytes)
	}
	c, err := CanonicalIssuer(s)
	if err != nil {
		return "not an issuer name (C=JP,O=…,OU=… in either crypto/x509's or the certificate's order) or keyid:HEX"
	}
	e.Issuer = c
	return ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return s != ""
}

func parseSerial(s string, e *Eligibility) string {
	if !isHex(s) || len(s) > maxSerialHex {
		return fmt.Sprintf("want 1 to %d hex digits", maxSerialHex)
	}
	c, err := CanonicalSerial(s)
	if err != nil {
		return err.Error()
	}
	e.Serial = c
	return ""
}

// Lengths of an insurer number (保険者番号).
const (
	insurerNumberLen         = 8
	insurerNumberNationalLen = 6 // 国民健康保険
)

// The insurer number's last digit is a check digit (検証番号); its
// algorithm is not documented, so the import checks only the length and
// the digits.
func parseInsurerNumber(s string, e *Eligibility) string {
	if !isDigits(s) || (len(s) != insurerNumberLen && len(s) != insurerNumberNationalLen) {
		return fmt.Sprintf("want %d digits (%d for national health insurance)", insurerNumberLen, insurerNumberNationalLen)
	}
	e.InsurerNumber = s
	return ""
}

// branchLen is the length of the branch number (枝番).
const branchLen = 2

func parseBranch(s string, e *Eligibility) string {
	if !isDigits(s) || len(s) != branchLen {
		return fmt.Sprintf("want %d digits", branchLen)
	}
	e.Branch = s
	return ""
}

// isKana reports whether r may appear in a katakana name: the katakana
// block (with ー and ・), the ideographic space and the ASCII space.
func isKana(r rune) bool {
	return r >= 0x30A1 && r <= 0x30FF || r == 0x3000 || r == ' '
}

func parseKana(s string, e *Eligibility) string {
	if reason := checkText(s); reason != "" {
		return reason
	}
	if utf8.RuneCountInString(s) > maxNameRunes {
		return fmt.Sprintf("longer than %d characters", maxNameRunes)
	}
	for _, r := range s {
		if !isKana(r) {
			return fmt.Sprintf("%q is not full-width katakana", r)
		}
	}
	e.NameKana = s
	return ""
}

// Sex codes of the eligibility file.
const (
	sexMale   = "1"
	sexFemale = "2"
)

func parseSex(s string, e *Eligibility) string {
	if s != sexMale && s != sexFemale {
		return "want 1 (male) or 2 (female)"
	}
	e.Sex = s
	return ""
}

func parseCopay(s string, e *Eligibility) string {
	switch s {
	case "10":
		e.CopayPercent = 10
	case "20":
		e.CopayPercent = 20
	case "30":
		e.CopayPercent = 30
	default:
		return "want 10, 20 or 30"
	}
	return ""
}

func parseRegistered(s string, e *Eligibility) string {
	switch s {
	case "1":
		e.Registered = true
	case "0":
		e.Registered = false
	default:
		return "want 1 or 0"
	}
	return ""
}

func dateField(required bool, dst func(*Eligibility) *time.Time) fieldParser {
	return func(s string, e *Eligibility) string {
		if s == "" {
			if required {
				return "required"
			}
			return ""
		}
		d, err := parseDate(s)
		if err != nil {
			return err.Error()
		}
		*dst(e) = d
		return ""
	}
}

// Date layouts the CSV file and the database use.
const (
	dateLayout        = "2006-01-02"
	dateLayoutCompact = "20060102"
)

// parseDate parses YYYY-MM-DD or YYYYMMDD into midnight UTC, refusing
// dates that do not exist.
func parseDate(s string) (time.Time, error) {
	layout := ""
	switch {
	case len(s) == len(dateLayoutCompact) && isDigits(s):
		layout = dateLayoutCompact
	case len(s) == len(dateLayout) && s[4] == '-' && s[7] == '-' && isDigits(s[:4]) && isDigits(s[5:7]) && isDigits(s[8:]):
		layout = dateLayout
	default:
		return time.Time{}, errors.New("want a date YYYY-MM-DD or YYYYMMDD")
	}
	t, err := time.Parse(layout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("no such date %q", s)
	}
	if t.Year() < minYear {
		return time.Time{}, fmt.Errorf("year before %d", minYear)
	}
	return t, nil
}

// EligibilityReader reads an eligibility CSV file (see
// EligibilityCSVHeader) row by row, holding one row at a time. It
// validates every field and collects what is wrong, with lines and
// columns, instead of stopping at the first bad field: Next skips bad rows
// and Err reports them all. The stores' ImportEligibilityCSV is built on
// it; on its own it checks a file without a database.
type EligibilityReader struct {
	c *csvReader
}

// NewEligibilityReader reads the header row. A bad header gives
// *ImportErrors.
func NewEligibilityReader(in io.Reader) (*EligibilityReader, error) {
	c, err := newCSVReader(in)
	if err != nil {
		return nil, err
	}
	return &EligibilityReader{c: c}, nil
}

// Next returns the next good row and the line it starts on. It returns
// io.EOF at the end of the file, and also when the file cannot be read
// further or MaxImportErrors were collected; Err then says why.
func (r *EligibilityReader) Next() (Eligibility, int, error) {
	row, err := r.c.next()
	if errors.Is(err, errFatal) {
		return Eligibility{}, 0, io.EOF
	}
	return row.e, row.line, err
}

// AddError records a fault found outside the reader, such as a key that
// repeats an earlier row's.
func (r *EligibilityReader) AddError(e *ImportError) { r.c.addError(e) }

// Err returns what is wrong with the file read so far: nil, a failure to
// read the input, or the *ImportErrors collected, in line order.
func (r *EligibilityReader) Err() error {
	if r.c.ioErr != nil {
		return fmt.Errorf("reading eligibility csv: %w", r.c.ioErr)
	}
	if len(r.c.errs.Errors) == 0 {
		return nil
	}
	slices.SortStableFunc(r.c.errs.Errors, func(a, b *ImportError) int { return cmp.Compare(a.Line, b.Line) })
	return &r.c.errs
}
