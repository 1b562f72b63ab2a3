package types

import (
	"testing"

	"github.com/rangedb/rangedb/sql/pgerror"
)

func TestParseText(t *testing.T) {
	for _, tc := range []struct {
		typ  *T
		in   string
		want string
		code string
	}{
		{Int4, "42", "42", ""},
		{Int4, " -7 ", "-7", ""},
		{Int4, "abc", "", pgerror.CodeInvalidTextRepresentation},
		{Int4, "3000000000", "", pgerror.CodeNumericValueOutOfRange},
		{Int8, "3000000000", "3000000000", ""},
		{Int8, "99999999999999999999", "", pgerror.CodeNumericValueOutOfRange},
		{Text, "hi", "hi", ""},
		{Bool, "yes", "t", ""},
		{Bool, "off", "f", ""},
		{Bool, "maybe", "", pgerror.CodeInvalidTextRepresentation},
	} {
		d, err := ParseText(tc.typ, tc.in)
		if tc.code != "" {
			if err == nil || pgerror.Flatten(err).Code != tc.code {
				t.Errorf("ParseText(%s, %q) = %v, %v; want code %s", tc.typ, tc.in, d, err, tc.code)
			}
			continue
		}
		if err != nil || string(Format(d)) != tc.want {
			t.Errorf("ParseText(%s, %q) = %v, %v; want %s", tc.typ, tc.in, d, err, tc.want)
		}
	}
}

func TestCompare(t *testing.T) {
	ds := []Datum{DNull, DInt(-5), DInt(0), DInt(7)}
	for i := range ds {
		for j := range ds {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := Compare(ds[i], ds[j]); got != want {
				t.Errorf("Compare(%v, %v) = %d, want %d", ds[i], ds[j], got, want)
			}
		}
	}
}
