package pinentry

import "runtime"

// Wipe overwrites b with zeros. Call it on every slice [Source.Read] or
// [Source.ReadNew] returned, as soon as the PIN has been sent.
func Wipe(b []byte) {
	clear(b)
	runtime.KeepAlive(b)
}
