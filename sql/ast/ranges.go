package ast

import (
	"strconv"
	"strings"
)

// The range statements: PostgreSQL has no grammar for them, so
// sql/parser reads SPLIT and SHOW TABLE … REGIONS with TiDB's grammar and
// SHOW RANGES as CockroachDB names it (DESIGN.md §2).

// SplitTable is SPLIT TABLE t [INDEX idx] BETWEEN (lo…) AND (hi…) REGIONS n,
// or SPLIT TABLE t [INDEX idx] BY (v…), (v…)…: split the table's primary
// index (or the named index) at the given key values. A value list may give
// a prefix of the index's key columns.
type SplitTable struct {
	Table TableName
	// Index is the index's name; "" is the primary index.
	Index string
	// Lower and Upper bound BETWEEN's interval, cut into Regions ranges;
	// both nil with By.
	Lower, Upper []Expr
	Regions      int64
	// By holds BY's value lists, one split per list.
	By [][]Expr
}

// ShowTableRegions is SHOW TABLE t [INDEX idx] REGIONS: the ranges that
// hold the table (or its index).
type ShowTableRegions struct {
	Table TableName
	Index string
}

// ShowRanges is SHOW RANGES: every range of the cluster, system ranges
// included.
type ShowRanges struct{}

func (*SplitTable) statement()       {}
func (*ShowTableRegions) statement() {}
func (*ShowRanges) statement()       {}

// StatementTag implementations: the statements return rows, so their tag is
// SELECT's ("SELECT n"), as SHOW's result sets are tagged by TiDB's and
// CockroachDB's PostgreSQL-compatible frontends.
func (*SplitTable) StatementTag() string       { return "SELECT" }
func (*ShowTableRegions) StatementTag() string { return "SELECT" }
func (*ShowRanges) StatementTag() string       { return "SELECT" }

func valueList(es []Expr) string { return "(" + exprList(es) + ")" }

func (s *SplitTable) String() string {
	var b strings.Builder
	b.WriteString("SPLIT TABLE " + s.Table.String())
	if s.Index != "" {
		b.WriteString(" INDEX " + s.Index)
	}
	if s.By != nil {
		b.WriteString(" BY ")
		for i, l := range s.By {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(valueList(l))
		}
		return b.String()
	}
	b.WriteString(" BETWEEN " + valueList(s.Lower) + " AND " + valueList(s.Upper))
	b.WriteString(" REGIONS " + strconv.FormatInt(s.Regions, 10))
	return b.String()
}

func (s *ShowTableRegions) String() string {
	out := "SHOW TABLE " + s.Table.String()
	if s.Index != "" {
		out += " INDEX " + s.Index
	}
	return out + " REGIONS"
}

func (*ShowRanges) String() string { return "SHOW RANGES" }
