package store

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"
)

// TestCanonicalIssuer: both ways crypto/x509 writes a name, and the key
// identifier, give one canonical string; anything else is refused.
func TestCanonicalIssuer(t *testing.T) {
	ou := asn1.ObjectIdentifier{2, 5, 4, 11}
	names := []pkix.RDNSequence{
		{ // the JPKI shape: C, O, then three OUs
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "JP"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: "JPKI"}},
			{{Type: ou, Value: "JPKI for user authentication"}},
			{{Type: ou, Value: "Japan Agency for Local Authority Information Systems"}},
			{{Type: ou, Value: "test"}},
		},
		{ // special characters that must be escaped, and a CN
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 6}, Value: "JP"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 10}, Value: `A, "B" + C; <D> \E`}},
			{{Type: ou, Value: " leading and trailing "}},
			{{Type: ou, Value: "#hash"}},
			{{Type: asn1.ObjectIdentifier{2, 5, 4, 3}, Value: "地方公共団体情報システム機構"}},
		},
	}
	for _, seq := range names {
		raw := seq.String()
		var n pkix.Name
		n.FillFromRDNSequence(&seq)
		x509Form := n.String()
		if raw == x509Form {
			t.Fatalf("test name %q has only one form", raw)
		}
		for _, in := range []string{raw, x509Form} {
			got, err := CanonicalIssuer(in)
			if err != nil || got != raw {
				t.Errorf("CanonicalIssuer(%q) = %q, %v; want %q", in, got, err, raw)
			}
		}
	}
	for in, want := range map[string]string{
		"keyid:FDC31892427E93C8":    "keyid:fdc31892427e93c8",
		"KEYID:fd:c3:18":            "keyid:fdc318",
		"ou=A, o=JPKI, c=JP":        "OU=A,O=JPKI,C=JP",
		"CN=x\\2Cy,C=JP":            `CN=x\,y,C=JP`,
		"2.5.4.11=B,2.5.4.6=JP":     "OU=B,C=JP",
		"1.2.3.4=#0c0141,C=JP":      "1.2.3.4=#0c0141,C=JP",
		"OU=b+OU=a,O=JPKI,C=JP":     "OU=a,OU=b,O=JPKI,C=JP",
		"  OU=a , O=JPKI ,  C=JP  ": "OU=a,O=JPKI,C=JP",
	} {
		if got, err := CanonicalIssuer(in); err != nil || got != want {
			t.Errorf("CanonicalIssuer(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "JPKI", "keyid:", "keyid:xyz", "C=", "=JP", "FOO=bar", `O="quoted"`, `O=a\`, "O=a,,C=JP"} {
		if got, err := CanonicalIssuer(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("CanonicalIssuer(%q) = %q, %v; want ErrInvalid", bad, got, err)
		}
	}
}
