package pdf

import (
	"context"
	"testing"
)

// FuzzVerify feeds arbitrary bytes to the signature extractor and
// verifier: no panic, no hang. The corpus holds a signed form
// (testdata/fuzz/FuzzVerify/signed-form); no roots are given, so that the
// workers start without building the test PKI.
func FuzzVerify(f *testing.F) {
	f.Add(formPDF())
	f.Add([]byte("%PDF-1.7\nxref\n0 1\n0000000000 65535 f\r\ntrailer\n<< /Size 1 >>\nstartxref\n9\n%%EOF\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		rep, err := Verify(context.Background(), data, VerifyOptions{})
		if err != nil {
			return
		}
		_ = rep.Valid()
	})
}

// FuzzContentsCMS fuzzes the /Contents decoder (DER, or BER re-encoded)
// and the strict CMS parser.
func FuzzContentsCMS(f *testing.F) {
	f.Add([]byte{0x30, 0x80, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00})
	f.Add([]byte{0x30, 0x03, 0x02, 0x01, 0x01})
	f.Fuzz(func(t *testing.T, raw []byte) {
		der, err := contentsCMS(raw)
		if err != nil {
			return
		}
		if _, err := derLength(der); err != nil {
			t.Fatalf("contentsCMS returned non-DER %x", der)
		}
		_, _ = parseSignedData(der)
	})
}

// FuzzPrepare feeds arbitrary bytes to the signing preparation: an error
// or a prepared update, never a panic.
func FuzzPrepare(f *testing.F) {
	f.Add(formPDF())
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Prepare(data, SignOptions{})
		if err != nil {
			return
		}
		if _, err := readDocument(p.Unsigned()); err != nil {
			t.Fatalf("prepared update unreadable: %v", err)
		}
	})
}
