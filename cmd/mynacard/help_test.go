package main

import (
	"bytes"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mynacard/mynacard/internal/i18n"
)

// latinAllowed are the Latin-script words a Japanese clerk may read: names
// of standards, products, file formats and units that have no Japanese
// form, and the values a flag takes (they are typed as shown). Flags
// (--name), commands, paths, URLs, hex, dates and key=value tokens are
// recognised by their shape (latinWords).
var latinAllowed = map[string]bool{ //nolint:gochecknoglobals // test table
	"mynacard": true, "PC": true, "SC": true, "pcscd": true, "PIN": true, "PINs": true, "JPKI": true, "J-LIS": true,
	"CMS": true, "PKCS": true, "SignedData": true, "PAdES": true, "PDF": true, "DSS": true, "RFC": true,
	"B-B": true, "B-T": true, "B-LT": true, "OCSP": true, "CRL": true, "URL": true, "HTTP": true, "JSON": true, "Lines": true,
	"CSV": true, "UTF-8": true, "SQLite": true, "DSN": true, "PEM": true, "DER": true, "ATR": true, "APDU": true,
	"SHA-256": true, "RSA-2048": true, "ECDSA": true, "P-384": true, "JPEG": true, "PNG": true, "OpenJPEG": true,
	"TrueType": true, "PIV": true, "CA": true, "IC": true, "OpenAPI": true, "JavaScript": true, "Web": true, "Server-Sent": true,
	"Events": true, "GET": true, "POST": true, "Origin": true, "X-Mynacard-Token": true, "Ctrl-C": true,
	"Debian": true, "PowerShell": true, "bash": true, "zsh": true, "fish": true, "powershell": true, "vpcd": true,
	"vsmartcard-vpcd": true, "TEST": true, "O": true, "JPKI-TEST": true, "CN": true, "C": true, "JP": true, "OU": true,
	"YYMMDD": true, "N": true, "A": true, "B": true, "Z": true, "JPKIAPICCTOKEN2": true, "JPKIAPGPSTOKEN": true, "API": true, "X1": true, "Y1": true, "X2": true, "Y2": true, "IPA": true, "AP": true,
	"LC_ALL": true, "LC_MESSAGES": true, "LANG": true, "XDG_DATA_HOME": true, "PORT": true, "scheme": true, "host": true, "port": true,
	"Virtual": true, "PCD": true, "ID": true, "G1": true, "G2": true, "G3": true, "JST": true, "UTC": true,
	// Values typed as shown.
	"virtual": true, "ja": true, "en": true, "hard": true, "soft": true, "off": true, "any": true, "auth": true, "sign": true,
	"auth-ca": true, "sign-ca": true, "text": true, "pem": true, "der": true, "json": true, "pin": true, "a": true, "b": true,
	"keyid": true, "jp2": true, "png": true, "https": true, "http": true, "localhost": true, "busy": true, "pdf": true,
	// Field names and codes shown for a machine (JSON keys, CSV headers,
	// event kinds) and the names of files written.
	"issuer": true, "serial": true, "insurer_number": true, "symbol": true, "number": true, "branch": true, "name": true,
	"name_kana": true, "birth_date": true, "sex": true, "qualified_from": true, "qualified_until": true,
	"card_valid_until": true, "copay_percent": true, "registered": true, "issuer_key_id": true, "affiliationChanged": true,
	"card_present": true, "atr": true, "in_use": true, "card_type": true, "my_number_card": true, "phone_token": true,
	"old_resident_card": true, "other": true, "unreadable": true, "error": true, "reader-added": true, "reader-removed": true,
	"card-inserted": true, "card-removed": true, "mynacard-record-v1": true, "crypto": true, "x509": true, "RDN": true,
	"jpki": true, "jpkitest": true, "flags": true, "command": true, "nonce": true, "face.png": true, "name.png": true,
	"address.png": true, "fonts-ipafont-gothic": true, "ABC123": true, "signed": true, "checkpoint": true,
}

// quoted matches a value in quotes: what the user typed, shown back.
var quoted = regexp.MustCompile(`"[^"\n]*"|「[^」\n]*」`)

// latinToken finds words in Latin script with what sticks to them.
var latinToken = regexp.MustCompile(`[-$./:@\[A-Za-z0-9_*"=%]*[A-Za-z][-A-Za-z0-9_./:@\]*"=%]*`)

