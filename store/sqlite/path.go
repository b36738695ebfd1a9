package sqlite

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// Names of the default database file and its directory.
const (
	defaultDirName  = "mynacard"
	defaultFileName = "mynacard.db"
)

// DefaultPath returns the per-user SQLite file the CLI uses when given no
// DSN: $XDG_DATA_HOME/mynacard/mynacard.db (an absolute XDG_DATA_HOME
// only, as the XDG Base Directory specification says), else
// ~/.local/share/mynacard/mynacard.db on Linux and the BSDs, else under
// os.UserConfigDir (macOS, Windows). [Open] creates the directory (0700)
// and the file (0600).
func DefaultPath() (string, error) {
	return defaultPathFor(userDirs{goos: runtime.GOOS, env: os.Getenv, home: os.UserHomeDir, config: os.UserConfigDir})
}

// userDirs is what DefaultPath looks at: the operating system, the
// environment and the user's home and configuration directories, given
// as functions so that every system's rule is tested on any one.
type userDirs struct {
	goos   string
	env    func(string) string
	home   func() (string, error)
	config func() (string, error)
}

// defaultPathFor is DefaultPath's rule.
func defaultPathFor(u userDirs) (string, error) {
	if d := u.env("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, defaultDirName, defaultFileName), nil
	}
	switch u.goos {
	case "darwin", "windows", "ios", "android", "plan9":
		d, err := u.config()
		if err != nil {
			return "", fmt.Errorf("finding the data directory: %w", err)
		}
		return filepath.Join(d, defaultDirName, defaultFileName), nil
	}
	home, err := u.home()
	if err != nil {
		return "", fmt.Errorf("finding the data directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", defaultDirName, defaultFileName), nil
}
