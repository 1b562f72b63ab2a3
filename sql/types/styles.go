package types

import (
	"strconv"
	"time"
)

// This file holds the DateStyle and IntervalStyle output styles other than
// the defaults (ISO, postgres), as PostgreSQL's EncodeDateOnly,
// EncodeDateTime and EncodeInterval write them
// (https://www.postgresql.org/docs/15/datatype-datetime.html#DATATYPE-DATETIME-OUTPUT).

var (
	shortMonths = [...]string{"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"}
	shortDays   = [...]string{"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"}
)

// bcYear returns the year as printed (1 BC is year 0) and whether it is BC.
func bcYear(t time.Time) (int, bool) {
	y := t.Year()
	if y <= 0 {
		return 1 - y, true
	}
	return y, false
}

// appendStyledDate writes a date's fields in a non-ISO DateStyle.
func appendStyledDate(b []byte, t time.Time, fc *FormatContext) []byte {
	y, _ := bcYear(t)
	m, d := int(t.Month()), t.Day()
	dmy := fc.DateOrder == DateOrderDMY
	switch fc.DateStyle {
	case DateStyleSQL:
		sep := byte('/')
		if dmy {
			b = appendPadded(b, d, 2)
			b = append(b, sep)
			b = appendPadded(b, m, 2)
		} else {
			b = appendPadded(b, m, 2)
			b = append(b, sep)
			b = appendPadded(b, d, 2)
		}
		b = append(b, sep)
	case DateStyleGerman:
		b = appendPadded(b, d, 2)
		b = append(b, '.')
		b = appendPadded(b, m, 2)
		b = append(b, '.')
	default: // Postgres
		if dmy {
			b = appendPadded(b, d, 2)
			b = append(b, '-')
			b = appendPadded(b, m, 2)
		} else {
			b = appendPadded(b, m, 2)
			b = append(b, '-')
			b = appendPadded(b, d, 2)
		}
		b = append(b, '-')
	}
	return appendPadded(b, y, 4)
}

// formatDateStyled is date_out.
func formatDateStyled(b []byte, d DDate, fc *FormatContext) []byte {
	fc = fc.orDefault()
	if fc.DateStyle == DateStyleISO || d == DateNegInfinity || d == DatePosInfinity {
		return formatDate(b, d)
	}
	t := time.Unix(int64(d)*secsPerDay+pgEpochUnix, 0).UTC()
	b = appendStyledDate(b, t, fc)
	if _, bc := bcYear(t); bc {
		b = append(b, " BC"...)
	}
	return b
}

// formatTimestampStyled is timestamp_out (loc nil) and timestamptz_out.
func formatTimestampStyled(b []byte, us int64, loc *time.Location, fc *FormatContext) []byte {
	fc = fc.orDefault()
	if fc.DateStyle == DateStyleISO || us == TimestampNegInfinity || us == TimestampPosInfinity {
		return formatTimestamp(b, us, loc)
	}
	t := usecToTime(us)
	if loc != nil {
		t = t.In(loc)
	}
	appendClock := func(b []byte) []byte {
		b = appendPadded(b, t.Hour(), 2)
		b = append(b, ':')
		b = appendPadded(b, t.Minute(), 2)
		b = append(b, ':')
		b = appendPadded(b, t.Second(), 2)
		return appendFraction(b, int64(t.Nanosecond()/1000))
	}
	y, bc := bcYear(t)
	if fc.DateStyle == DateStylePostgres {
		b = append(b, shortDays[t.Weekday()]...)
		b = append(b, ' ')
		if fc.DateOrder == DateOrderDMY {
			b = appendPadded(b, t.Day(), 2)
			b = append(b, ' ')
			b = append(b, shortMonths[t.Month()-1]...)
		} else {
			b = append(b, shortMonths[t.Month()-1]...)
			b = append(b, ' ')
			b = appendPadded(b, t.Day(), 2)
		}
		b = append(b, ' ')
		b = appendClock(b)
		b = append(b, ' ')
		b = appendPadded(b, y, 4)
	} else {
		b = appendStyledDate(b, t, fc)
		b = append(b, ' ')
		b = appendClock(b)
	}
	if loc != nil {
		// The zone's abbreviation when it has one, else the offset.
		name, off := t.Zone()
		b = append(b, ' ')
		if name != "" {
			b = append(b, name...)
		} else {
			b = appendOffset(b, off)
		}
	}
	if bc {
		b = append(b, " BC"...)
	}
	return b
}

// intervalFields splits an interval as PostgreSQL's interval2tm does.
func intervalFields(iv DInterval) (year, mon, mday, hour, min, sec, fsec int64) {
	year, mon = int64(iv.Months/12), int64(iv.Months%12)
	mday = int64(iv.Days)
	t := iv.Micros
	hour = t / usecsPerHour
	t -= hour * usecsPerHour
	min = t / usecsPerMinute
	t -= min * usecsPerMinute
	sec = t / usecsPerSec
	fsec = t - sec*usecsPerSec
	return
}

