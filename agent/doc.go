// Package agent is the local HTTP agent behind `mynacard serve` and the card
// event stream behind `mynacard watch`: it lets a kiosk web page (a touch
// screen next to a USB reader) follow the card's life cycle and run the three
// confirmations of package confirm, safely.
//
// It owns:
//   - card events across every reader (Watch): reader added or removed, card
//     inserted (with what card it is, from card.Detect, never from the ATR)
//     or removed;
//   - the HTTP API (Server) bound to loopback only, described by the OpenAPI
//     document openapi.json (served at GET /v1/openapi.json): GET /v1/status
//     (whether the agent can confirm anything as configured, and the page's
//     timings), GET /v1/pin-status (tries left, none spent), GET /v1/readers,
//     GET /v1/events (Server-Sent Events), POST /v1/identify, /v1/qualify and
//     /v1/changes, whose answers are the JSON of package confirm, the same the
//     CLI prints with --json, and POST /v1/token (a confirmation token for the
//     audience of the agent's configuration, never the page's), POST
//     /v1/chip-identify (chip-reading identification with 照合番号B; the
//     photo and the name and address images only when the verdict is ok)
//     and POST /v1/age (yes or no, nothing personal);
//   - the example kiosk page (web/, plain HTML and JavaScript, embedded) served
//     at /, and the JavaScript client it uses (web/mynacard-client.js, served
//     at ClientPath), which integrators' pages may use too;
//   - the security rules of a local agent: an allowlist of web origins (CORS,
//     with preflight), a per-session token required in HeaderToken on every API
//     call (compared in constant time), a Host check against DNS rebinding,
//     PINs only in a POST body (never logged, wiped after use), one card
//     operation at a time per reader (409 "busy"), and timeouts that hold
//     when the card stops answering (the answer never waits for a stuck
//     transmit; the reader stays busy until the abandoned operation ends).
//
// It does not talk APDUs (package card), decide verdicts (package confirm) or
// know how readers are reached: a Backend does, PCSC for the real stack and
// Memory for in-process cards.
//
// For an integrator's own page (an origin listed in Config.AllowedOrigins):
// send HeaderToken with every call; read GET /v1/events with fetch and a
// stream reader rather than EventSource, which cannot send headers (the
// client in web/mynacard-client.js does this); every error answer is
// {"error": code, "message": text} with the CodeXxx values, and a page should
// go back to "insert your card" on card_removed and on a card-removed event.
// The session token is new at every start unless it is kept in a file
// (LoadOrCreateToken): on 401, read it again.
//
// What the token protects against: other web pages in the kiosk's browser. A
// page on another origin cannot read the page at / (the same-origin policy),
// cannot pass the CORS check, and cannot reach the agent through a hostname it
// controls (the Host check). Local programs running as any user can reach pcscd
// directly; the agent does not pretend to protect against them.
//
// Where the Go runtime keeps copies out of reach: the HTTP server's read buffer
// may still hold a PIN's bytes after the request; the agent wipes every buffer
// it owns (the body and the decoded PIN) and never makes a string of a PIN.
package agent
