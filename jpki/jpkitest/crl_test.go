package jpkitest

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"io"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
)

func TestWriteCRLParsesWithX509(t *testing.T) {
	root, key := Default().Root(card.SignKey, LatestGeneration)
	tests := []struct {
		name string
		opts CRLOptions
	}{
		{"empty", CRLOptions{}},
		{"synthetic", CRLOptions{Synthetic: 1000}},
		{"shuffled with IDP", CRLOptions{Synthetic: 1000, Shuffle: true, DistributionPoint: CRLDistributionPointName(card.SignKey, DefaultPrefecture, DefaultCity)}},
		{"explicit", CRLOptions{Entries: []CRLEntry{
			{Serial: big.NewInt(0x80), RevokedAt: time.Date(2051, 1, 1, 0, 0, 0, 0, time.UTC), Reason: ReasonSuperseded},
			{Serial: new(big.Int).Lsh(big.NewInt(1), 159), RevokedAt: ReferenceTime(), Reason: NoReason},
		}, Number: big.NewInt(4242)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			n, err := WriteCRL(&buf, root, key, tt.opts)
			if err != nil || n != int64(buf.Len()) {
				t.Fatalf("WriteCRL: %d %v", n, err)
			}
			rl, err := x509.ParseRevocationList(buf.Bytes())
			if err != nil {
				t.Fatal(err)
			}
			if err := rl.CheckSignatureFrom(root); err != nil {
				t.Fatal(err)
			}
			want := append([]CRLEntry{}, tt.opts.Entries...)
			for i := 0; i < tt.opts.Synthetic; i++ {
				want = append(want, SyntheticCRLEntry(i))
			}
			if len(rl.RevokedCertificateEntries) != len(want) {
				t.Fatalf("%d entries, want %d", len(rl.RevokedCertificateEntries), len(want))
			}
			got := map[string]x509.RevocationListEntry{}
			for _, e := range rl.RevokedCertificateEntries {
				got[e.SerialNumber.String()] = e
			}
			for _, w := range want {
				e, ok := got[w.Serial.String()]
				wantReason := w.Reason
				if wantReason == NoReason {
					wantReason = 0
				}
				if !ok || !e.RevocationTime.Equal(w.RevokedAt.Truncate(time.Second)) || e.ReasonCode != wantReason {
					t.Fatalf("entry %v: %v %v %d", w.Serial, ok, e.RevocationTime, e.ReasonCode)
				}
			}
			if tt.opts.Number != nil && rl.Number.Cmp(tt.opts.Number) != 0 {
				t.Fatalf("number %v", rl.Number)
			}
		})
	}
}

func TestWriteCRLFaults(t *testing.T) {
	root, key := Default().Root(card.SignKey, LatestGeneration)
	write := func(f CRLFault) []byte {
		var buf bytes.Buffer
		if _, err := WriteCRL(&buf, root, key, CRLOptions{Synthetic: 100, Fault: f}); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	full := write(CRLFaultNone)
	if rl, err := x509.ParseRevocationList(write(CRLFaultBadSignature)); err != nil || rl.CheckSignatureFrom(root) == nil {
		t.Fatal("bad-signature CRL verifies")
	}
	if tr := write(CRLFaultTruncated); len(tr) != len(full)/2 {
		t.Fatalf("truncated to %d of %d", len(tr), len(full))
	}
	rl, err := x509.ParseRevocationList(write(CRLFaultStale))
	if err != nil || !rl.NextUpdate.Before(ReferenceTime()) {
		t.Fatalf("stale: %v %v", err, rl.NextUpdate)
	}
}

// TestWriteCRLStreams checks that memory does not grow with the number of
// entries: writing 200,000 entries allocates about as much as 2,000.
func TestWriteCRLStreams(t *testing.T) {
	root, key := Default().Root(card.SignKey, LatestGeneration)
	measure := func(n int) float64 {
		return testing.AllocsPerRun(1, func() {
			WriteCRL(io.Discard, root, key, CRLOptions{Synthetic: n})
		})
	}
	// Allocations per entry are a few small, short-lived objects (the
	// serial's big.Int); what must not happen is a buffer of the list.
	small, large := measure(2000), measure(200_000)
	if perEntry := (large - small) / 198_000; perEntry > 8 {
		t.Fatalf("%.1f allocations per entry", perEntry)
	}
}

func TestOpenSSLAcceptsCRL(t *testing.T) {
	openssl, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not installed")
	}
	root, key := Default().Root(card.SignKey, LatestGeneration)
	dir := t.TempDir()
	crlPath, caPath := filepath.Join(dir, "test.crl"), filepath.Join(dir, "ca.pem")
	f, _ := os.Create(crlPath)
	if _, err := WriteCRL(f, root, key, CRLOptions{Synthetic: 22, DistributionPoint: CRLDistributionPointName(card.SignKey, DefaultPrefecture, DefaultCity)}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	os.WriteFile(caPath, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: root.Raw}), 0o600)
	out, err := exec.Command(openssl, "crl", "-inform", "DER", "-in", crlPath, "-noout", "-text", "-verify", "-CAfile", caPath).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "verify OK") {
		t.Fatalf("openssl crl: %v\n%s", err, out)
	}
	for _, want := range []string{"Affiliation Changed", "Key Compromise", "Superseded", "Cessation Of Operation", "Certificate Hold", "Remove From CRL", "Privilege Withdrawn", "AA Compromise", "CA Compromise", "Unspecified", "Issuing Distribution Point", DefaultCity + " CRLDP"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("openssl output lacks %q", want)
		}
	}
}
