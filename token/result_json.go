package token

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
)

type resultJSON struct {
	Key         string          `json:"key"`
	Algorithm   string          `json:"algorithm"`
	Certificate certificateJSON `json:"certificate"`
	Attributes  *attributesJSON `json:"attributes,omitempty"`
	Root        rootJSON        `json:"root"`
	Revocation  revocationJSON  `json:"revocation"`
}

type certificateJSON struct {
	Issuer      string    `json:"issuer"`
	Serial      string    `json:"serial"`
	Subject     string    `json:"subject"`
	NotBefore   time.Time `json:"not_before"`
	NotAfter    time.Time `json:"not_after"`
	Fingerprint string    `json:"fingerprint"`
}

type attributesJSON struct {
	Name      string `json:"name"`
	Address   string `json:"address"`
	BirthDate string `json:"birth_date,omitempty"`
	Sex       string `json:"sex"`
}

type rootJSON struct {
	Fingerprint string `json:"fingerprint"`
	Generation  int    `json:"generation,omitempty"`
	Production  bool   `json:"production"`
}

type revocationJSON struct {
	Status string `json:"status"`
	Source string `json:"source,omitempty"`
	Detail string `json:"detail,omitempty"`
}

// MarshalJSON writes the result for logs and APIs: the key ("auth" or
// "sign"), the algorithm, the certificate (issuer and subject as encoded,
// last RDN first; serial in upper-case hex; SHA-256 fingerprint), the
// holder's basic details for a signing-key token, the issuing root, and
// the revocation status ("good", "unknown" under the soft policy, or
// "not_checked" under off).
func (r Result) MarshalJSON() ([]byte, error) {
	out := resultJSON{Key: r.Key.String(), Algorithm: string(r.Algorithm), Revocation: revocationJSON{Status: "not_checked"}}
	if c := r.Certificate; c != nil && c.Certificate != nil {
		out.Certificate = certificateJSON{Issuer: rdnString(c.RawIssuer, c.Issuer), Serial: fmt.Sprintf("%X", c.SerialNumber.Bytes()),
			Subject: rdnString(c.RawSubject, c.Subject), NotBefore: c.NotBefore, NotAfter: c.NotAfter, Fingerprint: jpki.FingerprintOf(c.Raw).String()}
		if a := c.Attributes; a != nil && r.Key == card.SignKey {
			out.Attributes = &attributesJSON{Name: a.Name, Address: a.Address, Sex: a.Sex.String()}
			if !a.BirthDate.IsZero() {
				out.Attributes.BirthDate = a.BirthDate.Format(time.DateOnly)
			}
		}
	}
	if v := r.Chain; v != nil && v.Root != nil {
		out.Root = rootJSON{Fingerprint: v.Fingerprint().String(), Generation: v.Generation, Production: v.Production}
	}
	if rev := r.Revocation; rev != nil {
		out.Revocation = revocationJSON{Status: rev.Status.String(), Source: rev.Source}
		if rev.Err != nil {
			out.Revocation.Detail = rev.Err.Error()
		}
	}
	return json.Marshal(out)
}

// rdnString writes a Name as encoded (crypto/x509's Name.String merges
// repeated attributes into one multi-valued RDN).
func rdnString(raw []byte, parsed pkix.Name) string {
	var rdn pkix.RDNSequence
	if rest, err := asn1.Unmarshal(raw, &rdn); err != nil || len(rest) > 0 {
		return parsed.String()
	}
	return rdn.String()
}
