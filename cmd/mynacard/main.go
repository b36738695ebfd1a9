// Command mynacard reads and uses Japan's Individual Number Card
// (マイナンバーカード) through any PC/SC reader.
//
// Every command lives in its own file (cmd_<name>.go) and is registered in
// root.go; commands stay thin and call the library packages. Output rules
// (after filippo.io/age): results to stdout, diagnostics and prompts to
// stderr, messages lowercase without a final period. There is no flag for a
// PIN, ever: a PIN in argv is visible to every user of the machine.
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
