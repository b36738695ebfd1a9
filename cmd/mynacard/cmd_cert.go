package main

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/internal/pinentry"
	"github.com/mynacard/mynacard/jpki"
)

// certJSON is a certificate as `cert --format json` prints it: which
// file of which card, and the certificate.
type certJSON struct {
	File     string `json:"file"`
	TestCard bool   `json:"test_card"`
	certInfoJSON
}

// certInfoJSON is a certificate in JSON: cert's, and the signer's in
// verify. Kind is sign, auth or ca.
type certInfoJSON struct {
	Kind        string           `json:"kind"`
	Subject     string           `json:"subject"`
	Issuer      string           `json:"issuer"`
	IssuerKeyID string           `json:"issuer_key_id,omitempty"`
	Serial      string           `json:"serial"`
	NotBefore   time.Time        `json:"not_before"`
	NotAfter    time.Time        `json:"not_after"`
	Fingerprint string           `json:"fingerprint"`
	Attributes  *card.Attributes `json:"attributes,omitempty"`
	DER         []byte           `json:"der"`
}

// certFile is one of the card's four certificates: key's own, or the CA
// certificate that issued it.
type certFile struct {
	key card.KeyKind
	ca  bool
}

// certFiles maps the command's argument to the certificate.
var certFiles = map[string]certFile{
	"auth":    {card.AuthKey, false},
	"sign":    {card.SignKey, false},
	"auth-ca": {card.AuthKey, true},
	"sign-ca": {card.SignKey, true},
}

func newCertCmd(g *globals) *cobra.Command {
	var format, out string
	var force bool
	cmd := &cobra.Command{
		Use:   "cert auth|sign|auth-ca|sign-ca",
		Short: "print one of the card's four certificates (the signing certificate needs the signing password)",
		Long: `cert prints a certificate of the card's JPKI application. The signing
certificate (sign) holds the holder's name, address, birth date and sex and is
released only after the signing password; its attributes are shown decoded,
with the birth date in Gregorian and Japanese-era form and a warning where the
name or address holds substitute characters (代替文字).`,
		Args:      g.exactArgs(1),
		ValidArgs: []string{"auth", "sign", "auth-ca", "sign-ca"},
		RunE: func(cmd *cobra.Command, args []string) error {
			f, ok := certFiles[args[0]]
			if !ok {
				return usageErrorf("%s", g.tr(msgCertUnknown, args[0]))
			}
			if g.JSON {
				format = "json"
			}
			switch format {
			case "text", "pem", "der", "json":
			default:
				return usageErrorf("%s", g.tr(msgCertFormat, format))
			}
			if format == "der" && out == "" && isTerminal(g.stdout) {
				return &usageError{err: errors.New(g.tr(msgBinaryToTerminal))}
			}
			if err := g.refuseOverwrite(out, force); err != nil {
				return err
			}
			if err := g.checkWritable(out); err != nil {
				return err
			}
			ctx := cmd.Context()
			s, err := g.openCard(ctx)
			if err != nil {
				return err
			}
			defer s.close()
			der, err := g.readCert(ctx, s, f)
			if err != nil {
				return err
			}
			// The banner follows the card's certificates too, so that a
			// test card in any reader is labelled without --test-hierarchy.
			h, err := g.cardHierarchy(ctx, s.jpki, der)
			if err != nil {
				return err
			}
			test := g.testCard(s) || h == hierarchyTest
			if out == "" {
				return g.printCert(args[0], der, format, test)
			}
			file, err := createOutput(out, force, 0o644)
			if err != nil {
				return err
			}
			stdout := g.stdout
			g.stdout = file
			err = g.printCert(args[0], der, format, test)
			g.stdout = stdout
			if cerr := file.Close(); err == nil {
				err = cerr
			}
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, pem, der or json")
	cmd.Flags().StringVarP(&out, "out", "o", "", "write to FILE instead of standard output (needed for --format der on a terminal)")
	cmd.Flags().BoolVar(&force, "force", false, "with --out: replace FILE if it exists")
	return cmd
}

// readCert reads a certificate; the signing certificate asks for the
// signing password.
func (g *globals) readCert(ctx context.Context, s *session, f certFile) ([]byte, error) {
	switch {
	case f.ca:
		return s.jpki.ReadCACertificate(ctx, f.key)
	case f.key != card.SignKey:
		return s.jpki.ReadCertificate(ctx, f.key)
	}
	src, err := g.pinSource()
	if err != nil {
		return nil, err
	}
	defer src.Close()
	der, err := s.jpki.ReadSignCertificate(ctx, g.prompt(src))
	return der, withPIN(card.SignPIN, err)
}

func (g *globals) printCert(name string, der []byte, format string, test bool) error {
	switch format {
	case "der":
		_, err := g.stdout.Write(der)
		return err
	case "pem":
		return pem.Encode(g.stdout, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	xc, err := x509.ParseCertificate(der)
	if err != nil {
		return fmt.Errorf("parsing the certificate: %w", err)
	}
	out := certJSON{File: name, TestCard: test, certInfoJSON: certInfoJSON{
		Kind: "ca", Subject: xc.Subject.String(), Issuer: xc.Issuer.String(),
		Serial:      confirm.SerialString(xc),
		IssuerKeyID: hex.EncodeToString(xc.AuthorityKeyId), NotBefore: xc.NotBefore, NotAfter: xc.NotAfter,
		Fingerprint: jpki.FingerprintOf(der).String(), DER: der,
	}}
	if !xc.IsCA {
		c, err := jpki.FromX509(xc)
		if err != nil {
			return fmt.Errorf("parsing the certificate: %w", err)
		}
		out.Kind = c.Kind.String()
		out.Attributes = c.Attributes
	}
	if format == "json" {
		return g.printJSON(out)
	}
	g.testBanner(g.stdout, test)
	t := g.newTable()
	t.row(g.tr(msgFieldKind), g.certName(name))
	t.row(g.tr(msgFieldSubject), out.Subject)
	t.row(g.tr(msgFieldIssuer), out.Issuer)
	t.row(g.tr(msgFieldSerial), out.Serial)
	t.row(g.tr(msgFieldValidity), fmt.Sprintf("%s – %s JST", out.NotBefore.In(card.JST).Format(time.DateTime), out.NotAfter.In(card.JST).Format(time.DateTime)))
	t.row(g.p.Sprintf(i18n.FieldCertificateExpiry), g.dateBothTime(out.NotAfter.In(card.JST)))
	t.row(g.tr(msgFieldFingerprint), out.Fingerprint)
	g.printAttributes(t, out.Attributes)
	t.flush()
	return nil
}

// cachedPIN asks src once and hands each caller a fresh copy of the same
// PIN, for a command that needs two VERIFYs of one PIN (reading the
// signing certificate, then signing with its key). The copy kept here is
// wiped by wipe; the card layer wipes the copies it is given.
type cachedPIN struct {
	g   *globals
	src *pinentry.Source
	pin []byte
}

func (c *cachedPIN) prompt(ctx context.Context, k card.PINKind, remaining int) ([]byte, error) {
	if c.pin == nil {
		pin, err := c.g.prompt(c.src)(ctx, k, remaining)
		if err != nil {
			return nil, err
		}
		c.pin = pin
	}
	return append([]byte(nil), c.pin...), nil
}

func (c *cachedPIN) wipe() {
	pinentry.Wipe(c.pin)
	c.pin = nil
}
