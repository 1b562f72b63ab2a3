package exec

import (
	"math"
	"math/big"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file evaluates numeric and date functions of PostgreSQL 15 that
// the other builtin files lack: div, width_bucket (the float8 and numeric
// forms; the array form needs arrays), scale, min_scale, trim_scale,
// factorial, num_nulls and num_nonnulls (not strict), to_number and
// date_bin.

// numCtx is wide enough for every exact quotient PostgreSQL's numeric can
// hold.
var numCtx = apd.BaseContext.WithPrecision(2000)

// callNumBuiltin evaluates the functions of this file, reporting false
// for other calls.
func (c *Context) callNumBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	switch f.Name {
	case "num_nulls", "num_nonnulls":
		n := 0
		for _, a := range args {
			if a == types.DNull {
				n++
			}
		}
		if f.Name == "num_nonnulls" {
			n = len(args) - n
		}
		return types.DInt(n), true, nil
	case "div", "width_bucket", "scale", "min_scale", "trim_scale", "factorial", "to_number", "date_bin":
	default:
		return nil, false, nil
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, true, nil
		}
	}
	var d types.Datum
	var err error
	switch f.Name {
	case "div":
		d, err = numericDiv(args[0].(*types.DDecimal), args[1].(*types.DDecimal))
	case "width_bucket":
		d, err = widthBucket(args)
	case "scale", "min_scale":
		v := args[0].(*types.DDecimal)
		if v.Form != apd.Finite {
			return types.DNull, true, nil
		}
		if f.Name == "scale" {
			return types.DInt(max(0, -int(v.Exponent))), true, nil
		}
		return types.DInt(max(0, -int(trimmed(&v.Decimal).Exponent))), true, nil
	case "trim_scale":
		v := args[0].(*types.DDecimal)
		if v.Form != apd.Finite {
			return v, true, nil
		}
		d = types.NewDDecimal(trimmed(&v.Decimal))
	case "factorial":
		d, err = factorial(int64(args[0].(types.DInt)))
	case "to_number":
		s, _ := types.AsString(args[0])
		format, _ := types.AsString(args[1])
		d, err = toNumber(s, format)
	case "date_bin":
		d, err = dateBin(args[0].(types.DInterval), args[1], args[2])
	}
	return d, true, err
}

// trimmed returns d without the trailing zeros of its fraction.
func trimmed(d *apd.Decimal) *apd.Decimal {
	r := new(apd.Decimal).Set(d)
	if r.Exponent >= 0 {
		return r
	}
	ten := big.NewInt(10)
	coeff := r.Coeff.MathBigInt()
	var q, m big.Int
	for r.Exponent < 0 && coeff.Sign() != 0 {
		q.QuoRem(coeff, ten, &m)
		if m.Sign() != 0 {
			break
		}
		coeff.Set(&q)
		r.Exponent++
	}
	if coeff.Sign() == 0 {
		r.Exponent = 0
	}
	r.Coeff.SetMathBigInt(coeff)
	return r
}

