package exec

import (
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file evaluates the functions of the time-of-day types:
// current_time and localtime (with an optional precision, as are
// current_timestamp(p) and localtimestamp(p)), extract and date_part of a
// time or timetz (PostgreSQL 15's time_part_common and timetz_part_common),
// date_trunc of an interval (which date_trunc of a time reaches through
// time's implicit cast), and timezone(zone, x), the AT TIME ZONE operator.

// callTimeBuiltin evaluates the functions of this file, reporting false
// for other calls. All are strict.
func (c *Context) callTimeBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	switch f.Name {
	case "current_time", "localtime", "current_timestamp", "localtimestamp":
		if len(args) == 0 && (f.Name == "current_timestamp" || f.Name == "localtimestamp") {
			return nil, false, nil
		}
	case "extract", "date_part":
		switch args[1].(type) {
		case types.DTime, types.DTimeTZ:
		default:
			return nil, false, nil
		}
	case "date_trunc":
		if _, ok := args[1].(types.DInterval); !ok {
			return nil, false, nil
		}
	case "timezone":
	default:
		return nil, false, nil
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, true, nil
		}
	}
	prec := -1
	if len(args) == 1 {
		if p, ok := args[0].(types.DInt); ok {
			prec = min(int(p), types.MaxTimePrecision)
		}
	}
	fc := c.timeFormat()
	switch f.Name {
	case "current_time", "localtime":
		to := types.MakeTime(types.TimeTZ, prec)
		if f.Name == "localtime" {
			to = types.MakeTime(types.Time, prec)
		}
		d, err := types.Cast(types.DTimestampTZ(timeToTimestamp(c.Now)), to, fc)
		return d, true, err
	case "current_timestamp":
		d, err := types.Cast(types.DTimestampTZ(timeToTimestamp(c.Now)), types.MakeTimestamp(types.TimestampTZ, prec), fc)
		return d, true, err
	case "localtimestamp":
		d, err := types.Cast(types.DTimestampTZ(timeToTimestamp(c.Now)), types.MakeTimestamp(types.Timestamp, prec), fc)
		return d, true, err
	case "extract", "date_part":
		s, _ := types.AsString(args[0])
		d, err := extractTime(f.Name == "extract", strings.ToLower(s), args[1])
		return d, true, err
	case "date_trunc":
		s, _ := types.AsString(args[0])
		d, err := truncInterval(strings.ToLower(s), args[1].(types.DInterval))
		return d, true, err
	case "timezone":
		d, err := types.AtTimeZone(args[0], args[1], fc)
		return d, true, err
	}
	return nil, false, nil
}

// timeFormat returns the session's format context with the transaction
// time, which the casts to timetz read.
func (c *Context) timeFormat() *types.FormatContext {
	fc := types.NewFormatContext(c.loc())
	if c.Format != nil {
		cp := *c.Format
		fc = &cp
	}
	if fc.Now.IsZero() {
		fc.Now = c.Now
	}
	return fc
}

// timeUnit canonicalizes the unit names DecodeUnits knows for the fields
// of a time of day; the second result is false for a unit that is not one
// of them but is a date unit PostgreSQL names (unsupported for time).
func timeUnit(u string) (string, bool, bool) {
	switch u {
	case "microsecond", "microseconds", "us", "usec", "usecs", "useconds", "usecond":
		return "microseconds", true, true
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds", "msecond":
		return "milliseconds", true, true
	case "second", "seconds", "s", "sec", "secs":
		return "second", true, true
	case "minute", "minutes", "m", "min", "mins":
		return "minute", true, true
	case "hour", "hours", "h", "hr", "hrs":
		return "hour", true, true
	case "epoch":
		return "epoch", true, true
	case "timezone":
		return u, true, true
	case "timezone_hour", "timezone_h":
		return "timezone_hour", true, true
	case "timezone_minute", "timezone_m":
		return "timezone_minute", true, true
	case "day", "days", "d", "month", "months", "mon", "mons", "year", "years", "y", "yr", "yrs",
		"decade", "decades", "dec", "century", "centuries", "cent", "c", "millennium", "millennia",
		"mil", "mils", "week", "weeks", "w", "dow", "isodow", "doy", "quarter", "qtr", "isoyear", "julian", "j":
		return u, false, true
	}
	return u, false, false
}

