package jpkitest

import (
	"testing"
	"time"
)

func TestGenerateKeyDeterministic(t *testing.T) {
	start := time.Now()
	a, err := generateKey(newStream("s", "l"))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("keygen took %v", time.Since(start))
	b, err := generateKey(newStream("s", "l"))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Equal(b) {
		t.Fatal("same seed and label gave different keys")
	}
	c, err := generateKey(newStream("s", "m"))
	if err != nil {
		t.Fatal(err)
	}
	if a.Equal(c) {
		t.Fatal("different labels gave the same key")
	}
}
