package types

import (
	"math"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
)

func isCompareOp(op string) bool {
	switch op {
	case "=", "<>", "!=", "<", "<=", ">", ">=":
		return true
	}
	return false
}

func isNumberFamily(f Family) bool {
	return f == IntFamily || f == FloatFamily || f == DecimalFamily
}

func isTimeFamily(f Family) bool {
	return f == DateFamily || f == TimestampFamily || f == TimestampTZFamily
}

// ResolveBinaryOp returns the result type of l op r as PostgreSQL's
// operator resolution gives it, and false when no operator exists (the
// binder reports 42883 `operator does not exist`). ops: + - * / % || and
// the comparisons = <> != < <= > >=. An Unknown side (an untyped literal)
// takes the other side's type (text for || with a non-string, and text
// for both sides unknown in a comparison or ||). Results: mixed integer
// widths → the wider (int2+int2 → int2), integer with numeric → numeric,
// real with real → real, any other mix with a float → double precision,
// integer / integer divides as integers, float % float does not exist,
// date ± int2/int4 → date, date - date → integer, date/timestamp ±
// interval → timestamp, timestamptz ± interval → timestamptz, timestamp -
// timestamp → interval, string || anything → text, bytea || bytea →
// bytea.
func ResolveBinaryOp(op string, l, r *T) (*T, bool) {
	lf, rf := l.Family, r.Family
	if lf == UnknownFamily && rf == UnknownFamily {
		if isCompareOp(op) || op == "||" {
			l, r = Text, Text
		} else {
			return nil, false
		}
	} else if lf == UnknownFamily {
		l = r
		if op == "||" && r.Family != StringFamily && r.Family != BytesFamily {
			l = Text
		}
	} else if rf == UnknownFamily {
		r = l
		if op == "||" && l.Family != StringFamily && l.Family != BytesFamily {
			r = Text
		}
	}
	lf, rf = l.Family, r.Family
	if res, ok, handled := resolveTimeOp(op, l, r); handled { // timeofday.go
		return res, ok
	}
	if isCompareOp(op) {
		switch {
		case isNumberFamily(lf) && isNumberFamily(rf),
			lf == StringFamily && rf == StringFamily,
			isTimeFamily(lf) && isTimeFamily(rf),
			lf == rf && (lf == BoolFamily || lf == BytesFamily || lf == IntervalFamily || lf == UUIDFamily || lf == JSONBFamily):
			return Bool, true
		}
		return nil, false
	}
	switch op {
	case "||":
		switch {
		case lf == BytesFamily && rf == BytesFamily:
			return Bytea, true
		case lf == StringFamily || rf == StringFamily:
			return Text, true
		}
		return nil, false
	case "+", "-", "*", "/", "%":
	default:
		return nil, false
	}
	if isNumberFamily(lf) && isNumberFamily(rf) {
		switch {
		case lf == IntFamily && rf == IntFamily:
			if l.Width >= r.Width {
				return l.WithoutMod(), true
			}
			return r.WithoutMod(), true
		case lf == FloatFamily || rf == FloatFamily:
			if op == "%" {
				return nil, false
			}
			if lf == FloatFamily && rf == FloatFamily && l.Width == 32 && r.Width == 32 {
				return Float4, true
			}
			return Float8, true
		}
		return Numeric, true
	}
	smallInt := func(t *T) bool { return t.Family == IntFamily && t.Width <= 32 }
	switch op {
	case "+":
		switch {
		case lf == DateFamily && smallInt(r), smallInt(l) && rf == DateFamily:
			return Date, true
		case lf == DateFamily && rf == IntervalFamily, lf == IntervalFamily && rf == DateFamily:
			return Timestamp, true
		case lf == TimestampFamily && rf == IntervalFamily, lf == IntervalFamily && rf == TimestampFamily:
			return Timestamp, true
		case lf == TimestampTZFamily && rf == IntervalFamily, lf == IntervalFamily && rf == TimestampTZFamily:
			return TimestampTZ, true
		case lf == IntervalFamily && rf == IntervalFamily:
			return Interval, true
		}
	case "-":
		switch {
		case lf == DateFamily && smallInt(r):
			return Date, true
		case lf == DateFamily && rf == DateFamily:
			return Int4, true
		case lf == DateFamily && rf == IntervalFamily, lf == TimestampFamily && rf == IntervalFamily:
			return Timestamp, true
		case lf == TimestampTZFamily && rf == IntervalFamily:
			return TimestampTZ, true
		case isTimeFamily(lf) && isTimeFamily(rf):
			return Interval, true
		case lf == IntervalFamily && rf == IntervalFamily:
			return Interval, true
		}
	}
	return nil, false
}

