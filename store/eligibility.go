package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"
)

const eligibilityColumns = `issuer, serial, insurer_number, symbol, number, branch, name, name_kana,
	birth_date, sex, qualified_from, qualified_until, card_valid_until, copay_percent, registered`

// dateText is how a civil date is stored: 'YYYY-MM-DD', ” for none.
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(dateLayout)
}

// dateScan scans a stored civil date.
type dateScan struct{ t *time.Time }

// Scan implements sql.Scanner.
func (s dateScan) Scan(src any) error {
	var str string
	switch v := src.(type) {
	case string:
		str = v
	case []byte:
		str = string(v)
	default:
		return fmt.Errorf("scanning date: unsupported column type %T", src)
	}
	if str == "" {
		*s.t = time.Time{}
		return nil
	}
	t, err := time.Parse(dateLayout, str)
	if err != nil {
		return fmt.Errorf("scanning date: %w", err)
	}
	*s.t = t
	return nil
}

func scanEligibility(sc scanner) (Eligibility, error) {
	var e Eligibility
	err := sc.Scan(&e.Issuer, &e.Serial, &e.InsurerNumber, &e.Symbol, &e.Number, &e.Branch, &e.Name, &e.NameKana,
		dateScan{&e.BirthDate}, &e.Sex, dateScan{&e.QualifiedFrom}, dateScan{&e.QualifiedUntil},
		dateScan{&e.CardValidUntil}, &e.CopayPercent, &e.Registered)
	return e, err
}

// importCheckEvery is how many rows the import reads between checks of
// the context (the drivers check it on each statement as well).
const importCheckEvery = 1024

// ImportEligibilityCSV implements EligibilityStore.
//
// Rows are read and written one at a time inside one transaction, so only
// the current row is held in memory. Each row is upserted with the import's
// ID and its line; a key already written by this import is a duplicate
// within the file. After the first bad row the remaining rows are still
// validated (and written, to find duplicates), then everything is rolled
// back.
func (s *sqlStore) ImportEligibilityCSV(ctx context.Context, in io.Reader) (ImportResult, error) {
	cr, err := newCSVReader(in)
	if err != nil {
		return ImportResult{}, err
	}
	var res ImportResult
	err = s.b.inTx(ctx, func(q querier) error {
		imp := importer{s: s, cr: cr, res: &res}
		if err := q.queryRow(ctx, "INSERT INTO eligibility_imports (imported_at) VALUES (?) RETURNING id",
			s.b.timeArg(now())).Scan(&imp.id); err != nil {
			return err
		}
		if err := imp.prepare(ctx, q); err != nil {
			return err
		}
		defer imp.close()
		for n := 0; ; n++ {
			if n%importCheckEvery == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			row, err := cr.next()
			if errors.Is(err, io.EOF) || errors.Is(err, errFatal) {
				break
			}
			if err := imp.upsert(ctx, row); err != nil {
				return err
			}
		}
		if len(cr.errs.Errors) > 0 {
			return &cr.errs
		}
		_, err := q.exec(ctx, "UPDATE eligibility_imports SET inserted = ?, updated = ? WHERE id = ?",
			res.Inserted, res.Updated, imp.id)
		return err
	})
	if err != nil {
		var ie *ImportErrors
		if errors.As(err, &ie) {
			return ImportResult{}, err
		}
		return ImportResult{}, fmt.Errorf("importing eligibility: %w", err)
	}
	return res, nil
}

// importer is one import's state inside its transaction.
type importer struct {
	s                    *sqlStore
	cr                   *csvReader
	res                  *ImportResult
	id                   int64
	find, insert, update stmt
}

func (imp *importer) prepare(ctx context.Context, q querier) error {
	var err error
	if imp.find, err = q.prepare(ctx, `SELECT id, import_id, import_line FROM eligibility WHERE issuer = ?
		AND serial = ? AND insurer_number = ? AND symbol = ? AND number = ? AND branch = ?`); err != nil {
		return err
	}
	if imp.insert, err = q.prepare(ctx, `INSERT INTO eligibility (`+eligibilityColumns+`, import_id, import_line)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`); err != nil {
		return err
	}
	imp.update, err = q.prepare(ctx, `UPDATE eligibility SET name = ?, name_kana = ?, birth_date = ?, sex = ?,
		qualified_from = ?, qualified_until = ?, card_valid_until = ?, copay_percent = ?, registered = ?,
		import_id = ?, import_line = ? WHERE id = ?`)
	return err
}

func (imp *importer) close() {
	for _, st := range []stmt{imp.find, imp.insert, imp.update} {
		if st != nil {
			st.close()
		}
	}
}

// upsert writes one row, counting it, or records a duplicate.
func (imp *importer) upsert(ctx context.Context, row csvRow) error {
	e := row.e
	var id, prevImport, prevLine int64
	err := imp.find.queryRow(ctx, e.Issuer, e.Serial, e.InsurerNumber, e.Symbol, e.Number, e.Branch).
		Scan(&id, &prevImport, &prevLine)
	switch {
	case isNotFound(err):
		_, err = imp.insert.exec(ctx, e.Issuer, e.Serial, e.InsurerNumber, e.Symbol, e.Number, e.Branch, e.Name,
			e.NameKana, dateText(e.BirthDate), e.Sex, dateText(e.QualifiedFrom), dateText(e.QualifiedUntil),
			dateText(e.CardValidUntil), e.CopayPercent, e.Registered, imp.id, row.line)
		imp.res.Inserted++
		return err
	case err != nil:
		return err
	case prevImport == imp.id:
		imp.cr.addError(&ImportError{Line: row.line, FirstLine: int(prevLine),
			Reason: fmt.Sprintf("duplicate key (issuer, serial, insurer_number, symbol, number, branch): first on line %d", prevLine)})
		return nil
	}
	_, err = imp.update.exec(ctx, e.Name, e.NameKana, dateText(e.BirthDate), e.Sex, dateText(e.QualifiedFrom),
		dateText(e.QualifiedUntil), dateText(e.CardValidUntil), e.CopayPercent, e.Registered, imp.id, row.line, id)
	imp.res.Updated++
	return err
}

// LookupEligibility implements EligibilityStore.
func (s *sqlStore) LookupEligibility(ctx context.Context, issuer, serial string, at time.Time) (EligibilityAnswer, error) {
	issuer, serial, err := certKey(issuer, serial)
	if err != nil {
		return EligibilityAnswer{}, fmt.Errorf("looking up eligibility: %w", err)
	}
	rs, err := s.b.query(ctx, "SELECT "+eligibilityColumns+` FROM eligibility WHERE issuer = ? AND serial = ?
		ORDER BY qualified_from DESC, id DESC`, issuer, serial)
	if err != nil {
		return EligibilityAnswer{}, fmt.Errorf("looking up eligibility: %w", err)
	}
	defer rs.Close()
	var found []Eligibility
	for rs.Next() {
		e, err := scanEligibility(rs)
		if err != nil {
			return EligibilityAnswer{}, fmt.Errorf("looking up eligibility: %w", err)
		}
		found = append(found, e)
	}
	if err := rs.Err(); err != nil {
		return EligibilityAnswer{}, fmt.Errorf("looking up eligibility: %w", err)
	}
	return evaluate(found, civilDay(at)), nil
}
