package confirm_test

import (
	"context"
	"encoding/csv"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/confirm"
	"github.com/mynacard/mynacard/jpki/jpkitest"
	"github.com/mynacard/mynacard/jpki/revocation"
	"github.com/mynacard/mynacard/store"
)

// eligibilityCSV writes rows for the default holder's authentication
// certificate. Each row: insurer, from, until, registered.
func eligibilityCSV(t *testing.T, rows [][4]string) string {
	t.Helper()
	h := jpkitest.DefaultHolder()
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(strings.Split(store.EligibilityCSVHeader, ","))
	for i, r := range rows {
		w.Write([]string{confirm.IssuerString(h.AuthCert), confirm.SerialString(h.AuthCert), r[0], "ABC", "1234", "0" + string(rune('1'+i)),
			"山田　太郎", "ヤマダ　タロウ", "1985-04-01", "1", r[1], r[2], "", "30", r[3]})
	}
	w.Flush()
	return b.String()
}

func TestQualifyValidityStatuses(t *testing.T) {
	// ReferenceTime is 2026-04-01 in Japan.
	tests := []struct {
		name     string
		rows     [][4]string
		status   int
		code     confirm.ValidityCode
		eligible bool
	}{
		{"valid", [][4]string{{"06123456", "2025-04-01", "", "1"}}, 1, confirm.ValidityValid, true},
		{"invalid", [][4]string{{"06123456", "2020-04-01", "2025-03-31", "1"}}, 2, confirm.ValidityInvalid, false},
		{"invalid newer", [][4]string{{"06123456", "2020-04-01", "2025-03-31", "1"}, {"06999999", "2026-05-01", "", "1"}}, 3, confirm.ValidityInvalidNewer, false},
		{"none", nil, 4, confirm.ValidityNone, false},
		{"several", [][4]string{{"06123456", "2025-04-01", "", "1"}, {"06999999", "2025-06-01", "", "1"}}, 5, confirm.ValiditySeveral, false},
		{"unregistered", [][4]string{{"06123456", "2025-04-01", "", "0"}}, 6, confirm.ValidityUnregistered, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			e := newEnv(t)
			if _, err := e.st.ImportEligibilityCSV(ctx, strings.NewReader(eligibilityCSV(t, tt.rows))); err != nil {
				t.Fatal(err)
			}
			q, err := e.confirmer(nil).Qualify(ctx, cardOf(t, jpkitest.DefaultHolder(), card.Options{}), confirm.QualifyOptions{Prompt: pin(jpkitest.DefaultAuthPIN)})
			if err != nil {
				t.Fatal(err)
			}
			if !q.Verdict.OK || q.Certificate.Kind != card.AuthKey {
				t.Fatalf("qualification = %+v", q)
			}
			el := q.Eligibility
			if el == nil || el.Status != tt.status || el.StatusCode != tt.code || el.Eligible != tt.eligible || el.Meaning == "" {
				t.Fatalf("eligibility = %+v", el)
			}
			if tt.status == 1 && (el.InsurerNumber != "06123456" || el.Symbol != "ABC" || el.Number != "1234" || el.Branch != "01" ||
				el.Name != jpkitest.DefaultName || el.BirthDate != "1985-04-01" || el.Sex != "1" || el.QualifiedFrom != "2025-04-01" ||
				el.QualifiedUntil != "" || el.CopayPercent != 30 || !el.Registered) {
				t.Errorf("valid answer = %+v", el)
			}
			rs := e.records()
			if len(rs) != 1 || rs[0].Kind != store.RecordQualify || rs[0].CertKind != card.AuthKey || !strings.Contains(rs[0].Details, `"status_code":"`+string(tt.code)+`"`) {
				t.Errorf("records = %+v", rs)
			}
		})
	}
}

func TestQualifyRefusals(t *testing.T) {
	ctx := context.Background()
	h := jpkitest.DefaultHolder()
	t.Run("revoked auth certificate is not looked up", func(t *testing.T) {
		e := newEnv(t)
		e.setCRLs(nil, []revoked{{h.AuthCert.SerialNumber, revocation.ReasonKeyCompromise}})
		q, err := e.confirmer(nil).Qualify(ctx, cardOf(t, h, card.Options{}), confirm.QualifyOptions{Prompt: pin(jpkitest.DefaultAuthPIN)})
		if err != nil || q.Verdict.OK || q.Eligibility != nil || q.Verdict.Revocation.Reason != "keyCompromise" {
			t.Errorf("qualification = %+v, %v", q, err)
		}
	})
	t.Run("wrong PIN", func(t *testing.T) {
		e := newEnv(t)
		_, err := e.confirmer(nil).Qualify(ctx, cardOf(t, h, card.Options{}), confirm.QualifyOptions{Prompt: pin("0000")})
		var pe *card.PINError
		if !errors.As(err, &pe) || pe.Remaining != 2 {
			t.Errorf("err = %v", err)
		}
		if len(e.records()) != 0 {
			t.Error("record written")
		}
	})
}

// TestQualifyInsuranceCardDates: the qualification's last day is kept as
// given and the 資格喪失年月日 is the day after; an insurance card past its
// validity (in Japan time) is flagged and the answer is not eligible, while
// on its last valid day it still is.
func TestQualifyInsuranceCardDates(t *testing.T) {
	ctx := context.Background()
	h := jpkitest.DefaultHolder()
	today := jpkitest.ReferenceTime().In(card.JST).Format(time.DateOnly)
	yesterday := jpkitest.ReferenceTime().In(card.JST).AddDate(0, 0, -1).Format(time.DateOnly)
	tests := []struct {
		name            string
		until, validity string
		status          int
		lost            string
		expired         bool
		eligible        bool
	}{
		{"card valid through today", "", today, 1, "", false, true},
		{"card expired yesterday", "", yesterday, 1, "", true, false},
		{"no card validity", "", "", 1, "", false, true},
		{"qualification ended", "2025-03-31", "", 2, "2025-04-01", false, false},
		{"qualification ends today", today, "", 1, jpkitest.ReferenceTime().In(card.JST).AddDate(0, 0, 1).Format(time.DateOnly), false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b strings.Builder
			w := csv.NewWriter(&b)
			w.Write(strings.Split(store.EligibilityCSVHeader, ","))
			w.Write([]string{confirm.IssuerString(h.AuthCert), confirm.SerialString(h.AuthCert), "06123456", "ABC", "1234", "01",
				"山田　太郎", "ヤマダ　タロウ", "1985-04-01", "1", "2020-04-01", tt.until, tt.validity, "30", "1"})
			w.Flush()
			e := newEnv(t)
			if _, err := e.st.ImportEligibilityCSV(ctx, strings.NewReader(b.String())); err != nil {
				t.Fatal(err)
			}
			q, err := e.confirmer(nil).Qualify(ctx, cardOf(t, h, card.Options{}), confirm.QualifyOptions{Prompt: pin(jpkitest.DefaultAuthPIN)})
			if err != nil {
				t.Fatal(err)
			}
			el := q.Eligibility
			if el == nil || el.Status != tt.status || el.QualifiedUntil != tt.until || el.LostOn != tt.lost ||
				el.CardValidUntil != tt.validity || el.CardExpired != tt.expired || el.Eligible != tt.eligible {
				t.Fatalf("eligibility = %+v", el)
			}
		})
	}
}