// extractTime is extract (numeric) and date_part (float8) of a time or
// timetz.
func extractTime(numeric bool, unit string, d types.Datum) (types.Datum, error) {
	var us int64
	var zone int32
	tz := false
	typ := types.Time
	switch v := d.(type) {
	case types.DTime:
		us = int64(v)
	case types.DTimeTZ:
		us, zone, tz, typ = v.Micros, v.Zone, true, types.TimeTZ
	}
	u, isTime, known := timeUnit(unit)
	if !known {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unit \"%s\" not recognized for type %s", unit, typ)
	}
	if !isTime || (!tz && strings.HasPrefix(u, "timezone")) {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "unit \"%s\" not supported for type %s", unit, typ)
	}
	secUs := us % 60_000_000 // seconds and fraction, in µs
	// scaled returns v·10^-scale as numeric, or as float8.
	scaled := func(v int64, scale int32) types.Datum {
		if numeric {
			return types.NewDDecimal(apd.New(v, -scale))
		}
		f := float64(v)
		for i := int32(0); i < scale; i++ {
			f /= 10
		}
		return types.DFloat(f)
	}
	switch u {
	case "microseconds":
		return scaled(secUs, 0), nil
	case "milliseconds":
		if !numeric {
			return types.DFloat(float64(secUs/1_000_000)*1000 + float64(secUs%1_000_000)/1000.0), nil
		}
		return scaled(secUs, 3), nil
	case "second":
		if !numeric {
			return types.DFloat(float64(secUs/1_000_000) + float64(secUs%1_000_000)/1_000_000.0), nil
		}
		return scaled(secUs, 6), nil
	case "minute":
		return scaled(us/60_000_000%60, 0), nil
	case "hour":
		return scaled(us/3_600_000_000, 0), nil
	case "epoch":
		if !numeric {
			return types.DFloat(float64(us)/1_000_000.0 + float64(zone)), nil
		}
		return scaled(us+int64(zone)*1_000_000, 6), nil
	case "timezone":
		return scaled(-int64(zone), 0), nil
	case "timezone_hour":
		return scaled(-int64(zone)/3600, 0), nil
	case "timezone_minute":
		return scaled(-int64(zone)/60%60, 0), nil
	}
	return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unit \"%s\" not recognized for type %s", unit, typ)
}

// truncInterval is interval_trunc.
func truncInterval(unit string, iv types.DInterval) (types.Datum, error) {
	const (
		usSec  = 1_000_000
		usMin  = 60 * usSec
		usHour = 60 * usMin
	)
	years, months := iv.Months/12, iv.Months%12
	days, us := iv.Days, iv.Micros
	hours := us / usHour
	mins := us % usHour / usMin
	rest := us % usMin // seconds and fraction
	out := types.DInterval{}
	set := func(y, mo int32, d int32, t int64) types.DInterval {
		return types.DInterval{Months: y*12 + mo, Days: d, Micros: t}
	}
	switch unit {
	case "millennium", "millennia", "mil", "mils":
		out = set(years/1000*1000, 0, 0, 0)
	case "century", "centuries", "cent", "c":
		out = set(years/100*100, 0, 0, 0)
	case "decade", "decades", "dec":
		out = set(years/10*10, 0, 0, 0)
	case "year", "years", "y", "yr", "yrs":
		out = set(years, 0, 0, 0)
	case "quarter", "qtr":
		out = set(years, months/3*3, 0, 0)
	case "month", "months", "mon", "mons":
		out = set(years, months, 0, 0)
	case "day", "days", "d":
		out = set(years, months, days, 0)
	case "hour", "hours", "h", "hr", "hrs":
		out = set(years, months, days, hours*usHour)
	case "minute", "minutes", "m", "min", "mins":
		out = set(years, months, days, hours*usHour+mins*usMin)
	case "second", "seconds", "s", "sec", "secs":
		out = set(years, months, days, hours*usHour+mins*usMin+rest/usSec*usSec)
	case "millisecond", "milliseconds", "ms", "msec", "msecs", "mseconds", "msecond":
		out = set(years, months, days, hours*usHour+mins*usMin+rest/1000*1000)
	case "microsecond", "microseconds", "us", "usec", "usecs", "useconds", "usecond":
		out = iv
	case "week", "weeks", "w":
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "interval units \"%s\" not supported because months usually have fractional weeks", unit)
	default:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "interval units \"%s\" not recognized", unit)
	}
	return out, nil
}
