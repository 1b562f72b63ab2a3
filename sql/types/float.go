package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// canonicalNaN is the NaN PostgreSQL produces (0x7ff8000000000000).
var canonicalNaN = math.Float64frombits(0x7ff8000000000000)

// formatFloat is float8out (width 64) and float4out (width 32). With
// extraDigits >= 1 it prints the shortest string that reads back to the
// same value, in fixed notation when the decimal exponent is in [-4, 15)
// (float8) or [-4, 6) (float4) and in scientific notation otherwise, as
// PostgreSQL's Ryu-based output does; with extraDigits <= 0 it prints
// %.*g with DBL_DIG (FLT_DIG) + extraDigits significant digits.
func formatFloat(b []byte, f float64, width int, extraDigits int) []byte {
	switch {
	case math.IsNaN(f):
		return append(b, "NaN"...)
	case math.IsInf(f, 1):
		return append(b, "Infinity"...)
	case math.IsInf(f, -1):
		return append(b, "-Infinity"...)
	}
	bits := 64
	dig := 15
	fixedMax := 15
	if width == 32 {
		bits, dig, fixedMax = 32, 6, 6
	}
	if extraDigits <= 0 {
		n := max(dig+extraDigits, 1)
		return strconv.AppendFloat(b, f, 'g', n, bits)
	}
	if f == 0 {
		if math.Signbit(f) {
			return append(b, "-0"...)
		}
		return append(b, '0')
	}
	// Shortest digits and exponent from Go's (also shortest round-trip)
	// %e output: "-d.ddddde±XX".
	e := strconv.FormatFloat(f, 'e', -1, bits)
	neg := e[0] == '-'
	if neg {
		e = e[1:]
	}
	ei := strings.IndexByte(e, 'e')
	mant, expStr := e[:ei], e[ei+1:]
	exp, _ := strconv.Atoi(expStr)
	digits := strings.Replace(mant, ".", "", 1)
	if neg {
		b = append(b, '-')
	}
	if exp < -4 || exp >= fixedMax {
		b = append(b, digits[0])
		if len(digits) > 1 {
			b = append(b, '.')
			b = append(b, digits[1:]...)
		}
		b = append(b, 'e')
		if exp < 0 {
			b = append(b, '-')
			exp = -exp
		} else {
			b = append(b, '+')
		}
		if exp < 10 {
			b = append(b, '0')
		}
		return strconv.AppendInt(b, int64(exp), 10)
	}
	if exp < 0 {
		b = append(b, "0."...)
		for i := 0; i < -exp-1; i++ {
			b = append(b, '0')
		}
		return append(b, digits...)
	}
	if len(digits) <= exp+1 {
		b = append(b, digits...)
		for i := len(digits); i < exp+1; i++ {
			b = append(b, '0')
		}
		return b
	}
	b = append(b, digits[:exp+1]...)
	b = append(b, '.')
	return append(b, digits[exp+1:]...)
}

// parseFloat is float8in (width 64) and float4in (width 32).
func parseFloat(s string, t *T) (DFloat, error) {
	str := strings.TrimSpace(s)
	bits := 64
	if t.Width == 32 {
		bits = 32
	}
	switch strings.ToLower(str) {
	case "nan", "+nan", "-nan":
		return DFloat(canonicalNaN), nil
	case "infinity", "+infinity", "inf", "+inf":
		return DFloat(math.Inf(1)), nil
	case "-infinity", "-inf":
		return DFloat(math.Inf(-1)), nil
	}
	bad := func() error {
		return pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", t.Name, s)
	}
	if str == "" || strings.ContainsAny(str, "_ \t\n") {
		return 0, bad()
	}
	lower := strings.ToLower(str)
	if strings.Contains(lower, "in") || strings.Contains(lower, "na") {
		return 0, bad() // "infinity" forms are handled above
	}
	parse := str
	if l := strings.ToLower(parse); strings.HasPrefix(strings.TrimLeft(l, "+-"), "0x") && !strings.Contains(l, "p") {
		parse += "p0" // C's strtod reads hex without a binary exponent
	}
	f, err := strconv.ParseFloat(parse, bits)
	outOfRange := pgerror.New(pgerror.CodeNumericValueOutOfRange, "\"%s\" is out of range for type %s", str, t.Name)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return 0, outOfRange
		}
		return 0, bad()
	}
	if f == 0 && hasNonzeroMantissa(str) {
		return 0, outOfRange // underflow
	}
	return DFloat(f), nil
}

// hasNonzeroMantissa reports whether a float literal's mantissa has a
// nonzero digit (so a zero result means underflow).
func hasNonzeroMantissa(s string) bool {
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") || strings.HasPrefix(s, "-0x") || strings.HasPrefix(s, "+0x") {
		i := strings.IndexAny(s, "pP")
		if i < 0 {
			i = len(s)
		}
		return strings.ContainsAny(s[2:i], "123456789abcdefABCDEF")
	}
	i := strings.IndexAny(s, "eE")
	if i < 0 {
		i = len(s)
	}
	return strings.ContainsAny(s[:i], "123456789")
}

// checkFloat is PostgreSQL's check_float8_val / check_float4_val for a
// computed result: overflow when the result is infinite but no input was,
// underflow when it is zero but zero was not expected.
func checkFloat(r float64, width int, infInput bool, zeroOK bool) (DFloat, error) {
	if width == 32 {
		r = float64(float32(r))
	}
	if math.IsInf(r, 0) && !infInput {
		return 0, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && !zeroOK {
		return 0, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
	}
	return DFloat(r), nil
}

// floatToInt is dtoi4 etc.: round half to even (rint), then range-check.
func floatToInt(f float64, t *T) (DInt, error) {
	r := math.RoundToEven(f)
	if math.IsNaN(r) || r < -9223372036854775808.0 || r >= 9223372036854775808.0 {
		return 0, OutOfRange(t)
	}
	v := int64(r)
	if err := CheckIntWidth(t, v); err != nil {
		return 0, err
	}
	return DInt(v), nil
}
