package types

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/rangedb/rangedb/sql/pgerror"
)

const (
	usecsPerHour   = 3600 * usecsPerSec
	usecsPerMinute = 60 * usecsPerSec
	daysPerMonth   = 30
)

// span returns PostgreSQL's interval_cmp_value: the interval's length in
// µs with 30-day months and 24-hour days, as a 128-bit value (hi, lo).
func (iv DInterval) span() (hi int64, lo uint64) {
	days := int64(iv.Months)*daysPerMonth + int64(iv.Days)
	// days*usecsPerDay fits in 128 bits; do it with float-free math.
	dHi, dLo := mul64(days, usecsPerDay)
	return add128(dHi, dLo, iv.Micros)
}

func mul64(a, b int64) (int64, uint64) {
	neg := (a < 0) != (b < 0)
	ua, ub := uint64(a), uint64(b)
	if a < 0 {
		ua = uint64(-a)
	}
	if b < 0 {
		ub = uint64(-b)
	}
	hi, lo := mulU64(ua, ub)
	if neg {
		lo = ^lo + 1
		hi = ^hi
		if lo == 0 {
			hi++
		}
	}
	return int64(hi), lo
}

func mulU64(a, b uint64) (uint64, uint64) {
	const mask32 = 1<<32 - 1
	a0, a1 := a&mask32, a>>32
	b0, b1 := b&mask32, b>>32
	w0 := a0 * b0
	t := a1*b0 + w0>>32
	w1 := t&mask32 + a0*b1
	hi := a1*b1 + t>>32 + w1>>32
	return hi, a * b
}

func add128(hi int64, lo uint64, v int64) (int64, uint64) {
	nlo := lo + uint64(v)
	carry := int64(0)
	if nlo < lo {
		carry = 1
	}
	ext := int64(0)
	if v < 0 {
		ext = -1
	}
	return hi + ext + carry, nlo
}

func (iv DInterval) cmp(o DInterval) int {
	ah, al := iv.span()
	bh, bl := o.span()
	switch {
	case ah < bh:
		return -1
	case ah > bh:
		return 1
	case al < bl:
		return -1
	case al > bl:
		return 1
	}
	return 0
}

// Span128 returns the interval's comparison value (see CompareCtx) as a
// big-endian 128-bit two's-complement integer; rowenc key-encodes it.
func (iv DInterval) Span128() (hi int64, lo uint64) { return iv.span() }

