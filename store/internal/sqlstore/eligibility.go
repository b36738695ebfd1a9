package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mynacard/mynacard/store"
)

// EligibilityColumns are the eligibility table's columns in scan order.
const EligibilityColumns = `issuer, serial, insurer_number, symbol, number, branch, name, name_kana,
	birth_date, sex, qualified_from, qualified_until, card_valid_until, copay_percent, registered`

// dateLayout is how a civil date is stored: 'YYYY-MM-DD'.
const dateLayout = "2006-01-02"

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

func scanEligibility(sc Scanner) (store.Eligibility, error) {
	var e store.Eligibility
	err := sc.Scan(&e.Issuer, &e.Serial, &e.InsurerNumber, &e.Symbol, &e.Number, &e.Branch, &e.Name, &e.NameKana,
		dateScan{&e.BirthDate}, &e.Sex, dateScan{&e.QualifiedFrom}, dateScan{&e.QualifiedUntil},
		dateScan{&e.CardValidUntil}, &e.CopayPercent, &e.Registered)
	return e, err
}

// importCheckEvery is how many rows the import reads between checks of
// the context (the drivers check it on each statement as well).
const importCheckEvery = 1024

// importBatchRows is how many rows the import sends to the database at
// once (one round trip on PostgreSQL). Only this many rows are held in
// memory.
const importBatchRows = 256

// ImportEligibilityCSV implements store.EligibilityStore.
//
// Rows are read, validated and upserted in batches inside one
// transaction; only the current batch is held in memory. Each row carries
// the import's ID and its line: the upsert leaves alone a row this import
// already wrote, which is how a key twice in the file is found. After the
// first bad row the rest of the file is still validated (and written, to
// find duplicates), then everything is rolled back.
func (s *Store) ImportEligibilityCSV(ctx context.Context, in io.Reader) (store.ImportResult, error) {
	cr, err := store.NewEligibilityReader(in)
	if err != nil {
		return store.ImportResult{}, err
	}
	var res store.ImportResult
	err = s.b.InTx(ctx, func(q Querier) error {
		imp := importer{cr: cr}
		if err := q.QueryRow(ctx, "INSERT INTO eligibility_imports (imported_at) VALUES (?) RETURNING id",
			s.b.TimeArg(now())).Scan(&imp.id); err != nil {
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
			e, line, err := cr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if imp.add(e, line); len(imp.batch) == importBatchRows {
				if err := imp.flush(ctx); err != nil {
					return err
				}
			}
		}
		if err := imp.flush(ctx); err != nil {
			return err
		}
		if err := cr.Err(); err != nil {
			return err
		}
		var inserted int64
		if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM eligibility WHERE created_import_id = ?", imp.id).Scan(&inserted); err != nil {
			return err
		}
		res = store.ImportResult{Inserted: int(inserted), Updated: imp.written - int(inserted)}
		_, err := q.Exec(ctx, "UPDATE eligibility_imports SET inserted = ?, updated = ? WHERE id = ?",
			res.Inserted, res.Updated, imp.id)
		return err
	})
	if err != nil {
		var ie *store.ImportErrors
		if errors.As(err, &ie) {
			return store.ImportResult{}, err
		}
		return store.ImportResult{}, fmt.Errorf("importing eligibility: %w", err)
	}
	return res, nil
}

// importer is one import's state inside its transaction.
type importer struct {
	cr      *store.EligibilityReader
	id      int64
	upsert  Stmt
	first   Stmt
	batch   [][]any
	lines   []int
	written int // rows inserted or updated
}

// upsertEligibility inserts a row, or replaces the fields of the row with
// the same key unless this import wrote it (then it affects no row).
const upsertEligibility = `INSERT INTO eligibility (` + EligibilityColumns + `, import_id, import_line, created_import_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	ON CONFLICT (issuer, serial, insurer_number, symbol, number, branch) DO UPDATE SET
		name = excluded.name, name_kana = excluded.name_kana, birth_date = excluded.birth_date,
		sex = excluded.sex, qualified_from = excluded.qualified_from,
		qualified_until = excluded.qualified_until, card_valid_until = excluded.card_valid_until,
		copay_percent = excluded.copay_percent, registered = excluded.registered,
		import_id = excluded.import_id, import_line = excluded.import_line
	WHERE eligibility.import_id <> excluded.import_id`

