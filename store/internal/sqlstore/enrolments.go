package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/mynacard/mynacard/internal/attrtext"
	"github.com/mynacard/mynacard/store"
)

const enrolmentColumns = `id, cert_kind, issuer, serial, name, name_substitute, address,
	address_substitute, birth_date, birth_era, sex, cert_der, enrolled_at, operator,
	revocation_status, revocation_reason, revocation_source, revocation_checked_at, replaced_by`

func scanEnrolment(sc Scanner) (store.Enrolment, error) {
	var e store.Enrolment
	var kind, status string
	var a attrtext.Row
	err := sc.Scan(&e.ID, &kind, &e.Issuer, &e.Serial, &a.Name, &a.NameSubstitute, &a.Address,
		&a.AddressSubstitute, &a.BirthDate, &a.BirthEra, &a.Sex, &e.CertDER, timeScan{&e.EnrolledAt}, &e.Operator,
		&status, &e.Revocation.Reason, &e.Revocation.Source, timeScan{&e.Revocation.CheckedAt}, idScan{&e.ReplacedBy})
	e.Kind, e.Revocation.Status = kindOfText(kind), store.RevocationStatus(status)
	if err != nil {
		return e, err
	}
	if e.Attributes, err = attrtext.Decode(a, attrtext.CodesFor(e.Kind)); err != nil {
		return store.Enrolment{}, fmt.Errorf("enrolment %d: reading attributes: %w", e.ID, err)
	}
	return e, nil
}

func validateEnrolment(e *store.Enrolment) error {
	if err := checkKind(e.Kind); err != nil {
		return err
	}
	issuer, serial, err := certKey(e.Issuer, e.Serial)
	if err != nil {
		return err
	}
	e.Issuer, e.Serial = issuer, serial
	if len(e.CertDER) == 0 {
		return fmt.Errorf("%w: no certificate", store.ErrInvalid)
	}
	if err := checkLen("operator", e.Operator); err != nil {
		return err
	}
	e.Attributes = cloneAttributes(e.Attributes)
	if _, err := attributesRow(e.Attributes, e.Kind); err != nil {
		return err
	}
	if e.EnrolledAt.IsZero() {
		e.EnrolledAt = now()
	}
	e.EnrolledAt = stamp(e.EnrolledAt)
	e.Revocation, e.ReplacedBy = store.RevocationCheck{}, 0
	return nil
}