// numericDiv is div(numeric, numeric): the quotient truncated toward
// zero, with PostgreSQL 14+'s NaN and infinity rules.
func numericDiv(a, b *types.DDecimal) (types.Datum, error) {
	nan := &types.DDecimal{Decimal: apd.Decimal{Form: apd.NaN}}
	isNaN := func(d *types.DDecimal) bool { return d.Form == apd.NaN || d.Form == apd.NaNSignaling }
	switch {
	case isNaN(a) || isNaN(b):
		return nan, nil
	case a.Form == apd.Infinite:
		if b.Form == apd.Infinite {
			return nan, nil
		}
		if b.IsZero() {
			return nil, pgerror.New(pgerror.CodeDivisionByZero, "division by zero")
		}
		return &types.DDecimal{Decimal: apd.Decimal{Form: apd.Infinite, Negative: a.Negative != b.Negative}}, nil
	case b.Form == apd.Infinite:
		return types.DecimalFromInt(0), nil
	case b.IsZero():
		return nil, pgerror.New(pgerror.CodeDivisionByZero, "division by zero")
	}
	r := new(apd.Decimal)
	if _, err := numCtx.QuoInteger(r, &a.Decimal, &b.Decimal); err != nil {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	if _, err := numCtx.Quantize(r, r, 0); err != nil {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	return types.NewDDecimal(r), nil
}

func widthBucketError(msg string) error {
	return pgerror.New("2201G", "%s", msg)
}

// widthBucket is width_bucket(operand, low, high, count) for float8 and
// numeric.
func widthBucket(args []types.Datum) (types.Datum, error) {
	count := int64(args[3].(types.DInt))
	if count <= 0 {
		return nil, widthBucketError("count must be greater than zero")
	}
	over := func() (types.Datum, error) {
		if count == math.MaxInt32 {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "integer out of range")
		}
		return types.DInt(count + 1), nil
	}
	if _, ok := args[0].(types.DFloat); ok {
		op, b1, b2 := float64(args[0].(types.DFloat)), float64(args[1].(types.DFloat)), float64(args[2].(types.DFloat))
		if math.IsNaN(op) || math.IsNaN(b1) || math.IsNaN(b2) {
			return nil, widthBucketError("operand, lower bound, and upper bound cannot be NaN")
		}
		if math.IsInf(b1, 0) || math.IsInf(b2, 0) {
			return nil, widthBucketError("lower and upper bounds must be finite")
		}
		// PostgreSQL 15's formula, whose float overflow (bounds a
		// double's range apart) gives NaN, which C converts to INT_MIN.
		var r float64
		switch {
		case b1 < b2:
			if op < b1 {
				return types.DInt(0), nil
			}
			if op >= b2 {
				return over()
			}
			r = float64(count)*(op-b1)/(b2-b1) + 1
		case b1 > b2:
			if op > b1 {
				return types.DInt(0), nil
			}
			if op <= b2 {
				return over()
			}
			r = float64(count)*(b1-op)/(b1-b2) + 1
		default:
			return nil, widthBucketError("lower bound cannot equal upper bound")
		}
		if math.IsNaN(r) || r >= math.MaxInt32+1 || r < math.MinInt32 {
			return types.DInt(math.MinInt32), nil
		}
		return types.DInt(int32(r)), nil
	}
	op, b1, b2 := args[0].(*types.DDecimal), args[1].(*types.DDecimal), args[2].(*types.DDecimal)
	isNaN := func(d *types.DDecimal) bool { return d.Form == apd.NaN || d.Form == apd.NaNSignaling }
	if isNaN(op) || isNaN(b1) || isNaN(b2) {
		return nil, widthBucketError("operand, lower bound, and upper bound cannot be NaN")
	}
	if b1.Form == apd.Infinite || b2.Form == apd.Infinite {
		return nil, widthBucketError("lower and upper bounds must be finite")
	}
	cmp := b1.Cmp(&b2.Decimal)
	if cmp == 0 {
		return nil, widthBucketError("lower bound cannot equal upper bound")
	}
	lo, hi := &b1.Decimal, &b2.Decimal
	if cmp > 0 {
		if op.Cmp(lo) > 0 {
			return types.DInt(0), nil
		}
		if op.Cmp(hi) <= 0 {
			return over()
		}
	} else {
		if op.Cmp(lo) < 0 {
			return types.DInt(0), nil
		}
		if op.Cmp(hi) >= 0 {
			return over()
		}
	}
	// compute_bucket: floor((op - b1) * count / (b2 - b1)) + 1, with the
	// differences taken the other way round for descending bounds.
	num, den := new(apd.Decimal), new(apd.Decimal)
	if cmp < 0 {
		numCtx.Sub(num, &op.Decimal, lo)
		numCtx.Sub(den, hi, lo)
	} else {
		numCtx.Sub(num, lo, &op.Decimal)
		numCtx.Sub(den, lo, hi)
	}
	numCtx.Mul(num, num, apd.New(count, 0))
	q := new(apd.Decimal)
	numCtx.QuoInteger(q, num, den)
	n, err := q.Int64()
	if err != nil {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "integer out of range")
	}
	if n >= count {
		n = count - 1
	}
	return types.DInt(n + 1), nil
}

// maxNumericBits bounds factorial's result: numeric holds at most 131072
// digits before the decimal point.
const maxNumericBits = 131072 * 3.3219280948873626

// factorial is factorial(bigint).
func factorial(n int64) (types.Datum, error) {
	if n < 0 {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "factorial of a negative number is undefined")
	}
	r := big.NewInt(1)
	var m big.Int
	for i := int64(2); i <= n; i++ {
		r.Mul(r, m.SetInt64(i))
		if float64(r.BitLen()) > maxNumericBits {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
		}
	}
	d := new(apd.Decimal)
	d.Coeff.SetMathBigInt(r)
	return types.NewDDecimal(d), nil
}

