// Package durability holds the store's crash tests (issue 6, item 5): the
// built mynacard CLI is killed with SIGKILL at random moments while it runs
// a batch registration-change check (`changes --all`) and while it imports
// an eligibility CSV (`eligibility import`), many times over, and after each
// kill the SQLite database is opened again and checked:
//
//   - PRAGMA integrity_check answers "ok" and PRAGMA foreign_key_check
//     finds nothing;
//   - every enrolment's revocation check is either its old value (never
//     checked) or the complete new one, never a mixture of the two;
//     the enrolments checked form a prefix of the batch (no lost write
//     behind a later one), and every enrolment the CLI had already reported
//     is recorded;
//   - an import is all or nothing: the rows of the interrupted file are
//     either all there (with its eligibility_imports row) or none of them
//     are, and an import the CLI reported as done is there;
//   - the confirmation records keep a gap-free sequence;
//   - re-running `changes --all` to completion gives the right summary.
//
// A run that is not killed is checked the same way and must be complete.
//
// The package has no non-test code. Its tests print one machine-readable
// line per scenario and a total, which scripts/reliability-report.sh
// copies into RELIABILITY.md:
//
//	DURABILITY scenario=changes kills=30 mid_write=22 old=3 new=0 partial=0 lost=0 reruns=30 seed=1
//	DURABILITY kills=60 scenarios=2 lost=0 partial=0 seed=1
//
// Knobs: MYNACARD_DURABILITY_KILLS (kills per scenario, default
// defaultKills) and MYNACARD_DURABILITY_SEED (the random seed; default: the
// time, logged so a failure can be replayed).
package durability
