package pinentry_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/mynacard/mynacard/internal/pinentry"
)

// A script gives the signing password on standard input (`--pin-stdin`);
// here a strings.Reader stands in for it.
func ExampleSource_Read() {
	src := pinentry.Reader(strings.NewReader("ABC123\r\n"))
	pin, err := src.Read(context.Background(), "signing password", 5)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer pinentry.Wipe(pin)
	fmt.Println(len(pin))
	// Output: 6
}

func ExampleDefaultPrompt() {
	fmt.Print(pinentry.DefaultPrompt(pinentry.Prompt{Step: pinentry.StepCurrent, Label: "signing password", Remaining: 1}))
	// Output:
	// warning: this is the last try; a wrong signing password now blocks it
	// Enter the signing password (1 try left):
}
