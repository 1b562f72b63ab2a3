package slt

import (
	"reflect"
	"testing"
)

func TestParse(t *testing.T) {
	src := "hash-threshold 8\r\n\r\nstatement ok\r\nCREATE TABLE t1(a INTEGER, b INTEGER)\r\n\r\n# comment\r\nskipif mysql # not compatible\r\nquery II rowsort label-1\r\nSELECT a,\r\n# inside\r\n b FROM t1\r\n----\r\n1\r\n2\r\n\r\nonlyif sqlite\r\nhalt\r\n\r\nstatement error\r\nDROP TABLE nope\r\n"
	recs, err := Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := []Record{
		{Line: 1, Kind: KindHashThreshold, Threshold: 8},
		{Line: 3, Kind: KindStatement, SQL: "CREATE TABLE t1(a INTEGER, b INTEGER)"},
		{Line: 7, Kind: KindQuery, SkipIf: []string{"mysql"}, Types: "II", Sort: RowSort, Label: "label-1", SQL: "SELECT a,\n b FROM t1", HasResult: true, Expected: []string{"1", "2"}},
		{Line: 16, Kind: KindHalt, OnlyIf: []string{"sqlite"}},
		{Line: 19, Kind: KindStatement, ExpectError: true, SQL: "DROP TABLE nope"},
	}
	if !reflect.DeepEqual(recs, want) {
		t.Fatalf("got  %+v\nwant %+v", recs, want)
	}
	if recs[2].Applies("mysql") || !recs[2].Applies("postgresql") || recs[3].Applies("postgresql") {
		t.Fatal("conditions")
	}
}

func TestRenderAndHash(t *testing.T) {
	cases := []struct {
		v      []byte
		letter byte
		want   string
	}{
		{nil, 'I', "NULL"}, {[]byte("12"), 'I', "12"}, {[]byte("12.5000"), 'I', "12"}, {[]byte("-12.9"), 'I', "-12"},
		{[]byte("t"), 'I', "1"}, {[]byte("f"), 'I', "0"}, {[]byte("1.25"), 'R', "1.250"}, {[]byte("-3"), 'R', "-3.000"},
		{[]byte(""), 'T', "(empty)"}, {[]byte("a\tb"), 'T', "a@b"}, {[]byte("abc"), 'T', "abc"},
	}
	for _, c := range cases {
		if got := render(c.v, c.letter); got != c.want {
			t.Errorf("render(%q, %c) = %q, want %q", c.v, c.letter, got, c.want)
		}
	}
	if h := hashValues(nil); h != "d41d8cd98f00b204e9800998ecf8427e" {
		t.Fatalf("empty hash %s", h)
	}
	got := sortValues([]string{"9", "b", "10", "a"}, 2, RowSort)
	if !reflect.DeepEqual(got, []string{"10", "a", "9", "b"}) {
		t.Fatalf("rowsort %v", got)
	}
	got = sortValues([]string{"9", "b", "10", "a"}, 2, ValueSort)
	if !reflect.DeepEqual(got, []string{"10", "9", "a", "b"}) {
		t.Fatalf("valuesort %v", got)
	}
}
