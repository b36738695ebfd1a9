package main

// Messages of the store, the records and the agent's start-up checks, kept
// apart from messages.go so that each list stays easy to merge. The same
// rules apply: every key has an English and a Japanese text with the same
// verbs.
const (
	msgInsecureOrigin msgKey = "cli.serve.insecure_origin"
	msgBadOrigin      msgKey = "cli.serve.bad_origin"
)

// storeMessages is the second half of the CLI's catalog.
func storeMessages() []cliMessage {
	return []cliMessage{
		{msgInsecureOrigin, "--allow-origin %q: only https:// origins, or http:// on this computer (localhost, 127.0.0.1, [::1]), may call the agent", "--allow-origin %q：エージェントを呼び出せるのは https:// のオリジンか、このコンピューター上の http://（localhost、127.0.0.1、[::1]）だけです"},
		{msgBadOrigin, "--allow-origin %q: write an origin as scheme://host[:port]", "--allow-origin %q：オリジンは scheme://host[:port] の形で指定してください"},
	}
}