func (imp *importer) prepare(ctx context.Context, q Querier) error {
	var err error
	if imp.upsert, err = q.Prepare(ctx, upsertEligibility); err != nil {
		return err
	}
	imp.first, err = q.Prepare(ctx, `SELECT import_line FROM eligibility WHERE issuer = ? AND serial = ?
		AND insurer_number = ? AND symbol = ? AND number = ? AND branch = ?`)
	return err
}

func (imp *importer) close() {
	for _, st := range []Stmt{imp.upsert, imp.first} {
		if st != nil {
			st.Close()
		}
	}
}

// add queues a row for the next flush.
func (imp *importer) add(e store.Eligibility, line int) {
	imp.batch = append(imp.batch, []any{e.Issuer, e.Serial, e.InsurerNumber, e.Symbol, e.Number, e.Branch,
		e.Name, e.NameKana, dateText(e.BirthDate), e.Sex, dateText(e.QualifiedFrom), dateText(e.QualifiedUntil),
		dateText(e.CardValidUntil), e.CopayPercent, e.Registered, imp.id, line, imp.id})
	imp.lines = append(imp.lines, line)
}

// flush writes the queued rows and records the duplicates among them.
func (imp *importer) flush(ctx context.Context) error {
	if len(imp.batch) == 0 {
		return nil
	}
	affected, err := imp.upsert.ExecBatch(ctx, imp.batch)
	if err != nil {
		return err
	}
	for i, n := range affected {
		if n > 0 {
			imp.written++
			continue
		}
		var first int
		if err := imp.first.QueryRow(ctx, imp.batch[i][:6]...).Scan(&first); err != nil {
			return err
		}
		imp.cr.AddError(&store.ImportError{Line: imp.lines[i], FirstLine: first,
			Reason: fmt.Sprintf("duplicate key (issuer, serial, insurer_number, symbol, number, branch): first on line %d", first)})
	}
	imp.batch, imp.lines = imp.batch[:0], imp.lines[:0]
	return nil
}

// LookupEligibility implements store.EligibilityStore.
func (s *Store) LookupEligibility(ctx context.Context, issuer, serial string, at time.Time) (store.EligibilityAnswer, error) {
	return s.LookupEligibilityByCert(ctx, issuer, nil, serial, at)
}

// LookupEligibilityByCert implements store.EligibilityStore.
func (s *Store) LookupEligibilityByCert(ctx context.Context, issuer string, issuerKeyID []byte, serial string, at time.Time) (store.EligibilityAnswer, error) {
	issuer, serial, err := certKey(issuer, serial)
	if err != nil {
		return store.EligibilityAnswer{}, fmt.Errorf("looking up eligibility: %w", err)
	}
	keyID := issuer
	if len(issuerKeyID) > 0 {
		keyID = store.IssuerKeyID(issuerKeyID)
	}
	rs, err := s.b.Query(ctx, "SELECT "+EligibilityColumns+` FROM eligibility WHERE issuer IN (?, ?) AND serial = ?
		ORDER BY qualified_from DESC, id DESC`, issuer, keyID, serial)
	if err != nil {
		return store.EligibilityAnswer{}, fmt.Errorf("looking up eligibility: %w", err)
	}
	defer rs.Close()
	var found []store.Eligibility
	for rs.Next() {
		e, err := scanEligibility(rs)
		if err != nil {
			return store.EligibilityAnswer{}, fmt.Errorf("looking up eligibility: %w", err)
		}
		found = append(found, e)
	}
	if err := rs.Err(); err != nil {
		return store.EligibilityAnswer{}, fmt.Errorf("looking up eligibility: %w", err)
	}
	return evaluate(found, civilDay(at)), nil
}
