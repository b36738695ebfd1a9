package revocation

import (
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// TestAttackStaleCRLListing: a serial listed in a stale CRL is revoked
// through every entry point (CRLSet and StatusFromCRLs), never "unknown",
// which a soft policy would accept; an unlisted serial under a stale CRL
// is unknown, never good.
func TestAttackStaleCRLListing(t *testing.T) {
	revokedSerial := jpkitest.SyntheticCRLEntry(4).Serial
	goodSerial := new(big.Int).Add(revokedSerial, big.NewInt(1))
	crl := mustParse(t, makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 10, DistributionPoint: chiyoda(),
		ThisUpdate: refTime.Add(-72 * time.Hour), NextUpdate: refTime.Add(-48 * time.Hour)}))
	root, _ := signRoot(3)
	set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
	if err := set.Add(crl); !errors.Is(err, ErrStale) {
		t.Fatalf("Add(stale CRL) = %v, want ErrStale", err)
	}
	listed := issueCert(t, 3, revokedSerial, jpkitest.DefaultPrefecture, jpkitest.DefaultCity)
	unlisted := issueCert(t, 3, goodSerial, jpkitest.DefaultPrefecture, jpkitest.DefaultCity)
	for _, ep := range []struct {
		name   string
		status func(*testing.T, *big.Int) Result
	}{
		{"CRLSet.Check", func(t *testing.T, s *big.Int) Result {
			if s.Cmp(revokedSerial) == 0 {
				return set.Check(t.Context(), listed)
			}
			return set.Check(t.Context(), unlisted)
		}},
		{"StatusFromCRLs", func(t *testing.T, s *big.Int) Result {
			c := unlisted
			if s.Cmp(revokedSerial) == 0 {
				c = listed
			}
			return StatusFromCRLs([]*CRL{crl}, c, root, refTime)
		}},
	} {
		r := ep.status(t, revokedSerial)
		verdict := "revoked"
		if r.Status != StatusRevoked || r.Reason != ReasonAffiliationChanged {
			verdict = "NOT REVOKED: " + r.Status.String()
			t.Errorf("%s: listed serial in a stale CRL = %v (%v), want revoked (affiliationChanged)", ep.name, r.Status, r.Err)
		}
		t.Logf("ATTACK | serial listed in a stale CRL (%s) | revoked, whatever the CRL's freshness | %s", ep.name, verdict)
		if r := ep.status(t, goodSerial); r.Status != StatusUnknown || !errors.Is(r.Err, ErrStale) {
			t.Errorf("%s: unlisted serial under a stale CRL = %v (%v), want unknown (stale)", ep.name, r.Status, r.Err)
		}
	}
	// The same CRL fresh: good for the unlisted serial.
	if r := StatusFromCRLs([]*CRL{crl}, unlisted, root, refTime.Add(-60*time.Hour)); r.Status != StatusGood {
		t.Errorf("unlisted serial under the CRL while fresh = %v (%v), want good", r.Status, r.Err)
	}
	// Another issuer's CRLs answer nothing.
	other, _ := signRoot(2)
	if r := StatusFromCRLs([]*CRL{crl}, listed, other, refTime); r.Status != StatusUnknown || !errors.Is(r.Err, ErrNoSource) {
		t.Errorf("CRLs of another issuer = %v (%v), want unknown (no source)", r.Status, r.Err)
	}
}

// TestLoadSource: a configured source that cannot be read is a
// *SourceError naming it, both before (CheckSource) and at load; a stale
// CRL is loaded with ErrStale; a CRL no issuer verifies is not an error.
func TestLoadSource(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	fresh := write("fresh.crl", makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 3, ThisUpdate: refTime.Add(-time.Hour), NextUpdate: refTime.Add(time.Hour)}))
	stale := write("stale.crl", makeCRL(t, 3, jpkitest.CRLOptions{Synthetic: 3, ThisUpdate: refTime.Add(-72 * time.Hour), NextUpdate: refTime.Add(-48 * time.Hour)}))
	garbage := write("garbage.crl", []byte("not a CRL"))
	empty := filepath.Join(dir, "empty")
	if err := os.Mkdir(empty, 0o700); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(dir, "missing.crl")

	for _, tc := range []struct {
		name, src string
		check     bool // CheckSource refuses it
		want      func(error) bool
	}{
		{"fresh file", fresh, false, func(err error) bool { return err == nil }},
		{"directory", dir, false, func(err error) bool { return err != nil && !isSourceError(err) }}, // garbage.crl in it
		{"stale file", stale, false, func(err error) bool { return errors.Is(err, ErrStale) && !isSourceError(err) }},
		{"missing file", missing, true, func(err error) bool { return isSourceError(err) && errors.Is(err, os.ErrNotExist) }},
		{"not a CRL", garbage, false, isSourceError},
		{"directory without CRLs", empty, true, isSourceError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			set := NewCRLSet(signRoots(), CRLSetOptions{Now: fixedNow})
			if tc.name == "directory" {
				// The garbage file makes the directory unusable.
				if err := set.LoadSource(t.Context(), tc.src); !isSourceError(err) {
					t.Fatalf("LoadSource(dir with a broken file) = %v, want a *SourceError", err)
				}
				return
			}
			err := set.LoadSource(t.Context(), tc.src)
			if !tc.want(err) {
				t.Fatalf("LoadSource(%s) = %v", tc.name, err)
			}
			if isSourceError(err) && !strings.Contains(err.Error(), tc.src) {
				t.Errorf("error %q does not name %s", err, tc.src)
			}
			if cerr := CheckSource(tc.src); (cerr != nil) != tc.check {
				t.Errorf("CheckSource(%s) = %v, want refused %v", tc.name, cerr, tc.check)
			}
		})
	}
	// A CRL of a root outside the set: not loaded, not a source error.
	set := NewCRLSet(nil, CRLSetOptions{Now: fixedNow})
	if err := set.LoadSource(t.Context(), fresh); isSourceError(err) || !errors.Is(err, ErrUnknownIssuer) {
		t.Errorf("LoadSource(CRL of an issuer outside the set) = %v, want ErrUnknownIssuer, not a *SourceError", err)
	}
}

func isSourceError(err error) bool {
	var se *SourceError
	return errors.As(err, &se)
}
