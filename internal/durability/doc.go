// Package durability holds the store's crash tests: the
// built mynacard CLI is killed with SIGKILL at random moments while it runs
// a batch registration-change check (`changes --all`) and while it imports
// an eligibility CSV (`eligibility import`), many times over, and after each
// kill the SQLite database is opened again by a separate process
// (testdata/dbcheck, through database/sql and then package store, as the
// next run of the CLI would) and checked:
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
//   - re-running `changes --all` to completion gives the right summary
//     (after every chain of three kills, each run resuming what the last
//     one left).
//
// A run that is not killed (its delay outlasted it) is checked the same
// way and must be complete; the scenario goes on until it has killed its
// quota. Kills during `changes --all` are aimed just after a random
// enrolment's output line (a check is recorded before it is reported), so
// they land among the writes however loaded the machine is; one in six
// lands in the start-up instead. Kills during an import are timed.
//
// The package has no non-test code (testdata/dbcheck is a test helper). Its tests print one machine-readable
// line per scenario and a total, which scripts/reliability-report.sh
// copies into RELIABILITY.md:
//
//	DURABILITY scenario=changes kills=30 before=5 during=22 after=3 finished=1 partial=0 lost=0 reruns=10 seed=1
//	DURABILITY kills=60 scenarios=2 lost=0 partial=0 seed=1
//
// Knobs: MYNACARD_DURABILITY_KILLS (kills per scenario, default
// defaultKills) and MYNACARD_DURABILITY_SEED (the random seed; default: the
// time, logged so a failure can be replayed).
package durability
