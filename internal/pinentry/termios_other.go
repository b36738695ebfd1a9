//go:build !linux

package pinentry

import (
	"errors"
	"os"
)

// disableEcho is implemented for Linux only, the platform mynacard's
// PC/SC stack (pcscd) targets.
func disableEcho(int) error { return errors.ErrUnsupported }

func flushInput(int) error { return errors.ErrUnsupported }

func reopenTerminal(int) (*os.File, error) { return nil, errors.ErrUnsupported }
