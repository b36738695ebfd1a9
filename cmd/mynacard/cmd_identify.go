package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/internal/i18n"
	"github.com/mynacard/mynacard/store"
)

// identifyJSON is what `identify --json` prints: confirm's Identification
// with the test-card flag.
type identifyJSON struct {
	TestCard bool `json:"test_card"`
	*confirm.Identification
	// TextComparison compares the certificate's basic four with the
	// card's text application (--compare-text).
	TextComparison []fieldComparison `json:"text_comparison,omitempty"`
}

func newIdentifyCmd(g *globals) *cobra.Command {
	var authKey, enroll, newHolder, compareText, token bool
	var chip chipFlags
	var replaces int64
	var tf tokenFlags
	cmd := &cobra.Command{
		Use:   "identify",
		Short: "personal identification (本人確認): the holder signs a fresh challenge; signature, chain and revocation are checked",
		Long: `identify has the holder sign a fresh random challenge on the card and checks
the signature, the certificate's chain to a pinned J-LIS root and its
revocation status; the verdict states each.

By default the signing key and signing password are used, and the holder's
name, address, birth date and sex are shown from the signing certificate
(with a warning where they hold substitute characters, 代替文字: compare with
the card face). With --auth-key the user-authentication key and 4-digit PIN
are used instead: that certificate carries no personal data, and the answer is
only whether this is the same card holder as an enrolment.

--enroll stores the identity (certificate issuer and serial, attributes,
time, operator); when earlier enrolments may be this holder's before a
registration change, nothing is enrolled and they are listed: identify again
with --replaces ID, or --new-holder. --replaces ID links a new card's certificate to the
enrolment ID whose certificate was revoked for a registration change (異動)
and shows old and new attributes side by side.`,
		Args: g.noArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if chip.on {
				if authKey || enroll || newHolder || compareText || token || replaces != 0 {
					return usageErrorf("%s", g.tr(msgChipAlone))
				}
				return g.runChipIdentify(cmd.Context(), chip)
			}
			if chip.set() {
				return usageErrorf("%s", g.tr(msgChipFlagsNeedChip))
			}
			if token {
				// A token for a backend instead of a local verdict: the
				// backend checks signature, chain and revocation itself.
				tf.signKey = !authKey
				return g.runToken(cmd.Context(), tf)
			}
			if authKey && (replaces != 0 || compareText) {
				return usageErrorf("%s", g.tr(msgReplacesAuthKey))
			}
			ctx := cmd.Context()
			// Enrolling writes the first data a store may hold; anything
			// else needs the store to exist already.
			g.mayCreateStore = enroll && replaces == 0
			pre := func(st store.Store) error {
				if replaces == 0 {
					return nil
				}
				if _, err := st.Enrolment(ctx, replaces); errors.Is(err, store.ErrNotFound) {
					return &usageError{err: errors.New(g.tr(msgNoEnrolment, replaces))}
				} else if err != nil {
					return err
				}
				return nil
			}
			return g.withConfirmer(ctx, pre, func(s *session, conf *confirm.Confirmer, prompt card.PINPrompt) error {
				opts := confirm.IdentifyOptions{Key: card.SignKey, Prompt: prompt, Enroll: enroll, Replaces: replaces, NewHolder: newHolder}
				if authKey {
					opts.Key = card.AuthKey
				}
				id, err := conf.Identify(ctx, s.jpki, opts)
				if err != nil {
					return withPIN(opts.Key.PIN(), err)
				}
				var cmp []fieldComparison
				if compareText && id.Attributes != nil && id.Verdict.OK {
					if cmp, err = g.compareWithText(ctx, s, id.Attributes, opts.Prompt); err != nil {
						return err
					}
				}
				if g.JSON {
					if err := g.printJSON(identifyJSON{TestCard: g.testCard(s), Identification: id, TextComparison: cmp}); err != nil {
						return err
					}
				} else {
					g.printIdentification(id, g.testCard(s))
					if cmp != nil {
						g.printComparison(cmp)
					}
				}
				if err := g.verdictError(id.Verdict); err != nil {
					return err
				}
				if authKey && !id.SameHolderAsEnrolled && !enroll {
					return &codedError{code: exitVerificationFailed, msg: g.tr(msgNotSameHolder)}
				}
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.BoolVar(&authKey, "auth-key", false, "use the user-authentication key and 4-digit PIN: answers only \"same card holder as enrolled\"")
	f.BoolVar(&enroll, "enroll", false, "store the identity when the verdict is ok")
	f.Int64Var(&replaces, "replaces", 0, "enrolment ID whose certificate was revoked for a registration change: link the new certificate to it")
	f.BoolVar(&compareText, "compare-text", false, "also read the card's text application (4-digit PIN, asked after the password) and compare its basic four with the certificate's")
	f.BoolVar(&newHolder, "new-holder", false, "enrol even when earlier enrolments may be this holder's before a registration change (the clerk checked they are someone else)")
	f.BoolVar(&token, "token", false, "print a confirmation token for a backend's challenge (--audience, --nonce) instead of a local verdict")
	tf.addTokenFlags(f, true)
	addChipFlags(f, &chip)
	return cmd
}

// printIdentification writes the verdict and the holder's details.
func (g *globals) printIdentification(id *confirm.Identification, test bool) {
	p := g.p
	g.testBanner(g.stdout, test)
	head := p.Sprintf(i18n.VerificationFailed)
	switch {
	case id.Verdict.OK && id.Key == card.AuthKey && id.SameHolderAsEnrolled:
		head = p.Sprintf(i18n.SameHolder)
	case id.Verdict.OK && id.Key == card.AuthKey && id.Enrolment != nil:
		// Enrolled just now: there was nothing to be the same as.
		head = g.tr(msgAuthNewEnrolment)
	case id.Verdict.OK && id.Key == card.AuthKey:
		head = g.tr(msgNotSameHolder)
	case id.Verdict.OK:
		head = p.Sprintf(i18n.Identified)
	}
	fmt.Fprintln(g.stdout, head)
	t := g.newTable()
	g.printVerdict(t, id.Verdict)
	t.row(g.tr(msgFieldSerial), id.Certificate.Serial)
	g.printAttributes(t, id.Attributes)
	if id.MatchedEnrolment != nil {
		t.row(g.tr(msgMatchedEnrolment), id.MatchedEnrolment.ID)
	}
	t.flush()
	switch {
	case id.Enrolment != nil && id.AlreadyEnrolled:
		fmt.Fprintln(g.stdout, g.tr(msgAlreadyEnrolled, id.Enrolment.ID))
	case id.Enrolment != nil:
		fmt.Fprintln(g.stdout, g.tr(msgEnrolled, id.Enrolment.ID))
	case id.NotEnrolled != "":
		fmt.Fprintln(g.stdout, g.tr(msgNotEnrolled, g.notDoneWhy(id.NotEnrolled)))
	}
	for _, c := range id.ChangeCandidates {
		name := ""
		if c.Attributes != nil {
			name = c.Attributes.Name
		}
		fmt.Fprintln(g.stdout, g.tr(msgChangeCandidate, c.ID, name))
	}
	if id.Change != nil {
		g.printChange(id.Change)
	}
	if id.RecordSeq != 0 {
		g.notef("%s", g.tr(msgRecordKept, id.RecordSeq))
	}
}

// printChange writes a registration change: old and new attributes side
// by side, each row marked same or differs.
func (g *globals) printChange(c *confirm.Change) {
	p := g.p
	if c.Linked {
		fmt.Fprintln(g.stdout, p.Sprintf(i18n.RegistrationResolved))
	} else {
		fmt.Fprintln(g.stdout, g.tr(msgChangeNotLinked, g.notDoneWhy(string(c.Code))))
	}
	if c.Old == nil || c.New == nil {
		return
	}
	differs := map[string]bool{}
	for _, fc := range c.Changes {
		differs[strings.TrimSuffix(string(fc.Field), "_substitute")] = true
	}
	t := g.newTable()
	t.cells("", p.Sprintf(i18n.CompareOld), p.Sprintf(i18n.CompareNew), "")
	mark := func(field string) string {
		if differs[field] {
			return p.Sprintf(i18n.CompareDiffers)
		}
		return p.Sprintf(i18n.CompareSame)
	}
	row := func(label, field, o, n string) {
		t.cells(label, o, n, mark(field))
	}
	// Names and addresses differ only when they differ after the safe
	// folding (full-width digits and Latin letters, U+3000).
	differs["name"] = !sameText(c.Old.Name, c.New.Name) || fmt.Sprint(c.Old.NameSubstitutes) != fmt.Sprint(c.New.NameSubstitutes)
	differs["address"] = !sameText(c.Old.Address, c.New.Address) || fmt.Sprint(c.Old.AddressSubstitutes) != fmt.Sprint(c.New.AddressSubstitutes)
	row(p.Sprintf(i18n.FieldName), "name", c.Old.Name, c.New.Name)
	row(p.Sprintf(i18n.FieldAddress), "address", c.Old.Address, c.New.Address)
	if differs["birth_era"] {
		differs["birth_date"] = true
	}
	row(p.Sprintf(i18n.FieldBirthDate), "birth_date",
		g.attributesDate(c.Old), g.attributesDate(c.New))
	row(p.Sprintf(i18n.FieldSex), "sex", g.sexWord(c.Old.Sex.Word()), g.sexWord(c.New.Sex.Word()))
	t.flush()
}

// sameText compares two names or addresses after folding only what is
// safe to fold: full-width digits and Latin letters to ASCII,
// and the ideographic space U+3000 to U+0020. Any other difference,
// a kanji variant included, is a difference.
func sameText(a, b string) bool {
	return foldSafe(a) == foldSafe(b)
}

func foldSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\u3000':
			return ' '
		case r >= '０' && r <= '９', r >= 'Ａ' && r <= 'Ｚ', r >= 'ａ' && r <= 'ｚ':
			return r - '０' + '0'
		}
		return r
	}, s)
}
