package confirm_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
	"github.com/mynacard/mynacard/store/sqlite"
)

// exampleCRLs is a revocation checker over one fresh CRL from each test
// root, listing the given entries (kind → entries).
func exampleCRLs(entries map[card.KeyKind][]jpkitest.CRLEntry) revocation.Checker {
	pki := jpkitest.Default()
	roots := append(pki.Roots(card.SignKey), pki.Roots(card.AuthKey)...)
	set := revocation.NewCRLSet(roots, revocation.CRLSetOptions{Now: jpkitest.ReferenceTime})
	now := jpkitest.ReferenceTime()
	for _, k := range []card.KeyKind{card.SignKey, card.AuthKey} {
		root, key := pki.Root(k, jpkitest.LatestGeneration)
		var der bytes.Buffer
		if _, err := jpkitest.WriteCRL(&der, root, key, jpkitest.CRLOptions{
			ThisUpdate: now.Add(-3600e9), NextUpdate: now.Add(24 * 3600e9), Entries: entries[k],
			DistributionPoint: jpkitest.CRLDistributionPointName(k, jpkitest.DefaultPrefecture, jpkitest.DefaultCity),
		}); err != nil {
			panic(err)
		}
		crl, err := revocation.ParseCRL(&der, revocation.ParseOptions{Issuers: roots})
		if err != nil {
			panic(err)
		}
		if err := set.Add(crl); err != nil {
			panic(err)
		}
	}
	return set
}

// exampleStore opens a new SQLite store in a temporary directory.
func exampleStore() (store.Store, func()) {
	dir, err := os.MkdirTemp("", "mynacard-example")
	if err != nil {
		panic(err)
	}
	st, err := sqlite.Open(context.Background(), filepath.Join(dir, "records.db"))
	if err != nil {
		panic(err)
	}
	return st, func() { st.Close(); os.RemoveAll(dir) }
}

// A qualification confirmation (資格確認): the authentication key proves
// the card, and the insurer's eligibility file, imported into the store,
// answers for its certificate.
func ExampleConfirmer_Qualify() {
	ctx := context.Background()
	st, done := exampleStore()
	defer done()

	h := jpkitest.DefaultHolder()
	var rows strings.Builder
	w := csv.NewWriter(&rows)
	w.Write(strings.Split(store.EligibilityCSVHeader, ","))
	w.Write([]string{confirm.IssuerString(h.AuthCert), confirm.SerialString(h.AuthCert), "06123456", "ABC", "1234", "01",
		"山田　太郎", "ヤマダ　タロウ", "1985-04-01", "1", "2025-04-01", "", "", "30", "1"})
	w.Flush()
	if _, err := st.ImportEligibilityCSV(ctx, strings.NewReader(rows.String())); err != nil {
		panic(err)
	}

	c, err := confirm.New(confirm.Config{
		Roots: exampleRoots(), Eligibility: st, Records: st,
		Revocation: exampleCRLs(nil), RevocationPolicy: revocation.PolicyHard,
		Now: jpkitest.ReferenceTime,
	})
	if err != nil {
		panic(err)
	}
	prompt := func(context.Context, card.PINKind, int) ([]byte, error) { return []byte(jpkitest.DefaultAuthPIN), nil }
	q, err := c.Qualify(ctx, exampleCard(), confirm.QualifyOptions{Prompt: prompt})
	if err != nil {
		panic(err)
	}
	fmt.Println("ok:", q.Verdict.OK, "revocation:", q.Verdict.Revocation.Status)
	fmt.Println("validity:", q.Eligibility.Status, q.Eligibility.StatusCode, "eligible:", q.Eligibility.Eligible)
	fmt.Println("insurer:", q.Eligibility.InsurerNumber, "from:", q.Eligibility.QualifiedFrom)
	// Output:
	// ok: true revocation: good
	// validity: 1 valid eligible: true
	// insurer: 06123456 from: 2025-04-01
}

// A registration-change confirmation (異動確認): a customer identified and
// enrolled with the signing key; later the municipality's CRL lists that
// certificate as affiliationChanged, and the nightly run finds it.
func ExampleConfirmer_CheckAll() {
	ctx := context.Background()
	st, done := exampleStore()
	defer done()
	roots := exampleRoots()
	prompt := func(context.Context, card.PINKind, int) ([]byte, error) { return []byte(jpkitest.DefaultSignPIN), nil }

	// At the counter: identify and enrol.
	counter, err := confirm.New(confirm.Config{
		Roots: roots, Enrolments: st, Records: st,
		Revocation: exampleCRLs(nil), RevocationPolicy: revocation.PolicyHard,
		Now: jpkitest.ReferenceTime,
	})
	if err != nil {
		panic(err)
	}
	id, err := counter.Identify(ctx, exampleCard(), confirm.IdentifyOptions{Key: card.SignKey, Prompt: prompt, Enroll: true})
	if err != nil {
		panic(err)
	}
	fmt.Println("identified:", id.Verdict.OK)

	// At night: the new CRL lists the certificate.
	h := jpkitest.DefaultHolder()
	listed := exampleCRLs(map[card.KeyKind][]jpkitest.CRLEntry{card.SignKey: {{
		Serial: h.SignCert.SerialNumber, RevokedAt: jpkitest.ReferenceTime().Add(-3600e9),
		Reason: jpkitest.ReasonAffiliationChanged,
	}}})
	nightly, err := confirm.New(confirm.Config{
		Roots: roots, Enrolments: st, Records: st,
		Revocation: listed, RevocationPolicy: revocation.PolicyHard,
		Now: jpkitest.ReferenceTime,
	})
	if err != nil {
		panic(err)
	}
	sum, err := nightly.CheckAll(ctx, nil, func(r confirm.ChangeResult) {
		fmt.Println("enrolment", r.EnrolmentID, r.Outcome, r.Revocation.Reason)
	})
	if err != nil {
		panic(err)
	}
	fmt.Println("checked:", sum.Checked, "changed:", sum.RegistrationChanged)
	// Output:
	// identified: true
	// enrolment 1 registration_changed affiliationChanged
	// checked: 1 changed: 1
}
