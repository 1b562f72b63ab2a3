package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file is the time-of-day types, time [(p)] [without time zone] and
// time [(p)] with time zone (timetz), as PostgreSQL 15's date.c has them:
// text input (DecodeTimeOnly's forms), output (the same in every
// DateStyle), typmod rounding, comparison, casts and arithmetic. The wire
// and storage encodings live beside the other types' (binary.go,
// sql/rowenc).

// DTime is a time without time zone: µs since midnight, 0 through
// 24:00:00 inclusive (PostgreSQL keeps '24:00:00' distinct from
// '00:00:00').
type DTime int64

// DTimeTZ is a time with time zone: the local time of day and the zone's
// offset in seconds WEST of UTC (PostgreSQL's TimeTzADT, so -08:00 is
// Zone 28800).
type DTimeTZ struct {
	Micros int64
	Zone   int32
}

func (DTime) ResolvedType() *T   { return Time }
func (DTimeTZ) ResolvedType() *T { return TimeTZ }
func (DTime) datum()             {}
func (DTimeTZ) datum()           {}

// maxTZDisp is the largest zone displacement PostgreSQL accepts
// (15:59:59).
const maxTZDisp = 15*3600 + 59*60 + 59

// MakeTime returns typ (Time or TimeTZ) with fractional precision p
// (0..6); p < 0 means the default (6, no modifier).
func MakeTime(typ *T, p int) *T { return MakeTimestamp(typ, p) }

// utcMicros is the instant of day a timetz stands for, the first key of
// timetz_cmp.
func (t DTimeTZ) utcMicros() int64 { return t.Micros + int64(t.Zone)*usecsPerSec }

// cmpTimeTZ is timetz_cmp_internal: by UTC time, then by zone (a zone
// further west sorts later).
func cmpTimeTZ(a, b DTimeTZ) int {
	if c := cmpOrdered(a.utcMicros(), b.utcMicros()); c != 0 {
		return c
	}
	return cmpOrdered(int64(a.Zone), int64(b.Zone))
}

// TimeTZKey returns the two parts of timetz's btree order (UTC µs, then
// zone), for key encodings.
func TimeTZKey(t DTimeTZ) (int64, int32) { return t.utcMicros(), t.Zone }

// appendTimeOfDay is EncodeTimeOnly's clock: HH:MM:SS[.ffffff].
func appendTimeOfDay(b []byte, us int64) []byte {
	h := us / usecsPerHour
	us -= h * usecsPerHour
	m := us / usecsPerMinute
	us -= m * usecsPerMinute
	s := us / usecsPerSec
	b = appendPadded(b, int(h), 2)
	b = append(b, ':')
	b = appendPadded(b, int(m), 2)
	b = append(b, ':')
	b = appendPadded(b, int(s), 2)
	return appendFraction(b, us-s*usecsPerSec)
}

// appendTime is time_out and timetz_out: the DateStyle does not change
// them.
func appendTime(b []byte, d Datum) []byte {
	switch v := d.(type) {
	case DTime:
		return appendTimeOfDay(b, int64(v))
	case DTimeTZ:
		b = appendTimeOfDay(b, v.Micros)
		return appendOffset(b, -int(v.Zone))
	}
	return b
}

// String returns t's text form.
func (t DTime) String() string { return string(appendTime(nil, t)) }

// String returns t's text form.
func (t DTimeTZ) String() string { return string(appendTime(nil, t)) }

// roundTime is AdjustTimeForTypmod: round µs to p fractional digits, half
// up (23:59:59.5 as time(0) is 24:00:00).
func roundTime(us int64, p int) int64 {
	if p >= maxFracDigits || p < 0 {
		return us
	}
	scale := int64(1)
	for i := p; i < maxFracDigits; i++ {
		scale *= 10
	}
	return (us + scale/2) / scale * scale
}

// AdjustTime applies t's precision to a time or timetz value.
func AdjustTime(d Datum, t *T) Datum {
	if !t.HasPrecision() {
		return d
	}
	switch v := d.(type) {
	case DTime:
		return DTime(roundTime(int64(v), t.Precision()))
	case DTimeTZ:
		return DTimeTZ{Micros: roundTime(v.Micros, t.Precision()), Zone: v.Zone}
	}
	return d
}

