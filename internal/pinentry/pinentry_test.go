package pinentry

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/mynacard/mynacard/internal/i18n"
)

// secret is distinctive enough that finding it in an error or on the
// terminal cannot be a coincidence.
const secret = "ZQ7XK2PW9M"

func TestReaderLines(t *testing.T) {
	long64 := strings.Repeat("A", MaxLen)
	tests := []struct {
		name    string
		in      string
		want    string
		wantErr error
	}{
		{"lf", secret + "\n", secret, nil},
		{"crlf", secret + "\r\n", secret, nil},
		{"eof without newline", secret, secret, nil},
		{"only first line", secret + "\nOTHER\n", secret, nil},
		{"max length", long64 + "\n", long64, nil},
		{"max length crlf", long64 + "\r\n", long64, nil},
		{"one too long", long64 + "A\n", "", ErrTooLong},
		{"far too long", strings.Repeat(secret, 40) + "\n", "", ErrTooLong},
		{"too long no newline", strings.Repeat(secret, 40), "", ErrTooLong},
		{"nul", secret[:3] + "\x00" + secret[3:] + "\n", "", ErrNUL},
		{"empty line", "\n", "", ErrEmpty},
		{"crlf only", "\r\n", "", ErrEmpty},
		{"no input", "", "", ErrNoInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Reader(strings.NewReader(tt.in)).Read(context.Background(), "PIN", 3)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				assertNoSecret(t, err.Error(), tt.in)
				return
			}
			if string(got) != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			Wipe(got)
			if !bytes.Equal(got, make([]byte, len(got))) {
				t.Fatal("Wipe left bytes behind")
			}
		})
	}
}

// assertNoSecret fails when s contains the secret, or any run of 4 bytes
// of the input that could be part of it.
func assertNoSecret(t *testing.T, s, input string) {
	t.Helper()
	if strings.Contains(s, secret) {
		t.Fatalf("%q contains the secret", s)
	}
	clean := strings.Map(func(r rune) rune {
		if r < ' ' {
			return -1
		}
		return r
	}, input)
	for i := 0; i+4 <= len(clean); i++ {
		if strings.Contains(s, clean[i:i+4]) {
			t.Fatalf("%q contains input bytes %q", s, clean[i:i+4])
		}
	}
}

// spyReader gives its input a byte at a time and keeps every buffer it was
// handed, to check afterwards that the package wiped them.
type spyReader struct {
	r    io.Reader
	bufs [][]byte
	err  error
}

func (s *spyReader) Read(p []byte) (int, error) {
	s.bufs = append(s.bufs, p[:cap(p)])
	if s.err != nil {
		return 0, s.err
	}
	return s.r.Read(p)
}

func TestInternalBuffersWiped(t *testing.T) {
	for _, in := range []string{secret + "\n", secret + "\r\n", strings.Repeat(secret, 10), secret + "\x00\n"} {
		spy := &spyReader{r: strings.NewReader(in)}
		got, _ := Reader(spy).Read(context.Background(), "PIN", 3)
		Wipe(got)
		if len(spy.bufs) == 0 {
			t.Fatal("reader never called")
		}
		for _, b := range spy.bufs {
			if !bytes.Equal(b, make([]byte, len(b))) {
				t.Fatalf("input %q: internal buffer not wiped: %q", in, b)
			}
		}
	}
}

func TestReadErrorWrapped(t *testing.T) {
	boom := errors.New("device gone")
	_, err := Reader(&spyReader{err: boom}).Read(context.Background(), "PIN", 3)
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want wrapping %v", err, boom)
	}
}

func TestReadNew(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		wantErr error
	}{
		{"match", "NEWPW1\nNEWPW1\n", nil},
		{"match crlf", "NEWPW1\r\nNEWPW1\r\n", nil},
		{"mismatch", "NEWPW1\nNEWPW2\n", ErrMismatch},
		{"prefix", "NEWPW1\nNEWPW\n", ErrMismatch},
		{"confirm missing", "NEWPW1\n", ErrNoInput},
		{"confirm empty", "NEWPW1\n\n", ErrEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spy := &spyReader{r: strings.NewReader(tt.in)}
			got, err := Reader(spy).ReadNew(context.Background(), "PIN")
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if err != nil {
				if got != nil {
					t.Fatal("slice returned with an error")
				}
				assertNoSecret(t, err.Error(), "NEWPW1")
			} else if string(got) != "NEWPW1" {
				t.Fatalf("got %q", got)
			}
			for _, b := range spy.bufs {
				if !bytes.Equal(b, make([]byte, len(b))) {
					t.Fatal("internal buffer not wiped")
				}
			}
		})
	}
}

