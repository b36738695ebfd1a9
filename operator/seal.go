package operator

import (
	"bytes"
	"context"
	"fmt"

	"github.com/mynacard/mynacard/store"
)

// Sealer returns the store.SealFunc that seals each appended record with
// key: PrevHash is the previous record's hash, RecordHash chains it (see
// RecordHash), Signature is key's signature over RecordHash and SignerCert
// the key's certificate (DER). Pass it to store.RecordStore.AppendRecord.
//
// The store calls it inside the append transaction, so a key that prompts
// for a PIN (a PIV slot with the PIN-always policy) prompts while other
// appends wait; SealerContext bounds that wait.
func Sealer(key Key) store.SealFunc {
	return SealerContext(context.Background(), key)
}

// SealerContext is Sealer whose signatures are bounded by ctx (used when
// key is a ContextSigner, such as a PIV key that may prompt for its PIN).
func SealerContext(ctx context.Context, key Key) store.SealFunc {
	return func(prevHash []byte, r *store.Record) error {
		return Seal(ctx, key, prevHash, r)
	}
}

// Seal fills in r's seal fields for a record following one whose
// RecordHash is prevHash (empty for the first record). It is what the
// store.SealFunc from Sealer does; it also serves records kept elsewhere.
// The signature is checked against the certificate before r is changed,
// so a token that signs with another key than its certificate's is caught
// at once.
func Seal(ctx context.Context, key Key, prevHash []byte, r *store.Record) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("sealing record %d: %w", r.Seq, err)
	}
	if err := checkText(r); err != nil {
		return fmt.Errorf("sealing record %d: %w", r.Seq, err)
	}
	cert := key.Certificate()
	if err := checkKeyPair(key.Public(), cert); err != nil {
		return fmt.Errorf("sealing record %d: %w", r.Seq, err)
	}
	prev := bytes.Clone(prevHash)
	hash := RecordHash(prev, r)
	sig, err := signHash(ctx, key, hash)
	if err != nil {
		return fmt.Errorf("sealing record %d: signing: %w", r.Seq, err)
	}
	if !verifyHash(cert.PublicKey, hash, sig) {
		return fmt.Errorf("sealing record %d: %w: the signature does not verify with the operator certificate", r.Seq, ErrKeyMismatch)
	}
	r.PrevHash, r.RecordHash, r.Signature, r.SignerCert = prev, hash, sig, bytes.Clone(cert.Raw)
	return nil
}
