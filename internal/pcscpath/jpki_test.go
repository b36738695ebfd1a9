package pcscpath

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"testing"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// TestJPKIOperations covers the remaining JPKI operations through pcscd:
// which certificates are present, the certificate read with its PIN,
// personal identification in one step (signing certificate and signature
// with one password entry, and a refused approval that signs nothing),
// chain verification of what the card gave (test hierarchy only, never as
// production), and the CA certificates offered as production roots.
func TestJPKIOperations(t *testing.T) {
	h := jpkitest.DefaultHolder()
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)

	pr, err := r.j.Present(ctx)
	if err != nil || pr != (card.Presence{SignCert: true, SignCACert: true, AuthCert: true, AuthCACert: true}) {
		t.Fatalf("Present = %+v, %v; want all four", pr, err)
	}

	der, err := r.j.ReadCertificateWithPIN(ctx, card.AuthKey, answer(jpkitest.DefaultAuthPIN).ask)
	if err != nil || !bytes.Equal(der, h.AuthCert.Raw) {
		t.Fatalf("ReadCertificateWithPIN(AuthCert) = %d bytes, %v", len(der), err)
	}

	// One password entry: the certificate, then the signature it verifies.
	digest, info := sha256Info(t, "本人確認")
	p := answer(jpkitest.DefaultSignPIN)
	var approved []byte
	certDER, sig, err := r.j.SignWithSignCertificate(ctx, p.ask, info, func(_ context.Context, c []byte) error {
		approved = bytes.Clone(c)
		return nil
	})
	if err != nil || p.count() != 1 {
		t.Fatalf("SignWithSignCertificate = %v after %d prompts", err, p.count())
	}
	if !bytes.Equal(certDER, h.SignCert.Raw) || !bytes.Equal(approved, certDER) {
		t.Fatalf("SignWithSignCertificate gave another certificate than the card's, or approved another")
	}
	cert, err := jpki.Parse(certDER)
	if err != nil {
		t.Fatal(err)
	}
	if err := rsa.VerifyPKCS1v15(cert.PublicKey.(*rsa.PublicKey), crypto.SHA256, digest, sig); err != nil {
		t.Fatalf("signature of SignWithSignCertificate: %v", err)
	}

	// Refused approval: read, but nothing signed.
	r.vc.resetLog()
	no := errors.New("holder said no")
	_, sig, err = r.j.SignWithSignCertificate(ctx, answer(jpkitest.DefaultSignPIN).ask, info, func(context.Context, []byte) error { return no })
	if !errors.Is(err, card.ErrNotApproved) || !errors.Is(err, no) || sig != nil {
		t.Fatalf("refused approval = %v, %d bytes; want ErrNotApproved and no signature", err, len(sig))
	}
	if n := countINS(r.vc.commands(), insSign); n != 0 {
		t.Fatalf("%d SIGN commands after a refused approval", n)
	}

	// Verification of what came through pcscd: fine under the test
	// hierarchy, never as production; the card's CA certificates are no
	// pinned production roots.
	roots, err := jpki.NewRoots(jpki.WithTestHierarchy(h.SignCA, h.AuthCA))
	if err != nil {
		t.Fatal(err)
	}
	at := jpkitest.ReferenceTime()
	v, err := jpki.Verify(cert, roots, jpki.VerifyOptions{Time: at, Kind: card.SignKey})
	if err != nil || v.Production {
		t.Fatalf("Verify(signing certificate) = %+v, %v; want a test-root verification", v, err)
	}
	if _, err := jpki.Verify(cert, roots, jpki.VerifyOptions{Time: at, RequireProduction: true}); !errors.Is(err, jpki.ErrTestRoot) {
		t.Errorf("Verify with RequireProduction = %v, want ErrTestRoot", err)
	}
	prod, err := jpki.NewRoots()
	if err != nil {
		t.Fatal(err)
	}
	if added, err := prod.AddFromCard(ctx, r.j); len(added) != 0 || !errors.Is(err, jpki.ErrNotPinned) {
		t.Errorf("AddFromCard with the test card's CAs = %d roots, %v; want none and ErrNotPinned", len(added), err)
	}
}

// TestTLSClientCertificateThroughPCSC runs a TLS 1.2 handshake whose
// client certificate is the card's authentication certificate and whose
// CertificateVerify is signed by the card through pcscd; the server
// verifies it against the test authentication root.
func TestTLSClientCertificateThroughPCSC(t *testing.T) {
	h := jpkitest.DefaultHolder()
	r := newRig(t, rigConfig{})
	ctx := ctxT(t)
	cert := readCert(ctx, t, r, card.AuthKey)
	s, err := jpki.NewSigner(ctx, r.j, card.AuthKey, cert, answer(jpkitest.DefaultAuthPIN).ask)
	if err != nil {
		t.Fatal(err)
	}
	// The server's own certificate: the holder's signing key stands in for
	// a server key (any RSA key with a certificate will do for the test).
	r.vc.resetLog()
	serverCert := tls.Certificate{Certificate: [][]byte{h.SignCert.Raw}, PrivateKey: h.SignKey}
	pool := x509.NewCertPool()
	pool.AddCert(h.AuthCA)
	cliConn, srvConn := net.Pipe()
	defer cliConn.Close()
	defer srvConn.Close()

	srvErr := make(chan error, 1)
	var peer []*x509.Certificate
	go func() {
		srv := tls.Server(srvConn, &tls.Config{
			Certificates: []tls.Certificate{serverCert},
			ClientAuth:   tls.RequireAnyClientCert,
			MaxVersion:   tls.VersionTLS12,
			Time:         jpkitest.ReferenceTime,
		})
		err := srv.HandshakeContext(ctx)
		if err == nil {
			peer = srv.ConnectionState().PeerCertificates
		}
		srvErr <- err
	}()
	cli := tls.Client(cliConn, &tls.Config{
		Certificates:       []tls.Certificate{s.TLSCertificate()},
		InsecureSkipVerify: true, // the server certificate is not the subject here
		MaxVersion:         tls.VersionTLS12,
	})
	if err := cli.HandshakeContext(ctx); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	if err := <-srvErr; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	if len(peer) == 0 || !bytes.Equal(peer[0].Raw, h.AuthCert.Raw) {
		t.Fatal("server did not receive the card's authentication certificate")
	}
	if _, err := peer[0].Verify(x509.VerifyOptions{Roots: pool, CurrentTime: jpkitest.ReferenceTime(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		t.Errorf("client certificate does not chain to the test authentication root: %v", err)
	}
	if cmds := r.vc.commands(); countINS(cmds, insSign) != 1 || countINS(cmds, insReadBinary) != 0 {
		t.Errorf("the handshake sent INS % X to the card, want one SIGN and no READ BINARY", insOf(cmds))
	}
	if n := r.vc.TriesLeft(virtual.PINJPKIAuth); n != virtual.MaxTriesJPKIAuth {
		t.Errorf("tries = %d", n)
	}
}
