package pcsc

import (
	"errors"
	"testing"

	"github.com/ebfe/scard"

	"github.com/mynacard/mynacard/reader"
)

func TestWrap(t *testing.T) {
	tests := []struct {
		code scard.Error
		want error
	}{
		{scard.ErrRemovedCard, reader.ErrCardRemoved},
		{scard.ErrNotTransacted, reader.ErrCardRemoved},
		{scard.ErrNoSmartcard, reader.ErrCardRemoved},
		{scard.ErrResetCard, reader.ErrCardReset},
		{scard.ErrReaderUnavailable, reader.ErrReaderUnavailable},
		{scard.ErrUnknownReader, reader.ErrReaderUnavailable},
		{scard.ErrSharingViolation, reader.ErrSharingViolation},
		{scard.ErrNoService, reader.ErrNoService},
		{scard.ErrServiceStopped, reader.ErrNoService},
		{scard.ErrNoReadersAvailable, reader.ErrNoReaders},
		{scard.ErrInvalidParameter, nil},
	}
	for _, tt := range tests {
		t.Run(tt.code.Error(), func(t *testing.T) {
			err := wrap("transmitting to reader", tt.code)
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("wrap(%v) = %v, want it to match %v", tt.code, err, tt.want)
			}
			var code scard.Error
			if !errors.As(err, &code) || code != tt.code {
				t.Fatalf("wrap(%v) lost the native code: %v", tt.code, err)
			}
		})
	}
	if wrap("x", nil) != nil {
		t.Fatal("wrap(nil) != nil")
	}
}
