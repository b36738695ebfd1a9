package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/mynacard/mynacard/agent"
)

func TestWatchVirtual(t *testing.T) {
	var out, errb bytes.Buffer
	if code := run([]string{"watch", "--reader", "virtual", "--count", "2"}, &out, &errb); code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d lines: %q", len(lines), out.String())
	}
	var e agent.Event
	if err := json.Unmarshal([]byte(lines[1]), &e); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lines[0], `"kind":"reader-added"`) || !strings.Contains(lines[1], `"kind":"card-inserted"`) ||
		e.CardType != agent.CardTypeMyNumber || !e.Usable || e.Reader != virtualReaderName {
		t.Errorf("events:\n%s", out.String())
	}
}

func TestServeRefuses(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--listen", "0.0.0.0:8765"},
		{"serve", "--listen", ":8765"},
		{"serve", "--listen", "[::]:8765"},
		{"serve", "--allow-last-try", "--listen", "127.0.0.1:0"},
		{"serve", "--allow-origin", "http://kiosk.example", "--listen", "127.0.0.1:0"},
		{"serve", "--allow-origin", "http://192.168.0.10:8080", "--listen", "127.0.0.1:0"},
		{"serve", "--allow-origin", "ftp://kiosk.example", "--listen", "127.0.0.1:0"},
		{"watch", "--count", "-1"},
	} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitUsage {
			t.Errorf("%q: exit %d, want %d (%s)", args, code, exitUsage, errb.String())
		}
	}
}