// appendSeconds is AppendSeconds: |sec| (two digits when fill) and the
// fraction of |fsec| with trailing zeros trimmed.
func appendSeconds(b []byte, sec, fsec int64, fill bool) []byte {
	if fill {
		b = appendPadded(b, int(abs64(sec)), 2)
	} else {
		b = strconv.AppendInt(b, abs64(sec), 10)
	}
	return appendFraction(b, abs64(fsec))
}

// formatIntervalStyled is interval_out.
func formatIntervalStyled(b []byte, iv DInterval, fc *FormatContext) []byte {
	fc = fc.orDefault()
	year, mon, mday, hour, min, sec, fsec := intervalFields(iv)
	switch fc.IntervalStyle {
	case IntervalStyleISO8601:
		if year == 0 && mon == 0 && mday == 0 && hour == 0 && min == 0 && sec == 0 && fsec == 0 {
			return append(b, "PT0S"...)
		}
		part := func(v int64, unit byte) {
			if v != 0 {
				b = strconv.AppendInt(b, v, 10)
				b = append(b, unit)
			}
		}
		b = append(b, 'P')
		part(year, 'Y')
		part(mon, 'M')
		part(mday, 'D')
		if hour != 0 || min != 0 || sec != 0 || fsec != 0 {
			b = append(b, 'T')
		}
		part(hour, 'H')
		part(min, 'M')
		if sec != 0 || fsec != 0 {
			if sec < 0 || fsec < 0 {
				b = append(b, '-')
			}
			b = appendSeconds(b, sec, fsec, false)
			b = append(b, 'S')
		}
		return b
	case IntervalStyleSQLStandard:
		hasNeg := year < 0 || mon < 0 || mday < 0 || hour < 0 || min < 0 || sec < 0 || fsec < 0
		hasPos := year > 0 || mon > 0 || mday > 0 || hour > 0 || min > 0 || sec > 0 || fsec > 0
		hasYM := year != 0 || mon != 0
		hasDT := mday != 0 || hour != 0 || min != 0 || sec != 0 || fsec != 0
		standard := !(hasNeg && hasPos) && !(hasYM && hasDT)
		if hasNeg && standard {
			b = append(b, '-')
			year, mon, mday, hour, min, sec, fsec = -year, -mon, -mday, -hour, -min, -sec, -fsec
		}
		switch {
		case !hasNeg && !hasPos:
			return append(b, '0')
		case !standard:
			sign := func(neg bool) byte {
				if neg {
					return '-'
				}
				return '+'
			}
			b = append(b, sign(year < 0 || mon < 0))
			b = strconv.AppendInt(b, abs64(year), 10)
			b = append(b, '-')
			b = strconv.AppendInt(b, abs64(mon), 10)
			b = append(b, ' ', sign(mday < 0))
			b = strconv.AppendInt(b, abs64(mday), 10)
			b = append(b, ' ', sign(hour < 0 || min < 0 || sec < 0 || fsec < 0))
			b = strconv.AppendInt(b, abs64(hour), 10)
			b = append(b, ':')
			b = appendPadded(b, int(abs64(min)), 2)
			b = append(b, ':')
			return appendSeconds(b, sec, fsec, true)
		case hasYM:
			b = strconv.AppendInt(b, year, 10)
			b = append(b, '-')
			return strconv.AppendInt(b, mon, 10)
		default:
			if mday != 0 {
				b = strconv.AppendInt(b, mday, 10)
				b = append(b, ' ')
			}
			b = strconv.AppendInt(b, hour, 10)
			b = append(b, ':')
			b = appendPadded(b, int(min), 2)
			b = append(b, ':')
			return appendSeconds(b, sec, fsec, true)
		}
	case IntervalStylePostgresVerbose:
		b = append(b, '@')
		isZero, isBefore := true, false
		part := func(v int64, unit string) {
			if v == 0 {
				return
			}
			if isZero {
				isBefore = v < 0
				v = abs64(v)
			} else if isBefore {
				v = -v
			}
			b = append(b, ' ')
			b = strconv.AppendInt(b, v, 10)
			b = append(b, ' ')
			b = append(b, unit...)
			if v != 1 {
				b = append(b, 's')
			}
			isZero = false
		}
		part(year, "year")
		part(mon, "mon")
		part(mday, "day")
		part(hour, "hour")
		part(min, "min")
		if sec != 0 || fsec != 0 {
			b = append(b, ' ')
			if sec < 0 || (sec == 0 && fsec < 0) {
				if isZero {
					isBefore = true
				} else if !isBefore {
					b = append(b, '-')
				}
			} else if isBefore {
				b = append(b, '-')
			}
			b = appendSeconds(b, sec, fsec, false)
			b = append(b, " sec"...)
			if abs64(sec) != 1 || fsec != 0 {
				b = append(b, 's')
			}
			isZero = false
		}
		if isZero {
			b = append(b, " 0"...)
		}
		if isBefore {
			b = append(b, " ago"...)
		}
		return b
	}
	return formatInterval(b, iv)
}
