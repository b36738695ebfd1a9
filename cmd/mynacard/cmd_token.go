package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/token"
)

func newTokenCmd(g *globals) *cobra.Command {
	var audience, nonce string
	var signKey, consent bool
	cmd := &cobra.Command{
		Use:   "token --audience SERVICE --nonce NONCE",
		Short: "make a confirmation token for a backend's challenge: the card signs the audience and nonce",
		Long: `token has the card sign a backend's one-time challenge (its nonce) bound to
the service's audience, and prints the token as JSON for the backend to check.
By default the user-authentication key and 4-digit PIN sign (qualification,
log-in). With --sign-key the signing key and password sign, which releases the
holder's four basic details to the service: they are shown on stderr first,
and the card signs only with --consent (the holder agreed at the counter).`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return g.runToken(cmd.Context(), tokenFlags{audience: audience, nonce: nonce, signKey: signKey, consent: consent})
		},
	}
	f := cmd.Flags()
	f.StringVar(&audience, "audience", "", "the service the token is for (from the backend's configuration)")
	f.StringVar(&nonce, "nonce", "", "the backend's one-time challenge")
	f.BoolVar(&signKey, "sign-key", false, "sign with the signing key (releases name, address, birth date and sex)")
	f.BoolVar(&consent, "consent", false, "the holder agreed to release the four basic details (needed with --sign-key)")
	return cmd
}

// tokenFlags are what a confirmation token needs from the command line:
// the backend's audience and nonce, the key, and the holder's consent for
// the signing key. `token`, `identify --token` and `qualify --token` share
// them.
type tokenFlags struct {
	audience, nonce  string
	signKey, consent bool
}

// addTokenFlags adds --audience and --nonce (and, for the signing key,
// --consent) to a command that can print a token instead of its verdict.
func (tf *tokenFlags) addTokenFlags(f *pflag.FlagSet, withConsent bool) {
	f.StringVar(&tf.audience, "audience", "", "with --token: the service the token is for (from the backend's configuration)")
	f.StringVar(&tf.nonce, "nonce", "", "with --token: the backend's one-time challenge")
	if withConsent {
		f.BoolVar(&tf.consent, "consent", false, "with --token: the holder agreed to release the four basic details")
	}
}

// runToken has the card sign the backend's challenge and prints the token.
// With the signing key the four basic details are shown on
// stderr first and the card signs only with the holder's consent.
func (g *globals) runToken(ctx context.Context, tf tokenFlags) error {
	if tf.audience == "" || tf.nonce == "" {
		return usageErrorf("%s", g.tr(msgTokenNeeds))
	}
	if tf.signKey && !tf.consent {
		// Without --consent the holder cannot agree: refuse before the
		// card is touched and the password asked.
		return &usageError{err: errors.New(g.tr(msgConsentNeeded))}
	}
	// The card is not touched for a token the backend could not accept.
	if len(tf.audience) > token.MaxAudienceBytes {
		return &usageError{err: errors.New(g.tr(msgTokenBadAudience, token.MaxAudienceBytes))}
	}
	if b, err := base64.RawURLEncoding.Strict().DecodeString(tf.nonce); err != nil || len(b) < token.NonceSize {
		return &usageError{err: errors.New(g.tr(msgTokenBadNonce, token.NonceSize))}
	}
	s, err := g.openCard(ctx)
	if err != nil {
		return err
	}
	defer s.close()
	src, err := g.pinSource()
	if err != nil {
		return err
	}
	defer src.Close()
	opts := confirm.TokenOptions{Key: card.AuthKey, Audience: tf.audience, Nonce: tf.nonce, Prompt: g.prompt(src)}
	if tf.signKey {
		opts.Key = card.SignKey
		opts.Consent = func(_ context.Context, req confirm.ConsentRequest) error {
			fmt.Fprintf(g.stderr, "mynacard: %s\n", g.tr(msgConsentFor, req.Audience, req.Certificate.Serial))
			t := &table{w: g.stderr}
			g.printAttributes(t, req.Attributes)
			t.flush()
			if !tf.consent {
				return confirm.ErrDeclined
			}
			return nil
		}
	}
	tok, err := confirm.MakeToken(ctx, s.jpki, opts)
	if err != nil {
		return withPIN(opts.Key.PIN(), err)
	}
	g.testBanner(g.stderr, g.testCard(s))
	return g.printJSON(tok)
}