// ResolveUnaryOp returns the result type of op t for "-" and "+".
func ResolveUnaryOp(op string, t *T) (*T, bool) {
	if op != "-" && op != "+" {
		return nil, false
	}
	switch t.Family {
	case IntFamily, FloatFamily, DecimalFamily, IntervalFamily:
		return t.WithoutMod(), true
	case UnknownFamily:
		return nil, false
	}
	return nil, false
}

// EvalUnaryOp evaluates op d for a d of type t ("-" negates with
// PostgreSQL's overflow errors; "+" is the identity). NULL yields NULL.
func EvalUnaryOp(op string, d Datum, t *T) (Datum, error) {
	if d == DNull || op == "+" {
		return d, nil
	}
	switch v := d.(type) {
	case DInt:
		if v == math.MinInt64 {
			return nil, OutOfRange(t)
		}
		if err := CheckIntWidth(t, int64(-v)); err != nil {
			return nil, err
		}
		return -v, nil
	case DFloat:
		return -v, nil
	case *DDecimal:
		r := &DDecimal{}
		r.Neg(&v.Decimal)
		normalizeDecimal(&r.Decimal)
		return r, nil
	case DInterval:
		return negInterval(v)
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: %s %s", op, t)
}

// EvalBinaryOp evaluates l op r with result type result (as
// ResolveBinaryOp returned it) under default settings; see
// EvalBinaryOpCtx.
func EvalBinaryOp(op string, l, r Datum, result *T) (Datum, error) {
	return EvalBinaryOpCtx(op, l, r, result, nil)
}

// EvalBinaryOpCtx evaluates l op r, the operands being of the types
// ResolveBinaryOp was given (an untyped literal already parsed as the
// other side's type) and result its answer; fc supplies the time zone for
// timestamptz arithmetic and mixed comparisons. NULL operands yield NULL.
// Errors are PostgreSQL's: 22003 `integer out of range` (smallint,
// bigint) and `value out of range: overflow`/`underflow` for floats,
// 22012 `division by zero`.
func EvalBinaryOpCtx(op string, l, r Datum, result *T, fc *FormatContext) (Datum, error) {
	if l == DNull || r == DNull {
		return DNull, nil
	}
	if isCompareOp(op) {
		c := CompareCtx(l, r, fc)
		switch op {
		case "=":
			return DBool(c == 0), nil
		case "<>", "!=":
			return DBool(c != 0), nil
		case "<":
			return DBool(c < 0), nil
		case "<=":
			return DBool(c <= 0), nil
		case ">":
			return DBool(c > 0), nil
		}
		return DBool(c >= 0), nil
	}
	if d, ok, err := evalTimeOp(op, l, r, result, fc); ok { // timeofday.go
		return d, err
	}
	switch result.Family {
	case IntFamily:
		if ld, ok := l.(DDate); ok {
			return subDates(ld, r.(DDate))
		}
		return intArith(op, int64(l.(DInt)), int64(r.(DInt)), result)
	case FloatFamily:
		return floatArith(op, toFloat(l), toFloat(r), result.Width)
	case DecimalFamily:
		return decimalArith(op, toDecimal(l), toDecimal(r))
	case StringFamily:
		return DString(concatText(l, fc) + concatText(r, fc)), nil
	case BytesFamily:
		return DBytes(string(l.(DBytes)) + string(r.(DBytes))), nil
	case DateFamily:
		return dateArith(op, l, r)
	case TimestampFamily, TimestampTZFamily, IntervalFamily:
		return timeArith(op, l, r, result, fc)
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: %s %s %s", l.ResolvedType(), op, r.ResolvedType())
}

func divByZero() error {
	return pgerror.New(pgerror.CodeDivisionByZero, "division by zero")
}

func intArith(op string, a, b int64, t *T) (Datum, error) {
	var r int64
	switch op {
	case "+":
		r = a + b
		if (b > 0 && r < a) || (b < 0 && r > a) {
			return nil, OutOfRange(t)
		}
	case "-":
		r = a - b
		if (b < 0 && r < a) || (b > 0 && r > a) {
			return nil, OutOfRange(t)
		}
	case "*":
		if a != 0 && b != 0 {
			r = a * b
			if r/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
				return nil, OutOfRange(t)
			}
		}
	case "/":
		if b == 0 {
			return nil, divByZero()
		}
		if b == -1 {
			if a == math.MinInt64 {
				return nil, OutOfRange(t)
			}
			r = -a
		} else {
			r = a / b
		}
	case "%":
		if b == 0 {
			return nil, divByZero()
		}
		if b == -1 {
			return DInt(0), nil
		}
		r = a % b
	}
	if err := CheckIntWidth(t, r); err != nil {
		return nil, err
	}
	return DInt(r), nil
}

func toFloat(d Datum) float64 {
	switch v := d.(type) {
	case DInt:
		return float64(v)
	case DFloat:
		return float64(v)
	case *DDecimal:
		return decimalToFloat(&v.Decimal)
	}
	return canonicalNaN
}

func floatArith(op string, a, b float64, width int) (Datum, error) {
	infIn := math.IsInf(a, 0) || math.IsInf(b, 0)
	switch op {
	case "+":
		return checkFloat(a+b, width, infIn, true)
	case "-":
		return checkFloat(a-b, width, infIn, true)
	case "*":
		return checkFloat(a*b, width, infIn, a == 0 || b == 0)
	case "/":
		if b == 0 && !math.IsNaN(a) {
			return nil, divByZero()
		}
		r := a / b
		if width == 32 {
			r = float64(float32(r))
		}
		if math.IsInf(r, 0) && !math.IsInf(a, 0) {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
		}
		if r == 0 && a != 0 && !math.IsInf(b, 0) {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
		}
		return DFloat(r), nil
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: double precision %s double precision", op)
}

func toDecimal(d Datum) *apd.Decimal {
	switch v := d.(type) {
	case DInt:
		var x apd.Decimal
		x.SetInt64(int64(v))
		return &x
	case *DDecimal:
		return &v.Decimal
	case DFloat:
		return &floatToDecimal(float64(v), 15).Decimal
	}
	return &apd.Decimal{Form: apd.NaN}
}

func decimalNaN() *DDecimal { return &DDecimal{Decimal: apd.Decimal{Form: apd.NaN}} }

func decimalInf(neg bool) *DDecimal {
	return &DDecimal{Decimal: apd.Decimal{Form: apd.Infinite, Negative: neg}}
}

// decimalArith is numeric_add, _sub, _mul, _div and _mod, with PostgreSQL
// 14+'s NaN and infinity rules and display scales.
func decimalArith(op string, a, b *apd.Decimal) (Datum, error) {
	if isNaN(a) || isNaN(b) {
		return decimalNaN(), nil
	}
	aInf, bInf := a.Form == apd.Infinite, b.Form == apd.Infinite
	if aInf || bInf {
		switch op {
		case "+", "-":
			bNeg := b.Negative != (op == "-")
			switch {
			case aInf && bInf:
				if a.Negative != bNeg {
					return decimalNaN(), nil
				}
				return decimalInf(a.Negative), nil
			case aInf:
				return decimalInf(a.Negative), nil
			}
			return decimalInf(bNeg), nil
		case "*":
			if (aInf && b.Sign() == 0) || (bInf && a.Sign() == 0) {
				return decimalNaN(), nil
			}
			return decimalInf(a.Negative != b.Negative), nil
		case "/":
			if aInf {
				if bInf {
					return decimalNaN(), nil
				}
				if b.Sign() == 0 {
					return nil, divByZero()
				}
				return decimalInf(a.Negative != b.Negative), nil
			}
			return DecimalFromInt(0), nil
		case "%":
			if aInf {
				if b.Sign() == 0 {
					return nil, divByZero()
				}
				return decimalNaN(), nil
			}
			return NewDDecimal(a), nil
		}
	}
	res := &DDecimal{}
	var err error
	switch op {
	case "+":
		_, err = exactCtx.Add(&res.Decimal, a, b)
	case "-":
		_, err = exactCtx.Sub(&res.Decimal, a, b)
	case "*":
		_, err = exactCtx.Mul(&res.Decimal, a, b)
	case "/":
		if b.Sign() == 0 {
			return nil, divByZero()
		}
		if a.Sign() == 0 {
			// select_div_scale of a zero dividend.
			return roundDecimal(a, selectDivScale(a, b)), nil
		}
		return divDecimal(a, b, selectDivScale(a, b)), nil
	case "%":
		if b.Sign() == 0 {
			return nil, divByZero()
		}
		_, err = exactCtx.Rem(&res.Decimal, a, b)
		if err == nil {
			setScale(&res.Decimal, max(decimalScale(a), decimalScale(b)))
		}
	}
	if err != nil {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value overflows numeric format")
	}
	if res.Form == apd.Finite && res.Exponent > 0 {
		setScale(&res.Decimal, 0)
	}
	normalizeDecimal(&res.Decimal)
	return res, nil
}

// concatText is the text of an operand of ||: strings as they are (a
// char(n) without trailing spaces), other types through their output
// function.
func concatText(d Datum, fc *FormatContext) string {
	if s, ok := AsString(d); ok {
		return s
	}
	// anytextcat: the value's cast to text (a boolean is 'true').
	if c, err := castImpl(d, nil, Text, fc, true); err == nil {
		if s, ok := c.(DString); ok {
			return string(s)
		}
	}
	return string(FormatText(d, nil, fc))
}

func subDates(a, b DDate) (Datum, error) {
	if a == DateNegInfinity || a == DatePosInfinity || b == DateNegInfinity || b == DatePosInfinity {
		return nil, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "cannot subtract infinite dates")
	}
	return DInt(int64(a) - int64(b)), nil
}

func dateArith(op string, l, r Datum) (Datum, error) {
	var d DDate
	var n int64
	switch v := l.(type) {
	case DDate:
		d, n = v, int64(r.(DInt))
		if op == "-" {
			n = -n
		}
	case DInt:
		d, n = r.(DDate), int64(v)
	}
	if d == DateNegInfinity || d == DatePosInfinity {
		return d, nil
	}
	res := int64(d) + n
	if err := checkDateRange(res); err != nil {
		return nil, err
	}
	return DDate(res), nil
}

func timeArith(op string, l, r Datum, result *T, fc *FormatContext) (Datum, error) {
	loc := fc.location()
	// Interval on the left of + commutes.
	if iv, ok := l.(DInterval); ok && op == "+" {
		if _, ok := r.(DInterval); !ok {
			l, r = r, iv
		}
	}
	if riv, ok := r.(DInterval); ok {
		if op == "-" {
			var err error
			if riv, err = negInterval(riv); err != nil {
				return nil, err
			}
		}
		switch v := l.(type) {
		case DInterval:
			return addIntervals(v, riv)
		case DDate:
			us, err := addInterval(dateToTimestamp(v), riv, nil)
			return DTimestamp(us), err
		case DTimestamp:
			us, err := addInterval(int64(v), riv, nil)
			return DTimestamp(us), err
		case DTimestampTZ:
			us, err := addInterval(int64(v), riv, loc)
			return DTimestampTZ(us), err
		}
	}
	if op == "-" && isTimeDatum(l) && isTimeDatum(r) {
		_, ltz := l.(DTimestampTZ)
		_, rtz := r.(DTimestampTZ)
		tz := ltz || rtz
		conv := func(d Datum) int64 {
			switch v := d.(type) {
			case DDate:
				if tz {
					return timestampToTZ(dateToTimestamp(v), loc)
				}
				return dateToTimestamp(v)
			case DTimestamp:
				if tz {
					return timestampToTZ(int64(v), loc)
				}
				return int64(v)
			case DTimestampTZ:
				return int64(v)
			}
			return 0
		}
		return subTimestamps(conv(l), conv(r))
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: %s %s %s", l.ResolvedType(), op, r.ResolvedType())
}
