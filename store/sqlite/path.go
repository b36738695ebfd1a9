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
// DSN: $XDG_DATA_HOME/mynacard/mynacard.db, else
// ~/.local/share/mynacard/mynacard.db on Linux and the BSDs, else under
// os.UserConfigDir (macOS, Windows). [Open] creates the directory (0700)
// and the file (0600).
func DefaultPath() (string, error) {
	if d := os.Getenv("XDG_DATA_HOME"); filepath.IsAbs(d) {
		return filepath.Join(d, defaultDirName, defaultFileName), nil
	}
	switch runtime.GOOS {
	case "darwin", "windows", "ios", "android", "plan9":
		d, err := os.UserConfigDir()
		if err != nil {
			return "", fmt.Errorf("finding the data directory: %w", err)
		}
		return filepath.Join(d, defaultDirName, defaultFileName), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the data directory: %w", err)
	}
	return filepath.Join(home, ".local", "share", defaultDirName, defaultFileName), nil
}
