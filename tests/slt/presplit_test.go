package slt

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSplitStatement(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	base := (now.UnixMilli() - rowIDEpochMs) << rowIDShift
	for _, tc := range []struct{ sql, table, prefix string }{
		{"CREATE TABLE tab0(pk INTEGER PRIMARY KEY, col0 INTEGER, col1 FLOAT)", "tab0", "SPLIT TABLE tab0 BY (2), (5), (50), (500)"},
		{"CREATE TABLE t1(\n  a INTEGER,\n  b INTEGER\n)", "t1", "SPLIT TABLE t1 BY (" + itoa(base+50<<rowIDShift) + "), (" + itoa(base+150<<rowIDShift) + ")"},
		{"create table if not exists t2 (x integer, y varchar(8), primary key (x))", "t2", "SPLIT TABLE t2 BY (2)"},
		{"CREATE INDEX i1 ON t1(a)", "", ""},
		{"INSERT INTO t1 VALUES (1, 2)", "", ""},
	} {
		table, stmt := splitStatement(tc.sql, now)
		if table != tc.table || !strings.HasPrefix(stmt, tc.prefix) {
			t.Errorf("%q: table %q, statement %q; want %q, %q…", tc.sql, table, stmt, tc.table, tc.prefix)
		}
	}
}

func itoa(v int64) string { return strconv.FormatInt(v, 10) }
