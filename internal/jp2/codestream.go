package jp2

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrTruncated means the codestream ends early or lacks tiles its header
// announces. OpenJPEG itself decodes an image whose tiles are missing
// without a word (filling them with zeros), so this package checks.
var ErrTruncated = errors.New("jp2: truncated or incomplete codestream")

// ErrCorrupt means the codestream's header contradicts itself.
var ErrCorrupt = errors.New("jp2: corrupt codestream header")

// Markers and boxes read by the pre-check (ISO/IEC 15444-1 A.2, I.4).
const (
	markerSOC = 0xff4f // start of codestream
	markerSIZ = 0xff51 // image and tile size
	markerSOT = 0xff90 // start of tile-part
	markerEOC = 0xffd9 // end of codestream

	lenSOT       = 10 // Lsot is fixed (A.4.2)
	sizFixedLen  = 38 // Lsiz up to and including Csiz (A.5.1)
	sizCompLen   = 3  // Ssiz, XRsiz, YRsiz per component
	boxHeaderLen = 8  // LBox, TBox
	boxXLLen     = 8  // XLBox when LBox is 1
	boxTypeJP2C  = "jp2c"
)

// header is what the pre-check learns from SIZ.
type header struct {
	width, height, comps int
	tilesX, tilesY       int
}

// precheck finds the codestream (inside the jp2c box of a JP2 file),
// reads SIZ, applies the limits, and walks the tile-parts to make sure
// every tile is present, all before OpenJPEG allocates anything.
func precheck(b []byte, format string, lim Limits) (header, error) {
	cs := b
	if format == FormatJP2 {
		var err error
		if cs, err = findCodestream(b); err != nil {
			return header{}, err
		}
	}
	h, pos, err := readSIZ(cs)
	if err != nil {
		return header{}, err
	}
	if h.width > lim.MaxWidth || h.height > lim.MaxHeight || h.comps > lim.MaxComponents ||
		h.tilesX*h.tilesY > lim.MaxTiles {
		return header{}, fmt.Errorf("checking %dx%d image, %d components, %dx%d tiles against %+v: %w",
			h.width, h.height, h.comps, h.tilesX, h.tilesY, lim, ErrTooLarge)
	}
	if err := checkTiles(cs, pos, h.tilesX*h.tilesY); err != nil {
		return header{}, err
	}
	return h, nil
}

// findCodestream returns the contents of the first jp2c box (I.5.4).
func findCodestream(b []byte) ([]byte, error) {
	for len(b) >= boxHeaderLen {
		size := uint64(binary.BigEndian.Uint32(b))
		typ := string(b[4:8])
		hdr := uint64(boxHeaderLen)
		switch size {
		case 0: // the box runs to the end of the file
			size = uint64(len(b))
		case 1:
			if len(b) < boxHeaderLen+boxXLLen {
				return nil, fmt.Errorf("reading JP2 box %q: %w", typ, ErrTruncated)
			}
			size = binary.BigEndian.Uint64(b[8:])
			hdr += boxXLLen
		}
		if size < hdr || size > uint64(len(b)) {
			return nil, fmt.Errorf("reading JP2 box %q of %d bytes: %w", typ, size, ErrTruncated)
		}
		if typ == boxTypeJP2C {
			return b[hdr:size], nil
		}
		b = b[size:]
	}
	return nil, fmt.Errorf("finding the jp2c box: %w", ErrTruncated)
}

// readSIZ parses SOC and SIZ (A.5.1) and returns the offset just past SIZ.
func readSIZ(cs []byte) (header, int, error) {
	if len(cs) < 4+sizFixedLen || binary.BigEndian.Uint16(cs) != markerSOC || binary.BigEndian.Uint16(cs[2:]) != markerSIZ {
		return header{}, 0, fmt.Errorf("reading SIZ: %w", ErrFormat)
	}
	s := cs[4:]
	lsiz := int(binary.BigEndian.Uint16(s))
	u32 := func(off int) uint64 { return uint64(binary.BigEndian.Uint32(s[off:])) }
	xsiz, ysiz, xo, yo := u32(4), u32(8), u32(12), u32(16)
	xt, yt, xto, yto := u32(20), u32(24), u32(28), u32(32)
	csiz := int(binary.BigEndian.Uint16(s[36:]))
	switch {
	case lsiz != sizFixedLen+sizCompLen*csiz || 4+lsiz > len(cs):
		return header{}, 0, fmt.Errorf("reading SIZ of length %d for %d components: %w", lsiz, csiz, ErrTruncated)
	case csiz == 0 || xsiz <= xo || ysiz <= yo || xt == 0 || yt == 0 || xto > xo || yto > yo ||
		xto+xt <= xo || yto+yt <= yo:
		return header{}, 0, fmt.Errorf("reading SIZ: inconsistent sizes: %w", ErrCorrupt)
	}
	h := header{
		width:  int(xsiz - xo),
		height: int(ysiz - yo),
		comps:  csiz,
		tilesX: int((xsiz - xto + xt - 1) / xt),
		tilesY: int((ysiz - yto + yt - 1) / yt),
	}
	return h, 4 + lsiz, nil
}

// checkTiles skips the rest of the main header and walks the tile-parts
// by their Psot lengths (A.4.2), requiring at least one tile-part for
// each of the n tiles ("every tile has at least one tile-part").
func checkTiles(cs []byte, pos, n int) error {
	// Main header: marker segments up to the first SOT.
	for {
		if pos+4 > len(cs) {
			return fmt.Errorf("reading main header at %d: %w", pos, ErrTruncated)
		}
		m := binary.BigEndian.Uint16(cs[pos:])
		if m == markerSOT {
			break
		}
		if m>>8 != 0xff {
			return fmt.Errorf("reading main header: no marker at %d: %w", pos, ErrCorrupt)
		}
		pos += 2 + int(binary.BigEndian.Uint16(cs[pos+2:]))
	}
	seen := make([]bool, n)
	missing := n
	for {
		if pos+2 > len(cs) {
			return fmt.Errorf("reading tile-part at %d: %w", pos, ErrTruncated)
		}
		m := binary.BigEndian.Uint16(cs[pos:])
		if m == markerEOC {
			break
		}
		if m != markerSOT || pos+2+lenSOT > len(cs) || binary.BigEndian.Uint16(cs[pos+2:]) != lenSOT {
			return fmt.Errorf("reading tile-part at %d: %w", pos, ErrTruncated)
		}
		tile := int(binary.BigEndian.Uint16(cs[pos+4:]))
		psot := int(binary.BigEndian.Uint32(cs[pos+6:]))
		if tile >= n {
			return fmt.Errorf("reading tile-part of tile %d of %d: %w", tile, n, ErrCorrupt)
		}
		if !seen[tile] {
			seen[tile] = true
			missing--
		}
		if psot == 0 { // the last tile-part runs to EOC
			break
		}
		if psot < 2+lenSOT || psot > len(cs)-pos {
			return fmt.Errorf("reading tile-part of tile %d, %d bytes: %w", tile, psot, ErrTruncated)
		}
		pos += psot
	}
	if missing > 0 {
		return fmt.Errorf("checking tiles: %d of %d missing: %w", missing, n, ErrTruncated)
	}
	return nil
}