// timeFields is a parsed time-of-day string.
type timeFields struct {
	hour, min, sec int
	usec           int64
	hasTime        bool
	ampm           int // 0 none, 1 AM, 2 PM
	hasZone        bool
	zoneOff        int // seconds east of UTC, when zoneLoc is nil
	zoneLoc        *time.Location
	hasDate        bool
	days           int64  // the date's day number, when hasDate
	badZone        string // the word of a timeErrBadZone
}

type timeErr int

const (
	timeErrSyntax timeErr = iota + 1
	timeErrRange
	timeErrTZDisp
	timeErrBadZone
)

// looksLikeDate reports whether the first field of a time string is a
// date (2024-01-02, 1/2/2024, Jan-02-2024), which DecodeTimeOnly accepts
// and mostly ignores.
func looksLikeDate(f string) bool {
	if len(f) < 3 || f[0] == '+' || f[0] == '-' || strings.Contains(f, ":") {
		return false
	}
	if !isDigit(f[0]) {
		return len(f) > 3 && monthNames[strings.ToLower(f[:3])] != 0 && strings.ContainsAny(f, "-/")
	}
	// Two separators: a time with a zone ("040506-0800") has one.
	return strings.Count(f, "-") >= 2 || strings.Count(f, "/") >= 2 || strings.Count(f, ".") == 2
}

// parseTimeFields is DecodeTimeOnly for the forms PostgreSQL takes: a
// clock (h:m[:s[.frac]], hhmm, hhmmss[.frac], an optional T prefix),
// AM/PM, 'allballs', an optional leading date, and a zone (numeric,
// attached or separate, an abbreviation, Z, or a zone name, which needs a
// date).
func parseTimeFields(s string, fc *FormatContext) (timeFields, timeErr) {
	var f timeFields
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return f, timeErrSyntax
	}
	if looksLikeDate(fields[0]) {
		rest := strings.Join(fields[1:], " ")
		df, e := parseDateTime(s, fc)
		if e != nil {
			if e.rangeErr {
				return f, timeErrRange
			}
			return f, timeErrSyntax
		}
		if df.special != "" || rest == "" {
			// A date alone is not a time.
			if !df.hasTime {
				return f, timeErrSyntax
			}
		}
		f.hasDate, f.days = true, df.days()
		f.hour, f.min, f.sec, f.usec, f.hasTime = df.hour, df.min, df.sec, df.usec, df.hasTime
		f.hasZone, f.zoneOff, f.zoneLoc = df.hasZone, df.zoneOff, df.zoneLoc
		if !f.hasTime {
			return f, timeErrSyntax
		}
		return f, f.checkRange()
	}
	for _, fl := range fields {
		lf := strings.ToLower(fl)
		switch {
		case lf == "am" || lf == "pm":
			if f.ampm != 0 {
				return f, timeErrSyntax
			}
			f.ampm = 1
			if lf == "pm" {
				f.ampm = 2
			}
		case lf == "allballs":
			if f.hasTime {
				return f, timeErrSyntax
			}
			f.hasTime = true
		case isDigit(lf[0]) || (len(lf) > 1 && lf[0] == 't' && isDigit(lf[1])):
			if f.hasTime {
				return f, timeErrSyntax
			}
			if lf[0] == 't' {
				fl = fl[1:]
			}
			clock, zone := splitZone(fl)
			if e := f.parseClock(clock); e != 0 {
				return f, e
			}
			if zone != "" {
				if e := f.parseZone(zone); e != 0 {
					return f, e
				}
			}
		case (lf[0] == '+' || lf[0] == '-') && f.hasTime:
			if e := f.parseZone(fl); e != 0 {
				return f, e
			}
		default:
			if !f.hasTime {
				return f, timeErrSyntax
			}
			if e := f.parseZone(fl); e != 0 {
				return f, e
			}
		}
	}
	if !f.hasTime {
		return f, timeErrSyntax
	}
	if f.zoneLoc != nil {
		// A zone whose offset varies needs a date to fix it.
		return f, timeErrSyntax
	}
	return f, f.checkRange()
}

