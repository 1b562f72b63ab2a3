package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rangedb/rangedb/sql/pgerror"
)

const (
	pgEpochUnix   = 946684800 // 2000-01-01 00:00:00 UTC in Unix seconds
	usecsPerSec   = 1_000_000
	usecsPerDay   = 86_400 * usecsPerSec
	secsPerDay    = 86_400
	minDateDay    = -2451545   // 4714-11-24 BC, Julian day 0
	endDateDay    = 2145031949 // 5874898-01-01, exclusive
	minTimestamp  = -211813488000000000
	endTimestamp  = 9223371331200000000 // 294277-01-01 00:00 UTC, exclusive
	maxFracDigits = 6
)

func floorDiv(a, b int64) (q, r int64) {
	q, r = a/b, a%b
	if r < 0 {
		q--
		r += b
	}
	return q, r
}

// usecToTime returns the instant of µs since 2000-01-01 UTC.
func usecToTime(us int64) time.Time {
	sec, rem := floorDiv(us, usecsPerSec)
	return time.Unix(sec+pgEpochUnix, rem*1000).UTC()
}

// timeToUsec converts an instant to µs since 2000-01-01 UTC.
func timeToUsec(t time.Time) int64 {
	return (t.Unix()-pgEpochUnix)*usecsPerSec + int64(t.Nanosecond()/1000)
}

// TimeToMicros converts an instant to µs since 2000-01-01 UTC (the
// representation of DTimestamp and DTimestampTZ), for any year.
func TimeToMicros(t time.Time) int64 { return timeToUsec(t) }

// MicrosToTime is TimeToMicros' inverse, in UTC.
func MicrosToTime(us int64) time.Time { return usecToTime(us) }

// DateOfTime is the date of the calendar day t falls on in UTC.
func DateOfTime(t time.Time) DDate { return timestampToDate(timeToUsec(t)) }

// dateToTimestamp is date2timestamp: midnight of the day.
func dateToTimestamp(d DDate) int64 {
	switch d {
	case DateNegInfinity:
		return TimestampNegInfinity
	case DatePosInfinity:
		return TimestampPosInfinity
	}
	return int64(d) * usecsPerDay
}

// timestampToDate is timestamp_date: the day of ts.
func timestampToDate(ts int64) DDate {
	switch ts {
	case TimestampNegInfinity:
		return DateNegInfinity
	case TimestampPosInfinity:
		return DatePosInfinity
	}
	q, _ := floorDiv(ts, usecsPerDay)
	return DDate(q)
}

// timestampToTZ reads the wall-clock timestamp ts in loc and returns the
// instant (timestamp_timestamptz).
func timestampToTZ(ts int64, loc *time.Location) int64 {
	if ts == TimestampNegInfinity || ts == TimestampPosInfinity || loc == time.UTC {
		return ts
	}
	w := usecToTime(ts)
	l := time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), loc)
	return timeToUsec(l)
}

// tzToTimestamp returns the wall-clock time in loc of the instant tz
// (timestamptz_timestamp).
func tzToTimestamp(tz int64, loc *time.Location) int64 {
	if tz == TimestampNegInfinity || tz == TimestampPosInfinity || loc == time.UTC {
		return tz
	}
	_, off := usecToTime(tz).In(loc).Zone()
	return tz + int64(off)*usecsPerSec
}

func appendPadded(b []byte, v int, width int) []byte {
	s := strconv.Itoa(v)
	for i := len(s); i < width; i++ {
		b = append(b, '0')
	}
	return append(b, s...)
}

// appendYMD appends ISO "YYYY-MM-DD" and returns whether the year is BC.
func appendYMD(b []byte, t time.Time) ([]byte, bool) {
	y := t.Year()
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	b = appendPadded(b, y, 4)
	b = append(b, '-')
	b = appendPadded(b, int(t.Month()), 2)
	b = append(b, '-')
	b = appendPadded(b, t.Day(), 2)
	return b, bc
}

// formatDate is date_out in DateStyle ISO.
func formatDate(b []byte, d DDate) []byte {
	switch d {
	case DateNegInfinity:
		return append(b, "-infinity"...)
	case DatePosInfinity:
		return append(b, "infinity"...)
	}
	t := time.Unix(int64(d)*secsPerDay+pgEpochUnix, 0).UTC()
	b, bc := appendYMD(b, t)
	if bc {
		b = append(b, " BC"...)
	}
	return b
}

