package jp2

// Default limits. The card's face photo is a small portrait (a few
// hundred pixels each way, a few KB); these leave wide room while keeping
// the worst case allocation near 4096*4096*4 components*4 bytes = 256 MiB
// inside OpenJPEG. Chosen here, not from PROTOCOL.md, which is silent on
// the photo's size.
const (
	DefaultMaxWidth      = 4096
	DefaultMaxHeight     = 4096
	DefaultMaxComponents = 4
)

// Limits bounds what a decode accepts, checked on the header before any
// pixel is decompressed. A zero field takes its default.
type Limits struct {
	MaxWidth      int
	MaxHeight     int
	MaxComponents int
}

// DefaultLimits returns the limits [Decode] uses.
func DefaultLimits() Limits {
	return Limits{MaxWidth: DefaultMaxWidth, MaxHeight: DefaultMaxHeight, MaxComponents: DefaultMaxComponents}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxWidth <= 0 {
		l.MaxWidth = d.MaxWidth
	}
	if l.MaxHeight <= 0 {
		l.MaxHeight = d.MaxHeight
	}
	if l.MaxComponents <= 0 {
		l.MaxComponents = d.MaxComponents
	}
	return l
}
