package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/agent"
)

// defaultListen is where `mynacard serve` listens unless --listen says
// otherwise: loopback only, a fixed port so the kiosk browser's start page
// can be configured once.
const defaultListen = "127.0.0.1:8765"

func newServeCmd(g *globals) *cobra.Command {
	var listen string
	var origins []string
	var opTimeout time.Duration
	var audience string
	var tokenFile string
	var idle time.Duration
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "run the local HTTP agent for kiosk pages (loopback only) and serve the example kiosk page",
		Long: `serve runs a local HTTP agent for a kiosk: a touch screen with a web page next
to a card reader. It listens on loopback only (127.0.0.1, ::1 or localhost;
any other address is refused) and serves:

  GET  /            the example kiosk page (Japanese and English)
  GET  /v1/readers  the readers, with the card in each and its type
  GET  /v1/events   card events as Server-Sent Events (as "mynacard watch")
  POST /v1/identify {"pin": "...", "key": "sign"|"auth", "reader": "..."}
  POST /v1/qualify  {"pin": "1234", "reader": "..."}
  POST /v1/changes  {"enrolment_id": N, "pin": "..."} (without "pin": a
                    revocation check of the enrolment, no card needed)
  POST /v1/token    {"nonce": "...", "pin": "1234"}: a confirmation token
                    for the service named by --audience (never by the page);
                    off without --audience

The answers are the JSON that identify, qualify and changes print with
--json (without test_card: see verdict.chain.production).

Security: every /v1/ call needs the session token in the X-Mynacard-Token
header. The token is printed at start (for integrators' own pages) and
embedded in the page at /. A request with an Origin header other than the
agent's own or one given with --allow-origin is refused (403) before any card
access, CORS preflights included. --allow-origin takes https:// origins, or
http:// on loopback only (a plain-http page elsewhere could be replaced on the
network and then use the token). The page at / and its files answer the
agent's own origin only and never carry CORS headers: an allowed origin may
call the API, never read the page that embeds the token; a Host header other than localhost,
127.0.0.1 or [::1] with the agent's port is refused (DNS rebinding). PINs
travel only in POST bodies, are never logged and are wiped after use; one card
operation runs at a time per reader (409 "busy"); a card pulled during an
operation gives 410 "card_removed". The last try of a PIN is never spent:
--allow-last-try is refused here.

Session token lifecycle: without --token-file the agent makes a new token at
every start; the page at / then pairs again by itself (it reads the new token
from /), and integrators' pages must read the new one. With --token-file PATH
the token is kept in PATH (created with mode 0600 when missing) and survives
restarts; a page's host reads it there, and again whenever the agent answers
401. GET /v1/status says whether the agent can confirm anything as
configured (a hard revocation policy without a revocation source cannot: every
confirmation is then refused with 503 "not_configured" before the card is
touched); GET /v1/pin-status?key=auth|sign says the tries left. The OpenAPI
document is at /v1/openapi.json and a JavaScript client at
/mynacard-client.js.

The virtual reader driver vpcd (used with "mynacard virtual-card") listens on
every network interface: never install it on a production kiosk.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if g.AllowLastTry {
				return usageErrorf("%s", g.tr(msgServeLastTry))
			}
			for _, o := range origins {
				if err := agent.CheckAllowedOrigin(o); errors.Is(err, agent.ErrInsecureOrigin) {
					return usageErrorf("%s", g.tr(msgInsecureOrigin, o))
				} else if err != nil {
					return usageErrorf("%s", g.tr(msgBadOrigin, o))
				}
			}
			ln, err := agent.Listen(listen)
			if err != nil {
				if errors.Is(err, agent.ErrNotLoopback) {
					return usageErrorf("%s", g.tr(msgServeListen, listen))
				}
				return err
			}
			defer ln.Close()
			if _, err := g.checkRevocationFlags(); err != nil {
				return err
			}
			ctx := cmd.Context()
			b, filter, release, err := g.agentBackend(ctx)
			if err != nil {
				return err
			}
			defer release()
			st, err := g.openStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			virt := strings.EqualFold(g.Reader, virtualReader)
			// The virtual card's own test CRLs, as identify and qualify use
			// with --reader virtual: without them the agent could confirm
			// nothing under the default hard policy.
			g.virtualCard = virt
			conf, err := g.confirmer(ctx, &session{virtual: virt}, st)
			if err != nil {
				return err
			}
			token := ""
			if tokenFile != "" {
				if token, err = agent.LoadOrCreateToken(tokenFile); err != nil {
					return err
				}
			}
			opts := g.cardOptions()
			opts.AllowLastTry = false
			srv, err := agent.New(agent.Config{
				Backend:          b,
				Confirmer:        conf,
				AllowedOrigins:   origins,
				OperationTimeout: opTimeout,
				IdleTimeout:      idle,
				Token:            token,
				Audience:         audience,
				CardOptions:      opts,
				Watch:            agent.WatchOptions{Readers: filter},
				Logger:           slog.New(slog.NewTextHandler(g.stderr, nil)),
			})
			if err != nil {
				return usageErrorf("%v", err)
			}
			url := "http://" + ln.Addr().String() + "/"
			if g.JSON {
				if err := g.printJSON(map[string]string{"url": url, "token": srv.Token(), "header": agent.HeaderToken}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(g.stdout, "url: %s\ntoken: %s\n", url, srv.Token())
			}
			g.notef("%s", g.tr(msgServing, url))
			return srv.Serve(ctx, ln)
		},
	}
	f := cmd.Flags()
	f.StringVar(&listen, "listen", defaultListen, "loopback address and port to listen on (127.0.0.1:PORT, [::1]:PORT or localhost:PORT)")
	f.StringArrayVar(&origins, "allow-origin", nil, "web origin (scheme://host[:port]) whose pages may call the API besides the agent's own (repeatable)")
	f.StringVar(&audience, "audience", "", "service identifier that confirmation tokens from POST /v1/token are bound to (empty: the endpoint is off)")
	f.DurationVar(&opTimeout, "op-timeout", agent.DefaultOperationTimeout, "time limit of one card operation")
	f.StringVar(&tokenFile, "token-file", "", "file that keeps the session token across restarts (created with mode 0600 when missing)")
	f.DurationVar(&idle, "idle-timeout", agent.DefaultIdleTimeout, "how long the page keeps a result or a half-typed PIN on screen without a touch")
	return cmd
}
