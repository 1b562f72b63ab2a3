package exec

import (
	"strconv"
	"strings"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// toChar is to_char(value, format) for timestamps, with PostgreSQL's
// common template patterns: YYYY YYY YY Y, MM, DD, DDD, D, HH24 HH12 HH,
// MI, SS, MS, US, AM/PM (and a.m./p.m. forms), Month/MONTH/month,
// Mon/MON/mon, Day/DAY/day, Dy/DY/dy, the FM prefix (no padding),
// "quoted text" and \ escapes. Numbers, intervals and the remaining
// patterns (time zones, ISO weeks, ordinal suffixes) are refused with
// 0A000.
func (c *Context) toChar(d types.Datum, format string) (types.Datum, error) {
	switch d.(type) {
	case types.DTimestamp, types.DTimestampTZ:
	case types.DInterval:
		return nil, pgerror.Unsupported("to_char of an interval")
	default:
		return toCharNumber(d, format) // tochar_num.go
	}
	if d == types.DTimestamp(types.TimestampPosInfinity) || d == types.DTimestamp(types.TimestampNegInfinity) ||
		d == types.DTimestampTZ(types.TimestampPosInfinity) || d == types.DTimestampTZ(types.TimestampNegInfinity) {
		return types.DNull, nil
	}
	tm, _ := c.timeOf(d)
	if tm.Year() <= 0 {
		return nil, pgerror.Unsupported("to_char of a BC timestamp")
	}
	var b strings.Builder
	num := func(v, width int, fm bool) {
		s := strconv.Itoa(v)
		if !fm && len(s) < width {
			s = strings.Repeat("0", width-len(s)) + s
		}
		b.WriteString(s)
	}
	text := func(s string, pattern string, fm bool) {
		switch {
		case pattern == strings.ToUpper(pattern):
			s = strings.ToUpper(s)
		case pattern == strings.ToLower(pattern):
			s = strings.ToLower(s)
		}
		if p := strings.ToUpper(pattern); !fm && (p == "MONTH" || p == "DAY") && len(s) < 9 {
			s += strings.Repeat(" ", 9-len(s))
		}
		b.WriteString(s)
	}
	hour12 := tm.Hour() % 12
	if hour12 == 0 {
		hour12 = 12
	}
	for i := 0; i < len(format); {
		rest := format[i:]
		if rest[0] == '"' {
			j := i + 1
			for j < len(format) && format[j] != '"' {
				if format[j] == '\\' && j+1 < len(format) {
					j++
				}
				b.WriteByte(format[j])
				j++
			}
			i = j + 1
			continue
		}
		if rest[0] == '\\' && len(rest) > 1 {
			b.WriteByte(rest[1])
			i += 2
			continue
		}
		fm := false
		if len(rest) > 2 && strings.EqualFold(rest[:2], "FM") {
			fm, rest = true, rest[2:]
		}
		pat := matchPattern(rest)
		if pat == "" {
			if fm {
				// FM before no pattern is dropped.
				i += 2
				continue
			}
			b.WriteByte(rest[0])
			i++
			continue
		}
		p := rest[:len(pat)]
		switch pat {
		case "YYYY":
			num(tm.Year(), 4, fm)
		case "YYY":
			num(tm.Year()%1000, 3, fm)
		case "YY":
			num(tm.Year()%100, 2, fm)
		case "Y":
			num(tm.Year()%10, 1, fm)
		case "MM":
			num(int(tm.Month()), 2, fm)
		case "DDD":
			num(tm.YearDay(), 3, fm)
		case "DD":
			num(tm.Day(), 2, fm)
		case "D":
			num(int(tm.Weekday())+1, 1, fm)
		case "HH24":
			num(tm.Hour(), 2, fm)
		case "HH12", "HH":
			num(hour12, 2, fm)
		case "MI":
			num(tm.Minute(), 2, fm)
		case "SS":
			num(tm.Second(), 2, fm)
		case "MS":
			num(tm.Nanosecond()/1e6, 3, fm)
		case "US":
			num(tm.Nanosecond()/1e3, 6, fm)
		case "AM", "PM":
			s := "AM"
			if tm.Hour() >= 12 {
				s = "PM"
			}
			text(s, p, fm)
		case "A.M.", "P.M.":
			s := "A.M."
			if tm.Hour() >= 12 {
				s = "P.M."
			}
			text(s, p, fm)
		case "MONTH":
			text(tm.Month().String(), p, fm)
		case "MON":
			text(tm.Month().String()[:3], p, fm)
		case "DAY":
			text(tm.Weekday().String(), p, fm)
		case "DY":
			text(tm.Weekday().String()[:3], p, fm)
		default:
			return nil, pgerror.Unsupported("to_char pattern \"" + p + "\"")
		}
		i += len(format[i:]) - len(rest) + len(pat)
	}
	return types.DString(b.String()), nil
}

// toCharPatterns are the template patterns toChar recognizes (and those
// it refuses), longest first so that HH24 is not read as HH.
var toCharPatterns = []string{
	"HH24", "HH12", "SSSS", "YYYY", "A.M.", "P.M.", "MONTH", "Y,YYY", "IYYY",
	"YYY", "DDD", "MON", "DAY", "TZH", "TZM",
	"HH", "YY", "MM", "MI", "SS", "MS", "US", "AM", "PM", "DD", "DY", "TZ", "OF", "IW", "WW", "CC", "TH", "RM", "Q", "J",
	"Y", "D", "W",
}

// matchPattern returns the pattern s starts with (compared without case),
// or "".
func matchPattern(s string) string {
	for _, p := range toCharPatterns {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			return p
		}
	}
	return ""
}
