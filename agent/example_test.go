package agent_test

import (
	"context"
	"fmt"
	"time"

	"github.com/mynacard/mynacard/agent"
	"github.com/mynacard/mynacard/card/virtual"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/reader"
)

// Events as an iterator over an in-process reader holding the virtual card:
// the current state first, with the card's type read from its JPKI token
// label.
func ExampleEvents() {
	vc, err := virtual.NewMyNumberCard(jpkitest.DefaultHolder().Contents())
	if err != nil {
		panic(err)
	}
	m := agent.NewMemory(reader.Capabilities{}, "Kiosk Reader")
	if err := m.Insert("Kiosk Reader", vc); err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := 0
	for e, err := range agent.Events(ctx, m, agent.WatchOptions{}) {
		if err != nil {
			panic(err)
		}
		fmt.Println(e.Kind, e.Reader, e.CardType, e.Label, e.Usable)
		if n++; n == 2 {
			break
		}
	}
	// Output:
	// reader-added Kiosk Reader   false
	// card-inserted Kiosk Reader my_number_card JPKIAPICCTOKEN2 true
}
