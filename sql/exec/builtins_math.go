package exec

import (
	"math"
	"strings"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// The double precision functions of PostgreSQL's catalog — sqrt, cbrt,
// exp, ln, log, log10, pi, degrees, radians, sign, the trigonometric ones —
// and starts_with, with PostgreSQL 15's results and errors (float.c's
// checks; our own code). The numeric forms of sqrt, exp, ln, log, log10
// and sign are 0A000 naming them: their results differ from the double
// precision ones.

var floatOutOfRange = pgerror.New("22003", "input is out of range")

// radiansPerDegree is PostgreSQL's RADIANS_PER_DEGREE: degrees() divides
// by it and radians() multiplies by it, as float.c does.
const radiansPerDegree = 0.0174532925199432957692

// callMathBuiltin evaluates the functions above (strict); it reports
// false for any other name.
func callMathBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	switch f.Name {
	case "sqrt", "cbrt", "exp", "ln", "log", "log10", "pi", "degrees", "radians", "sign",
		"sin", "cos", "tan", "cot", "asin", "acos", "atan", "atan2", "starts_with":
	default:
		return nil, false, nil
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, true, nil
		}
	}
	if f.Name == "starts_with" {
		s, _ := types.AsString(args[0])
		p, _ := types.AsString(args[1])
		return types.DBool(strings.HasPrefix(s, p)), true, nil
	}
	if f.Typ.Family != types.FloatFamily {
		return nil, true, pgerror.Unsupported(f.Name + "(numeric) (use double precision)")
	}
	x := func(i int) float64 { return float64(args[i].(types.DFloat)) }
	d, err := floatMath(f.Name, args, x)
	return d, true, err
}

func floatMath(name string, args []types.Datum, x func(int) float64) (types.Datum, error) {
	result := func(v float64, in ...float64) (types.Datum, error) {
		for _, a := range in {
			if math.IsInf(v, 0) && !math.IsInf(a, 0) {
				return nil, pgerror.New("22003", "value out of range: overflow")
			}
		}
		return types.DFloat(v), nil
	}
	switch name {
	case "pi":
		return types.DFloat(math.Pi), nil
	case "sqrt":
		a := x(0)
		if a < 0 {
			return nil, pgerror.New("2201F", "cannot take square root of a negative number")
		}
		return types.DFloat(math.Sqrt(a)), nil
	case "cbrt":
		return types.DFloat(libmCbrt(x(0))), nil
	case "exp":
		a := x(0)
		v := libmExp(a)
		if v == 0 && !math.IsInf(a, -1) {
			return nil, pgerror.New("22003", "value out of range: underflow")
		}
		return result(v, a)
	case "ln", "log", "log10":
		a := x(0)
		switch {
		case a == 0:
			return nil, pgerror.New("2201E", "cannot take logarithm of zero")
		case a < 0:
			return nil, pgerror.New("2201E", "cannot take logarithm of a negative number")
		}
		if name == "ln" {
			return types.DFloat(libmLog(a)), nil
		}
		return types.DFloat(libmLog10(a)), nil
	case "degrees":
		return result(x(0)/radiansPerDegree, x(0))
	case "radians":
		return result(x(0)*radiansPerDegree, x(0))
	case "sign":
		a := x(0)
		switch {
		case a > 0:
			return types.DFloat(1), nil
		case a < 0:
			return types.DFloat(-1), nil
		}
		return types.DFloat(0), nil
	case "sin", "cos", "tan", "cot":
		a := x(0)
		if math.IsNaN(a) {
			return types.DFloat(a), nil
		}
		if math.IsInf(a, 0) {
			return nil, floatOutOfRange
		}
		switch name {
		case "sin":
			return types.DFloat(libmSin(a)), nil
		case "cos":
			return types.DFloat(libmCos(a)), nil
		case "tan":
			return types.DFloat(libmTan(a)), nil
		}
		return types.DFloat(1 / libmTan(a)), nil
	case "asin", "acos":
		a := x(0)
		if math.IsNaN(a) {
			return types.DFloat(a), nil
		}
		if a < -1 || a > 1 {
			return nil, floatOutOfRange
		}
		if name == "asin" {
			return types.DFloat(libmAsin(a)), nil
		}
		return types.DFloat(libmAcos(a)), nil
	case "atan":
		return types.DFloat(libmAtan(x(0))), nil
	case "atan2":
		return types.DFloat(libmAtan2(x(0), x(1))), nil
	}
	_ = args
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s is not implemented", name)
}