// latinWords returns the words of s in Latin script that a Japanese reader
// should not meet: anything but flags, commands, paths, URLs, hex and the
// words of latinAllowed.
func latinWords(s string) []string {
	var out []string
	// What the user typed comes back quoted; "\n" is typed as shown.
	s = quoted.ReplaceAllString(strings.NewReplacer(`\n`, " ", "http(s)", "https").Replace(s), " ")
	for _, tok := range latinToken.FindAllString(s, -1) {
		if strings.Contains(tok, ":") && !strings.Contains(tok, "://") {
			out = append(out, latinWords(strings.ReplaceAll(tok, ":", " "))...)
			continue
		}
		w := strings.Trim(tok, `".:*[]=%`)
		switch {
		case w == "", strings.HasPrefix(w, "-"), strings.HasPrefix(w, "$"), strings.Contains(w, "/"),
			strings.Contains(w, "://"), strings.Contains(w, "="), strings.HasPrefix(tok, "."), w[0] >= '0' && w[0] <= '9',
			regexp.MustCompile(`^[0-9A-Fa-f:]+$`).MatchString(w) && regexp.MustCompile(`[0-9]`).MatchString(w),
			latinAllowed[w], latinAllowed[strings.TrimSuffix(w, ".")]:
			continue
		}
		if commandNames[w] {
			continue
		}
		out = append(out, w)
	}
	return out
}

// commandNames are the CLI's command names, which are typed as shown.
var commandNames = func() map[string]bool { //nolint:gochecknoglobals // test table
	m := map[string]bool{}
	root := newRootCmd(&globals{stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}, PINFD: -1})
	root.InitDefaultHelpCmd()
	root.InitDefaultCompletionCmd()
	walkCommands(root, func(c *cobra.Command) {
		m[c.Name()] = true
	})
	return m
}()

// japaneseRoot returns the command tree as run() builds it under --lang ja.
func japaneseRoot(out *bytes.Buffer) (*globals, *cobra.Command) {
	g := &globals{stdout: out, stderr: out, PINFD: -1}
	g.p = i18n.New(i18n.Japanese)
	root := newRootCmd(g)
	g.localizeCommands(root)
	return g, root
}

// TestJapaneseHelpComplete: every command and every flag has its Japanese
// description, and no entry of the Japanese help is left without a
// command or flag.
func TestJapaneseHelpComplete(t *testing.T) {
	var out bytes.Buffer
	_, root := japaneseRoot(&out)
	en := newRootCmd(&globals{stdout: &out, stderr: &out, PINFD: -1})
	en.InitDefaultHelpCmd()
	en.InitDefaultCompletionCmd()
	english := map[string]*cobra.Command{}
	walkCommands(en, func(c *cobra.Command) { english[commandKey(c)] = c })
	usedCmd, usedFlag := map[string]bool{}, map[string]bool{}
	walkCommands(root, func(c *cobra.Command) {
		path := commandKey(c)
		e := english[path]
		if _, ok := jaCommandHelp[path]; ok {
			usedCmd[path] = true
		}
		if c.Short == e.Short && !strings.HasPrefix(path, "completion ") {
			t.Errorf("command %q has no Japanese short description", path)
		}
		if e.Long != "" && c.Long == e.Long {
			t.Errorf("command %q has no Japanese long description", path)
		}
		c.LocalNonPersistentFlags().VisitAll(func(f *pflag.Flag) {
			if f.Name == "help" {
				return
			}
			switch {
			case jaFlagHelp[path+" --"+f.Name] != "":
				usedFlag[path+" --"+f.Name] = true
			case jaFlagHelp["* --"+f.Name] != "":
				usedFlag["* --"+f.Name] = true
			default:
				t.Errorf("flag --%s of %q has no Japanese description", f.Name, path)
			}
		})
	})
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if jaFlagHelp["--"+f.Name] == "" {
			t.Errorf("global flag --%s has no Japanese description", f.Name)
		}
		usedFlag["--"+f.Name] = true
	})
	for k := range jaCommandHelp {
		if !usedCmd[k] {
			t.Errorf("Japanese help for command %q, which does not exist", k)
		}
	}
	for k := range jaFlagHelp {
		if !usedFlag[k] {
			t.Errorf("Japanese help for flag %q, which does not exist", k)
		}
	}
}

