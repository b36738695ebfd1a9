//go:build cgo

package jp2_test

import (
	"fmt"
	"os"

	"github.com/mynacard/mynacard/internal/jp2"
)

// The surface application's DF27 holds the face photo; here a synthetic
// one from testdata stands in for it.
func ExampleDecode() {
	photo, err := os.ReadFile("testdata/face.jp2")
	if err != nil {
		fmt.Println(err)
		return
	}
	format, _ := jp2.Format(photo)
	img, err := jp2.Decode(photo)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %T %v\n", format, img, img.Bounds())
	// Output: jp2 *image.Gray (0,0)-(96,120)
}
