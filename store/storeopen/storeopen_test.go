package storeopen

import (
	"errors"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/store"
)

func TestOpenBadDSN(t *testing.T) {
	for _, dsn := range []string{
		"",
		":memory:",
		"sqlite:",
		"sqlite:/tmp/x.db?_pragma=synchronous(OFF)",
		"file:/tmp/x.db",
		"sqlite:file:/tmp/x.db",
		"mysql://user:secret@host/db",
	} {
		_, err := Open(t.Context(), dsn)
		if !errors.Is(err, store.ErrInvalid) {
			t.Errorf("Open(%q): %v, want ErrInvalid", dsn, err)
		}
		if err != nil && strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q): error shows the password: %v", dsn, err)
		}
	}
	_, err := Open(t.Context(), "postgres://user:secret@127.0.0.1:1/db?connect_timeout=1")
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("Open(unreachable postgres): %v, want an error without the password", err)
	}
}