// TestJapaneseHelpOutput runs --help of every command, cobra's usage
// errors and the argument checks under --lang ja, and reads what a clerk
// would: no English words (outside the allowlist), no cobra phrasing, no
// tabs or stray semicolons; under --lang en cobra's English is still there.
func TestJapaneseHelpOutput(t *testing.T) {
	var paths [][]string
	_, root := japaneseRoot(&bytes.Buffer{})
	walkCommands(root, func(c *cobra.Command) {
		if p := commandKey(c); p != "" {
			paths = append(paths, strings.Fields(p))
		} else {
			paths = append(paths, nil)
		}
	})
	var runs [][]string
	for _, p := range paths {
		runs = append(runs, append(append([]string{"--lang", "ja"}, p...), "--help"))
	}
	runs = append(runs,
		[]string{"--lang", "ja", "identfy"},
		[]string{"--lang", "ja", "nosuch"},
		[]string{"--lang", "ja", "cert"},
		[]string{"--lang", "ja", "cert", "a", "b"},
		[]string{"--lang", "ja", "verify"},
		[]string{"--lang", "ja", "changes", "1", "2"},
		[]string{"--lang", "ja", "pin", "change"},
		[]string{"--lang", "ja", "eligibility", "import"},
		[]string{"--lang", "ja", "status", "--bogus"},
		[]string{"--lang", "ja", "status", "-Z"},
		[]string{"--lang", "ja", "status", "--timeout"},
		[]string{"--lang", "ja", "status", "--timeout", "soon"},
		[]string{"--lang", "ja", "--pin-stdin", "--pin-fd", "3", "status"},
		[]string{"--lang", "ja", "cert", "bogus"},
		[]string{"--lang", "ja", "--reader", "virtual", "cert", "auth", "--format", "xml"},
		[]string{"--lang", "ja", "pin", "change", "bogus"},
		[]string{"--lang", "ja", "changes"},
		[]string{"--lang", "ja", "changes", "x"},
		[]string{"--lang", "ja", "token"},
		[]string{"--lang", "ja", "watch", "--count", "-1"},
		[]string{"--lang", "ja", "virtual-card", "--slot", "7"},
		[]string{"--lang", "ja", "serve", "--allow-last-try"},
		[]string{"--lang", "ja", "serve", "--listen", "0.0.0.0:1"},
		[]string{"--lang", "ja", "--reader", "virtual", "sign", "--pdf", "x.pdf", "--attached"},
		[]string{"--lang", "ja", "--reader", "virtual", "sign", "--pdf", "x.pdf", "--rect", "1,2"},
		[]string{"--lang", "ja", "--reader", "virtual", "sign", "--pdf", "x.pdf", "--text", "x"},
		[]string{"--lang", "ja", "--reader", "virtual", "identify", "--auth-key", "--replaces", "3"},
		[]string{"--lang", "ja", "--ocsp", "ftp://x", "--reader", "virtual", "--revocation", "soft", "identify"},
		[]string{"--lang", "ja", "--operator-key", "k.pem", "--reader", "virtual", "--revocation", "off", "identify"},
		[]string{"--lang", "ja", "records", "verify", "--any-cert", "--expect-head", "x"},
	)
	bad := map[string][]string{}
	for _, args := range runs {
		var out, errOut bytes.Buffer
		code := run(args, &out, &errOut)
		text := out.String() + errOut.String()
		if strings.HasSuffix(args[len(args)-1], "--help") {
			if code != 0 || out.Len() == 0 {
				t.Errorf("%q: exit %d, %d bytes of help", args, code, out.Len())
			}
		} else if code != exitUsage {
			t.Errorf("%q: exit %d, want %d (usage)\n%s", args, code, exitUsage, text)
		}
		for _, phrase := range []string{"accepts ", "arg(s)", "Did you mean", "unknown command", "unknown flag", "Usage:", "Flags:", "; ;", "\t"} {
			if strings.Contains(text, phrase) {
				t.Errorf("%q: output has %q:\n%s", args, phrase, text)
			}
		}
		for _, w := range latinWords(text) {
			bad[w] = append(bad[w], strings.Join(args[2:], " "))
		}
	}
	words := make([]string, 0, len(bad))
	for w := range bad {
		words = append(words, w)
	}
	sort.Strings(words)
	for _, w := range words {
		t.Errorf("English word %q in Japanese output of %q", w, bad[w][0])
	}

	var out, errOut bytes.Buffer
	if code := run([]string{"--lang", "en", "identify", "--help"}, &out, &errOut); code != 0 ||
		!strings.Contains(out.String(), "Usage:") || !strings.Contains(out.String(), "identify has the holder sign") {
		t.Errorf("--lang en identify --help: exit %d\n%s", code, out.String())
	}
	out.Reset()
	errOut.Reset()
	if code := run([]string{"--lang", "en", "identfy"}, &out, &errOut); code != exitUsage ||
		!strings.Contains(errOut.String(), `unknown command "identfy"`) || !strings.Contains(errOut.String(), "did you mean identify?") {
		t.Errorf("--lang en identfy: exit %d\n%s", code, errOut.String())
	}
}
