package store

import (
	"context"
	"fmt"
	"strings"
)

const enrolmentColumns = `id, cert_kind, issuer, serial, name, name_substitute, address,
	address_substitute, birth_date, birth_era, sex, cert_der, enrolled_at, operator,
	revocation_status, revocation_reason, revocation_source, revocation_checked_at, replaced_by`

func scanEnrolment(sc scanner) (Enrolment, error) {
	var e Enrolment
	var kind, status string
	a := &e.Attributes
	err := sc.Scan(&e.ID, &kind, &e.Issuer, &e.Serial, &a.Name, &a.NameSubstitute, &a.Address,
		&a.AddressSubstitute, &a.BirthDate, &a.BirthEra, &a.Sex, &e.CertDER, timeScan{&e.EnrolledAt}, &e.Operator,
		&status, &e.Revocation.Reason, &e.Revocation.Source, timeScan{&e.Revocation.CheckedAt}, idScan{&e.ReplacedBy})
	e.Kind, e.Revocation.Status = kindOfText(kind), RevocationStatus(status)
	return e, err
}

func validateEnrolment(e *Enrolment) error {
	if err := checkKind(e.Kind); err != nil {
		return err
	}
	issuer, serial, err := certKey(e.Issuer, e.Serial)
	if err != nil {
		return err
	}
	e.Issuer, e.Serial = issuer, serial
	if len(e.CertDER) == 0 {
		return fmt.Errorf("%w: no certificate", ErrInvalid)
	}
	if err := checkLen("operator", e.Operator); err != nil {
		return err
	}
	if err := checkAttributes(e.Attributes); err != nil {
		return err
	}
	if e.EnrolledAt.IsZero() {
		e.EnrolledAt = now()
	}
	e.EnrolledAt = stamp(e.EnrolledAt)
	e.Revocation, e.ReplacedBy = RevocationCheck{}, 0
	return nil
}

