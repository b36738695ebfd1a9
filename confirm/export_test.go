package confirm

// Names the external tests (package confirm_test) check, exported for
// them only.
var Anniversary = anniversary

const (
	LeapDayAnniversaryMonth    = leapDayAnniversaryMonth
	LeapDayAnniversaryDay      = leapDayAnniversaryDay
	MessageRegistrationChanged = messageRegistrationChanged
)