// formatInterval is interval_out in IntervalStyle postgres.
func formatInterval(b []byte, iv DInterval) []byte {
	year, mon := iv.Months/12, iv.Months%12
	isZero, isBefore := true, false
	part := func(v int64, unit string) {
		if v == 0 {
			return
		}
		if !isZero {
			b = append(b, ' ')
		}
		if isBefore && v > 0 {
			b = append(b, '+')
		}
		b = strconv.AppendInt(b, v, 10)
		b = append(b, ' ')
		b = append(b, unit...)
		if v != 1 {
			b = append(b, 's')
		}
		isBefore = v < 0
		isZero = false
	}
	part(int64(year), "year")
	part(int64(mon), "mon")
	part(int64(iv.Days), "day")
	t := iv.Micros
	if isZero || t != 0 {
		hour := t / usecsPerHour
		rest := t % usecsPerHour
		min := rest / usecsPerMinute
		rest %= usecsPerMinute
		sec := rest / usecsPerSec
		fsec := rest % usecsPerSec
		minus := t < 0
		if !isZero {
			b = append(b, ' ')
		}
		if minus {
			b = append(b, '-')
		} else if isBefore {
			b = append(b, '+')
		}
		b = appendPadded(b, int(abs64(hour)), 2)
		b = append(b, ':')
		b = appendPadded(b, int(abs64(min)), 2)
		b = append(b, ':')
		b = appendPadded(b, int(abs64(sec)), 2)
		b = appendFraction(b, abs64(fsec))
	}
	return b
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// intervalUnits maps PostgreSQL's interval unit spellings to a unit.
var intervalUnits = map[string]string{
	"microsecond": "us", "microseconds": "us", "us": "us", "usec": "us", "usecs": "us", "useconds": "us",
	"millisecond": "ms", "milliseconds": "ms", "ms": "ms", "msec": "ms", "msecs": "ms", "mseconds": "ms",
	"second": "s", "seconds": "s", "s": "s", "sec": "s", "secs": "s",
	"minute": "min", "minutes": "min", "m": "min", "min": "min", "mins": "min",
	"hour": "h", "hours": "h", "h": "h", "hr": "h", "hrs": "h",
	"day": "d", "days": "d", "d": "d",
	"week": "w", "weeks": "w", "w": "w",
	"month": "mon", "months": "mon", "mon": "mon", "mons": "mon",
	"year": "y", "years": "y", "y": "y", "yr": "y", "yrs": "y",
	"decade": "dec", "decades": "dec", "century": "c", "centuries": "c",
	"millennium": "mil", "millennia": "mil", "millenniums": "mil",
}

// parseInterval is interval_in for the postgres and ISO 8601 formats:
// "1 year 2 mons -3 days 04:05:06.7", "1.5 hours", "3 days ago",
// "P1Y2M3DT4H5M6S".
func parseInterval(s string) (DInterval, error) {
	bad := pgerror.New(pgerror.CodeInvalidDatetimeFormat, "invalid input syntax for type interval: \"%s\"", s)
	str := strings.ToLower(strings.TrimSpace(s))
	str = strings.TrimPrefix(str, "@")
	if str == "" {
		return DInterval{}, bad
	}
	var acc intervalAcc
	if str[0] == 'p' {
		if !acc.iso8601(str[1:]) {
			return DInterval{}, bad
		}
		return acc.result()
	}
	// Split "10min" into "10 min".
	var toks []string
	for _, f := range strings.Fields(str) {
		i := 0
		for i < len(f) && (isDigit(f[i]) || f[i] == '.' || f[i] == '-' || f[i] == '+' || f[i] == ':') {
			i++
		}
		if i > 0 && i < len(f) {
			toks = append(toks, f[:i], f[i:])
		} else {
			toks = append(toks, f)
		}
	}
	ago := false
	for i := 0; i < len(toks); i++ {
		tok := toks[i]
		switch {
		case tok == "ago":
			if i != len(toks)-1 {
				return DInterval{}, bad
			}
			ago = true
		case strings.Contains(tok, ":"):
			if !acc.clock(tok) {
				return DInterval{}, bad
			}
		default:
			v, err := strconv.ParseFloat(tok, 64)
			if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
				return DInterval{}, bad
			}
			unit := "s"
			if i+1 < len(toks) {
				u, ok := intervalUnits[toks[i+1]]
				if !ok {
					return DInterval{}, bad
				}
				unit = u
				i++
			}
			acc.add(v, unit)
		}
	}
	if ago {
		acc.months, acc.days, acc.micros = -acc.months, -acc.days, -acc.micros
	}
	return acc.result()
}

type intervalAcc struct {
	months, days float64
	micros       float64
}

func (a *intervalAcc) add(v float64, unit string) {
	switch unit {
	case "us":
		a.micros += v
	case "ms":
		a.micros += v * 1000
	case "s":
		a.micros += v * usecsPerSec
	case "min":
		a.micros += v * usecsPerMinute
	case "h":
		a.micros += v * usecsPerHour
	case "d":
		a.fracDays(v)
	case "w":
		a.fracDays(v * 7)
	case "mon":
		a.fracMonths(v)
	case "y":
		a.months += math.Round(v * 12)
	case "dec":
		a.months += math.Round(v * 120)
	case "c":
		a.months += math.Round(v * 1200)
	case "mil":
		a.months += math.Round(v * 12000)
	}
}

func (a *intervalAcc) fracDays(v float64) {
	whole := math.Trunc(v)
	a.days += whole
	a.micros += (v - whole) * usecsPerDay
}

func (a *intervalAcc) fracMonths(v float64) {
	whole := math.Trunc(v)
	a.months += whole
	a.fracDays((v - whole) * daysPerMonth)
}

// clock parses [+-]hh:mm[:ss[.frac]].
func (a *intervalAcc) clock(tok string) bool {
	neg := false
	if tok[0] == '-' || tok[0] == '+' {
		neg = tok[0] == '-'
		tok = tok[1:]
	}
	parts := strings.Split(tok, ":")
	if len(parts) < 2 || len(parts) > 3 {
		return false
	}
	var total float64
	mult := []float64{usecsPerHour, usecsPerMinute, usecsPerSec}
	for i, p := range parts {
		v, err := strconv.ParseFloat(p, 64)
		if err != nil || p == "" || p[0] == '-' || p[0] == '+' || (i < len(parts)-1 && strings.Contains(p, ".")) {
			return false
		}
		total += v * mult[i]
	}
	if neg {
		total = -total
	}
	a.micros += total
	return true
}

