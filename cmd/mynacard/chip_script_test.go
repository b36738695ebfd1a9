package main

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"os"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
)

// chipCards are cards of the default holder for chip identification:
// a clone (files copied, another chip key), a card whose text record was
// changed after signing, and a card that expired yesterday (JST). A lost card is the default card with genauthcrl.
var chipCards = map[string]func(c *virtual.Contents) []virtual.Option{
	"cloned": func(*virtual.Contents) []virtual.Option {
		return []virtual.Option{virtual.WithClonedFiles(cloneChipKey())}
	},
	"text-tampered": func(*virtual.Contents) []virtual.Option {
		return []virtual.Option{virtual.WithRecordFault(virtual.TextRecordTampered)}
	},
	"pinb-2tries": func(*virtual.Contents) []virtual.Option {
		return []virtual.Option{virtual.WithMaxTries(virtual.PINSurfaceB, 2), virtual.WithMaxTries(virtual.PINSurfaceBirthDate, 2)}
	},
	"expired": func(c *virtual.Contents) []virtual.Option {
		if len(c.PINB) != 14 { // asked for options only
			return nil
		}
		y := time.Now().In(card.JST).AddDate(0, 0, -1)
		c.Expiry = y.Format("20060102")
		c.PINB = c.PINB[:6] + y.Format("2006") + c.PINB[10:]
		return nil
	},
}

// cloneChipKey is the other chip's key of the cloned card.
var cloneChipKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

// chipCard returns the contents and options of a chip card by name.
func chipCard(ts *testscript.TestScript, name string) (virtual.Contents, []virtual.Option, bool) {
	f, ok := chipCards[name]
	if !ok {
		return virtual.Contents{}, nil, false
	}
	c := holder(ts, "default").Contents()
	return c, f(&c), true
}

func chipScriptCmds() map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	return map[string]func(ts *testscript.TestScript, neg bool, args []string){
		// pinb OUT CARD writes the 照合番号B of a card named by a script.
		"pinb": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: pinb OUT CARD")
			}
			c, _, ok := chipCard(ts, args[1])
			if !ok {
				c = holder(ts, args[1]).Contents()
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(c.PINB+"\n"), 0o600))
		},
		// genauthcrl OUT [HOLDER] writes a fresh CRL of the latest
		// authentication root listing HOLDER's authentication
		// certificate (a card reported lost), or none.
		"genauthcrl": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) < 1 || len(args) > 2 {
				ts.Fatalf("usage: genauthcrl OUT [HOLDER]")
			}
			now := time.Now()
			opts := jpkitest.CRLOptions{ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(24 * time.Hour)}
			if len(args) == 2 {
				opts.Entries = []jpkitest.CRLEntry{{Serial: holder(ts, args[1]).AuthCert.SerialNumber, RevokedAt: now.Add(-2 * time.Hour), Reason: jpkitest.ReasonKeyCompromise}}
			}
			root, key := jpkitest.Default().Root(card.AuthKey, jpkitest.LatestGeneration)
			var buf bytes.Buffer
			_, err := jpkitest.WriteCRL(&buf, root, key, opts)
			ts.Check(err)
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), buf.Bytes(), 0o644))
		},
	}
}
