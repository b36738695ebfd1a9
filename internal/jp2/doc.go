// Package jp2 decodes the face photo of the card's surface application
// (EF 0002, tag DF27: JPEG 2000, greyscale) into an image.Image or PNG.
//
// It owns a small cgo binding to Debian's OpenJPEG (libopenjp2-7-dev,
// pkg-config libopenjp2): the bytes are decoded from memory through an
// opj_stream with read, skip and seek callbacks over a C copy of the
// input, in OpenJPEG's strict mode, and its error and warning messages
// are captured into a [DecodeError]. Before OpenJPEG sees the bytes, a
// small Go pre-check reads the SIZ marker and the tile-part headers: the
// image size, component and tile counts are checked against [Limits], so
// a hostile file cannot make the decoder allocate gigabytes, and every
// tile must be present ([ErrTruncated]; OpenJPEG itself silently leaves
// missing tiles black). It does not own reading the photo off the
// card or checking the surface signature that covers it.
//
// It is written by hand over OpenJPEG because no pure-Go JPEG 2000 codec
// is served to this project (shared/DEPENDENCIES.md). All cgo of the
// face-photo path stays in this package; built with CGO_ENABLED=0 the
// decoding functions return [ErrNoCgo] and [Format] still works.
package jp2
