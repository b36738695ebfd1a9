package jp2

// Default limits. The card's face photo is a small portrait (a few
// hundred pixels each way, a few KB); these leave wide room while keeping
// OpenJPEG's worst case near 2048*2048*4 components*4 bytes = 64 MiB of
// samples. Tiles are bounded too: each costs OpenJPEG a few KB of state
// before any pixel (a 4096x4096 image cut into 17x17 tiles took 600 MB).
// Chosen here, not from the card's documentation, which is silent on the photo's size.
const (
	DefaultMaxWidth      = 2048
	DefaultMaxHeight     = 2048
	DefaultMaxComponents = 4
	DefaultMaxTiles      = 1024
)

// Limits bounds what a decode accepts, checked on the header before any
// pixel is decompressed. A zero field takes its default.
type Limits struct {
	MaxWidth      int
	MaxHeight     int
	MaxComponents int
	MaxTiles      int
}

// DefaultLimits returns the limits [Decode] uses.
func DefaultLimits() Limits {
	return Limits{MaxWidth: DefaultMaxWidth, MaxHeight: DefaultMaxHeight, MaxComponents: DefaultMaxComponents, MaxTiles: DefaultMaxTiles}
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
	if l.MaxTiles <= 0 {
		l.MaxTiles = d.MaxTiles
	}
	return l
}
