package main

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/mynacard/mynacard/card/virtual"
)

// cardVariants turns the VARIANT words of `card insert HOLDER VARIANT...`
// into virtual card options, so scripts can run the CLI against each
// answer docs/card.md marks unsure:
//
//	eof=short|6282|6Cxx|6B00   end-of-file answer of READ BINARY
//	absent=XX                  EF 0008 byte for an absent certificate
//	presence=HEX|none          EF 0008 replaced (none: no EF 0008)
//	blocked=63C0|6984          empty VERIFY on a blocked PIN
//	atr=2024                   the 2024 card's ATR
//	authtries=N                the authentication PIN's retry counter
//	birthquery=SW              empty VERIFY on the surface birth-date key
func cardVariants(ts *testscript.TestScript, words []string) []virtual.Option {
	var opts []virtual.Option
	for _, w := range words {
		k, v, _ := strings.Cut(w, "=")
		switch k {
		case "eof":
			found := false
			for _, a := range virtual.EndOfFileAnswers {
				if strings.EqualFold(a.String(), v) || (v == "short" && a == virtual.EndOfFileShort) {
					opts, found = append(opts, virtual.WithEndOfFile(a)), true
				}
			}
			if !found {
				ts.Fatalf("unknown end-of-file answer %q", v)
			}
		case "absent":
			b, err := strconv.ParseUint(v, 16, 8)
			ts.Check(err)
			opts = append(opts, virtual.WithPresenceAbsent(byte(b)))
		case "presence":
			if v == "none" {
				opts = append(opts, virtual.WithPresenceFile(nil))
				break
			}
			b, err := hex.DecodeString(v)
			ts.Check(err)
			opts = append(opts, virtual.WithPresenceFile(b))
		case "blocked":
			sw, err := strconv.ParseUint(v, 16, 16)
			ts.Check(err)
			opts = append(opts, virtual.WithBlockedQuery(virtual.BlockedQueryAnswer(sw)))
		case "atr":
			if v != "2024" {
				ts.Fatalf("unknown ATR %q", v)
			}
			opts = append(opts, virtual.WithATR([]byte(virtual.ATR2024)))
		case "authtries":
			n, err := strconv.Atoi(v)
			ts.Check(err)
			opts = append(opts, virtual.WithMaxTries(virtual.PINJPKIAuth, n))
		case "birthquery":
			sw, err := strconv.ParseUint(v, 16, 16)
			ts.Check(err)
			opts = append(opts, virtual.WithTriesQuery(virtual.PINSurfaceBirthDate, uint16(sw)))
		default:
			ts.Fatalf("unknown card variant %q", w)
		}
	}
	return opts
}
