package revocation

import (
	"fmt"
	"time"

	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Lengths of the DER time forms RFC 5280 §4.1.2.5 allows: UTCTime
// YYMMDDHHMMSSZ and GeneralizedTime YYYYMMDDHHMMSSZ.
const (
	utcTimeLen         = 13
	generalizedTimeLen = 15
	// utcTimePivot: UTCTime years 50–99 are 19xx, 00–49 are 20xx
	// (RFC 5280 §4.1.2.5.1).
	utcTimePivot = 50
)

// parseTimeSeconds parses the content of a UTCTime or GeneralizedTime
// (RFC 5280 profile: seconds present, "Z", no fraction) to Unix seconds
// without allocating, which matters for millions of CRL entries.
func parseTimeSeconds(tag cbasn1.Tag, b []byte) (int64, error) {
	var year int
	switch {
	case tag == cbasn1.UTCTime && len(b) == utcTimeLen:
		yy, ok := digits2(b[0:2])
		if !ok {
			return 0, errBadTime
		}
		year = 2000 + yy
		if yy >= utcTimePivot {
			year = 1900 + yy
		}
		b = b[2:]
	case tag == cbasn1.GeneralizedTime && len(b) == generalizedTimeLen:
		hi, ok1 := digits2(b[0:2])
		lo, ok2 := digits2(b[2:4])
		if !ok1 || !ok2 {
			return 0, errBadTime
		}
		year = hi*100 + lo
		b = b[4:]
	default:
		return 0, errBadTime
	}
	// b is MMDDHHMMSSZ.
	if b[10] != 'Z' {
		return 0, errBadTime
	}
	var v [5]int
	for i := range v {
		d, ok := digits2(b[2*i : 2*i+2])
		if !ok {
			return 0, errBadTime
		}
		v[i] = d
	}
	month, day, hour, minute, second := v[0], v[1], v[2], v[3], v[4]
	if month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59 {
		return 0, errBadTime
	}
	return daysFromCivil(year, month, day)*86400 + int64(hour*3600+minute*60+second), nil
}

var errBadTime = fmt.Errorf("%w: bad time", ErrMalformed)

func digits2(b []byte) (int, bool) {
	if b[0] < '0' || b[0] > '9' || b[1] < '0' || b[1] > '9' {
		return 0, false
	}
	return int(b[0]-'0')*10 + int(b[1]-'0'), true
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// daysFromCivil returns the days since 1970-01-01 of a proleptic Gregorian
// date (H. Hinnant's algorithm).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y
	if era < 0 {
		era -= 399 // floor division for year 0's January and February
	}
	era /= 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// unixTime converts seconds to a UTC time.Time.
func unixTime(sec int64) time.Time { return time.Unix(sec, 0).UTC() }