func (s *sqlStore) insertEnrolment(ctx context.Context, q querier, e *Enrolment) error {
	a := e.Attributes
	return q.queryRow(ctx, `INSERT INTO enrolments (cert_kind, issuer, serial, name, name_substitute,
		address, address_substitute, birth_date, birth_era, sex, cert_der, enrolled_at, operator)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		kindText(e.Kind), e.Issuer, e.Serial, a.Name, a.NameSubstitute, a.Address, a.AddressSubstitute,
		a.BirthDate, a.BirthEra, a.Sex, e.CertDER, s.b.timeArg(e.EnrolledAt), e.Operator).Scan(&e.ID)
}

// AddEnrolment implements EnrolmentStore.
func (s *sqlStore) AddEnrolment(ctx context.Context, e Enrolment) (Enrolment, error) {
	if err := validateEnrolment(&e); err != nil {
		return Enrolment{}, fmt.Errorf("adding enrolment: %w", err)
	}
	if err := s.insertEnrolment(ctx, s.b, &e); err != nil {
		return Enrolment{}, fmt.Errorf("adding enrolment: %w", err)
	}
	return e, nil
}

// Enrolment implements EnrolmentStore.
func (s *sqlStore) Enrolment(ctx context.Context, id int64) (Enrolment, error) {
	e, err := scanEnrolment(s.b.queryRow(ctx, "SELECT "+enrolmentColumns+" FROM enrolments WHERE id = ?", id))
	if err != nil {
		return Enrolment{}, fmt.Errorf("reading enrolment %d: %w", id, err)
	}
	return e, nil
}

// EnrolmentByCert implements EnrolmentStore.
func (s *sqlStore) EnrolmentByCert(ctx context.Context, issuer, serial string) (Enrolment, error) {
	issuer, serial, err := certKey(issuer, serial)
	if err != nil {
		return Enrolment{}, fmt.Errorf("reading enrolment: %w", err)
	}
	e, err := scanEnrolment(s.b.queryRow(ctx, "SELECT "+enrolmentColumns+
		" FROM enrolments WHERE issuer = ? AND serial = ?", issuer, serial))
	if err != nil {
		return Enrolment{}, fmt.Errorf("reading enrolment of serial %s: %w", serial, err)
	}
	return e, nil
}

// enrolmentWhere builds the WHERE clause of a query (without AfterID).
func enrolmentWhere(q EnrolmentQuery) (string, []any) {
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

// ListEnrolments implements EnrolmentStore.
func (s *sqlStore) ListEnrolments(ctx context.Context, q EnrolmentQuery) ([]Enrolment, error) {
	if q.Limit <= 0 {
		q.Limit = DefaultListLimit
	}
	where, args := enrolmentWhere(q)
	if where == "" {
		where = " WHERE id > ?"
	} else {
		where += " AND id > ?"
	}
	args = append(args, q.AfterID, q.Limit)
	rs, err := s.b.query(ctx, "SELECT "+enrolmentColumns+" FROM enrolments"+where+" ORDER BY id LIMIT ?", args...)
	if err != nil {
		return nil, fmt.Errorf("listing enrolments: %w", err)
	}
	defer rs.Close()
	var out []Enrolment
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

// CountEnrolments implements EnrolmentStore.
func (s *sqlStore) CountEnrolments(ctx context.Context, q EnrolmentQuery) (int64, error) {
	where, args := enrolmentWhere(q)
	var n int64
	if err := s.b.queryRow(ctx, "SELECT COUNT(*) FROM enrolments"+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting enrolments: %w", err)
	}
	return n, nil
}

func validateCheck(c *RevocationCheck) error {
	switch c.Status {
	case RevocationUnchecked, RevocationGood, RevocationRevoked, RevocationUnknown:
	default:
		return fmt.Errorf("%w: status %q", ErrInvalid, c.Status)
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

func (s *sqlStore) checkArgs(id int64, c RevocationCheck) []any {
	return []any{string(c.Status), c.Reason, c.Source, s.b.timeArg(stamp(c.CheckedAt)), id}
}

// SetRevocationChecks implements EnrolmentStore: one prepared UPDATE run
// for every check inside one transaction (pipelined in one round trip on
// PostgreSQL).
func (s *sqlStore) SetRevocationChecks(ctx context.Context, checks []EnrolmentCheck) error {
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
	err := s.b.inTx(ctx, func(q querier) error {
		st, err := q.prepare(ctx, setCheckSQL)
		if err != nil {
			return err
		}
		defer st.close()
		ns, err := st.execBatch(ctx, args)
		if err != nil {
			return err
		}
		for i, n := range ns {
			if n == 0 {
				return fmt.Errorf("enrolment %d: %w", checks[i].ID, ErrNotFound)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("recording %d revocation checks: %w", len(checks), err)
	}
	return nil
}

// SetRevocationCheck implements EnrolmentStore.
func (s *sqlStore) SetRevocationCheck(ctx context.Context, id int64, c RevocationCheck) error {
	if err := validateCheck(&c); err != nil {
		return fmt.Errorf("recording revocation check: %w", err)
	}
	n, err := s.b.exec(ctx, setCheckSQL, s.checkArgs(id, c)...)
	if err != nil {
		return fmt.Errorf("recording revocation check of enrolment %d: %w", id, err)
	}
	if n == 0 {
		return fmt.Errorf("recording revocation check of enrolment %d: %w", id, ErrNotFound)
	}
	return nil
}

// ReplaceEnrolment implements EnrolmentStore.
func (s *sqlStore) ReplaceEnrolment(ctx context.Context, oldID int64, next Enrolment) (Replacement, error) {
	if err := validateEnrolment(&next); err != nil {
		return Replacement{}, fmt.Errorf("replacing enrolment %d: %w", oldID, err)
	}
	var r Replacement
	err := s.b.inTx(ctx, func(q querier) error {
		old, err := scanEnrolment(q.queryRow(ctx, "SELECT "+enrolmentColumns+" FROM enrolments WHERE id = ?", oldID))
		if err != nil {
			return err
		}
		if old.ReplacedBy != 0 {
			return fmt.Errorf("%w: already replaced by enrolment %d", ErrConflict, old.ReplacedBy)
		}
		if err := s.insertEnrolment(ctx, q, &next); err != nil {
			return err
		}
		// The condition makes a concurrent replacement of the same
		// enrolment fail here rather than link twice.
		n, err := q.exec(ctx, "UPDATE enrolments SET replaced_by = ? WHERE id = ? AND replaced_by IS NULL", next.ID, oldID)
		if err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: replaced concurrently", ErrConflict)
		}
		r = Replacement{OldID: oldID, NewID: next.ID, At: next.EnrolledAt, Operator: next.Operator,
			Changes: DiffAttributes(old.Attributes, next.Attributes)}
		if _, err := q.exec(ctx, "INSERT INTO enrolment_replacements (old_id, new_id, replaced_at, operator) VALUES (?, ?, ?, ?)",
			r.OldID, r.NewID, s.b.timeArg(r.At), r.Operator); err != nil {
			return err
		}
		for i, c := range r.Changes {
			if _, err := q.exec(ctx, `INSERT INTO enrolment_changes (old_id, position, field, old_value, new_value)
				VALUES (?, ?, ?, ?, ?)`, oldID, i, c.Field, c.Old, c.New); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Replacement{}, fmt.Errorf("replacing enrolment %d: %w", oldID, err)
	}
	return r, nil
}

// Replacement implements EnrolmentStore.
func (s *sqlStore) Replacement(ctx context.Context, oldID int64) (Replacement, error) {
	r := Replacement{OldID: oldID}
	err := s.b.queryRow(ctx, "SELECT new_id, replaced_at, operator FROM enrolment_replacements WHERE old_id = ?", oldID).
		Scan(&r.NewID, timeScan{&r.At}, &r.Operator)
	if err != nil {
		return Replacement{}, fmt.Errorf("reading replacement of enrolment %d: %w", oldID, err)
	}
	rs, err := s.b.query(ctx, "SELECT field, old_value, new_value FROM enrolment_changes WHERE old_id = ? ORDER BY position", oldID)
	if err != nil {
		return Replacement{}, fmt.Errorf("reading replacement of enrolment %d: %w", oldID, err)
	}
	defer rs.Close()
	for rs.Next() {
		var c AttributeChange
		if err := rs.Scan(&c.Field, &c.Old, &c.New); err != nil {
			return Replacement{}, fmt.Errorf("reading replacement of enrolment %d: %w", oldID, err)
		}
		r.Changes = append(r.Changes, c)
	}
	if err := rs.Err(); err != nil {
		return Replacement{}, fmt.Errorf("reading replacement of enrolment %d: %w", oldID, err)
	}
	return r, nil
}
