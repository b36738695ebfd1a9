package revocation_test

import (
	"bytes"
	"context"
	"fmt"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
)

// A registration change (異動): the municipality's CRL lists the signing
// certificate with reason affiliationChanged.
func ExampleCRLSet_Check() {
	pki := jpkitest.Default()
	holder := jpkitest.DefaultHolder()
	root, key := pki.Root(card.SignKey, jpkitest.LatestGeneration)
	var der bytes.Buffer
	_, err := jpkitest.WriteCRL(&der, root, key, jpkitest.CRLOptions{
		Entries: []jpkitest.CRLEntry{{
			Serial:    holder.SignCert.SerialNumber,
			RevokedAt: jpkitest.ReferenceTime().Add(-48 * 3600e9),
			Reason:    jpkitest.ReasonAffiliationChanged,
		}},
		DistributionPoint: jpkitest.CRLDistributionPointName(card.SignKey, jpkitest.DefaultPrefecture, jpkitest.DefaultCity),
	})
	if err != nil {
		panic(err)
	}
	crl, err := revocation.ParseCRL(&der, revocation.ParseOptions{Issuers: pki.Roots(card.SignKey)})
	if err != nil {
		panic(err)
	}
	set := revocation.NewCRLSet(pki.Roots(card.SignKey), revocation.CRLSetOptions{Now: jpkitest.ReferenceTime})
	if err := set.Add(crl); err != nil {
		panic(err)
	}
	r := set.Check(context.Background(), holder.SignCert)
	fmt.Println(r.Status, r.Reason, r.Reason.RegistrationChanged())
	// The authentication certificate has its own hierarchy: no CRL loaded.
	fmt.Println(set.Check(context.Background(), holder.AuthCert).Status)
	// Output:
	// revoked affiliationChanged true
	// unknown
}
