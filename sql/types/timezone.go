package types

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file is timezone(zone, value), the function behind AT TIME ZONE,
// as PostgreSQL 15's timestamp_zone, timestamptz_zone, timetz_zone and
// their interval forms.

// posixZoneName matches a POSIX TZ string without daylight rules: a name
// of three or more letters (or <…>) and an offset in hours WEST of UTC.
var posixZoneName = regexp.MustCompile(`^([A-Za-z]{3,}|<[^>]+>)([+-]?)(\d{1,2})(?::(\d{2}))?$`)

// ZoneByName resolves a time zone argument as timezone(text, …) does: a
// zone abbreviation (fixed offset), an IANA zone name, or a POSIX-style
// "XXX±h[:mm]" (hours west). Unknown names are 22023 `time zone "…" not
// recognized`.
func ZoneByName(name string) (*time.Location, error) {
	if off, ok := zoneAbbrevs[strings.ToLower(name)]; ok {
		return time.FixedZone(strings.ToUpper(name), off), nil
	}
	if m := posixZoneName.FindStringSubmatch(name); m != nil {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
		h, _ := strconv.Atoi(m[3])
		mins, _ := strconv.Atoi(m[4])
		secs := h*3600 + mins*60
		if m[2] != "-" {
			secs = -secs
		}
		return time.FixedZone(strings.Trim(m[1], "<>"), secs), nil
	}
	if name != "" && name != "Local" && !strings.HasPrefix(name, "/") && !strings.Contains(name, "..") {
		if loc, err := time.LoadLocation(name); err == nil {
			return loc, nil
		}
	}
	return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "time zone \"%s\" not recognized", name)
}

// AtTimeZone is timezone(zone, x): zone is text or an interval (the
// offset east of UTC, without months or days); x a timestamptz (giving
// the wall-clock timestamp in zone), a timestamp (read in zone, giving a
// timestamptz) or a timetz (the same instant in zone, with the zone's
// offset at the transaction time).
func AtTimeZone(zone, x Datum, fc *FormatContext) (Datum, error) {
	var loc *time.Location
	switch z := zone.(type) {
	case DInterval:
		if z.Months != 0 || z.Days != 0 {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "interval time zone \"%s\" must not include months or days", FormatText(z, nil, nil))
		}
		loc = time.FixedZone("", int(z.Micros/usecsPerSec))
	default:
		s, _ := AsString(zone)
		var err error
		if loc, err = ZoneByName(s); err != nil {
			return nil, err
		}
	}
	switch v := x.(type) {
	case DTimestampTZ:
		us := tzToTimestamp(int64(v), loc)
		if err := checkTimestampRange(us); err != nil {
			return nil, err
		}
		return DTimestamp(us), nil
	case DTimestamp:
		us := timestampToTZ(int64(v), loc)
		if err := checkTimestampRange(us); err != nil {
			return nil, err
		}
		return DTimestampTZ(us), nil
	case DTimeTZ:
		_, off := fcNow(fc).In(loc).Zone()
		west := int32(-off)
		return DTimeTZ{Micros: wrapDay(v.Micros + int64(v.Zone-west)*usecsPerSec), Zone: west}, nil
	case DTime:
		return AtTimeZone(zone, timeToTimeTZ(v, fc), fc)
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function timezone(%s, %s) does not exist", zone.ResolvedType(), x.ResolvedType())
}
