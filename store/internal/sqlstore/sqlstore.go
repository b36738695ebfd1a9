// Package sqlstore implements store.Store once, in SQL that both SQLite
// and PostgreSQL accept, over a [Backend] that each driver package
// (store/sqlite, store/postgres) provides. It holds the schema migrations
// of both and imports no driver itself.
package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/internal/attrtext"
	"github.com/mynacard/mynacard/store"
)

// Store implements store.Store once, in SQL both SQLite and PostgreSQL
// accept, over a Backend.
type Store struct {
	b Backend
}

var _ store.Store = (*Store)(nil)

// New returns the store over b after applying the migrations it lacks.
// With mustExist, a database without the store's schema gives an error
// wrapping store.ErrNoStore and nothing is created.
func New(ctx context.Context, b Backend, mustExist bool) (*Store, error) {
	if mustExist {
		var n int
		if err := b.QueryRow(ctx, b.SchemaExistsQuery()).Scan(&n); err != nil {
			return nil, fmt.Errorf("checking for the store's schema: %w", err)
		}
		if n == 0 {
			return nil, fmt.Errorf("%w: the database has no schema_version table", store.ErrNoStore)
		}
	}
	if err := Migrate(ctx, b, 0); err != nil {
		return nil, err
	}
	return &Store{b: b}, nil
}

// Close implements store.Store.
func (s *Store) Close() error { return s.b.Close() }

// Backend returns the database under the store, for tests that read or
// tamper with it directly.
func (s *Store) Backend() Backend { return s.b }

// now returns the current time at the store's precision.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// stamp truncates a caller's time to the store's precision.
func stamp(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC().Truncate(time.Microsecond)
}

// nullID is an optional foreign key: 0 is NULL.
func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// nullBytes stores an empty slice as NULL.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// idScan scans a nullable integer column, NULL giving 0.
type idScan struct{ id *int64 }

// Scan implements sql.Scanner.
func (s idScan) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*s.id = 0
	case int64:
		*s.id = v
	case int32:
		*s.id = int64(v)
	default:
		return fmt.Errorf("scanning id: unsupported column type %T", src)
	}
	return nil
}

// MaxTextBytes bounds free-text fields the store is given (names,
// addresses, DNs, details) so a bug upstream cannot fill the disk.
const MaxTextBytes = 64 << 10

func checkLen(what, s string) error {
	if len(s) > MaxTextBytes {
		return fmt.Errorf("%w: %s longer than %d bytes", store.ErrInvalid, what, MaxTextBytes)
	}
	return nil
}

func checkKind(k card.KeyKind) error {
	if k != card.SignKey && k != card.AuthKey {
		return fmt.Errorf("%w: certificate kind %q", store.ErrInvalid, k)
	}
	return nil
}

// kindText is a certificate kind as its column holds it: "sign", "auth",
// or "" for none.
func kindText(k card.KeyKind) string {
	b, _ := k.MarshalText()
	return string(b)
}

// kindOfText reads a kind column; text that names no kind is the zero
// kind, which validation refuses.
func kindOfText(s string) card.KeyKind {
	k, _ := card.ParseKeyKind(s)
	return k
}

// attributesRow returns the text the attribute columns keep for a of a
// certificate of kind k, or an error wrapping store.ErrInvalid when a
// cannot be kept (package store, "Attributes").
func attributesRow(a *card.Attributes, k card.KeyKind) (attrtext.Row, error) {
	r, err := attrtext.Encode(a, attrtext.CodesFor(k))
	if err != nil {
		return attrtext.Row{}, fmt.Errorf("%w: attributes: %w", store.ErrInvalid, err)
	}
	for _, f := range [...]struct{ what, v string }{
		{"name", r.Name}, {"name substitute", r.NameSubstitute},
		{"address", r.Address}, {"address substitute", r.AddressSubstitute},
		{"birth date", r.BirthDate}, {"sex", r.Sex},
	} {
		if err := checkLen(f.what, f.v); err != nil {
			return attrtext.Row{}, err
		}
	}
	return r, nil
}

// sameRow reports whether r's attributes still have the text row.
func sameRow(r store.Record, row attrtext.Row) bool {
	got, err := attrtext.Encode(r.Attributes, attrtext.CodesFor(r.CertKind))
	return err == nil && got == row
}

// cloneAttributes copies a, so that what the store returns and what a
// seal function sees share no memory with the caller's value.
func cloneAttributes(a *card.Attributes) *card.Attributes {
	if a == nil {
		return nil
	}
	c := *a
	c.NameSubstitutes = slices.Clone(a.NameSubstitutes)
	c.AddressSubstitutes = slices.Clone(a.AddressSubstitutes)
	return &c
}

// certKey validates and canonicalises a certificate's issuer (see
// CanonicalIssuer; an issuer that reads as neither a name nor a key
// identifier is kept as given) and serial.
func certKey(issuer, serial string) (string, string, error) {
	if issuer == "" {
		return "", "", fmt.Errorf("%w: empty issuer", store.ErrInvalid)
	}
	if err := checkLen("issuer", issuer); err != nil {
		return "", "", err
	}
	c, err := store.CanonicalSerial(serial)
	if ci, err := store.CanonicalIssuer(issuer); err == nil {
		issuer = ci
	}
	return issuer, c, err
}

// isNotFound reports a missing row.
func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }
