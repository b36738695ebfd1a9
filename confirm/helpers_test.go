package confirm_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"database/sql"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/reader"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/storeopen"
)

// env is one test's world: the default test PKI as trusted roots, a
// SQLite store in a temporary directory, a CRL checker whose lists the
// test sets, and a clock fixed at jpkitest.ReferenceTime.
type env struct {
	t     testing.TB
	pki   *jpkitest.PKI
	roots *jpki.Roots
	st    store.Store
	path  string // the store's SQLite file
	crls  *crlSource
	now   time.Time
	cfg   confirm.Config
}

// crlSource is the test's revocation source: a revocation.CRLSet of CRLs,
// built again at each check so that a test can swap the lists and the
// clock between confirmations.
type crlSource struct {
	issuers []*x509.Certificate
	CRLs    []*revocation.CRL
	Now     func() time.Time
}

func (s *crlSource) Check(ctx context.Context, cert *x509.Certificate) revocation.Result {
	set := revocation.NewCRLSet(s.issuers, revocation.CRLSetOptions{Now: s.Now})
	for _, c := range s.CRLs {
		// A stale CRL is added all the same (Add says so): its listings
		// still count.
		_ = set.Add(c)
	}
	return set.Check(ctx, cert)
}

type revoked struct {
	serial *big.Int
	reason revocation.Reason
}

func newEnv(t testing.TB) *env { return newEnvIn(t, t.TempDir()) }

// fastDir returns a temporary directory on tmpfs when the machine has
// /dev/shm, else t.TempDir(): the 10,000-enrolment test does 20,000
// synchronous SQLite commits, which on a shared disk take minutes.
func fastDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("/dev/shm", "confirm-test-")
	if err != nil {
		return t.TempDir()
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	return dir
}

func newEnvIn(t testing.TB, dir string) *env {
	t.Helper()
	p := jpkitest.Default()
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(append(p.Roots(card.SignKey), p.Roots(card.AuthKey)...)...))
	if err != nil {
		t.Fatal(err)
	}
	st, err := storeopen.Open(context.Background(), filepath.Join(dir, "store.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{t: t, pki: p, roots: roots, st: st, path: filepath.Join(dir, "store.db"), now: jpkitest.ReferenceTime()}
	e.crls = &crlSource{issuers: append(p.AllRoots(card.SignKey), p.AllRoots(card.AuthKey)...), Now: func() time.Time { return e.now }}
	e.setCRLs(nil, nil)
	e.cfg = confirm.Config{
		Roots: roots, Revocation: e.crls, Enrolments: st, Records: st, Eligibility: st, Operator: "clerk-1",
		Now: func() time.Time { return e.now },
	}
	return e
}

// setCRLs makes fresh CRLs of the latest generation's signing and
// authentication roots listing the given certificates.
func (e *env) setCRLs(sign, auth []revoked) {
	e.t.Helper()
	e.crls.CRLs = []*revocation.CRL{
		e.makeCRL(card.SignKey, jpkitest.LatestGeneration, sign),
		e.makeCRL(card.AuthKey, jpkitest.LatestGeneration, auth),
	}
}

func (e *env) makeCRL(kind card.KeyKind, gen int, list []revoked) *revocation.CRL {
	e.t.Helper()
	root, key := e.pki.Root(kind, gen)
	tmpl := &x509.RevocationList{
		Number:     big.NewInt(1),
		ThisUpdate: jpkitest.ReferenceTime().Add(-24 * time.Hour),
		NextUpdate: jpkitest.ReferenceTime().Add(7 * 24 * time.Hour),
	}
	for _, r := range list {
		tmpl.RevokedCertificateEntries = append(tmpl.RevokedCertificateEntries, x509.RevocationListEntry{
			SerialNumber: r.serial, RevocationTime: jpkitest.ReferenceTime().Add(-time.Hour), ReasonCode: int(r.reason),
		})
	}
	der, err := x509.CreateRevocationList(rand.Reader, tmpl, root, key)
	if err != nil {
		e.t.Fatal(err)
	}
	crl, err := revocation.ParseCRL(bytes.NewReader(der), revocation.ParseOptions{Issuers: e.pki.Roots(kind), Source: kind.String() + "-test.crl"})
	if err != nil {
		e.t.Fatal(err)
	}
	return crl
}

func (e *env) confirmer(edit func(*confirm.Config)) *confirm.Confirmer {
	e.t.Helper()
	cfg := e.cfg
	if edit != nil {
		edit(&cfg)
	}
	c, err := confirm.New(cfg)
	if err != nil {
		e.t.Fatal(err)
	}
	return c
}

// cardOf returns the JPKI application of a virtual card for h.
func cardOf(t testing.TB, h *jpkitest.Holder, opts card.Options, vopts ...virtual.Option) *card.JPKI {
	t.Helper()
	vc, err := virtual.NewMyNumberCard(h.Contents(), vopts...)
	if err != nil {
		t.Fatal(err)
	}
	j, err := card.OpenJPKI(context.Background(), reader.Loopback("virtual", vc, reader.Capabilities{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

// pin returns a prompt answering s.
func pin(s string) card.PINPrompt {
	return func(context.Context, card.PINKind, int) ([]byte, error) { return []byte(s), nil }
}

// recordText reads one column of record seq as the database holds it.
func (e *env) recordText(seq int64, column string) string {
	e.t.Helper()
	db, err := sql.Open("sqlite", e.path)
	if err != nil {
		e.t.Fatal(err)
	}
	defer db.Close()
	var v string
	if err := db.QueryRow("SELECT "+column+" FROM records WHERE seq = ?", seq).Scan(&v); err != nil {
		e.t.Fatal(err)
	}
	return v
}

func (e *env) records() []store.Record {
	e.t.Helper()
	rs, err := e.st.ListRecords(context.Background(), 0, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

var (
	movedOnce sync.Once
	moved     *jpkitest.Holder
)

// movedHolder is the default holder after a move: a new signing
// certificate (new key, new serial) with a changed address, from the same
// test PKI. The authentication certificate keeps its serial, as JPKI does
// not revoke it on a move.
func movedHolder(t testing.TB) *jpkitest.Holder {
	movedOnce.Do(func() {
		d := jpkitest.DefaultHolder()
		h, err := jpkitest.Default().Issue(jpkitest.HolderSpec{
			Address:    "東京都港区新住所４丁目５番６号",
			SignSerial: new(big.Int).Add(d.SignCert.SerialNumber, big.NewInt(1000)),
			AuthSerial: d.AuthCert.SerialNumber,
			Number:     d.Spec.Number,
			KeySalt:    "moved",
		})
		if err != nil {
			panic(err)
		}
		moved = h
	})
	return moved
}