// formatTimestamp is timestamp_out (loc nil) and timestamptz_out (in loc)
// in DateStyle ISO.
func formatTimestamp(b []byte, us int64, loc *time.Location) []byte {
	switch us {
	case TimestampNegInfinity:
		return append(b, "-infinity"...)
	case TimestampPosInfinity:
		return append(b, "infinity"...)
	}
	t := usecToTime(us)
	if loc != nil {
		t = t.In(loc)
	}
	b, bc := appendYMD(b, t)
	b = append(b, ' ')
	b = appendPadded(b, t.Hour(), 2)
	b = append(b, ':')
	b = appendPadded(b, t.Minute(), 2)
	b = append(b, ':')
	b = appendPadded(b, t.Second(), 2)
	b = appendFraction(b, int64(t.Nanosecond()/1000))
	if loc != nil {
		_, off := t.Zone()
		b = appendOffset(b, off)
	}
	if bc {
		b = append(b, " BC"...)
	}
	return b
}

// appendFraction appends ".ffffff" with trailing zeros trimmed, or
// nothing for zero.
func appendFraction(b []byte, us int64) []byte {
	if us == 0 {
		return b
	}
	if us < 0 {
		us = -us
	}
	f := []byte(strconv.FormatInt(us+usecsPerSec, 10))[1:] // 6 digits
	for len(f) > 0 && f[len(f)-1] == '0' {
		f = f[:len(f)-1]
	}
	b = append(b, '.')
	return append(b, f...)
}

// appendOffset is EncodeTimezone: +HH, +HH:MM or +HH:MM:SS.
func appendOffset(b []byte, off int) []byte {
	if off < 0 {
		b = append(b, '-')
		off = -off
	} else {
		b = append(b, '+')
	}
	h, m, s := off/3600, off/60%60, off%60
	b = appendPadded(b, h, 2)
	if m != 0 || s != 0 {
		b = append(b, ':')
		b = appendPadded(b, m, 2)
	}
	if s != 0 {
		b = append(b, ':')
		b = appendPadded(b, s, 2)
	}
	return b
}