// parseClock reads h:m[:s[.frac]] or hhmm / hhmmss[.frac].
func (f *timeFields) parseClock(s string) timeErr {
	var parts []string
	frac := ""
	if strings.Contains(s, ":") {
		parts = strings.Split(s, ":")
		if len(parts) > 3 {
			return timeErrSyntax
		}
		last := parts[len(parts)-1]
		if i := strings.IndexByte(last, '.'); i >= 0 {
			if len(parts) == 2 {
				// mm:ss.frac is not a form of DecodeTime's; PostgreSQL
				// reads "04:05.5" as minutes and seconds.
				parts = []string{"0", parts[0], last[:i]}
			} else {
				parts[2] = last[:i]
			}
			frac = last[i:]
		}
	} else {
		num := s
		if i := strings.IndexByte(s, '.'); i >= 0 {
			num, frac = s[:i], s[i:]
		}
		switch len(num) {
		case 4:
			parts = []string{num[:2], num[2:]}
		case 6:
			parts = []string{num[:2], num[2:4], num[4:]}
		default:
			return timeErrSyntax
		}

	}
	vals := [3]int{}
	for i, p := range parts {
		if !allDigits(p) || len(p) > 9 {
			return timeErrSyntax
		}
		vals[i], _ = strconv.Atoi(p)
	}
	if frac != "" {
		if frac != "." && !allDigits(frac[1:]) {
			return timeErrSyntax
		}
		if frac != "." {
			fv, _ := strconv.ParseFloat("0"+frac, 64)
			f.usec = int64(math.RoundToEven(fv * usecsPerSec))
		}
	}
	f.hour, f.min, f.sec = vals[0], vals[1], vals[2]
	f.hasTime = true
	return 0
}

// parseZone reads a zone: ±h[h][[:]mm[[:]ss]], an abbreviation, Z, or a
// zone name.
func (f *timeFields) parseZone(z string) timeErr {
	if f.hasZone {
		return timeErrSyntax
	}
	f.hasZone = true
	if z[0] == '+' || z[0] == '-' {
		sign := 1
		if z[0] == '-' {
			sign = -1
		}
		body := z[1:]
		var h, m, s int
		if strings.Contains(body, ":") {
			ps := strings.Split(body, ":")
			if len(ps) > 3 {
				return timeErrSyntax
			}
			vals := [3]int{}
			for i, p := range ps {
				if !allDigits(p) || len(p) > 2 {
					return timeErrSyntax
				}
				vals[i], _ = strconv.Atoi(p)
			}
			h, m, s = vals[0], vals[1], vals[2]
		} else {
			if !allDigits(body) {
				return timeErrSyntax
			}
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
				return timeErrSyntax
			}
		}
		if m > 59 || s > 59 || h > 15 {
			return timeErrTZDisp
		}
		f.zoneOff = sign * (h*3600 + m*60 + s)
		return 0
	}
	if off, ok := zoneAbbrevs[strings.ToLower(z)]; ok {
		f.zoneOff = off
		return 0
	}
	if posixZoneName.MatchString(z) {
		// A POSIX zone ("UTC+3", hours west) has a fixed offset.
		loc, err := ZoneByName(z)
		if err != nil {
			return timeErrSyntax
		}
		_, off := time.Date(2000, 1, 1, 0, 0, 0, 0, loc).Zone()
		if _, err := time.LoadLocation(z); err == nil {
			f.zoneLoc = loc // a zone file by that name may have rules
			return 0
		}
		f.zoneOff = off
		return 0
	}
	if strings.Contains(z, ".") && !isDigit(z[0]) {
		f.badZone = z
		return timeErrBadZone
	}
	if z == "Local" || strings.HasPrefix(z, ".") || !strings.ContainsAny(z, "/") && strings.ToUpper(z) != "UTC" {
		return timeErrSyntax
	}
	loc, err := time.LoadLocation(z)
	if err != nil {
		return timeErrSyntax
	}
	f.zoneLoc = loc
	return 0
}

// checkRange applies AM/PM and DecodeTimeOnly's field checks.
func (f *timeFields) checkRange() timeErr {
	switch f.ampm {
	case 1, 2:
		if f.hour > 12 {
			return timeErrRange
		}
		if f.ampm == 1 && f.hour == 12 {
			f.hour = 0
		} else if f.ampm == 2 && f.hour != 12 {
			f.hour += 12
		}
	}
	if f.min > 59 || f.sec > 60 || f.hour > 24 || f.usec > usecsPerSec ||
		(f.hour == 24 && (f.min > 0 || f.sec > 0 || f.usec > 0)) {
		return timeErrRange
	}
	if f.micros() > usecsPerDay {
		return timeErrRange
	}
	return 0
}

func (f *timeFields) micros() int64 {
	return (int64(f.hour)*3600+int64(f.min)*60+int64(f.sec))*usecsPerSec + f.usec
}

