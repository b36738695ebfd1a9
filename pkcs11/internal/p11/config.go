package p11

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// Config is the module's configuration file. Its format is one setting
// per line, "key = value", with "#" comments and blank lines ignored:
//
//	# readers the module may use (repeat the line for several); a reader
//	# is used when its name contains one of these. None: every reader.
//	reader = SONY FeliCa
//	# spend a PIN's last remaining try (default no: refused, see README)
//	allow-last-try = no
//	# which keys to offer: auth, sign or both (default "auth sign")
//	keys = auth sign
//	# remember the signing certificate for each card (by its
//	# authentication certificate) so it is offered before the signing
//	# password; "no" keeps it off the disk (default yes)
//	sign-cert-cache = yes
//	# where that cache lives (default $XDG_CACHE_HOME/mynacard/pkcs11)
//	cache-dir = /home/user/.cache/mynacard/pkcs11
//	# a program that asks the holder for the PIN at each signature (a
//	# protected authentication path, as a PIN-pad reader gives); see
//	# PINHelper
//	pin-helper = /usr/local/lib/mynacard/pin-dialog
//
// An unknown key or a malformed value is an error: the module then
// refuses to initialise rather than guess (a typo in allow-last-try must
// not silently change the PIN policy).
type Config struct {
	Readers       []string
	AllowLastTry  bool
	Auth, Sign    bool
	SignCertCache bool
	CacheDir      string
	// PINHelper, when set, is run for every signature to ask the PIN
	// (it prints it on standard output; a non-zero exit cancels). The
	// tokens then report CKF_PROTECTED_AUTHENTICATION_PATH and no
	// CKF_LOGIN_REQUIRED: programs that cannot show a PIN dialog of their
	// own (a headless browser, a kiosk) sign without C_Login, and the
	// module holds no PIN between calls. It is told the token and the
	// tries left in MYNACARD_PIN_TOKEN, MYNACARD_PIN_KIND (auth or sign)
	// and MYNACARD_PIN_TRIES; the last-try rule applies before it runs.
	PINHelper string
}

// EnvConfig names the environment variable that points to the
// configuration file; without it the module reads DefaultConfigPath when
// it exists, and otherwise runs with the defaults.
const EnvConfig = "MYNACARD_PKCS11_CONF"

// DefaultConfigPath is the system-wide configuration file.
const DefaultConfigPath = "/etc/mynacard/pkcs11.conf"

// DefaultConfig is the configuration without a file: every reader, both
// keys, the last try refused, the signing certificate cached.
func DefaultConfig() Config {
	return Config{Auth: true, Sign: true, SignCertCache: true, CacheDir: defaultCacheDir()}
}

func defaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "mynacard", "pkcs11")
	}
	return ""
}

// LoadConfig reads the file named by EnvConfig, or DefaultConfigPath if
// it exists, or returns DefaultConfig.
func LoadConfig() (Config, error) {
	path := os.Getenv(EnvConfig)
	if path == "" {
		if _, err := os.Stat(DefaultConfigPath); err != nil {
			return DefaultConfig(), nil
		}
		path = DefaultConfigPath
	}
	f, err := os.Open(path)
	if err != nil {
		return Config{}, fmt.Errorf("pkcs11 config: %w", err)
	}
	defer f.Close()
	cfg, err := ParseConfig(f)
	if err != nil {
		return Config{}, fmt.Errorf("pkcs11 config %s: %w", path, err)
	}
	return cfg, nil
}

// ErrConfig reports a configuration file the module cannot use.
var ErrConfig = errors.New("bad configuration")

// ParseConfig parses the configuration format described at Config.
func ParseConfig(r io.Reader) (Config, error) {
	cfg := DefaultConfig()
	sc := bufio.NewScanner(r)
	line := 0
	keysSeen := false
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		k, v, ok := strings.Cut(s, "=")
		if !ok {
			return Config{}, fmt.Errorf("%w: line %d: want key = value", ErrConfig, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "reader":
			if v == "" {
				return Config{}, fmt.Errorf("%w: line %d: empty reader", ErrConfig, line)
			}
			cfg.Readers = append(cfg.Readers, v)
		case "allow-last-try", "sign-cert-cache":
			b, err := parseBool(v)
			if err != nil {
				return Config{}, fmt.Errorf("%w: line %d: %s: %v", ErrConfig, line, k, err)
			}
			if k == "allow-last-try" {
				cfg.AllowLastTry = b
			} else {
				cfg.SignCertCache = b
			}
		case "keys":
			if keysSeen {
				return Config{}, fmt.Errorf("%w: line %d: keys given twice", ErrConfig, line)
			}
			keysSeen = true
			cfg.Auth, cfg.Sign = false, false
			for _, w := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == ',' || r == '\t' }) {
				switch w {
				case "auth":
					cfg.Auth = true
				case "sign":
					cfg.Sign = true
				default:
					return Config{}, fmt.Errorf("%w: line %d: unknown key %q (auth, sign)", ErrConfig, line, w)
				}
			}
			if !cfg.Auth && !cfg.Sign {
				return Config{}, fmt.Errorf("%w: line %d: keys names no key", ErrConfig, line)
			}
		case "pin-helper":
			if !filepath.IsAbs(v) {
				return Config{}, fmt.Errorf("%w: line %d: pin-helper must be an absolute path", ErrConfig, line)
			}
			cfg.PINHelper = v
		case "cache-dir":
			if !filepath.IsAbs(v) {
				return Config{}, fmt.Errorf("%w: line %d: cache-dir must be an absolute path", ErrConfig, line)
			}
			cfg.CacheDir = v
		default:
			return Config{}, fmt.Errorf("%w: line %d: unknown setting %q", ErrConfig, line, k)
		}
	}
	if err := sc.Err(); err != nil {
		return Config{}, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	return cfg, nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "yes", "true", "on", "1":
		return true, nil
	case "no", "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no", v)
}

// allowed reports whether the reader named name may be used.
func (c *Config) allowed(name string) bool {
	if len(c.Readers) == 0 {
		return true
	}
	for _, r := range c.Readers {
		if strings.Contains(name, r) {
			return true
		}
	}
	return false
}