var monthNames = map[string]int{
	"jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3,
	"apr": 4, "april": 4, "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7,
	"aug": 8, "august": 8, "sep": 9, "sept": 9, "september": 9, "oct": 10,
	"october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}

var dayNames = map[string]bool{
	"mon": true, "monday": true, "tue": true, "tues": true, "tuesday": true,
	"wed": true, "wednesday": true, "thu": true, "thur": true, "thurs": true,
	"thursday": true, "fri": true, "friday": true, "sat": true,
	"saturday": true, "sun": true, "sunday": true,
}

// zoneAbbrevs are time zone abbreviations of PostgreSQL's Default set
// (UTC offsets in seconds).
var zoneAbbrevs = map[string]int{
	"utc": 0, "gmt": 0, "z": 0, "zulu": 0, "ut": 0,
	"est": -5 * 3600, "edt": -4 * 3600, "cst": -6 * 3600, "cdt": -5 * 3600,
	"mst": -7 * 3600, "mdt": -6 * 3600, "pst": -8 * 3600, "pdt": -7 * 3600,
	"akst": -9 * 3600, "akdt": -8 * 3600, "hst": -10 * 3600,
	"cet": 3600, "cest": 2 * 3600, "eet": 2 * 3600, "eest": 3 * 3600,
	"wet": 0, "west": 3600, "bst": 3600, "msk": 3 * 3600, "jst": 9 * 3600,
	"kst": 9 * 3600, "ist": 2 * 3600, "aest": 10 * 3600, "aedt": 11 * 3600,
	"nzst": 12 * 3600, "nzdt": 13 * 3600,
}

// dtFields is a parsed date/time string.
type dtFields struct {
	special          string // "infinity", "-infinity", "epoch", "now", "today", …
	hasDate, hasTime bool
	year, month, day int
	bc               bool
	hour, min, sec   int
	usec             int64
	hasZone          bool
	zoneOff          int // seconds east of UTC, when zoneLoc is nil
	zoneLoc          *time.Location
}

type dtError struct{ rangeErr bool }

// parseDateTime is a pragmatic subset of PostgreSQL's ParseDateTime +
// DecodeDateTime: ISO dates (with optional T and time), y/m/d and m/d/y
// per DateOrder, yyyymmdd, month names, BC/AD, hh:mm[:ss[.frac]], numeric
// zones (+05, +05:30, -0800), Z, zone abbreviations and IANA names.
func parseDateTime(s string, fc *FormatContext) (dtFields, *dtError) {
	var f dtFields
	str := strings.TrimSpace(s)
	low := strings.ToLower(str)
	switch low {
	case "infinity", "+infinity", "-infinity", "epoch", "now", "today", "tomorrow", "yesterday":
		f.special = strings.TrimPrefix(low, "+")
		return f, nil
	}
	// Split into fields at spaces and commas, keeping the original case
	// for zone names.
	raw := strings.FieldsFunc(str, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' || r == '\n' })
	var fields []string
	for _, fl := range raw {
		// "2024-01-02T03:04:05" → date and time.
		if i := strings.IndexAny(fl, "Tt"); i > 0 && i+1 < len(fl) && isDigit(fl[i-1]) && isDigit(fl[i+1]) {
			fields = append(fields, fl[:i], fl[i+1:])
			continue
		}
		fields = append(fields, fl)
	}
	syntax := &dtError{}
	rng := &dtError{rangeErr: true}
	var pendingNums []string
	month := 0
	for i, fl := range fields {
		lf := strings.ToLower(fl)
		switch {
		case lf == "bc" || lf == "ad":
			f.bc = lf == "bc"
		case strings.Contains(fl, ":") && isDigit(fl[0]):
			if f.hasTime {
				return f, syntax
			}
			tpart, zone := splitZone(fl)
			if err := parseClock(tpart, &f); err != nil {
				return f, err
			}
			if zone != "" {
				if err := parseZone(zone, &f); err != nil {
					return f, err
				}
			}
		case (fl[0] == '+' || fl[0] == '-') && len(fl) > 1 && isDigit(fl[1]) && f.hasTime:
			if err := parseZone(fl, &f); err != nil {
				return f, err
			}
		case monthNames[lf] != 0:
			month = monthNames[lf]
		case dayNames[lf]:
		case strings.ContainsAny(fl, "-/.") && isDigit(fl[0]) || (len(fl) > 3 && monthNames[strings.ToLower(fl[:3])] != 0 && strings.ContainsAny(fl, "-/")):
			if f.hasDate {
				return f, syntax
			}
			parts := strings.FieldsFunc(fl, func(r rune) bool { return r == '-' || r == '/' || r == '.' })
			if len(parts) != 3 {
				return f, syntax
			}
			if err := assignDate(parts, fc, &f); err != nil {
				return f, err
			}
		case allDigits(fl):
			if !f.hasDate && month == 0 && (len(fl) == 8 || len(fl) == 6) && i == 0 {
				y := fl[:len(fl)-4]
				if err := assignDate([]string{y, fl[len(fl)-4 : len(fl)-2], fl[len(fl)-2:]}, &FormatContext{DateOrder: DateOrderYMD}, &f); err != nil {
					return f, err
				}
				continue
			}
			pendingNums = append(pendingNums, fl)
		default:
			// A time zone name or abbreviation.
			if !f.hasTime && !f.hasDate {
				return f, syntax
			}
			if err := parseZone(fl, &f); err != nil {
				return f, err
			}
		}
	}
	if month != 0 {
		if f.hasDate || len(pendingNums) != 2 {
			return f, syntax
		}
		if err := assignDate([]string{pendingNums[0], monthAbbrev(month), pendingNums[1]}, fc, &f); err != nil {
			return f, err
		}
		pendingNums = nil
	}
	if len(pendingNums) > 0 || !f.hasDate {
		return f, syntax
	}
	if f.bc {
		if f.year <= 0 {
			return f, rng
		}
		f.year = 1 - f.year
	}
	if f.month < 1 || f.month > 12 || f.day < 1 || f.day > daysIn(f.year, f.month) {
		return f, rng
	}
	return f, nil
}

func monthAbbrev(m int) string {
	return [...]string{"", "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"}[m]
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func daysIn(year, month int) int {
	return time.Date(year, time.Month(month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// assignDate fills year, month, day from three date parts (numbers or a
// month name) per PostgreSQL's field-order rules.
func assignDate(parts []string, fc *FormatContext, f *dtFields) *dtError {
	syntax := &dtError{}
	monIdx := -1
	for i, p := range parts {
		if m := monthNames[strings.ToLower(p)]; m != 0 {
			if monIdx >= 0 {
				return syntax
			}
			monIdx = i
			f.month = m
		} else if !allDigits(p) {
			return syntax
		}
	}
	num := func(s string) int {
		v, err := strconv.Atoi(s)
		if err != nil || len(s) > 9 {
			return math.MaxInt32
		}
		return v
	}
	var ys string
	if monIdx >= 0 {
		var rest []string
		for i, p := range parts {
			if i != monIdx {
				rest = append(rest, p)
			}
		}
		if len(rest[0]) >= 3 || num(rest[0]) > 31 {
			ys, f.day = rest[0], num(rest[1])
		} else {
			f.day, ys = num(rest[0]), rest[1]
		}
	} else {
		order := fc.orDefault().DateOrder
		if len(parts[0]) >= 3 {
			order = DateOrderYMD
		}
		switch order {
		case DateOrderYMD:
			ys, f.month, f.day = parts[0], num(parts[1]), num(parts[2])
		case DateOrderDMY:
			f.day, f.month, ys = num(parts[0]), num(parts[1]), parts[2]
		default:
			f.month, f.day, ys = num(parts[0]), num(parts[1]), parts[2]
		}
	}
	f.year = num(ys)
	if len(ys) <= 2 && !f.bc {
		// Two-digit years: 70..99 → 19xx, 00..69 → 20xx.
		if f.year < 70 {
			f.year += 2000
		} else {
			f.year += 1900
		}
	}
	f.hasDate = true
	return nil
}

// splitZone splits "03:04:05+05:30" or "03:04:05Z" into time and zone.
func splitZone(s string) (string, string) {
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+' || c == '-' || c == 'z' || c == 'Z':
			return s[:i], s[i:]
		case c >= 'a' && c <= 'y' || c >= 'A' && c <= 'Y':
			return s[:i], s[i:]
		}
	}
	return s, ""
}

// parseClock parses hh:mm[:ss[.frac]].
func parseClock(s string, f *dtFields) *dtError {
	syntax := &dtError{}
	parts := strings.Split(s, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return syntax
	}
	frac := ""
	if i := strings.IndexByte(parts[len(parts)-1], '.'); i >= 0 {
		frac = parts[len(parts)-1][i:]
		parts[len(parts)-1] = parts[len(parts)-1][:i]
		if len(parts) == 2 {
			return syntax
		}
	}
	vals := make([]int, 3)
	for i, p := range parts {
		if !allDigits(p) || len(p) > 9 {
			return syntax
		}
		vals[i], _ = strconv.Atoi(p)
	}
	f.hour, f.min, f.sec = vals[0], vals[1], vals[2]
	if frac != "" {
		if frac != "." && !allDigits(frac[1:]) {
			return syntax
		}
		fv, _ := strconv.ParseFloat("0"+frac, 64)
		f.usec = int64(math.RoundToEven(fv * usecsPerSec))
	}
	f.hasTime = true
	// PostgreSQL accepts 24:00:00 and a leap second 60.
	if f.hour > 24 || f.min > 59 || f.sec > 60 || (f.hour == 24 && (f.min > 0 || f.sec > 0 || f.usec > 0)) {
		return &dtError{rangeErr: true}
	}
	return nil
}

// parseZone parses a zone: ±hh[[:]mm[[:]ss]], an abbreviation, or an IANA
// name.
func parseZone(z string, f *dtFields) *dtError {
	if f.hasZone {
		return &dtError{}
	}
	f.hasZone = true
	if z[0] == '+' || z[0] == '-' {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		body := strings.ReplaceAll(z[1:], ":", "")
		if !allDigits(body) {
			return &dtError{}
		}
		var h, m, s int
		switch len(body) {
		case 1, 2:
			h, _ = strconv.Atoi(body)
		case 3, 4:
			h, _ = strconv.Atoi(body[:len(body)-2])
			m, _ = strconv.Atoi(body[len(body)-2:])
		case 5, 6:
			h, _ = strconv.Atoi(body[:len(body)-4])
			m, _ = strconv.Atoi(body[len(body)-4 : len(body)-2])
			s, _ = strconv.Atoi(body[len(body)-2:])
		default:
			return &dtError{}
		}
		if h > 15 || m > 59 || s > 59 {
			return &dtError{rangeErr: true}
		}
		f.zoneOff = sign * (h*3600 + m*60 + s)
		return nil
	}
	if off, ok := zoneAbbrevs[strings.ToLower(z)]; ok {
		f.zoneOff = off
		return nil
	}
	if z == "Local" || strings.HasPrefix(z, ".") {
		return &dtError{}
	}
	loc, err := time.LoadLocation(z)
	if err != nil {
		return &dtError{}
	}
	f.zoneLoc = loc
	return nil
}

// days returns the day number of f's date.
func (f *dtFields) days() int64 {
	t := time.Date(f.year, time.Month(f.month), f.day, 0, 0, 0, 0, time.UTC)
	return (t.Unix() - pgEpochUnix) / secsPerDay
}

// wallUsec returns the wall-clock µs since 2000-01-01 of f (no zone).
func (f *dtFields) wallUsec() (int64, bool) {
	days := f.days()
	if days < minDateDay-1 || days > endDateDay+1 {
		return 0, false
	}
	us := days*usecsPerDay + (int64(f.hour)*3600+int64(f.min)*60+int64(f.sec))*usecsPerSec + f.usec
	return us, true
}

func dateTimeError(kind string, s string, e *dtError) error {
	if e.rangeErr {
		return pgerror.New(pgerror.CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	}
	return pgerror.New(pgerror.CodeInvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", kind, s)
}

func needNow(kind, s string, fc *FormatContext) (time.Time, error) {
	if fc == nil || fc.Now.IsZero() {
		return time.Time{}, pgerror.New(pgerror.CodeFeatureNotSupported, "%s input \"%s\" needs the transaction time, which is not available here", kind, s)
	}
	return fc.Now, nil
}

// parseDate is date_in.
func parseDate(s string, fc *FormatContext) (DDate, error) {
	f, e := parseDateTime(s, fc)
	if e != nil {
		return 0, dateTimeError("date", s, e)
	}
	switch f.special {
	case "infinity":
		return DatePosInfinity, nil
	case "-infinity":
		return DateNegInfinity, nil
	case "epoch":
		return DDate(-10957), nil
	case "today", "now", "tomorrow", "yesterday":
		now, err := needNow("date", s, fc)
		if err != nil {
			return 0, err
		}
		d := timestampToDate(tzToTimestamp(timeToUsec(now), fc.location()))
		switch f.special {
		case "tomorrow":
			d++
		case "yesterday":
			d--
		}
		return d, nil
	}
	day := f.days()
	if day < minDateDay || day >= endDateDay {
		return 0, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "date out of range: \"%s\"", s)
	}
	return DDate(day), nil
}

// parseTimestamp is timestamp_in (tz false) and timestamptz_in (tz true).
// A zone in timestamp input is checked and ignored, as PostgreSQL does.
func parseTimestamp(s string, tz bool, fc *FormatContext) (int64, error) {
	kind := "timestamp"
	if tz {
		kind = "timestamp with time zone"
	}
	f, e := parseDateTime(s, fc)
	if e != nil {
		return 0, dateTimeError(kind, s, e)
	}
	loc := fc.location()
	switch f.special {
	case "infinity":
		return TimestampPosInfinity, nil
	case "-infinity":
		return TimestampNegInfinity, nil
	case "epoch":
		return -10957 * usecsPerDay, nil
	case "now", "today", "tomorrow", "yesterday":
		now, err := needNow(kind, s, fc)
		if err != nil {
			return 0, err
		}
		wall := tzToTimestamp(timeToUsec(now), loc)
		if f.special != "now" {
			wall = dateToTimestamp(timestampToDate(wall))
			switch f.special {
			case "tomorrow":
				wall += usecsPerDay
			case "yesterday":
				wall -= usecsPerDay
			}
		} else if tz {
			return timeToUsec(now), nil
		}
		if tz {
			return timestampToTZ(wall, loc), nil
		}
		return wall, nil
	}
	us, ok := f.wallUsec()
	if tz && ok {
		switch {
		case f.hasZone && f.zoneLoc == nil:
			us -= int64(f.zoneOff) * usecsPerSec
		case f.hasZone:
			us = timestampToTZ(us, f.zoneLoc)
		default:
			us = timestampToTZ(us, loc)
		}
	}
	if !ok || us < minTimestamp || us >= endTimestamp {
		return 0, pgerror.New(pgerror.CodeDatetimeFieldOverflow, "timestamp out of range: \"%s\"", s)
	}
	return us, nil
}

// roundTimestamp is AdjustTimestampForTypmod: round µs to p fractional
// digits, half away from zero.
func roundTimestamp(us int64, p int) int64 {
	if p >= maxFracDigits || p < 0 || us == TimestampNegInfinity || us == TimestampPosInfinity {
		return us
	}
	scale := int64(math.Pow10(maxFracDigits - p))
	off := scale / 2
	if us >= 0 {
		return (us + off) / scale * scale
	}
	return -((-us + off) / scale * scale)
}

func checkTimestampRange(us int64) error {
	if us != TimestampNegInfinity && us != TimestampPosInfinity && (us < minTimestamp || us >= endTimestamp) {
		return pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "timestamp out of range")
	}
	return nil
}

func checkDateRange(d int64) error {
	if d != int64(DateNegInfinity) && d != int64(DatePosInfinity) && (d < minDateDay || d >= endDateDay) {
		return pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "date out of range")
	}
	return nil
}
