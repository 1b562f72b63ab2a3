package types

import (
	"testing"
	"time"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// TestParseTime checks time_in and timetz_in on the forms DecodeTimeOnly
// takes and the SQLSTATEs of bad input; the expected outputs are
// PostgreSQL 15's (tests/time_compare_test.go compares them live).
func TestParseTime(t *testing.T) {
	fc := NewFormatContext(time.UTC)
	fc.Now = time.Date(2024, 1, 15, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		typ      *T
		in, want string // want is the output, or the SQLSTATE of the error
	}{
		{Time, "04:05:06.789", "04:05:06.789"},
		{Time, "04:05", "04:05:00"},
		{Time, "040506", "04:05:06"},
		{Time, "0405", "04:05:00"},
		{Time, "T040506", "04:05:06"},
		{Time, "04:05 PM", "16:05:00"},
		{Time, "12:30 am", "00:30:00"},
		{Time, "0:0:0 pm", "12:00:00"},
		{Time, "allballs", "00:00:00"},
		{Time, "24:00:00", "24:00:00"},
		{Time, "23:59:60", "24:00:00"},
		{Time, "04:05:60", "04:06:00"},
		{Time, "04:05:06.7894565", "04:05:06.789456"},
		{Time, "23:59:59.9999999", "24:00:00"},
		{Time, "2024-01-02 04:05:06+03", "04:05:06"},
		{Time, "04:05:06 PST", "04:05:06"},
		{MakeTime(Time, 0), "04:05:06.5", "04:05:07"},
		{MakeTime(Time, 0), "23:59:59.5", "24:00:00"},
		{MakeTime(Time, 3), "04:05:06.123456", "04:05:06.123"},
		{TimeTZ, "04:05:06-08:00", "04:05:06-08"},
		{TimeTZ, "04:05:06 PST", "04:05:06-08"},
		{TimeTZ, "040506-0800", "04:05:06-08"},
		{TimeTZ, "04:05:06 +05:30:15", "04:05:06+05:30:15"},
		{TimeTZ, "04:05 pm -08", "16:05:00-08"},
		{TimeTZ, "04:05:06", "04:05:06+00"},
		{TimeTZ, "04:05:06+15:59", "04:05:06+15:59"},
		{TimeTZ, "2024-07-02 04:05:06 America/New_York", "04:05:06-04"},
		{Time, "24:00:01", pgerror.CodeDatetimeFieldOverflow},
		{Time, "25:00", pgerror.CodeDatetimeFieldOverflow},
		{Time, "04:60", pgerror.CodeDatetimeFieldOverflow},
		{Time, "13:00 PM", pgerror.CodeDatetimeFieldOverflow},
		{Time, "23:59:60.5", pgerror.CodeDatetimeFieldOverflow},
		{Time, "", pgerror.CodeInvalidDatetimeFormat},
		{Time, "abc", pgerror.CodeInvalidDatetimeFormat},
		{Time, "04", pgerror.CodeInvalidDatetimeFormat},
		{Time, "-01:00", pgerror.CodeInvalidDatetimeFormat},
		{Time, "4:5:6:7", pgerror.CodeInvalidDatetimeFormat},
		{Time, "04.05.06", pgerror.CodeInvalidDatetimeFormat},
		{Time, "04:05:06 America/New_York", pgerror.CodeInvalidDatetimeFormat},
		{TimeTZ, "04:05:06 America/New_York", pgerror.CodeInvalidDatetimeFormat},
		{TimeTZ, "04:05:06+08 PST", pgerror.CodeInvalidDatetimeFormat},
		{TimeTZ, "04:05:06+16", pgerror.CodeInvalidTimeZoneDisplacement},
		{TimeTZ, "04:05:06 +05:60", pgerror.CodeInvalidTimeZoneDisplacement},
		{TimeTZ, "04:05:06 UTC+3", "04:05:06-03"},
		{Time, "0405.5", "04:05:00.5"},
		{Time, "12:00:00 p.m.", pgerror.CodeInvalidParameterValue},
	} {
		d, err := ParseTextCtx(c.typ, c.in, fc)
		got := ""
		if err != nil {
			if pe := pgerror.Flatten(err); pe != nil {
				got = pe.Code
			} else {
				got = err.Error()
			}
		} else {
			got = string(FormatText(d, c.typ, fc))
		}
		if got != c.want {
			t.Errorf("%s %q = %s, want %s", c.typ, c.in, got, c.want)
		}
	}
}

// TestTimeOrderAndOps checks timetz_cmp's order (UTC time, then zone),
// the casts between the time types and the arithmetic PostgreSQL has.
func TestTimeOrderAndOps(t *testing.T) {
	a := DTimeTZ{Micros: 12 * 3600e6, Zone: 0}     // 12:00+00
	b := DTimeTZ{Micros: 13 * 3600e6, Zone: -3600} // 13:00+01, same instant
	if Compare(b, a) >= 0 || Compare(a, b) <= 0 || Compare(a, a) != 0 {
		t.Fatal("timetz order")
	}
	if Compare(DTime(0), DTime(86400e6)) >= 0 {
		t.Fatal("00:00 sorts before 24:00")
	}
	fc := NewFormatContext(time.UTC)
	for _, c := range []struct {
		d    Datum
		to   *T
		want string
	}{
		{DInterval{Days: 1, Micros: -2 * 3600e6}, Time, "22:00:00"},
		{DTime(3600e6), Interval, "01:00:00"},
		{DTimeTZ{Micros: 3600e6, Zone: 3600}, Time, "01:00:00"},
		{DTimestamp(86400e6 + 3600e6), Time, "01:00:00"},
		{DTimestampTZ(3600e6), MakeTime(TimeTZ, 0), "01:00:00+00"},
	} {
		got, err := Cast(c.d, c.to, fc)
		if err != nil || string(Format(got)) != c.want {
			t.Errorf("Cast(%v, %s) = %v, %v; want %s", c.d, c.to, got, err, c.want)
		}
	}
	if _, err := Cast(DTimestamp(0), TimeTZ, fc); err == nil {
		t.Error("timestamp to timetz has no cast")
	}
	for _, c := range []struct {
		op   string
		l, r Datum
		want string
	}{
		{"+", DTime(23 * 3600e6), DInterval{Micros: 2 * 3600e6}, "01:00:00"},
		{"-", DTime(3600e6), DInterval{Micros: 2 * 3600e6}, "23:00:00"},
		{"-", DTime(3600e6), DTime(2 * 3600e6), "-01:00:00"},
		{"+", DDate(0), DTime(3600e6), "2000-01-01 01:00:00"},
		{"+", DDate(0), DTimeTZ{Micros: 3600e6, Zone: -3600}, "2000-01-01 00:00:00+00"},
		{"-", DTimeTZ{Micros: 3600e6, Zone: 0}, DInterval{Micros: 2 * 3600e6}, "23:00:00+00"},
	} {
		res, ok := ResolveBinaryOp(c.op, c.l.ResolvedType(), c.r.ResolvedType())
		if !ok {
			t.Errorf("%v %s %v: no operator", c.l, c.op, c.r)
			continue
		}
		got, err := EvalBinaryOp(c.op, c.l, c.r, res)
		if err != nil || string(Format(got)) != c.want {
			t.Errorf("%v %s %v = %v, %v; want %s", c.l, c.op, c.r, got, err, c.want)
		}
	}
	if _, ok := ResolveBinaryOp("-", TimeTZ, TimeTZ); ok {
		t.Error("timetz - timetz does not exist")
	}
	if !AmbiguousTimeOp("+", Time, Time) {
		t.Error("time + time is ambiguous")
	}
}

// TestTimeBinary checks the send/recv formats and their range checks.
func TestTimeBinary(t *testing.T) {
	d := DTimeTZ{Micros: 1, Zone: -19800}
	b, err := EncodeBinary(d, TimeTZ)
	if err != nil || len(b) != 12 {
		t.Fatalf("EncodeBinary = %x, %v", b, err)
	}
	if got, err := DecodeBinary(TimeTZ, b); err != nil || got != d {
		t.Fatalf("DecodeBinary = %v, %v", got, err)
	}
	for _, c := range []struct {
		typ *T
		b   []byte
	}{
		{Time, []byte{0, 0, 0, 0x14, 0x1d, 0xd7, 0x60, 0x01}}, // 24:00:00.000001
		{Time, []byte{0, 0, 0, 1}},
		{TimeTZ, append(make([]byte, 8), 0, 0, 0xe1, 0x00)}, // zone 57600
	} {
		if _, err := DecodeBinary(c.typ, c.b); err == nil {
			t.Errorf("DecodeBinary(%s, %x) succeeded", c.typ, c.b)
		}
	}
}