func (s *Store) insertEnrolment(ctx context.Context, q Querier, e *store.Enrolment) error {
	a, err := attributesRow(e.Attributes, e.Kind)
	if err != nil {
		return err
	}
	return q.QueryRow(ctx, `INSERT INTO enrolments (cert_kind, issuer, serial, name, name_substitute,
		address, address_substitute, birth_date, birth_era, sex, cert_der, enrolled_at, operator)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		kindText(e.Kind), e.Issuer, e.Serial, a.Name, a.NameSubstitute, a.Address, a.AddressSubstitute,
		a.BirthDate, a.BirthEra, a.Sex, e.CertDER, s.b.TimeArg(e.EnrolledAt), e.Operator).Scan(&e.ID)
}

// AddEnrolment implements store.EnrolmentStore.
func (s *Store) AddEnrolment(ctx context.Context, e store.Enrolment) (store.Enrolment, error) {
	if err := validateEnrolment(&e); err != nil {
		return store.Enrolment{}, fmt.Errorf("adding enrolment: %w", err)
	}
	if err := s.insertEnrolment(ctx, s.b, &e); err != nil {
		return store.Enrolment{}, fmt.Errorf("adding enrolment: %w", err)
	}
	return e, nil
}

// Enrolment implements store.EnrolmentStore.
func (s *Store) Enrolment(ctx context.Context, id int64) (store.Enrolment, error) {
	e, err := scanEnrolment(s.b.QueryRow(ctx, "SELECT "+enrolmentColumns+" FROM enrolments WHERE id = ?", id))
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("reading enrolment %d: %w", id, err)
	}
	return e, nil
}

// EnrolmentByCert implements store.EnrolmentStore.
func (s *Store) EnrolmentByCert(ctx context.Context, issuer, serial string) (store.Enrolment, error) {
	issuer, serial, err := certKey(issuer, serial)
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("reading enrolment: %w", err)
	}
	e, err := scanEnrolment(s.b.QueryRow(ctx, "SELECT "+enrolmentColumns+
		" FROM enrolments WHERE issuer = ? AND serial = ?", issuer, serial))
	if err != nil {
		return store.Enrolment{}, fmt.Errorf("reading enrolment of serial %s: %w", serial, err)
	}
	return e, nil
}

// enrolmentWhere builds the WHERE clause of a query (without AfterID).
func enrolmentWhere(q store.EnrolmentQuery) (string, []any) {
	var conds []string
	var args []any
	if q.Kind != 0 {
		conds = append(conds, "cert_kind = ?")
		args = append(args, kindText(q.Kind))
	}
	if q.CurrentOnly {
		conds = append(conds, "replaced_by IS NULL")
	}
	if len(conds) == 0 {
		return "", nil
	}
	return " WHERE " + strings.Join(conds, " AND "), args
}

// ListEnrolments implements store.EnrolmentStore.
func (s *Store) ListEnrolments(ctx context.Context, q store.EnrolmentQuery) ([]store.Enrolment, error) {
	if q.Limit <= 0 {
		q.Limit = store.DefaultListLimit
	}
	where, args := enrolmentWhere(q)
	if where == "" {
		where = " WHERE id > ?"
	} else {
		where += " AND id > ?"
	}
	args = append(args, q.AfterID, q.Limit)
	rs, err := s.b.Query(ctx, "SELECT "+enrolmentColumns+" FROM enrolments"+where+" ORDER BY id LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("listing enrolments: %w", err)
	}
	defer rs.Close()
	var out []store.Enrolment
	for rs.Next() {
		e, err := scanEnrolment(rs)
		if err != nil {
			return nil, fmt.Errorf("listing enrolments: %w", err)
		}
		out = append(out, e)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("listing enrolments: %w", err)
	}
	return out, nil
}

// CountEnrolments implements store.EnrolmentStore.
func (s *Store) CountEnrolments(ctx context.Context, q store.EnrolmentQuery) (int64, error) {
	where, args := enrolmentWhere(q)
	var n int64
	if err := s.b.QueryRow(ctx, "SELECT COUNT(*) FROM enrolments"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting enrolments: %w", err)
	}
	return n, nil
}

func validateCheck(c *store.RevocationCheck) error {
	switch c.Status {
	case store.RevocationUnchecked, store.RevocationGood, store.RevocationRevoked, store.RevocationUnknown:
	default:
		return fmt.Errorf("%w: status %q", store.ErrInvalid, c.Status)
	}
	if err := checkLen("reason", c.Reason+c.Source); err != nil {
		return err
	}
	if c.CheckedAt.IsZero() {
		c.CheckedAt = now()
	}
	return nil
}

const setCheckSQL = `UPDATE enrolments SET revocation_status = ?, revocation_reason = ?,
		revocation_source = ?, revocation_checked_at = ? WHERE id = ?`

func (s *Store) checkArgs(id int64, c store.RevocationCheck) []any {
	return []any{string(c.Status), c.Reason, c.Source, s.b.TimeArg(stamp(c.CheckedAt)), id}
}

// SetRevocationChecks implements store.EnrolmentStore: one prepared UPDATE run
// for every check inside one transaction (pipelined in one round trip on
// PostgreSQL).
func (s *Store) SetRevocationChecks(ctx context.Context, checks []store.EnrolmentCheck) error {
	if len(checks) == 0 {
		return nil
	}
	args := make([][]any, len(checks))
	for i := range checks {
		c := checks[i].Check
		if err := validateCheck(&c); err != nil {
			return fmt.Errorf("recording revocation checks: enrolment %d: %w", checks[i].ID, err)
		}
		args[i] = s.checkArgs(checks[i].ID, c)
	}
	err := s.b.InTx(ctx, func(q Querier) error {
		st, err := q.Prepare(ctx, setCheckSQL)
		if err != nil {
			return err
		}
		defer st.Close()
		ns, err := st.ExecBatch(ctx, args)
		if err != nil {
			return err
		}
		for i, n := range ns {
			if n == 0 {
				return fmt.Errorf("enrolment %d: %w", checks[i].ID, store.ErrNotFound)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording %d revocation checks: %w", len(checks), err)
	}
	return nil
}

// SetRevocationCheck implements store.EnrolmentStore.
func (s *Store) SetRevocationCheck(ctx context.Context, id int64, c store.RevocationCheck) error {
	if err := validateCheck(&c); err != nil {
		return fmt.Errorf("recording revocation check: %w", err)
	}
	n, err := s.b.Exec(ctx, setCheckSQL, s.checkArgs(id, c)...)
	if err != nil {
		return fmt.Errorf("recording revocation check of enrolment %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("recording revocation check of enrolment %d: %w", id, store.ErrNotFound)
	}
	return nil
}

// ReplaceEnrolment implements store.EnrolmentStore.
func (s *Store) ReplaceEnrolment(ctx context.Context, oldID int64, next store.Enrolment) (store.Replacement, error) {
	if err := validateEnrolment(&next); err != nil {
		return store.Replacement{}, fmt.Errorf("replacing enrolment %d: %w", oldID, err)
	}
	var r store.Replacement
	err := s.b.InTx(ctx, func(q Querier) error {
		old, err := scanEnrolment(q.QueryRow(ctx, "SELECT "+enrolmentColumns+" FROM enrolments WHERE id = ?", oldID))
		if err != nil {
			return err
		}
		if old.ReplacedBy != 0 {
			return fmt.Errorf("%w: already replaced by enrolment %d", store.ErrConflict, old.ReplacedBy)
		}
		if err := s.insertEnrolment(ctx, q, &next); err != nil {
			return err
		}
		// The condition makes a concurrent replacement of the same
		// enrolment fail here rather than link twice.
		n, err := q.Exec(ctx, "UPDATE enrolments SET replaced_by = ? WHERE id = ? AND replaced_by IS NULL", next.ID, oldID)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: replaced concurrently", store.ErrConflict)
		}
		changes, err := store.DiffAttributes(old, next)
		if err != nil {
			return err
		}
		r = store.Replacement{OldID: oldID, NewID: next.ID, At: next.EnrolledAt, Operator: next.Operator, Changes: changes}
		if _, err := q.Exec(ctx, "INSERT INTO enrolment_replacements (old_id, new_id, replaced_at, operator) VALUES (?, ?, ?, ?)",
			r.OldID, r.NewID, s.b.TimeArg(r.At), r.Operator); err != nil {
			return err
		}
		for i, c := range r.Changes {
			if _, err := q.Exec(ctx, `INSERT INTO enrolment_changes (old_id, position, field, old_value, new_value)
				VALUES (?, ?, ?, ?, ?)`, oldID, i, c.Field, c.Old, c.New); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return store.Replacement{}, fmt.Errorf("replacing enrolment %d: %w", oldID, err)
	}
	return r, nil
}

// Replacement implements store.EnrolmentStore.
func (s *Store) Replacement(ctx context.Context, oldID int64) (store.Replacement, error) {
	r := store.Replacement{OldID: oldID}
	err := s.b.QueryRow(ctx, "SELECT new_id, replaced_at, operator FROM enrolment_replacements WHERE old_id = ?", oldID).
		Scan(&r.NewID, timeScan{&r.At}, &r.Operator)
	if err != nil {
		return store.Replacement{}, fmt.Errorf("reading replacement of enrolment %d: %w", oldID, err)
	}
	rs, err := s.b.Query(ctx, "SELECT field, old_value, new_value FROM enrolment_changes WHERE old_id = ? ORDER BY position", oldID)
	if err != nil {
		return store.Replacement{}, fmt.Errorf("reading replacement of enrolment %d: %w", oldID, err)
	}
	defer rs.Close()
	for rs.Next() {
		var c store.AttributeChange
		if err := rs.Scan(&c.Field, &c.Old, &c.New); err != nil {
			return store.Replacement{}, fmt.Errorf("reading replacement of enrolment %d: %w", oldID, err)
		}
		r.Changes = append(r.Changes, c)
	}
	if err := rs.Err(); err != nil {
		return store.Replacement{}, fmt.Errorf("reading replacement of enrolment %d: %w", oldID, err)
	}
	return r, nil
}
