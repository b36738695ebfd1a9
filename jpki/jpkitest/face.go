package jpkitest

import _ "embed"

//go:generate go run gen_face.go

// facePhoto is the synthetic greyscale face photo (90×110, JPEG 2000 in a
// JP2 file), drawn and encoded by gen_face.go.
//
//go:embed testdata/face.jp2
var facePhoto []byte

// FacePhoto returns a copy of the synthetic face photo every holder gets:
// a greyscale JP2 (JPEG 2000) file, 90×110 pixels, a drawing of an oval
// head, eyes, nose and mouth that depicts no one.
func FacePhoto() []byte { return append([]byte(nil), facePhoto...) }
