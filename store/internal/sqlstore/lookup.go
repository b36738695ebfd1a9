package sqlstore

import (
	"time"

	"github.com/mynacard/mynacard/card"
	"github.com/mynacard/mynacard/store"
)

// civilDay returns the day t falls on in Japan, as midnight UTC (the form
// dates are kept in).
func civilDay(t time.Time) time.Time {
	y, m, d := t.In(card.JST).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// inForce reports whether e covers the day.
func inForce(e store.Eligibility, day time.Time) bool {
	if day.Before(e.QualifiedFrom) {
		return false
	}
	return e.QualifiedUntil.IsZero() || !day.After(e.QualifiedUntil)
}

// evaluate computes the validity status of a certificate's qualifications
// (newest QualifiedFrom first) on a day:
//
//   - no qualification: StatusNone;
//   - more than one in force: StatusSeveral;
//   - one in force: StatusValid, or StatusUnregistered when the holder has
//     not registered the card (Registered false);
//   - none in force but one starting later: StatusInvalidNewer, with the
//     earliest such one;
//   - otherwise (all ended): StatusInvalid, with the one that ended last.
func evaluate(rows []store.Eligibility, day time.Time) store.EligibilityAnswer {
	a := store.EligibilityAnswer{Status: store.StatusNone, Candidates: rows}
	if len(rows) == 0 {
		return a
	}
	var current []store.Eligibility
	var newer, ended *store.Eligibility
	for i := range rows {
		e := &rows[i]
		switch {
		case inForce(*e, day):
			current = append(current, *e)
		case day.Before(e.QualifiedFrom):
			if newer == nil || e.QualifiedFrom.Before(newer.QualifiedFrom) {
				newer = e
			}
		default:
			if ended == nil || e.QualifiedUntil.After(ended.QualifiedUntil) {
				ended = e
			}
		}
	}
	switch {
	case len(current) > 1:
		a.Status = store.StatusSeveral
	case len(current) == 1 && current[0].Registered:
		a.Status, a.Record = store.StatusValid, current[0]
	case len(current) == 1:
		a.Status, a.Record = store.StatusUnregistered, current[0]
	case newer != nil:
		a.Status, a.Record = store.StatusInvalidNewer, *newer
	default:
		a.Status, a.Record = store.StatusInvalid, *ended
	}
	return a
}
