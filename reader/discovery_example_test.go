package reader_test

import (
	"fmt"

	"github.com/mynacard/mynacard/reader"
)

func ExampleChoose() {
	names := []string{"ACS ACR1252 Dual Reader PICC 00 00", "ACS ACR1252 Dual Reader SAM 00 01", "Virtual PCD 00 00"}
	for _, sel := range []string{"Virtual PCD 00 00", "1", "picc", "acs"} {
		name, err := reader.Choose(names, sel)
		fmt.Printf("%q: %q %v\n", sel, name, err)
	}
	// Output:
	// "Virtual PCD 00 00": "Virtual PCD 00 00" <nil>
	// "1": "ACS ACR1252 Dual Reader SAM 00 01" <nil>
	// "picc": "ACS ACR1252 Dual Reader PICC 00 00" <nil>
	// "acs": "" choosing reader "acs" among ACS ACR1252 Dual Reader PICC 00 00, ACS ACR1252 Dual Reader SAM 00 01: reader selector is ambiguous
}