func TestPipeSources(t *testing.T) {
	newPipe := func(t *testing.T, content string) *os.File {
		t.Helper()
		r, w, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { r.Close() })
		go func() {
			_, _ = io.WriteString(w, content)
			w.Close()
		}()
		return r
	}
	t.Run("file", func(t *testing.T) {
		s := File(newPipe(t, "OLD123\nNEW456\nNEW456\n"))
		old, err := s.Read(context.Background(), "signing password", 5)
		if err != nil || string(old) != "OLD123" {
			t.Fatalf("Read = %q, %v", old, err)
		}
		nw, err := s.ReadNew(context.Background(), "signing password")
		if err != nil || string(nw) != "NEW456" {
			t.Fatalf("ReadNew = %q, %v", nw, err)
		}
		if _, err := s.Read(context.Background(), "PIN", 3); !errors.Is(err, ErrNoInput) {
			t.Fatalf("read past end: %v", err)
		}
	})
	t.Run("fd", func(t *testing.T) {
		r := newPipe(t, secret+"\r\n")
		// FD takes ownership of its descriptor: give it a duplicate.
		var fd int
		rc, _ := r.SyscallConn()
		_ = rc.Control(func(u uintptr) { fd, _ = syscall.Dup(int(u)) })
		s, err := FD(fd)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		got, err := s.Read(context.Background(), "PIN", 3)
		if err != nil || string(got) != secret {
			t.Fatalf("Read = %q, %v", got, err)
		}
		if s.Interactive() {
			t.Fatal("fd source claims to be interactive")
		}
	})
	t.Run("fd too long", func(t *testing.T) {
		s := File(newPipe(t, strings.Repeat(secret, 7)+"\n"))
		_, err := s.Read(context.Background(), "PIN", 3)
		if !errors.Is(err, ErrTooLong) {
			t.Fatalf("err = %v", err)
		}
		assertNoSecret(t, err.Error(), secret)
	})
}

func TestFDErrors(t *testing.T) {
	if _, err := FD(-1); !errors.Is(err, ErrBadFD) {
		t.Fatalf("FD(-1) = %v", err)
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	rc, _ := r.SyscallConn()
	var closed int
	_ = rc.Control(func(u uintptr) { closed = int(u) })
	r.Close()
	w.Close()
	if _, err := FD(closed); !errors.Is(err, ErrBadFD) {
		t.Fatalf("FD(closed) = %v", err)
	}
}

func TestCancelInterruptsPipeRead(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err = File(r).Read(ctx, "PIN", 3)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("cancellation took %v", d)
	}
	// The file is usable again afterwards.
	go func() { _, _ = io.WriteString(w, "AFTER1\n") }()
	got, err := File(r).Read(context.Background(), "PIN", 3)
	if err != nil || string(got) != "AFTER1" {
		t.Fatalf("read after cancel = %q, %v", got, err)
	}
}

func TestCancelledBeforeRead(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	spy := &spyReader{r: strings.NewReader(secret + "\n")}
	if _, err := Reader(spy).Read(ctx, "PIN", 3); !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if len(spy.bufs) != 0 {
		t.Fatal("read despite a cancelled context")
	}
}

func TestDefaultPrompt(t *testing.T) {
	tests := []struct {
		p    Prompt
		want string
	}{
		{Prompt{StepCurrent, "signing password", 5}, "Enter the signing password (5 tries left): "},
		{Prompt{StepCurrent, "PIN", 2}, "Enter the PIN (2 tries left): "},
		{Prompt{StepCurrent, "PIN", 1}, "warning: this is the last try; a wrong PIN now blocks it\nEnter the PIN (1 try left): "},
		{Prompt{StepCurrent, "PIN", UnknownRemaining}, "Enter the PIN: "},
		{Prompt{StepNew, "PIN", UnknownRemaining}, "Enter the new PIN: "},
		{Prompt{StepConfirm, "PIN", UnknownRemaining}, "Enter the new PIN again to confirm: "},
	}
	for _, tt := range tests {
		if got := DefaultPrompt(tt.p); got != tt.want {
			t.Errorf("DefaultPrompt(%+v) = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestLocalizedPromptJapanese(t *testing.T) {
	p := i18n.New(i18n.Japanese)
	f := LocalizedPrompt(p)
	label := p.Sprintf(i18n.LabelSigningPassword)
	tests := []struct {
		p    Prompt
		want string
	}{
		{Prompt{StepCurrent, label, 5}, "署名用電子証明書のパスワードを入力してください（残り5回）："},
		{Prompt{StepCurrent, label, 1}, "注意：残り1回です。署名用電子証明書のパスワードを間違えるとロックされます\n署名用電子証明書のパスワードを入力してください（残り1回）："},
		{Prompt{StepNew, label, UnknownRemaining}, "新しい署名用電子証明書のパスワードを入力してください："},
		{Prompt{StepConfirm, label, UnknownRemaining}, "確認のため、新しい署名用電子証明書のパスワードをもう一度入力してください："},
	}
	for _, tt := range tests {
		if got := f(tt.p); got != tt.want {
			t.Errorf("prompt %+v = %q, want %q", tt.p, got, tt.want)
		}
	}
}
