package exec

import (
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// pgEpoch is PostgreSQL's date and timestamp origin.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// timeToTimestamp and timestampToTime convert between instants and µs
// since 2000-01-01 UTC, for any year (a time.Duration spans only 292).
func timeToTimestamp(t time.Time) int64 { return types.TimeToMicros(t) }

func timestampToTime(us int64) time.Time { return types.MicrosToTime(us) }

func (c *Context) loc() *time.Location {
	if c.Format != nil && c.Format.Location != nil {
		return c.Format.Location
	}
	return time.UTC
}

// callBuiltin evaluates a scalar function. Every function here is strict:
// a NULL argument gives NULL.
func (c *Context) callBuiltin(f *plan.Func, args []types.Datum) (types.Datum, error) {
	if d, ok, err := c.callMoreBuiltin(f, args); ok { // builtins_more.go
		return d, err
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, nil
		}
	}
	str := func(i int) string { s, _ := types.AsString(args[i]); return s }
	switch f.Name {
	case "now", "current_timestamp", "transaction_timestamp", "statement_timestamp":
		return types.DTimestampTZ(timeToTimestamp(c.Now)), nil
	case "localtimestamp":
		_, off := c.Now.In(c.loc()).Zone()
		return types.DTimestamp(timeToTimestamp(c.Now) + int64(off)*1e6), nil
	case "current_setting":
		missingOK := len(args) > 1 && args[1] == types.DBool(true)
		if c.Settings == nil {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", str(0))
		}
		v, ok, err := c.Settings(str(0), missingOK)
		if err != nil {
			return nil, err
		}
		if !ok {
			return types.DNull, nil
		}
		return types.DString(v), nil
	case "pg_backend_pid":
		return types.DInt(c.BackendPID), nil
	case "pg_cancel_backend", "pg_terminate_backend":
		pid, _ := args[0].(types.DInt)
		if c.Backends == nil {
			return types.DBool(false), nil
		}
		if f.Name == "pg_cancel_backend" {
			return types.DBool(c.Backends.Cancel(int32(pid))), nil
		}
		return types.DBool(c.Backends.Terminate(int32(pid))), nil
	case "current_date":
		t := c.Now.In(c.loc())
		d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
		return types.DDate(d.Sub(pgEpoch).Hours() / 24), nil
	case "abs":
		switch v := args[0].(type) {
		case types.DInt:
			if v < 0 {
				return types.EvalUnaryOp("-", v, f.Typ)
			}
			return v, nil
		case types.DFloat:
			return types.DFloat(math.Abs(float64(v))), nil
		case *types.DDecimal:
			r := &apd.Decimal{}
			r.Abs(&v.Decimal)
			return types.NewDDecimal(r), nil
		}
	case "mod":
		return types.EvalBinaryOp("%", args[0], args[1], f.Typ)
	case "round", "trunc", "ceil", "floor":
		return roundFunc(f.Name, args)
	case "length", "char_length", "character_length":
		if b, ok := args[0].(types.DBytes); ok {
			return types.DInt(len(b)), nil
		}
		return types.DInt(utf8.RuneCountInString(str(0))), nil
	case "octet_length":
		if b, ok := args[0].(types.DBytes); ok {
			return types.DInt(len(b)), nil
		}
		return types.DInt(len(str(0))), nil
	case "lower":
		return types.DString(strings.ToLower(str(0))), nil
	case "upper":
		return types.DString(strings.ToUpper(str(0))), nil
	case "substr", "substring":
		r := []rune(str(0))
		start := int64(args[1].(types.DInt))
		end := int64(math.MaxInt64)
		if len(args) == 3 {
			n := int64(args[2].(types.DInt))
			if n < 0 {
				return nil, pgerror.New("22011", "negative substring length not allowed")
			}
			end = start + n
			if end < start { // overflow
				end = math.MaxInt64
			}
		}
		if start < 1 {
			start = 1
		}
		if end > int64(len(r))+1 {
			end = int64(len(r)) + 1
		}
		if start >= end {
			return types.DString(""), nil
		}
		return types.DString(string(r[start-1 : end-1])), nil
	case "btrim", "ltrim", "rtrim":
		set := " "
		if len(args) == 2 {
			set = str(1)
		}
		s := str(0)
		if f.Name != "rtrim" {
			s = strings.TrimLeft(s, set)
		}
		if f.Name != "ltrim" {
			s = strings.TrimRight(s, set)
		}
		return types.DString(s), nil
	case "replace":
		if str(1) == "" {
			return types.DString(str(0)), nil
		}
		return types.DString(strings.ReplaceAll(str(0), str(1), str(2))), nil
	case "position", "strpos":
		i := strings.Index(str(0), str(1))
		if i < 0 {
			return types.DInt(0), nil
		}
		return types.DInt(utf8.RuneCountInString(str(0)[:i]) + 1), nil
	case "date_part", "extract":
		return c.extract(f.Name, strings.ToLower(str(0)), args[1], f.Args[1].ResultType())
	case "date_trunc":
		return c.dateTrunc(strings.ToLower(str(0)), args[1])
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s is not implemented", f.Name)
}

func roundFunc(name string, args []types.Datum) (types.Datum, error) {
	switch v := args[0].(type) {
	case types.DFloat:
		x := float64(v)
		switch name {
		case "round":
			return types.DFloat(math.RoundToEven(x)), nil
		case "trunc":
			return types.DFloat(math.Trunc(x)), nil
		case "ceil":
			return types.DFloat(math.Ceil(x)), nil
		}
		return types.DFloat(math.Floor(x)), nil
	case *types.DDecimal:
		if v.Form != apd.Finite {
			return v, nil
		}
		scale := int32(0)
		if len(args) == 2 {
			scale = int32(args[1].(types.DInt))
		}
		ctx := apd.BaseContext.WithPrecision(2000)
		switch name {
		case "round":
			ctx.Rounding = apd.RoundHalfUp
		case "trunc":
			ctx.Rounding = apd.RoundDown
		case "ceil":
			ctx.Rounding = apd.RoundCeiling
		default:
			ctx.Rounding = apd.RoundFloor
		}
		r := &apd.Decimal{}
		if _, err := ctx.Quantize(r, &v.Decimal, -scale); err != nil {
			return nil, err
		}
		if scale < 0 {
			// PostgreSQL keeps no fraction digits: 1234 rounded to -2 is 1200.
			if _, err := ctx.Quantize(r, r, 0); err != nil {
				return nil, err
			}
		}
		return types.NewDDecimal(r), nil
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s is not implemented for this type", name)
}

// timeOf returns the wall-clock time of a date/timestamp value, with its
// zone applied for timestamptz.
func (c *Context) timeOf(d types.Datum) (time.Time, bool) {
	switch v := d.(type) {
	case types.DDate:
		return pgEpoch.AddDate(0, 0, int(v)), true
	case types.DTimestamp:
		return timestampToTime(int64(v)), true
	case types.DTimestampTZ:
		return timestampToTime(int64(v)).In(c.loc()), true
	}
	return time.Time{}, false
}

func (c *Context) extract(fn, field string, d types.Datum, t *types.T) (types.Datum, error) {
	var val float64
	var frac *apd.Decimal
	if iv, ok := d.(types.DInterval); ok {
		switch field {
		case "epoch":
			secs := float64(iv.Months/12)*365.25*86400 + float64(iv.Months%12)*30*86400 + float64(iv.Days)*86400 + float64(iv.Micros)/1e6
			val = secs
		case "year":
			val = float64(iv.Months / 12)
		case "month":
			val = float64(iv.Months % 12)
		case "day":
			val = float64(iv.Days)
		case "hour":
			val = float64(iv.Micros / 3600e6)
		case "minute":
			val = float64(iv.Micros / 60e6 % 60)
		case "second":
			val = float64(iv.Micros%60e6) / 1e6
		default:
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "unit \"%s\" not supported for type interval", field)
		}
	} else {
		tm, ok := c.timeOf(d)
		if !ok {
			return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s is not implemented for this type", fn)
		}
		_, isDate := d.(types.DDate)
		timeField := false
		switch field {
		case "year", "years":
			val = float64(tm.Year())
		case "month", "months", "mon":
			val = float64(tm.Month())
		case "day", "days":
			val = float64(tm.Day())
		case "hour", "hours":
			val, timeField = float64(tm.Hour()), true
		case "minute", "minutes", "min":
			val, timeField = float64(tm.Minute()), true
		case "second", "seconds", "sec":
			val, timeField = float64(tm.Second())+float64(tm.Nanosecond())/1e9, true
			us := int64(tm.Second())*1e6 + int64(tm.Nanosecond()/1e3)
			frac = apd.New(us, -6)
		case "millisecond", "milliseconds":
			val, timeField = float64(tm.Second())*1e3+float64(tm.Nanosecond())/1e6, true
			frac = apd.New(int64(tm.Second())*1e6+int64(tm.Nanosecond()/1e3), -3)
		case "microsecond", "microseconds":
			val, timeField = float64(tm.Second())*1e6+float64(tm.Nanosecond()/1e3), true
		case "dow":
			val = float64(tm.Weekday())
		case "isodow":
			val = float64((int(tm.Weekday())+6)%7 + 1)
		case "doy":
			val = float64(tm.YearDay())
		case "quarter":
			val = float64((int(tm.Month())-1)/3 + 1)
		case "week":
			_, w := tm.ISOWeek()
			val = float64(w)
		case "isoyear":
			y, _ := tm.ISOWeek()
			val = float64(y)
		case "decade":
			val = float64(floorDiv(tm.Year(), 10))
		case "century":
			y := tm.Year()
			if y > 0 {
				val = float64((y + 99) / 100)
			} else {
				val = -float64((99 - (y - 1)) / 100)
			}
		case "millennium":
			y := tm.Year()
			val = float64((y + 999) / 1000)
		case "epoch":
			switch v := d.(type) {
			case types.DDate:
				val = float64(int64(v)*86400 + 946684800)
			case types.DTimestamp:
				val = float64(int64(v))/1e6 + 946684800
				frac = apd.New(int64(v)+946684800e6, -6)
			case types.DTimestampTZ:
				val = float64(int64(v))/1e6 + 946684800
				frac = apd.New(int64(v)+946684800e6, -6)
			}
		case "timezone":
			_, off := tm.Zone()
			val = float64(off)
		default:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unit \"%s\" not recognized for type %s", field, t)
		}
		if isDate && timeField && fn == "extract" {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "unit \"%s\" not supported for type date", field)
		}
	}
	if fn == "date_part" {
		return types.DFloat(val), nil
	}
	if frac != nil {
		return types.NewDDecimal(frac), nil
	}
	return types.DecimalFromInt(int64(val)), nil
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func (c *Context) dateTrunc(field string, d types.Datum) (types.Datum, error) {
	tm, ok := c.timeOf(d)
	if !ok {
		return nil, pgerror.Unsupported("date_trunc of this type")
	}
	y, mo, dd := tm.Date()
	h, mi, s := tm.Clock()
	ns := tm.Nanosecond()
	switch field {
	case "microseconds":
		ns = ns / 1e3 * 1e3
	case "milliseconds":
		ns = ns / 1e6 * 1e6
	case "second":
		ns = 0
	case "minute":
		s, ns = 0, 0
	case "hour":
		mi, s, ns = 0, 0, 0
	case "day":
		h, mi, s, ns = 0, 0, 0, 0
	case "week":
		wd := (int(tm.Weekday()) + 6) % 7
		t2 := time.Date(y, mo, dd-wd, 0, 0, 0, 0, tm.Location())
		y, mo, dd = t2.Date()
		h, mi, s, ns = 0, 0, 0, 0
	case "month":
		dd, h, mi, s, ns = 1, 0, 0, 0, 0
	case "quarter":
		mo = time.Month((int(mo)-1)/3*3 + 1)
		dd, h, mi, s, ns = 1, 0, 0, 0, 0
	case "year":
		mo, dd, h, mi, s, ns = 1, 1, 0, 0, 0, 0
	case "decade":
		y = floorDiv(y, 10) * 10
		mo, dd, h, mi, s, ns = 1, 1, 0, 0, 0, 0
	case "century":
		y = (y-1)/100*100 + 1
		mo, dd, h, mi, s, ns = 1, 1, 0, 0, 0, 0
	case "millennium":
		y = (y-1)/1000*1000 + 1
		mo, dd, h, mi, s, ns = 1, 1, 0, 0, 0, 0
	default:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unit \"%s\" not recognized for type timestamp", field)
	}
	out := time.Date(y, mo, dd, h, mi, s, ns, tm.Location())
	switch d.(type) {
	case types.DTimestampTZ:
		return types.DTimestampTZ(timeToTimestamp(out)), nil
	default:
		return types.DTimestamp(timeToTimestamp(time.Date(y, mo, dd, h, mi, s, ns, time.UTC))), nil
	}
}
