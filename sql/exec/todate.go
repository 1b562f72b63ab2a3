package exec

import (
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// to_date(text, text) and to_timestamp(text, text): the input read by the
// template, as PostgreSQL 15 reads it without FX (formatting.c's
// DCH_from_char; our own code), for the patterns to_char writes: YYYY YYY
// YY Y, MM, MON MONTH (any case), DD, DDD, HH HH12 HH24, MI, SS, MS, US,
// AM PM A.M. P.M., DAY DY (read and ignored), FM, "quoted text" and
// separators. Blank space before a field is skipped; a separator in the
// template matches one separator of the input, or nothing; a number runs
// to the first non-digit, or for exactly its pattern's width when the
// next template item is another field. Time zone patterns are 0A000.

// parsedDateTime is what the template read. Unread fields keep
// PostgreSQL's defaults: year 1, January 1, midnight.
type parsedDateTime struct {
	year, month, day, yday int
	hour, min, sec, usec   int
	pm, hasMeridian        bool
	hour12                 bool
}

var monthNames = []string{"january", "february", "march", "april", "may", "june", "july",
	"august", "september", "october", "november", "december"}

var dayNames = []string{"sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}

func isSeparator(b byte) bool {
	return b < 0x80 && !unicode.IsLetter(rune(b)) && !unicode.IsDigit(rune(b))
}

func isDigitPattern(p string) bool {
	switch p {
	case "YYYY", "YYY", "YY", "Y", "MM", "DD", "DDD", "HH24", "HH12", "HH", "MI", "SS", "MS", "US":
		return true
	}
	return false
}

// parseByTemplate reads s by format.
func parseByTemplate(s, format string) (parsedDateTime, error) {
	v := parsedDateTime{year: 1, month: 1, day: 1}
	in := s
	skipSpace := func() { in = strings.TrimLeft(in, " ") }
	for i := 0; i < len(format); {
		rest := format[i:]
		if rest[0] == '"' {
			j := i + 1
			for j < len(format) && format[j] != '"' {
				if format[j] == '\\' && j+1 < len(format) {
					j++
				}
				if len(in) > 0 {
					in = in[1:]
				}
				j++
			}
			i = j + 1
			continue
		}
		if len(rest) > 2 && strings.EqualFold(rest[:2], "FM") {
			i += 2
			continue
		}
		pat := matchPattern(rest)
		if pat == "" {
			c := rest[0]
			switch {
			case c == ' ':
				skipSpace()
			case isSeparator(c):
				if len(in) > 0 && isSeparator(in[0]) {
					in = in[1:]
				}
			default:
				if len(in) > 0 {
					in = in[1:]
				}
			}
			i++
			continue
		}
		i += len(pat)
		skipSpace()
		if isDigitPattern(pat) {
			width := 0
			if next := matchPattern(strings.TrimPrefix(strings.TrimPrefix(format[i:], "FM"), "fm")); next != "" && isDigitPattern(next) {
				width = len(pat)
				if pat == "HH24" || pat == "HH12" {
					width = 2
				}
			}
			n := 0
			for n < len(in) && in[n] >= '0' && in[n] <= '9' && (width == 0 || n < width) {
				n++
			}
			if n == 0 {
				got := in
				if j := strings.IndexAny(got, " "); j >= 0 {
					got = got[:j]
				}
				return v, pgerror.New("22007", "invalid value \"%s\" for \"%s\"", got, pat).
					WithDetail("Value must be an integer.")
			}
			num, err := strconv.Atoi(in[:n])
			if err != nil {
				return v, pgerror.New("22008", "value for \"%s\" in source string is out of range", pat)
			}
			digits := in[:n]
			in = in[n:]
			switch pat {
			case "YYYY":
				v.year = num
			case "YYY", "YY", "Y":
				v.year = adjustYear(num, len(digits))
			case "MM":
				v.month = num
			case "DD":
				v.day = num
			case "DDD":
				v.yday = num
			case "HH24":
				v.hour = num
			case "HH12", "HH":
				v.hour, v.hour12 = num, true
			case "MI":
				v.min = num
			case "SS":
				v.sec = num
			case "MS":
				v.usec += scaleFraction(digits, 3) * 1000
			case "US":
				v.usec += scaleFraction(digits, 6)
			}
			continue
		}
		switch pat {
		case "MONTH", "MON":
			k, n := matchName(in, monthNames, pat == "MON")
			if k < 0 {
				return v, pgerror.New("22007", "invalid value \"%s\" for \"%s\"", firstWord(in), rest[:len(pat)]).
					WithDetail("The given value did not match any of the allowed values for this field.")
			}
			v.month, in = k+1, in[n:]
		case "DAY", "DY":
			k, n := matchName(in, dayNames, pat == "DY")
			if k < 0 {
				return v, pgerror.New("22007", "invalid value \"%s\" for \"%s\"", firstWord(in), rest[:len(pat)]).
					WithDetail("The given value did not match any of the allowed values for this field.")
			}
			in = in[n:]
		case "AM", "PM", "A.M.", "P.M.":
			var pm bool
			switch {
			case len(in) >= 4 && (strings.EqualFold(in[:4], "A.M.") || strings.EqualFold(in[:4], "P.M.")) && len(pat) == 4:
				pm = strings.EqualFold(in[:1], "p")
				in = in[4:]
			case len(in) >= 2 && (strings.EqualFold(in[:2], "AM") || strings.EqualFold(in[:2], "PM")) && len(pat) == 2:
				pm = strings.EqualFold(in[:1], "p")
				in = in[2:]
			default:
				return v, pgerror.New("22007", "invalid value \"%s\" for \"%s\"", firstWord(in), rest[:len(pat)]).
					WithDetail("The given value did not match any of the allowed values for this field.")
			}
			v.pm, v.hasMeridian = pm, true
		default:
			return v, pgerror.Unsupported("the template pattern \"" + pat + "\" in to_date/to_timestamp")
		}
	}
	if v.hour12 || v.hasMeridian {
		if v.hour < 1 || v.hour > 12 {
			return v, pgerror.New("22007", "hour \"%d\" is invalid for the 12-hour clock", v.hour).
				WithHint("Use the 24-hour clock, or give an hour between 1 and 12.")
		}
		if v.pm && v.hour < 12 {
			v.hour += 12
		} else if !v.pm && v.hasMeridian && v.hour == 12 {
			v.hour = 0
		}
	}
	return v, nil
}

// adjustYear widens a two- or three-digit year as PostgreSQL does: to the
// year nearest 2020 (YY: 70–99 are 19xx; YYY: 100–999 are 1xxx).
func adjustYear(y, digits int) int {
	switch digits {
	case 1:
		return 2000 + y
	case 2:
		if y < 70 {
			return 2000 + y
		}
		return 1900 + y
	case 3:
		if y < 100 {
			return 2000 + y
		}
		return 1000 + y
	}
	return y
}

// scaleFraction reads digits as the leading digits of a fraction of
// places digits.
func scaleFraction(digits string, places int) int {
	for len(digits) < places {
		digits += "0"
	}
	n, _ := strconv.Atoi(digits[:places])
	return n
}

func firstWord(s string) string {
	if j := strings.IndexAny(s, " "); j >= 0 {
		return s[:j]
	}
	return s
}

// matchName matches the start of s against names (case-insensitively),
// whole or, with abbrev, their first three letters; it returns the index
// and the bytes matched, or -1.
func matchName(s string, names []string, abbrev bool) (int, int) {
	for k, name := range names {
		n := name
		if abbrev {
			n = name[:3]
		}
		if len(s) >= len(n) && strings.EqualFold(s[:len(n)], n) {
			return k, len(n)
		}
	}
	return -1, 0
}

// dateOf checks the fields and returns the calendar date, or PostgreSQL's
// out-of-range error naming the input.
func (v parsedDateTime) dateOf(input string) (time.Time, error) {
	y, m, d := v.year, v.month, v.day
	if v.yday > 0 {
		t := time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, v.yday-1)
		m, d = int(t.Month()), t.Day()
	}
	if m < 1 || m > 12 || d < 1 || d > daysIn(y, time.Month(m)) || v.hour > 24 || v.min > 59 || v.sec > 60 {
		return time.Time{}, pgerror.New("22008", "date/time field value out of range: \"%s\"", input)
	}
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

// toDate is to_date(text, text).
func (c *Context) toDate(s, format string) (types.Datum, error) {
	v, err := parseByTemplate(s, format)
	if err != nil {
		return nil, err
	}
	t, err := v.dateOf(s)
	if err != nil {
		return nil, err
	}
	return types.DateOfTime(t), nil
}

// toTimestampText is to_timestamp(text, text): the fields as a local time
// of the session's time zone.
func (c *Context) toTimestampText(s, format string) (types.Datum, error) {
	v, err := parseByTemplate(s, format)
	if err != nil {
		return nil, err
	}
	d, err := v.dateOf(s)
	if err != nil {
		return nil, err
	}
	t := time.Date(d.Year(), d.Month(), d.Day(), v.hour, v.min, v.sec, v.usec*1000, c.loc())
	return types.DTimestampTZ(timeToTimestamp(t)), nil
}
