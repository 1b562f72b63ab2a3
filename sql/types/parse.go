package types

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// ParseTextCtx converts PostgreSQL text input to a Datum of type t under
// the settings fc (nil: defaults), as t's input function does with the
// column's typmod, including its errors: 22P02 for bad syntax, 22003 for
// out-of-range numbers and numeric field overflow, 22001 for a string too
// long for varchar(n)/char(n) (trailing spaces beyond n are dropped
// silently, as PostgreSQL does), 22007/22008 for bad dates and times.
// numeric(p,s) rounds to s; char(n) pads to n; timestamp(p) rounds to p.
//
// For an explicit cast of a literal ('abcd'::varchar(3), which truncates)
// parse with the unmodified type and apply Cast.
func ParseTextCtx(t *T, s string, fc *FormatContext) (Datum, error) {
	switch t.Family {
	case IntFamily:
		return parseInt(t, s)
	case FloatFamily:
		f, err := parseFloat(s, t)
		if err != nil {
			return nil, err
		}
		return f, nil
	case DecimalFamily:
		d, err := parseNumeric(s)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, t)
	case StringFamily, UnknownFamily:
		return stringAssign(s, t)
	case BoolFamily:
		return parseBool(s)
	case BytesFamily:
		b, err := parseBytea(s)
		if err != nil {
			return nil, err
		}
		return b, nil
	case DateFamily:
		d, err := parseDate(s, fc)
		if err != nil {
			return nil, err
		}
		return d, nil
	case TimestampFamily, TimestampTZFamily:
		tz := t.Family == TimestampTZFamily
		us, err := parseTimestamp(s, tz, fc)
		if err != nil {
			return nil, err
		}
		if t.HasPrecision() {
			us = roundTimestamp(us, t.Precision())
		}
		if tz {
			return DTimestampTZ(us), nil
		}
		return DTimestamp(us), nil
	case IntervalFamily:
		iv, err := parseInterval(s)
		if err != nil {
			return nil, err
		}
		return iv, nil
	case UUIDFamily:
		u, err := ParseUUID(s)
		if err != nil {
			return nil, err
		}
		return u, nil
	case TimeFamily, TimeTZFamily:
		return ParseTime(s, t, fc)
	case JSONFamily, JSONBFamily:
		return parseJSONDatum(t, s) // json_cast.go
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "type %q is not supported", t.Name)
}

// parseInt is int2in, int4in and int8in.
func parseInt(t *T, s string) (Datum, error) {
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange,
				"value \"%s\" is out of range for type %s", s, t.Name)
		}
		return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation,
			"invalid input syntax for type %s: \"%s\"", t.Name, s)
	}
	if CheckIntWidth(t, v) != nil {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange,
			"value \"%s\" is out of range for type %s", s, t.Name)
	}
	return DInt(v), nil
}

// parseBool is boolin.
func parseBool(s string) (Datum, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "tr", "tru", "true", "y", "ye", "yes", "on", "1":
		return DBool(true), nil
	case "f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0":
		return DBool(false), nil
	}
	return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation,
		"invalid input syntax for type boolean: \"%s\"", s)
}

// stringAssign is varcharin/bpcharin with a typmod (assignment
// semantics): a string longer than n characters is an error unless the
// excess is all spaces; char(n) is blank-padded to n.
func stringAssign(s string, t *T) (Datum, error) {
	if t.Family == UnknownFamily {
		return DString(s), nil
	}
	if n := t.Length(); n > 0 {
		if cut, ok := cutChars(s, n); ok {
			if strings.TrimRight(s[cut:], " ") != "" {
				return nil, pgerror.New(pgerror.CodeStringDataRightTruncation, "value too long for type %s", t)
			}
			s = s[:cut]
		}
	}
	return stringDatum(s, t), nil
}

// stringDatum returns s as a Datum of string type t (padding char(n)).
func stringDatum(s string, t *T) Datum {
	if t.OID == OIDBpchar {
		if n := t.Length(); n > 0 {
			if c := utf8.RuneCountInString(s); c < n {
				s += strings.Repeat(" ", n-c)
			}
		}
		return DChar(s)
	}
	return DString(s)
}

// cutChars returns the byte offset of the end of the first n characters
// of s and whether s is longer than that.
func cutChars(s string, n int) (int, bool) {
	if len(s) <= n {
		return len(s), false
	}
	i := 0
	for c := 0; c < n; c++ {
		_, w := utf8.DecodeRuneInString(s[i:])
		i += w
		if i >= len(s) {
			return len(s), false
		}
	}
	return i, i < len(s)
}

// parseBytea is byteain: hex format (\x…) or escape format.
func parseBytea(s string) (DBytes, error) {
	if strings.HasPrefix(s, `\x`) {
		out := make([]byte, 0, (len(s)-2)/2)
		h := s[2:]
		for i := 0; i < len(h); {
			c := h[i]
			if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
				i++
				continue
			}
			hi, ok := unhex(c)
			if !ok {
				return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid hexadecimal digit: \"%s\"", string(rune(c)))
			}
			if i+1 >= len(h) {
				return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid hexadecimal data: odd number of digits")
			}
			lo, ok := unhex(h[i+1])
			if !ok {
				return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid hexadecimal digit: \"%s\"", string(rune(h[i+1])))
			}
			out = append(out, hi<<4|lo)
			i += 2
		}
		return DBytes(out), nil
	}
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); {
		if s[i] != '\\' {
			out = append(out, s[i])
			i++
			continue
		}
		switch {
		case i+1 < len(s) && s[i+1] == '\\':
			out = append(out, '\\')
			i += 2
		case i+3 < len(s) && s[i+1] >= '0' && s[i+1] <= '3' && isOctal(s[i+2]) && isOctal(s[i+3]):
			out = append(out, (s[i+1]-'0')<<6|(s[i+2]-'0')<<3|(s[i+3]-'0'))
			i += 4
		default:
			return "", pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type bytea")
		}
	}
	return DBytes(out), nil
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// StringDatum returns s as a value of string type t: a DChar padded to
// char(n)'s length for bpchar, a DString otherwise. It does not check the
// length (see AssignCast).
func StringDatum(s string, t *T) Datum { return stringDatum(s, t) }
