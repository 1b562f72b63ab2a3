package plan

import (
	"fmt"
	"strings"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// Column describes one output column of a row-returning plan.
type Column struct {
	Name string
	Typ  *types.T
	// TableID and ColumnID identify the source column of a plain column
	// reference (RowDescription's table OID and attribute number); zero
	// otherwise.
	TableID  uint64
	ColumnID catalog.ColumnID
}

// Node is a plan operator.
type Node interface {
	// explain appends the node's description at the given depth.
	explain(b *strings.Builder, depth int)
}

// Scan reads rows of Table from Spans (in span order, each in key
// order) and keeps those Filter accepts (nil: all). A span with an empty
// EndKey is a single key, read with a point Get.
type Scan struct {
	Table  *catalog.TableDescriptor
	Spans  []kvpb.Span
	Filter Expr
}

// Values produces Rows of constant expressions (SELECT without FROM is
// one row of no columns).
type Values struct {
	Rows [][]Expr
}

// Project computes Exprs over each row of Input.
type Project struct {
	Input Node
	Exprs []Expr
	Cols  []Column
}

// Insert writes Rows into Table. Each row holds one expression per table
// column (by ordinal); nil means NULL, except for a hidden rowid column,
// which gets a fresh unique_rowid().
type Insert struct {
	Table *catalog.TableDescriptor
	Rows  [][]Expr
}

// SetExpr assigns Expr, evaluated on the old row, to the column at Ordinal.
type SetExpr struct {
	Ordinal int
	Expr    Expr
}

// Update rewrites each row Input produces.
type Update struct {
	Table *catalog.TableDescriptor
	Input *Scan
	Sets  []SetExpr
	// KeyChanged is set when a primary key column is assigned: rows move
	// (delete old key, insert new), so the input is read fully before
	// writing.
	KeyChanged bool
}

// Delete removes each row Input produces.
type Delete struct {
	Table *catalog.TableDescriptor
	Input *Scan
}

// Explain renders a plan as an indented tree with its spans.
func Explain(n Node) string {
	var b strings.Builder
	n.explain(&b, 0)
	return b.String()
}

func indent(b *strings.Builder, depth int, format string, args ...any) {
	b.WriteString(strings.Repeat("  ", depth))
	fmt.Fprintf(b, format, args...)
	b.WriteString("\n")
}

func (n *Scan) explain(b *strings.Builder, d int) {
	kind := "scan"
	if n.IsPointLookup() {
		kind = "get"
	}
	indent(b, d, "%s %s", kind, n.Table.Name)
	for _, sp := range n.Spans {
		indent(b, d+1, "span %s", sp)
	}
	if n.Filter != nil {
		indent(b, d+1, "filter %s", n.Filter)
	}
}

// IsPointLookup reports whether every span is a single key.
func (n *Scan) IsPointLookup() bool {
	for _, sp := range n.Spans {
		if len(sp.EndKey) != 0 {
			return false
		}
	}
	return len(n.Spans) > 0
}

func (n *Values) explain(b *strings.Builder, d int) {
	indent(b, d, "values (%d rows)", len(n.Rows))
}

func (n *Project) explain(b *strings.Builder, d int) {
	parts := make([]string, len(n.Exprs))
	for i, e := range n.Exprs {
		parts[i] = e.String()
	}
	indent(b, d, "project %s", strings.Join(parts, ", "))
	n.Input.explain(b, d+1)
}

func (n *Insert) explain(b *strings.Builder, d int) {
	indent(b, d, "insert %s (%d rows)", n.Table.Name, len(n.Rows))
}

func (n *Update) explain(b *strings.Builder, d int) {
	parts := make([]string, len(n.Sets))
	for i, s := range n.Sets {
		parts[i] = n.Table.Columns[s.Ordinal].Name + " = " + s.Expr.String()
	}
	indent(b, d, "update %s set %s", n.Table.Name, strings.Join(parts, ", "))
	n.Input.explain(b, d+1)
}

func (n *Delete) explain(b *strings.Builder, d int) {
	indent(b, d, "delete %s", n.Table.Name)
	n.Input.explain(b, d+1)
}
