package confirm

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
)

// challengeSize is the size of the random challenge the holder signs in
// Identify and Qualify: 32 bytes, hashed with the hash of the
// certificate key's algorithm (SHA-256 for RSA-2048, SHA-384 for P-384).
const challengeSize = 32

// Config configures a Confirmer once.
type Config struct {
	// Roots are the trusted roots (pinned J-LIS roots; test roots only when
	// built with jpki.WithTestHierarchy). Required.
	Roots *jpki.Roots
	// Revocation answers revocation status (a revocation.Config's Load
	// builds one). Nil means no source: every status is "unknown" with code
	// "no_source", never good.
	Revocation revocation.Checker
	// RevocationPolicy decides what the revocation answer does to the
	// verdict; the zero value is revocation.PolicyHard.
	RevocationPolicy revocation.Policy
	// RequireProduction refuses certificates that chain to a test root.
	RequireProduction bool
	// Enrolments keeps enrolments and registration changes. When set,
	// Identify looks the certificate up in it; enrolling (Enroll,
	// Replaces) and the change checks need it. One store.Store fills
	// Enrolments, Records and Eligibility.
	Enrolments Enrolments
	// Records keeps a record of every confirmation. Nil means nothing is
	// recorded; enrolling and Qualify need it.
	Records Records
	// Eligibility answers Qualify's lookup; Qualify needs it.
	Eligibility Eligibility
	// Operator names the clerk or kiosk, kept in records and enrolments.
	Operator string
	// Seal, if set, is passed to Records.AppendRecord to chain
	// and sign each record.
	Seal store.SealFunc
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Rand is the source of challenges; nil means crypto/rand.Reader.
	Rand io.Reader
}

// Confirmer runs confirmations with one configuration. It is safe for
// concurrent use if its stores and revocation checker are.
type Confirmer struct {
	cfg Config
}

// ErrNoStore reports an operation that needs a store (Enrolments, Records
// or Eligibility) on a Confirmer configured without it.
var ErrNoStore = errors.New("confirm: no store configured")

// ErrNoRoots reports a Config without Roots.
var ErrNoRoots = errors.New("confirm: no trusted roots configured")

// New returns a Confirmer for cfg.
func New(cfg Config) (*Confirmer, error) {
	if cfg.Roots == nil {
		return nil, ErrNoRoots
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return &Confirmer{cfg: cfg}, nil
}

// Config returns the Confirmer's configuration (with defaults filled in).
func (c *Confirmer) Config() Config { return c.cfg }

// newChallenge returns challengeSize random bytes.
func (c *Confirmer) newChallenge() ([]byte, error) {
	challenge := make([]byte, challengeSize)
	if _, err := io.ReadFull(c.cfg.Rand, challenge); err != nil {
		return nil, fmt.Errorf("making challenge: %w", err)
	}
	return challenge, nil
}

// challengeDigest is what the card signs for a challenge: its hash under
// the key's algorithm.
func challengeDigest(challenge []byte) func(jpki.SignatureAlgorithm) []byte {
	return func(a jpki.SignatureAlgorithm) []byte { return hashOf(a.Hash(), challenge) }
}

// evaluate checks a signature over the challenge's digest with cert's
// key, the chain at now for kind, and revocation, and combines them under
// the policy. It returns the issuing root's certificate when the chain
// verified.
func (c *Confirmer) evaluate(ctx context.Context, cert *jpki.Certificate, kind card.KeyKind, sc signedChallenge, sig []byte, now time.Time) (Verdict, *x509.Certificate) {
	var v Verdict
	v.Signature = verifySignature(cert, sc, sig)
	ver, err := jpki.Verify(cert, c.cfg.Roots, jpki.VerifyOptions{Time: now, Kind: kind, RequireProduction: c.cfg.RequireProduction})
	v.Chain = chainResult(ver, err, now)
	var issuer *x509.Certificate
	if err == nil {
		issuer = ver.Root.Certificate
	}
	v.Revocation = c.checkRevocation(ctx, cert.Certificate, issuer)
	v.Refusal = refusal(v, c.cfg.RevocationPolicy)
	v.OK = v.Refusal == ""
	return v, issuer
}

// verifySignature checks sig over sc's digest with the certificate's key,
// in the algorithm of that key; sc.alg must be it.
func verifySignature(cert *jpki.Certificate, sc signedChallenge, sig []byte) SignatureResult {
	alg, err := jpki.AlgorithmFor(cert.PublicKey)
	out := SignatureResult{Algorithm: string(alg)}
	switch {
	case err != nil:
		out.Detail = err.Error()
		return out
	case alg != sc.alg:
		out.Detail = fmt.Sprintf("signed as %s, certificate key is %s", sc.alg, alg)
		return out
	}
	if err := jpki.VerifyDigest(cert.PublicKey, alg.Hash(), sc.digest, sig, alg.Hash()); err != nil {
		out.Detail = "signature does not verify with the certificate's key"
		return out
	}
	out.OK = true
	return out
}

// checkRevocation asks the checker, unless the policy is off.
func (c *Confirmer) checkRevocation(ctx context.Context, cert, issuer *x509.Certificate) RevocationResult {
	return checkRevocation(ctx, c.cfg.Revocation, c.cfg.RevocationPolicy, cert, issuer)
}

// checkRevocation asks chk about cert, unless the policy is off. Without
// an issuer (the chain failed) or a checker, the status is unknown; chk
// matches the issuer again itself, by signature.
func checkRevocation(ctx context.Context, chk revocation.Checker, p revocation.Policy, cert, issuer *x509.Certificate) RevocationResult {
	switch {
	case p == revocation.PolicyOff:
		return RevocationResult{Status: RevocationNotChecked, Detail: "revocation policy is off"}
	case !revocation.HasSource(chk):
		return RevocationResult{Status: RevocationUnknown, Code: RevCodeNoSource, Detail: "no revocation source configured"}
	case issuer == nil:
		return RevocationResult{Status: RevocationUnknown, Code: RevCodeNoIssuer, Detail: "no trusted issuer: the chain did not verify"}
	}
	return issuedResult(chk.Check(ctx, cert))
}

// issuerOf finds the trusted root that signed cert, whatever the time:
// by authority key identifier and name first, then by signature (JPKI
// roots of one kind share a name, so the key decides).
func issuerOf(roots *jpki.Roots, cert *x509.Certificate) *x509.Certificate {
	for _, rc := range roots.Certificates() {
		if !bytes.Equal(rc.RawSubject, cert.RawIssuer) {
			continue
		}
		if len(cert.AuthorityKeyId) > 0 && len(rc.SubjectKeyId) > 0 && !bytes.Equal(cert.AuthorityKeyId, rc.SubjectKeyId) {
			continue
		}
		if cert.CheckSignatureFrom(rc) == nil {
			return rc
		}
	}
	return nil
}