func timeInputError(kind, s string, e timeErr) error {
	switch e {
	case timeErrRange:
		return pgerror.New(pgerror.CodeDatetimeFieldOverflow, "date/time field value out of range: \"%s\"", s)
	case timeErrTZDisp:
		return pgerror.New(pgerror.CodeInvalidTimeZoneDisplacement, "time zone displacement out of range: \"%s\"", s)
	}
	return pgerror.New(pgerror.CodeInvalidDatetimeFormat, "invalid input syntax for type %s: \"%s\"", kind, s)
}

// fcNow returns the transaction time of fc, or the wall clock when fc has
// none (only tests and constant folding without a session get there).
func fcNow(fc *FormatContext) time.Time {
	if fc != nil && !fc.Now.IsZero() {
		return fc.Now
	}
	return time.Now()
}

// zoneWestAt returns the offset, in seconds west of UTC, that loc has at
// the wall-clock time us (µs since 2000-01-01 on loc's clock).
func zoneWestAt(us int64, loc *time.Location) int32 {
	inst := timestampToTZ(us, loc)
	return int32((inst - us) / usecsPerSec)
}

// ParseTime is time_in (tz false) and timetz_in (tz true) with t's
// typmod: bad syntax is 22007, fields out of range 22008, a zone beyond
// ±15:59:59 22009. A timetz without a zone takes the session TimeZone's
// offset on the transaction's date (or the given date).
func ParseTime(s string, t *T, fc *FormatContext) (Datum, error) {
	tz := t.Family == TimeTZFamily
	kind := "time"
	if tz {
		kind = "time with time zone"
	}
	trimmed := strings.ToLower(strings.TrimSpace(s))
	if trimmed == "now" || trimmed == "current" {
		now := fcNow(fc)
		loc := fc.location()
		wall := tzToTimestamp(timeToUsec(now), loc)
		_, us := floorDiv(wall, usecsPerDay)
		var d Datum = DTime(us)
		if tz {
			_, off := now.In(loc).Zone()
			d = DTimeTZ{Micros: us, Zone: int32(-off)}
		}
		return AdjustTime(d, t), nil
	}
	f, e := parseTimeFields(s, fc)
	if e == timeErrBadZone {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "time zone \"%s\" not recognized", f.badZone)
	}
	if e != 0 {
		return nil, timeInputError(kind, s, e)
	}
	us := f.micros()
	if !tz {
		return AdjustTime(DTime(us), t), nil
	}
	var zone int32
	switch {
	case f.hasZone && f.zoneLoc == nil:
		zone = int32(-f.zoneOff)
	default:
		loc := f.zoneLoc
		if loc == nil {
			loc = fc.location()
		}
		var day int64
		if f.hasDate {
			day = f.days
		} else {
			wall := tzToTimestamp(timeToUsec(fcNow(fc)), loc)
			day, _ = floorDiv(wall, usecsPerDay)
		}
		zone = zoneWestAt(day*usecsPerDay+us, loc)
	}
	return AdjustTime(DTimeTZ{Micros: us, Zone: zone}, t), nil
}

// timeOfTimestamp is timestamp_time: the clock of a wall-clock timestamp.
func timeOfTimestamp(ts int64) DTime {
	_, us := floorDiv(ts, usecsPerDay)
	return DTime(us)
}

// timeTZOfTimestampTZ is timestamptz_timetz: the clock and offset in loc
// of an instant.
func timeTZOfTimestampTZ(ts int64, loc *time.Location) DTimeTZ {
	wall := tzToTimestamp(ts, loc)
	_, us := floorDiv(wall, usecsPerDay)
	return DTimeTZ{Micros: us, Zone: int32((ts - wall) / usecsPerSec)}
}

// timeToTimeTZ is time_timetz: the session zone's offset on the
// transaction's date.
func timeToTimeTZ(t DTime, fc *FormatContext) DTimeTZ {
	loc := fc.location()
	wall := tzToTimestamp(timeToUsec(fcNow(fc)), loc)
	day, _ := floorDiv(wall, usecsPerDay)
	return DTimeTZ{Micros: int64(t), Zone: zoneWestAt(day*usecsPerDay+int64(t), loc)}
}

// intervalToTime is interval_time: the interval's time part modulo a day.
func intervalToTime(iv DInterval) DTime {
	_, us := floorDiv(iv.Micros, usecsPerDay)
	return DTime(us)
}

