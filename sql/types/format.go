package types

import (
	"encoding/hex"
	"strconv"
	"time"
)

// DateStyleOutput is the output half of the DateStyle setting.
type DateStyleOutput uint8

// The DateStyle output styles (styles.go).
const (
	DateStyleISO DateStyleOutput = iota
	DateStyleSQL
	DateStylePostgres
	DateStyleGerman
)

// DateOrder is the field-order half of DateStyle, used to read ambiguous
// input such as 1/2/2024.
type DateOrder uint8

// The orders; MDY is PostgreSQL's default.
const (
	DateOrderMDY DateOrder = iota
	DateOrderDMY
	DateOrderYMD
)

// IntervalStyle is the IntervalStyle setting (styles.go).
type IntervalStyle uint8

// The interval styles.
const (
	IntervalStylePostgres IntervalStyle = iota
	IntervalStylePostgresVerbose
	IntervalStyleSQLStandard
	IntervalStyleISO8601
)

// FormatContext carries the session settings that text input and output
// depend on. A nil *FormatContext means PostgreSQL's defaults: TimeZone
// UTC, extra_float_digits 1, DateStyle "ISO, MDY", IntervalStyle postgres.
// Build one with NewFormatContext: the zero value has extra_float_digits 0,
// which is not the default.
type FormatContext struct {
	// Location is the session's TimeZone: timestamptz values are printed
	// in it and zone-less timestamptz input is read in it. nil means UTC.
	Location *time.Location
	// ExtraFloatDigits is extra_float_digits (-15..3).
	ExtraFloatDigits int
	// DateStyle and DateOrder are the two halves of DateStyle.
	DateStyle DateStyleOutput
	DateOrder DateOrder
	// IntervalStyle is IntervalStyle.
	IntervalStyle IntervalStyle
	// Now is the transaction timestamp that 'now', 'today', 'yesterday'
	// and 'tomorrow' read; those inputs are rejected while it is zero.
	Now time.Time
}

// NewFormatContext returns PostgreSQL's defaults with TimeZone loc (nil
// means UTC).
func NewFormatContext(loc *time.Location) *FormatContext {
	return &FormatContext{Location: loc, ExtraFloatDigits: 1}
}

var defaultFormatContext = FormatContext{Location: time.UTC, ExtraFloatDigits: 1}

func (fc *FormatContext) orDefault() *FormatContext {
	if fc == nil {
		return &defaultFormatContext
	}
	return fc
}

func (fc *FormatContext) location() *time.Location {
	if fc == nil || fc.Location == nil {
		return time.UTC
	}
	return fc.Location
}

// FormatText returns d's PostgreSQL text output as a value of type t under
// the settings fc (nil: defaults), or nil for NULL. t may be nil, meaning
// d's own type (a DFloat then prints as double precision). The output is
// byte-for-byte PostgreSQL's: floats per extra_float_digits, numerics with
// their display scale, char(n) blank-padded, bytea in hex, timestamps
// with trailing fraction zeros trimmed, timestamptz in fc's time zone
// with its UTC offset, uuid in lower-case 8-4-4-4-12 form.
func FormatText(d Datum, t *T, fc *FormatContext) []byte {
	if d == DNull || d == nil {
		return nil
	}
	if b := AppendText(nil, d, t, fc); b != nil {
		return b
	}
	return []byte{}
}

// AppendText appends FormatText's output to b; NULL appends nothing.
func AppendText(b []byte, d Datum, t *T, fc *FormatContext) []byte {
	fc = fc.orDefault()
	switch v := d.(type) {
	case DInt:
		return strconv.AppendInt(b, int64(v), 10)
	case DFloat:
		w := 64
		if t != nil && t.Family == FloatFamily && t.Width == 32 {
			w = 32
		}
		return formatFloat(b, float64(v), w, fc.ExtraFloatDigits)
	case *DDecimal:
		return formatDecimal(b, &v.Decimal)
	case DString:
		return append(b, v...)
	case DChar:
		return append(b, v...)
	case DBytes:
		b = append(b, `\x`...)
		return hex.AppendEncode(b, []byte(v))
	case DBool:
		if v {
			return append(b, 't')
		}
		return append(b, 'f')
	case DDate:
		return formatDateStyled(b, v, fc)
	case DTimestamp:
		return formatTimestampStyled(b, int64(v), nil, fc)
	case DTimestampTZ:
		return formatTimestampStyled(b, int64(v), fc.location(), fc)
	case DInterval:
		return formatIntervalStyled(b, v, fc)
	case DUUID:
		return appendUUID(b, v)
	case DTime, DTimeTZ:
		return appendTime(b, v)
	case DJSON:
		return append(b, v...)
	case DJSONB:
		return AppendJSONB(b, v.V)
	}
	return b
}
