package exec

import (
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// toCharNumber is to_char(number, format) for the common numeric
// patterns: 9 (a digit, blank when a leading zero), 0 (a digit, zero
// kept), . (the decimal point), , (a group separator, blank among leading
// blanks) and the FM prefix (no padding, no trailing zeros under 9).
// Without FM the result has a leading position for the sign, as in
// PostgreSQL; a value with more integer digits than the pattern prints
// as #. Other patterns are refused with 0A000.
func toCharNumber(d types.Datum, format string) (types.Datum, error) {
	fm := false
	var intPat, fracPat []byte
	point := false
	for i := 0; i < len(format); i++ {
		ch := format[i]
		switch {
		case (ch == 'F' || ch == 'f') && i+1 < len(format) && (format[i+1] == 'M' || format[i+1] == 'm'):
			fm = true
			i++
		case ch == '9' || ch == '0':
			if point {
				fracPat = append(fracPat, ch)
			} else {
				intPat = append(intPat, ch)
			}
		case ch == ',' && !point:
			intPat = append(intPat, ch)
		case ch == '.' && !point:
			point = true
		default:
			return nil, pgerror.Unsupported("to_char number pattern \"" + string(ch) + "\"")
		}
	}
	nFrac := len(fracPat)
	// The value's digits, rounded to nFrac places.
	var digits string
	neg := false
	switch v := d.(type) {
	case types.DInt:
		neg = v < 0
		digits = strconv.FormatUint(absInt(int64(v)), 10)
		if nFrac > 0 {
			digits += "." + strings.Repeat("0", nFrac)
		}
	case types.DFloat:
		f := float64(v)
		if f != f || f > 1e300 || f < -1e300 {
			return nil, pgerror.Unsupported("to_char of a non-finite or huge double precision")
		}
		neg = f < 0
		digits = strconv.FormatFloat(f, 'f', nFrac, 64)
		digits = strings.TrimPrefix(digits, "-")
	case *types.DDecimal:
		if v.Form != apd.Finite {
			return nil, pgerror.Unsupported("to_char of a non-finite numeric")
		}
		r := &apd.Decimal{}
		ctx := apd.BaseContext.WithPrecision(2000)
		ctx.Rounding = apd.RoundHalfUp
		if _, err := ctx.Quantize(r, &v.Decimal, -int32(nFrac)); err != nil {
			return nil, err
		}
		neg = r.Negative && !r.IsZero()
		r.Negative = false
		digits = r.Text('f')
	default:
		return nil, pgerror.Unsupported("to_char of this type")
	}
	intDigits, fracDigits, _ := strings.Cut(digits, ".")
	intDigits = strings.TrimLeft(intDigits, "0")
	if neg && intDigits == "" && strings.Trim(fracDigits, "0") == "" {
		neg = false // rounded to zero
	}
	nInt := 0
	for _, ch := range intPat {
		if ch != ',' {
			nInt++
		}
	}
	// A zero integer part still takes a digit position.
	overflow := max(len(intDigits), 1) > nInt
	// The integer part, right to left.
	out := make([]byte, len(intPat))
	di := len(intDigits) - 1
	lastZero := -1 // leftmost position a 0 forces digits from
	for i, ch := range intPat {
		if ch == '0' {
			lastZero = i
			break
		}
	}
	for i := len(intPat) - 1; i >= 0; i-- {
		ch := intPat[i]
		switch {
		case overflow && ch != ',':
			out[i] = '#'
		case ch == ',':
			out[i] = ','
		case di >= 0:
			out[i] = intDigits[di]
			di--
		case ch == '0' || (lastZero >= 0 && i > lastZero):
			out[i] = '0'
		default:
			out[i] = ' '
		}
	}
	// A zero integer part without a fraction keeps its last digit.
	if !overflow && intDigits == "" && nFrac == 0 {
		for i := len(out) - 1; i >= 0; i-- {
			if intPat[i] != ',' {
				out[i] = '0'
				break
			}
		}
	}
	// Separators among the leading blanks are blanks.
	for i := range out {
		if out[i] == ',' {
			out[i] = ' '
			continue
		}
		if out[i] != ' ' {
			break
		}
	}
	intStr := string(out)
	lead := len(intStr) - len(strings.TrimLeft(intStr, " "))
	var b strings.Builder
	b.WriteString(intStr[:lead])
	if neg {
		b.WriteByte('-')
	} else {
		b.WriteByte(' ')
	}
	b.WriteString(intStr[lead:])
	if point && nFrac > 0 {
		b.WriteByte('.')
		frac := []byte(fracDigits)
		for len(frac) < nFrac {
			frac = append(frac, '0')
		}
		if overflow {
			for i := range frac {
				frac[i] = '#'
			}
		}
		if fm {
			n := len(frac)
			for n > 0 && fracPat[n-1] == '9' && frac[n-1] == '0' {
				n--
			}
			frac = frac[:n]
		}
		b.Write(frac)
	}
	s := b.String()
	if fm {
		s = strings.TrimLeft(s, " ")
	}
	return types.DString(s), nil
}

func absInt(v int64) uint64 {
	if v < 0 {
		return uint64(-(v + 1)) + 1
	}
	return uint64(v)
}