// castTime is the casts to time and timetz (to is one of them); ok is
// false when there is none. Infinite timestamps give NULL, as
// timestamp_time does.
func castTime(d Datum, to *T, fc *FormatContext) (Datum, bool, error) {
	tz := to.Family == TimeTZFamily
	var r Datum
	switch v := d.(type) {
	case DTime:
		r = v
		if tz {
			r = timeToTimeTZ(v, fc)
		}
	case DTimeTZ:
		r = v
		if !tz {
			r = DTime(v.Micros)
		}
	case DTimestamp:
		if tz {
			return nil, false, nil
		}
		if int64(v) == TimestampNegInfinity || int64(v) == TimestampPosInfinity {
			return DNull, true, nil
		}
		r = timeOfTimestamp(int64(v))
	case DTimestampTZ:
		if int64(v) == TimestampNegInfinity || int64(v) == TimestampPosInfinity {
			return DNull, true, nil
		}
		if tz {
			r = timeTZOfTimestampTZ(int64(v), fc.location())
		} else {
			r = timeOfTimestamp(tzToTimestamp(int64(v), fc.location()))
		}
	case DInterval:
		if tz {
			return nil, false, nil
		}
		r = intervalToTime(v)
	case DString, DChar:
		r, err := ParseTime(textOf(d), to, fc)
		return r, true, err
	default:
		return nil, false, nil
	}
	return AdjustTime(r, to), true, nil
}

// timeCastAllowed is pg_cast's rows for time and timetz; ok is false when
// neither side is one of them.
func timeCastAllowed(from, to *T) (explicit, assignment, implicit, ok bool) {
	f, t := from.Family, to.Family
	if f != TimeFamily && f != TimeTZFamily && t != TimeFamily && t != TimeTZFamily {
		return false, false, false, false
	}
	switch {
	case f == TimeFamily && (t == IntervalFamily || t == TimeTZFamily || t == TimeFamily):
		return true, true, true, true
	case f == TimeTZFamily && t == TimeTZFamily:
		return true, true, true, true
	case t == TimeFamily && (f == TimestampFamily || f == TimestampTZFamily || f == IntervalFamily || f == TimeTZFamily):
		return true, true, false, true
	case t == TimeTZFamily && f == TimestampTZFamily:
		return true, true, false, true
	}
	return false, false, false, true
}

// wrapDay reduces µs to a time of day, as time_pl_interval does.
func wrapDay(us int64) int64 {
	_, r := floorDiv(us, usecsPerDay)
	return r
}

// resolveTimeOp is ResolveBinaryOp for operators with a time or timetz
// operand; handled is false when neither operand is one.
func resolveTimeOp(op string, l, r *T) (res *T, ok, handled bool) {
	lf, rf := l.Family, r.Family
	isT := func(f Family) bool { return f == TimeFamily || f == TimeTZFamily }
	if !isT(lf) && !isT(rf) {
		return nil, false, false
	}
	if isCompareOp(op) {
		switch {
		case isT(lf) && isT(rf):
			return Bool, true, true
		case lf == TimeFamily && rf == IntervalFamily, lf == IntervalFamily && rf == TimeFamily:
			return Bool, true, true // time's implicit cast to interval
		}
		return nil, false, true
	}
	switch op {
	case "+":
		switch {
		case lf == TimeFamily && rf == IntervalFamily, lf == IntervalFamily && rf == TimeFamily:
			return Time, true, true
		case lf == TimeTZFamily && rf == IntervalFamily, lf == IntervalFamily && rf == TimeTZFamily:
			return TimeTZ, true, true
		case lf == DateFamily && rf == TimeFamily, lf == TimeFamily && rf == DateFamily:
			return Timestamp, true, true
		case lf == DateFamily && rf == TimeTZFamily, lf == TimeTZFamily && rf == DateFamily:
			return TimestampTZ, true, true
		}
	case "-":
		switch {
		case lf == TimeFamily && rf == IntervalFamily:
			return Time, true, true
		case lf == TimeTZFamily && rf == IntervalFamily:
			return TimeTZ, true, true
		case lf == TimeFamily && rf == TimeFamily:
			return Interval, true, true
		case lf == IntervalFamily && rf == TimeFamily:
			return Interval, true, true // interval - interval through the implicit cast
		}
	}
	return nil, false, true
}

// AmbiguousTimeOp reports whether l op r is PostgreSQL's 42725 `operator
// is not unique` because of time's implicit cast to interval (time +
// time matches both time + interval and interval + time).
func AmbiguousTimeOp(op string, l, r *T) bool {
	return op == "+" && l.Family == TimeFamily && r.Family == TimeFamily
}