// toNumber is to_number(text, format) for the format patterns PostgreSQL
// reads in input: 9 and 0 (digits), . and D (the decimal point), , and G
// (group separators, skipped), S, MI, PL and SG (signs), PR (angle
// brackets), L and $ (a currency symbol, skipped), FM (ignored); other
// format characters skip one input character. The result's precision and
// scale are the digits read before and after the input's decimal point,
// as PostgreSQL's: to_number('99', '9.99') overflows numeric(1,0). EEEE
// and V are 0A000.
func toNumber(s, format string) (types.Datum, error) {
	f := strings.ToUpper(format)
	if strings.Contains(f, "EEEE") {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "\"EEEE\" not supported for input")
	}
	if strings.Contains(f, "V") {
		return nil, pgerror.Unsupported("to_number with the V pattern")
	}
	var digits strings.Builder
	// pre and post count the digits read before and after a decimal
	// point read from the input: they are the result's precision and
	// scale, as NUM_processor's read_pre and read_post.
	neg, point, inPoint, fmtDigits, pre, post := false, false, false, 0, 0, 0
	in := s
	isDigit := func(b byte) bool { return b >= '0' && b <= '9' }
	for i := 0; i < len(f); {
		rest := f[i:]
		switch {
		case strings.HasPrefix(rest, "FM"):
			i += 2
		case strings.HasPrefix(rest, "MI"), strings.HasPrefix(rest, "PL"), strings.HasPrefix(rest, "SG"):
			if len(in) > 0 && (in[0] == '-' || in[0] == '+') {
				neg = neg || in[0] == '-'
				in = in[1:]
			}
			i += 2
		case strings.HasPrefix(rest, "PR"):
			if len(in) > 0 && in[0] == '>' {
				in = in[1:]
			}
			i += 2
		case rest[0] == '9' || rest[0] == '0':
			fmtDigits++
			// Leading blanks and a sign before the first digit belong
			// to the number.
			for digits.Len() == 0 && len(in) > 0 && (in[0] == ' ' || in[0] == '-' || in[0] == '+' || in[0] == '<') {
				neg = neg || in[0] == '-' || in[0] == '<'
				in = in[1:]
			}
			if len(in) > 0 && isDigit(in[0]) {
				digits.WriteByte(in[0])
				in = in[1:]
				switch {
				case inPoint:
					post++
				case !point:
					pre++
				}
			}
			i++
		case rest[0] == '.' || rest[0] == 'D':
			if len(in) > 0 && in[0] == '.' && !point {
				in = in[1:]
				digits.WriteByte('.')
				inPoint = true
			}
			point = true
			i++
		case rest[0] == ',' || rest[0] == 'G':
			if len(in) > 0 && in[0] == ',' {
				in = in[1:]
			}
			i++
		case rest[0] == 'S':
			if len(in) > 0 && (in[0] == '-' || in[0] == '+') {
				neg = neg || in[0] == '-'
				in = in[1:]
			}
			i++
		case rest[0] == 'L' || rest[0] == '$':
			for len(in) > 0 && (in[0] == ' ' || in[0] == '$') {
				in = in[1:]
			}
			i++
		default:
			if len(in) > 0 {
				in = in[1:]
			}
			i++
		}
	}
	if fmtDigits == 0 {
		return types.DNull, nil
	}
	num := strings.TrimSuffix(digits.String(), ".")
	if strings.Trim(num, ".") == "" {
		return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type numeric: \" \"")
	}
	if strings.HasPrefix(num, ".") {
		num = "0" + num
	}
	if neg {
		num = "-" + num
	}
	d, err := types.ParseText(types.Numeric, num)
	if err != nil {
		return nil, err
	}
	if pre+post == 0 {
		return d, nil
	}
	return types.Cast(d, types.MakeNumeric(pre+post, post), nil)
}

// dateBin is date_bin(stride, source, origin) for timestamps and
// timestamptz.
func dateBin(stride types.DInterval, src, origin types.Datum) (types.Datum, error) {
	tz := false
	var ts, or int64
	switch v := src.(type) {
	case types.DTimestamp:
		ts, or = int64(v), int64(origin.(types.DTimestamp))
	case types.DTimestampTZ:
		ts, or, tz = int64(v), int64(origin.(types.DTimestampTZ)), true
	}
	if ts == math.MinInt64 || ts == math.MaxInt64 {
		return src, nil
	}
	if or == math.MinInt64 || or == math.MaxInt64 {
		return nil, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "origin out of range")
	}
	if stride.Months != 0 {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "timestamps cannot be binned into intervals containing months or years")
	}
	hi, lo := bits64Mul(int64(stride.Days), 86_400_000_000)
	if hi != 0 && hi != -1 || (hi == 0) != (lo >= 0) {
		return nil, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "interval out of range")
	}
	step := lo + stride.Micros
	if (stride.Micros > 0 && step < lo) || (stride.Micros < 0 && step > lo) {
		return nil, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "interval out of range")
	}
	if step <= 0 {
		return nil, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "stride must be greater than zero")
	}
	diff := ts - or
	if (or < 0 && diff < ts) || (or > 0 && diff > ts) {
		return nil, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "interval out of range")
	}
	mod := diff % step
	r := or + (diff - mod)
	if mod < 0 {
		if r < math.MinInt64+step {
			return nil, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "timestamp out of range")
		}
		r -= step
	}
	if tz {
		return types.DTimestampTZ(r), nil
	}
	return types.DTimestamp(r), nil
}

// bits64Mul returns a·b as a signed 128-bit (hi, lo) pair.
func bits64Mul(a, b int64) (int64, int64) {
	p := new(big.Int).Mul(big.NewInt(a), big.NewInt(b))
	if p.IsInt64() {
		v := p.Int64()
		if v < 0 {
			return -1, v
		}
		return 0, v
	}
	return 1, 0
}
