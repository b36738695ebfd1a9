//go:build linux

package pinentry

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// disableEcho turns off ECHO on the terminal fd while keeping canonical
// line editing (ICANON: backspace works) and signals (ISIG: Ctrl-C still
// interrupts; the CLI cancels the context and the state is restored).
func disableEcho(fd int) error {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return err
	}
	t.Lflag &^= unix.ECHO
	t.Lflag |= unix.ICANON | unix.ISIG
	t.Iflag |= unix.ICRNL
	return unix.IoctlSetTermios(fd, unix.TCSETS, t)
}

// flushInput discards input typed but not yet read.
func flushInput(fd int) error {
	return unix.IoctlSetInt(fd, unix.TCFLSH, unix.TCIFLUSH)
}

// reopenTerminal opens the terminal behind fd again by name, giving a file
// the runtime poller watches, whose reads a deadline can interrupt.
func reopenTerminal(fd int) (*os.File, error) {
	return os.OpenFile("/proc/self/fd/"+strconv.Itoa(fd), os.O_RDONLY, 0)
}