// iso8601 parses the body of "P…".
func (a *intervalAcc) iso8601(s string) bool {
	inTime := false
	if s == "" {
		return false
	}
	for s != "" {
		if s[0] == 't' {
			if inTime {
				return false
			}
			inTime = true
			s = s[1:]
			continue
		}
		i := 0
		for i < len(s) && (isDigit(s[i]) || s[i] == '.' || s[i] == '-' || s[i] == '+') {
			i++
		}
		if i == 0 || i == len(s) {
			return false
		}
		v, err := strconv.ParseFloat(s[:i], 64)
		if err != nil {
			return false
		}
		u := s[i]
		s = s[i+1:]
		switch {
		case !inTime && u == 'y':
			a.add(v, "y")
		case !inTime && u == 'm':
			a.add(v, "mon")
		case !inTime && u == 'w':
			a.add(v, "w")
		case !inTime && u == 'd':
			a.add(v, "d")
		case inTime && u == 'h':
			a.add(v, "h")
		case inTime && u == 'm':
			a.add(v, "min")
		case inTime && u == 's':
			a.add(v, "s")
		default:
			return false
		}
	}
	return true
}

func (a *intervalAcc) result() (DInterval, error) {
	if math.Abs(a.months) > math.MaxInt32 || math.Abs(a.days) > math.MaxInt32 || math.Abs(a.micros) > 9.2e18 {
		return DInterval{}, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "interval out of range")
	}
	return DInterval{Months: int32(a.months), Days: int32(a.days), Micros: int64(math.RoundToEven(a.micros))}, nil
}

// addInterval is timestamp_pl_interval (loc nil: wall-clock timestamp) and
// timestamptz_pl_interval (months and days added in loc's calendar).
func addInterval(us int64, iv DInterval, loc *time.Location) (int64, error) {
	if us == TimestampNegInfinity || us == TimestampPosInfinity {
		return us, nil
	}
	wall := us
	if loc != nil {
		wall = tzToTimestamp(us, loc)
	}
	if iv.Months != 0 || iv.Days != 0 {
		t := usecToTime(wall)
		y, m, d := t.Date()
		mi := int(m) - 1 + int(iv.Months)
		y += floorDivInt(mi, 12)
		mi = mi - floorDivInt(mi, 12)*12
		if dim := daysIn(y, mi+1); d > dim {
			d = dim
		}
		nt := time.Date(y, time.Month(mi+1), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC).AddDate(0, 0, int(iv.Days))
		wall = timeToUsec(nt)
		if loc != nil {
			us = timestampToTZ(wall, loc)
		} else {
			us = wall
		}
	}
	r := us + iv.Micros
	if (iv.Micros > 0 && r < us) || (iv.Micros < 0 && r > us) {
		return 0, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "timestamp out of range")
	}
	if err := checkTimestampRange(r); err != nil {
		return 0, err
	}
	return r, nil
}

func floorDivInt(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// subTimestamps is timestamp_mi: the difference as days and time
// (interval_justify_hours).
func subTimestamps(a, b int64) (DInterval, error) {
	if a == TimestampNegInfinity || a == TimestampPosInfinity || b == TimestampNegInfinity || b == TimestampPosInfinity {
		return DInterval{}, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "cannot subtract infinite timestamps")
	}
	d := a - b
	return DInterval{Days: int32(d / usecsPerDay), Micros: d % usecsPerDay}, nil
}

func negInterval(iv DInterval) (DInterval, error) {
	if iv.Months == math.MinInt32 || iv.Days == math.MinInt32 || iv.Micros == math.MinInt64 {
		return DInterval{}, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "interval out of range")
	}
	return DInterval{Months: -iv.Months, Days: -iv.Days, Micros: -iv.Micros}, nil
}

func addIntervals(a, b DInterval) (DInterval, error) {
	r := DInterval{Months: a.Months + b.Months, Days: a.Days + b.Days, Micros: a.Micros + b.Micros}
	if (int64(a.Months)+int64(b.Months)) != int64(r.Months) || (int64(a.Days)+int64(b.Days)) != int64(r.Days) ||
		(b.Micros > 0 && r.Micros < a.Micros) || (b.Micros < 0 && r.Micros > a.Micros) {
		return DInterval{}, pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "interval out of range")
	}
	return r, nil
}
