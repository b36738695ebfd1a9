package confirm

import "testing"

func TestSexString(t *testing.T) {
	for code, want := range map[int]string{1: "male", 2: "female", 3: "unknown", 0: "Sex(0)"} {
		if got := certSexWord(code); got != want {
			t.Errorf("%d: %q, want %q", code, got, want)
		}
	}
}
