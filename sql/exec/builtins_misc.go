package exec

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// More of PostgreSQL's catalog, with its results and errors (our own
// code, after the documented behaviour): make_date, make_timestamp,
// justify_days, justify_hours, justify_interval, encode and decode (hex,
// base64, escape), sha224, sha256, sha384, sha512.

const usecsPerDay = 86_400_000_000

// callMiscBuiltin evaluates the functions above (strict); it reports
// false for any other name.
func callMiscBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	switch f.Name {
	case "make_date", "make_timestamp", "justify_days", "justify_hours", "justify_interval",
		"encode", "decode", "sha224", "sha256", "sha384", "sha512":
	default:
		return nil, false, nil
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, true, nil
		}
	}
	num := func(i int) int { n, _ := args[i].(types.DInt); return int(n) }
	str := func(i int) string {
		if b, ok := args[i].(types.DBytes); ok {
			return string(b)
		}
		s, _ := types.AsString(args[i])
		return s
	}
	switch f.Name {
	case "make_date":
		d, err := makeDate(num(0), num(1), num(2))
		if err != nil {
			return nil, true, err
		}
		return types.DateOfTime(d), true, nil
	case "make_timestamp":
		d, err := makeDate(num(0), num(1), num(2))
		if err != nil {
			return nil, true, err
		}
		h, mi := num(3), num(4)
		sec := float64(args[5].(types.DFloat))
		if h < 0 || h > 24 || mi < 0 || mi > 59 || math.IsNaN(sec) || sec < 0 || sec > 60 ||
			(h == 24 && (mi > 0 || sec > 0)) {
			return nil, true, pgerror.New("22008", "time field value out of range: %d:%02d:%s", h, mi, formatSeconds(sec))
		}
		us := int64(math.RoundToEven(sec * 1e6))
		t := d.Add(time.Duration(h)*time.Hour + time.Duration(mi)*time.Minute + time.Duration(us)*time.Microsecond)
		return types.DTimestamp(timeToTimestamp(t)), true, nil
	case "justify_days", "justify_hours", "justify_interval":
		iv := args[0].(types.DInterval)
		return justify(f.Name, iv), true, nil
	case "encode":
		d, err := encodeBytes(str(0), strings.ToLower(str(1)))
		return d, true, err
	case "decode":
		d, err := decodeText(str(0), strings.ToLower(str(1)))
		return d, true, err
	}
	b := str(0)
	var sum []byte
	switch f.Name {
	case "sha224":
		s := sha256.Sum224([]byte(b))
		sum = s[:]
	case "sha256":
		s := sha256.Sum256([]byte(b))
		sum = s[:]
	case "sha384":
		s := sha512.Sum384([]byte(b))
		sum = s[:]
	default:
		s := sha512.Sum512([]byte(b))
		sum = s[:]
	}
	return types.DBytes(sum), true, nil
}

// makeDate is make_date's check and result: year ≠ 0 (a negative year is
// BC), a real month and day.
func makeDate(y, m, d int) (time.Time, error) {
	year := y
	if y < 0 {
		year = y + 1 // 1 BC is year 0 of the proleptic calendar
	}
	if y == 0 || m < 1 || m > 12 || d < 1 || d > daysIn(year, time.Month(m)) {
		return time.Time{}, pgerror.New("22008", "date field value out of range: %d-%02d-%02d", y, m, d)
	}
	return time.Date(year, time.Month(m), d, 0, 0, 0, 0, time.UTC), nil
}

func formatSeconds(sec float64) string {
	s := strconv.FormatFloat(sec, 'f', -1, 64)
	if sec < 10 && sec >= 0 {
		s = "0" + s
	}
	return s
}

// justify is justify_days (30 days → a month), justify_hours (24 hours →
// a day) and justify_interval (both, with the signs made to agree), as
// PostgreSQL's interval_justify_* compute them.
func justify(name string, iv types.DInterval) types.Datum {
	months, days, us := int64(iv.Months), int64(iv.Days), iv.Micros
	hours := func() {
		days += us / usecsPerDay
		us %= usecsPerDay
	}
	daysToMonths := func() {
		months += days / 30
		days %= 30
	}
	switch name {
	case "justify_days":
		daysToMonths()
		if months > 0 && days < 0 {
			days += 30
			months--
		} else if months < 0 && days > 0 {
			days -= 30
			months++
		}
	case "justify_hours":
		hours()
		if days > 0 && us < 0 {
			us += usecsPerDay
			days--
		} else if days < 0 && us > 0 {
			us -= usecsPerDay
			days++
		}
	default:
		hours()
		daysToMonths()
		if months > 0 && (days < 0 || (days == 0 && us < 0)) {
			days += 30
			months--
		} else if months < 0 && (days > 0 || (days == 0 && us > 0)) {
			days -= 30
			months++
		}
		if days > 0 && us < 0 {
			us += usecsPerDay
			days--
		} else if days < 0 && us > 0 {
			us -= usecsPerDay
			days++
		}
	}
	return types.DInterval{Months: int32(months), Days: int32(days), Micros: us}
}

// encodeBytes is encode(bytea, format).
func encodeBytes(b, format string) (types.Datum, error) {
	switch format {
	case "hex":
		return types.DString(hex.EncodeToString([]byte(b))), nil
	case "base64":
		// PostgreSQL breaks the text into lines of 76 characters.
		s := base64.StdEncoding.EncodeToString([]byte(b))
		var out strings.Builder
		for len(s) > 76 {
			out.WriteString(s[:76])
			out.WriteByte('\n')
			s = s[76:]
		}
		out.WriteString(s)
		return types.DString(out.String()), nil
	case "escape":
		var out strings.Builder
		for i := 0; i < len(b); i++ {
			c := b[i]
			switch {
			case c == '\\':
				out.WriteString(`\\`)
			case c == 0 || c >= 0x80:
				out.WriteString(`\` + string('0'+c>>6) + string('0'+(c>>3)&7) + string('0'+c&7))
			default:
				out.WriteByte(c)
			}
		}
		return types.DString(out.String()), nil
	}
	return nil, pgerror.New("22023", "unrecognized encoding: \"%s\"", format)
}

// decodeText is decode(text, format).
func decodeText(s, format string) (types.Datum, error) {
	switch format {
	case "hex":
		t := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
		if len(t)%2 == 1 {
			return nil, pgerror.New("22023", "invalid hexadecimal data: odd number of digits")
		}
		b, err := hex.DecodeString(t)
		if err != nil {
			return nil, pgerror.New("22023", "invalid hexadecimal digit: \"%s\"", badHexDigit(t))
		}
		return types.DBytes(b), nil
	case "base64":
		t := strings.Map(func(r rune) rune {
			if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
				return -1
			}
			return r
		}, s)
		b, err := base64.StdEncoding.DecodeString(t)
		if err != nil {
			return nil, pgerror.New("22023", "invalid base64 end sequence").
				WithHint("Input data is missing padding, is truncated, or is otherwise corrupted.")
		}
		return types.DBytes(b), nil
	}
	return nil, pgerror.New("22023", "unrecognized encoding: \"%s\"", format)
}

func badHexDigit(s string) string {
	for _, r := range s {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return string(r)
		}
	}
	return ""
}
