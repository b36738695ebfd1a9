package jpki

import "time"

// jst is Japan Standard Time (UTC+9, no daylight saving), fixed so that no
// time-zone database is needed; the roots' generations are JST years.
var jst = time.FixedZone("JST", 9*60*60)
