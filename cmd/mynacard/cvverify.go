package main

import (
	"errors"
	"fmt"

	"github.com/mynacard/mynacard/card"
)

// CV verification of the text and surface records in the CLI
// (docs/card-apps.md, "Pinned CV CA keys").

// cvJSON is a record's verification in --json output.
type cvJSON struct {
	Verified bool `json:"verified"`
	// CAKey is the 7-digit name of the CV CA key that verified the
	// record's certificate, or that the certificate names when it failed.
	CAKey string `json:"ca_key,omitempty"`
	// TestKey is true when CAKey is a test key (J-LIS's test hierarchy or
	// the virtual card's): never a production verification.
	TestKey bool `json:"test_key"`
	// KeySource is "jlis", "jlis_test" or "virtual".
	KeySource string `json:"key_source,omitempty"`
	// Reason is the stable code of a failure (card.CVReason.Code).
	Reason string `json:"reason,omitempty"`
	// Message is the result in the chosen language.
	Message string `json:"message"`
}

// cvKeys returns the CV CA keys to verify against: the production J-LIS
// keys, plus the test keys in test mode (virtual card or
// --test-hierarchy), as roots does for X.509.
func (g *globals) cvKeys(s *session) (*card.CVCAKeys, error) {
	if g.testCard(s) {
		return card.NewCVCAKeys(card.WithTestCVCAKeys())
	}
	return card.NewCVCAKeys()
}

func cvSourceCode(s card.CVSource) string {
	switch s {
	case card.CVSourceJLIS:
		return "jlis"
	case card.CVSourceJLISTest:
		return "jlis_test"
	case card.CVSourceVirtual:
		return "virtual"
	}
	return ""
}

// cvReasonMessages maps each failure reason to its message.
var cvReasonMessages = map[card.CVReason]msgKey{ //nolint:gochecknoglobals // immutable table
	card.CVReasonNoRecord:         msgCVNoRecord,
	card.CVReasonMalformed:        msgCVMalformed,
	card.CVReasonUnknownCA:        msgCVUnknownCA,
	card.CVReasonTestKey:          msgCVTestKey,
	card.CVReasonWrongUse:         msgCVWrongUse,
	card.CVReasonCAKeyMismatch:    msgCVCAKeyMismatch,
	card.CVReasonCVCSignedOverTLV: msgCVOverTLV,
	card.CVReasonBadCVCSignature:  msgCVBadTestSignature,
	card.CVReasonSignedByAppKey:   msgCVSignedByAppKey,
	card.CVReasonTampered:         msgCVTampered,
}

// cvResult turns a verification into its JSON and, for a failure, the
// exit-3 error the command returns instead of what it read. record names
// what was verified (msgCVRecordText, msgCVRecordNumber, msgCVRecordBasic,
// msgCVRecordFace).
func (g *globals) cvResult(record msgKey, v *card.CVVerification, err error) (cvJSON, error) {
	what := g.tr(record)
	if err == nil {
		k := v.CAKey
		out := cvJSON{Verified: true, CAKey: k.Name(), TestKey: k.Test(), KeySource: cvSourceCode(k.Source)}
		switch k.Source {
		case card.CVSourceJLIS:
			out.Message = g.tr(msgCVVerified, what, k.Name())
		case card.CVSourceJLISTest:
			out.Message = g.tr(msgCVVerifiedTest, what, k.Name(), g.tr(msgCVSourceJLISTest))
		default:
			out.Message = g.tr(msgCVVerifiedTest, what, k.Name(), g.tr(msgCVSourceVirtual))
		}
		return out, nil
	}
	var cve *card.CVError
	if !errors.As(err, &cve) {
		return cvJSON{}, err // not a verification outcome
	}
	reason := g.tr(cvReasonMessages[cve.Reason])
	if name := cve.IssuerKeyID.Name(); name != "" {
		reason = g.tr(msgCVWithKey, reason, name)
	}
	out := cvJSON{Reason: cve.Reason.Code(), CAKey: cve.IssuerKeyID.Name(), Message: g.tr(msgCVFailed, what, reason)}
	hint := g.tr(msgHintCVFailed)
	switch cve.Reason {
	case card.CVReasonCAKeyMismatch, card.CVReasonUnknownCA:
		hint = g.tr(msgHintCVKeyUnknown)
	case card.CVReasonTestKey:
		hint = g.tr(msgHintCVTestKey)
	}
	return out, &codedError{code: exitVerificationFailed, msg: out.Message, hint: hint, underlying: err}
}

// printCV writes a passed verification's line to stderr (a failure is
// the command's error, printed once by run).
func (g *globals) printCV(res cvJSON) {
	if res.Verified {
		g.notef("%s", res.Message)
	}
}

// credentialFlag is --credential of text and face: which secret opens
// the application.
type credentialFlag string

const (
	credentialPIN credentialFlag = "pin"
	credentialA   credentialFlag = "a"
	credentialB   credentialFlag = "b"
)

func (g *globals) parseCredential(s string) (credentialFlag, error) {
	switch c := credentialFlag(s); c {
	case credentialPIN, credentialA, credentialB:
		return c, nil
	}
	return "", usageErrorf("%s", g.tr(msgCredentialUsage, s))
}

// textKind and surfaceKind are the PIN kinds a credential means.
func (c credentialFlag) textKind() card.PINKind {
	switch c {
	case credentialA:
		return card.TextPINA
	case credentialB:
		return card.TextPINB
	}
	return card.TextPIN
}

func (c credentialFlag) surfaceKind() card.PINKind {
	switch c {
	case credentialA:
		return card.SurfacePINA
	case credentialB:
		return card.SurfacePINB
	}
	return card.TextPIN
}

// credentialHelp is the flag's help text.
var credentialHelp = fmt.Sprintf("what opens the application: %s (the 4-digit PIN), %s (照合番号A, the 12-digit Individual Number) or %s (照合番号B, era birth date YYMMDD + expiry year + security code)", credentialPIN, credentialA, credentialB) //nolint:gochecknoglobals // constant text
