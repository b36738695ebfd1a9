package agent_test

import (
	"testing"

	"github.com/mynacard/mynacard/internal/intruder"
	"github.com/mynacard/mynacard/internal/pcsctest"
)

// TestMain lets the real-stack tests share the harness's pcscd.
func TestMain(m *testing.M) {
	intruder.Main()
	pcsctest.Main(m)
}
