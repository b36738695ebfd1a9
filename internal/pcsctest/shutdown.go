package pcsctest

// Shutdown stops the pcscd this process started if no other process uses
// it, as Main does after the tests. It is for a TestMain that cannot hand
// its *testing.M to Main, such as one that runs testscript.Main.
func Shutdown() { h.shutdown() }
