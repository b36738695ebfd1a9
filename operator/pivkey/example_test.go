package pivkey_test

import (
	"fmt"

	"github.com/mynacard/mynacard/operator/pivkey"
)

// ExampleParseSlot shows the slot names the CLI accepts.
func ExampleParseSlot() {
	for _, name := range []string{"9c", "9A", "82"} {
		slot, err := pivkey.ParseSlot(name)
		fmt.Println(slot, err)
	}
	// Output:
	// 9c <nil>
	// 9a <nil>
	// 0 parsing PIV slot "82": want 9a, 9c, 9d or 9e
}