// asInterval returns a time as the interval its implicit cast makes.
func asInterval(d Datum) (DInterval, bool) {
	switch v := d.(type) {
	case DInterval:
		return v, true
	case DTime:
		return DInterval{Micros: int64(v)}, true
	}
	return DInterval{}, false
}

// evalTimeOp is EvalBinaryOpCtx for the operators resolveTimeOp accepts
// (not the comparisons); handled is false for other operands.
func evalTimeOp(op string, l, r Datum, result *T, fc *FormatContext) (Datum, bool, error) {
	_, lt := l.(DTime)
	_, ltz := l.(DTimeTZ)
	_, rt := r.(DTime)
	_, rtz := r.(DTimeTZ)
	if !lt && !ltz && !rt && !rtz {
		return nil, false, nil
	}
	if result.Family == IntervalFamily {
		a, _ := asInterval(l)
		b, _ := asInterval(r)
		if op == "-" {
			if _, ok := l.(DTime); ok {
				if bt, ok := r.(DTime); ok {
					return DInterval{Micros: int64(l.(DTime)) - int64(bt)}, true, nil
				}
			}
			nb, err := negInterval(b)
			if err != nil {
				return nil, true, err
			}
			b = nb
		}
		d, err := addIntervals(a, b)
		return d, true, err
	}
	// Interval or date on the left of + commutes.
	if op == "+" {
		switch l.(type) {
		case DInterval, DDate:
			l, r = r, l
		}
	}
	switch rv := r.(type) {
	case DInterval:
		micros := rv.Micros
		if op == "-" {
			micros = -micros
		}
		switch lv := l.(type) {
		case DTime:
			return DTime(wrapDay(int64(lv) + wrapDay(micros))), true, nil
		case DTimeTZ:
			return DTimeTZ{Micros: wrapDay(lv.Micros + wrapDay(micros)), Zone: lv.Zone}, true, nil
		}
	case DDate:
		if rv == DateNegInfinity || rv == DatePosInfinity {
			if result.Family == TimestampTZFamily {
				return DTimestampTZ(dateToTimestamp(rv)), true, nil
			}
			return DTimestamp(dateToTimestamp(rv)), true, nil
		}
		base := int64(rv) * usecsPerDay
		switch lv := l.(type) {
		case DTime:
			us := base + int64(lv)
			if err := checkTimestampRange(us); err != nil {
				return nil, true, err
			}
			return DTimestamp(us), true, nil
		case DTimeTZ:
			us := base + lv.Micros + int64(lv.Zone)*usecsPerSec
			if err := checkTimestampRange(us); err != nil {
				return nil, true, err
			}
			return DTimestampTZ(us), true, nil
		}
	}
	return nil, false, nil
}

// compareTimes orders a time or timetz against another time, timetz or
// (for time) interval; ok is false for other pairs.
func compareTimes(a, b Datum, fc *FormatContext) (int, bool) {
	switch x := a.(type) {
	case DTime:
		switch y := b.(type) {
		case DTime:
			return cmpOrdered(int64(x), int64(y)), true
		case DTimeTZ:
			return cmpTimeTZ(timeToTimeTZ(x, fc), y), true
		case DInterval:
			return DInterval{Micros: int64(x)}.cmp(y), true
		}
	case DTimeTZ:
		switch y := b.(type) {
		case DTimeTZ:
			return cmpTimeTZ(x, y), true
		case DTime:
			return cmpTimeTZ(x, timeToTimeTZ(y, fc)), true
		}
	case DInterval:
		if y, ok := b.(DTime); ok {
			return x.cmp(DInterval{Micros: int64(y)}), true
		}
	}
	return 0, false
}

// CheckTimeRange is time_recv's and timetz_recv's range checks.
func CheckTimeRange(d Datum) error {
	switch v := d.(type) {
	case DTime:
		if v < 0 || int64(v) > usecsPerDay {
			return pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "time out of range")
		}
	case DTimeTZ:
		if v.Micros < 0 || v.Micros > usecsPerDay {
			return pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "time out of range")
		}
		if v.Zone < -maxTZDisp || v.Zone > maxTZDisp {
			return pgerror.New(pgerror.CodeInvalidTimeZoneDisplacement, "time zone displacement out of range")
		}
	}
	return nil
}
