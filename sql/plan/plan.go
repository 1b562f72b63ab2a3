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

// Node is a plan operator. Every node but the mutations without RETURNING
// produces rows whose layout Columns describes.
type Node interface {
	// Columns describes the rows the node produces.
	Columns() []Column
	// Children returns the node's inputs.
	Children() []Node
	// describe returns the node's headline and detail lines for EXPLAIN.
	describe() (string, []string)
}

// Scan reads rows of Table (all its columns, in descriptor order) from
// Spans (in span order, each in key order) and keeps those Filter accepts
// (nil: all). A span with an empty EndKey is a single key, read with a
// point Get. When ParamSpans is set the spans depend on statement
// parameters and are computed by ComputeSpans when the plan is opened.
type Scan struct {
	Table      *catalog.TableDescriptor
	Alias      string
	Spans      []kvpb.Span
	ParamSpans bool
	Filter     Expr
	// Index, when set, is the secondary index Spans are in: its entries
	// lead to the rows by primary key, unless IndexOnly (the entries hold
	// every column the query reads; the others are NULL). See index.go.
	Index     *catalog.Index
	IndexOnly bool
}

// Values produces Rows of expressions (SELECT without FROM is one row of
// no columns).
type Values struct {
	Rows [][]Expr
	Cols []Column
}

// Filter keeps the rows of Input that Pred accepts.
type Filter struct {
	Input Node
	Pred  Expr
}

// Project computes Exprs over each row of Input.
type Project struct {
	Input Node
	Exprs []Expr
	Cols  []Column
}

// JoinKind is the kind of a join node.
type JoinKind uint8

// The join kinds.
const (
	InnerJoin JoinKind = iota
	LeftJoin
	// FullJoin (HashJoin only) also emits the unmatched Right rows,
	// padded with NULLs on the left, after the Left input ends.
	FullJoin
)

func (k JoinKind) String() string {
	switch k {
	case LeftJoin:
		return "left"
	case FullJoin:
		return "full"
	}
	return "inner"
}

// HashJoin joins Left and Right on LeftKeys[i] = RightKeys[i] (ordinals of
// each side's row; NULL never matches), building a hash table of Right.
// On, if set, is a further condition on the joined row (Left's columns
// then Right's). A LeftJoin emits unmatched Left rows padded with NULLs.
// Without keys it is a nested-loop join over a materialized Right.
type HashJoin struct {
	Kind        JoinKind
	Left, Right Node
	LeftKeys    []int
	RightKeys   []int
	On          Expr
}

// LookupJoin joins each row of Left with the row of Table whose primary
// key is KeyExprs evaluated over the Left row: one point Get per Left
// row. TableFilter applies to the table row alone, On to the joined row.
type LookupJoin struct {
	Kind        JoinKind
	Left        Node
	Table       *catalog.TableDescriptor
	Alias       string
	KeyExprs    []Expr
	TableFilter Expr
	On          Expr
}

// Aggregate groups Input by GroupBy and computes Aggs per group; its rows
// are the group values followed by the aggregate results. Without
// GroupBy it produces exactly one row, even from no input.
type Aggregate struct {
	Input   Node
	GroupBy []Expr
	Aggs    []*AggFunc
	Cols    []Column
}

// SortKey is one ORDER BY key: an ordinal of the input row.
type SortKey struct {
	Ordinal    int
	Desc       bool
	NullsFirst bool
}

// Sort orders Input by Keys.
type Sort struct {
	Input Node
	Keys  []SortKey
}

// Distinct removes duplicate rows of Input (NULLs equal).
type Distinct struct {
	Input Node
}

// DistinctOn keeps the first row of each run of rows of Input equal in
// the Ordinals columns (NULLs equal); Input is sorted on them.
type DistinctOn struct {
	Input    Node
	Ordinals []int
}

// Limit skips Offset rows of Input, then passes at most Count (nil: all).
type Limit struct {
	Input         Node
	Count, Offset Expr
}

// LockRows locks the rows Scan reads for Input (SELECT … FOR UPDATE):
// Input runs to completion, the primary keys of the rows Scan produced
// are locked, and only then are Input's rows returned. NoWait fails at
// once instead of waiting for another transaction's lock.
type LockRows struct {
	Input  Node
	Scan   *Scan
	NoWait bool
}

// Returning is the RETURNING list of a mutation, evaluated over the new
// (INSERT, UPDATE) or old (DELETE) table row.
type Returning struct {
	Exprs []Expr
	Cols  []Column
}

// Insert writes the rows of Input into Table: Input's column i goes to
// the table column at ordinal Targets[i]; other columns are NULL, except
// a hidden rowid column, which gets a fresh unique_rowid(). Casts to the
// column types are part of Input.
type Insert struct {
	Table      *catalog.TableDescriptor
	Input      Node
	Targets    []int
	Returning  *Returning
	OnConflict *OnConflict
	// Checks are the table's CHECK constraints, IndexPreds its partial
	// indexes' predicates (check.go), Computed its computed columns
	// (computed.go).
	Checks     []CheckExpr
	IndexPreds map[catalog.IndexID]Expr
	Computed   []ComputedExpr
}

// OnConflict is an INSERT's ON CONFLICT: a row whose key in one of the
// arbiter indexes exists is skipped (DO NOTHING) or updates the existing
// row (DO
// UPDATE) with Sets and under Where, both evaluated over the existing
// row's columns followed by the proposed row's (EXCLUDED).
type OnConflict struct {
	// Arbiters are the indexes (the primary one and unique ones) whose
	// conflicts the clause handles; any other unique violation is an
	// error. DO NOTHING without a target has every unique index.
	Arbiters []*catalog.Index
	DoUpdate bool
	Sets     []SetExpr
	Where    Expr
}

// SetExpr assigns Expr, evaluated on the old row, to the column at Ordinal.
type SetExpr struct {
	Ordinal int
	Expr    Expr
}

// Update rewrites each row Input (a Scan of Table, possibly filtered)
// produces.
type Update struct {
	Table *catalog.TableDescriptor
	Input Node
	Sets  []SetExpr
	// KeyChanged is set when a primary key column is assigned: rows move
	// (delete old key, insert new), so the input is read fully before
	// writing.
	KeyChanged bool
	Returning  *Returning
	// Checks are the table's CHECK constraints, IndexPreds its partial
	// indexes' predicates (check.go), Computed its computed columns
	// (computed.go).
	Checks     []CheckExpr
	IndexPreds map[catalog.IndexID]Expr
	Computed   []ComputedExpr
}

// Delete removes each row Input produces.
type Delete struct {
	Table *catalog.TableDescriptor
	Input Node
	// IndexPreds are the table's partial indexes' predicates (check.go).
	IndexPreds map[catalog.IndexID]Expr
	Returning  *Returning
}

// Explain is EXPLAIN [ANALYZE] of Plan: one text column "QUERY PLAN".
type Explain struct {
	Plan    Node
	Analyze bool
}

func tableCols(t *catalog.TableDescriptor) []Column {
	out := make([]Column, len(t.Columns))
	for i := range t.Columns {
		c := &t.Columns[i]
		out[i] = Column{Name: c.Name, Typ: c.Type, TableID: t.ID, ColumnID: c.ID}
	}
	return out
}

// Columns implementations.
func (n *Scan) Columns() []Column    { return tableCols(n.Table) }
func (n *Values) Columns() []Column  { return n.Cols }
func (n *Filter) Columns() []Column  { return n.Input.Columns() }
func (n *Project) Columns() []Column { return n.Cols }
func (n *HashJoin) Columns() []Column {
	return append(append([]Column(nil), n.Left.Columns()...), n.Right.Columns()...)
}
func (n *LookupJoin) Columns() []Column {
	return append(append([]Column(nil), n.Left.Columns()...), tableCols(n.Table)...)
}
func (n *Aggregate) Columns() []Column  { return n.Cols }
func (n *Sort) Columns() []Column       { return n.Input.Columns() }
func (n *Distinct) Columns() []Column   { return n.Input.Columns() }
func (n *DistinctOn) Columns() []Column { return n.Input.Columns() }
func (n *Limit) Columns() []Column      { return n.Input.Columns() }
func (n *LockRows) Columns() []Column   { return n.Input.Columns() }
func (n *Insert) Columns() []Column     { return n.Returning.columns() }
func (n *Update) Columns() []Column     { return n.Returning.columns() }
func (n *Delete) Columns() []Column     { return n.Returning.columns() }
func (n *Explain) Columns() []Column {
	return []Column{{Name: "QUERY PLAN", Typ: types.Text}}
}

func (r *Returning) columns() []Column {
	if r == nil {
		return nil
	}
	return r.Cols
}

// Children implementations.
func (n *Scan) Children() []Node       { return nil }
func (n *Values) Children() []Node     { return nil }
func (n *Filter) Children() []Node     { return []Node{n.Input} }
func (n *Project) Children() []Node    { return []Node{n.Input} }
func (n *HashJoin) Children() []Node   { return []Node{n.Left, n.Right} }
func (n *LookupJoin) Children() []Node { return []Node{n.Left} }
func (n *Aggregate) Children() []Node  { return []Node{n.Input} }
func (n *Sort) Children() []Node       { return []Node{n.Input} }
func (n *Distinct) Children() []Node   { return []Node{n.Input} }
func (n *DistinctOn) Children() []Node { return []Node{n.Input} }
func (n *Limit) Children() []Node      { return []Node{n.Input} }
func (n *LockRows) Children() []Node   { return []Node{n.Input} }
func (n *Insert) Children() []Node     { return []Node{n.Input} }
func (n *Update) Children() []Node     { return []Node{n.Input} }
func (n *Delete) Children() []Node     { return []Node{n.Input} }
func (n *Explain) Children() []Node    { return []Node{n.Plan} }

// IsPointLookup reports whether every span is a single key.
func (n *Scan) IsPointLookup() bool {
	if n.ParamSpans {
		return false
	}
	for _, sp := range n.Spans {
		if len(sp.EndKey) != 0 {
			return false
		}
	}
	return len(n.Spans) > 0
}

func tableLabel(t *catalog.TableDescriptor, alias string) string {
	if alias != "" && alias != t.Name {
		return t.Name + " AS " + alias
	}
	return t.Name
}

func (n *Scan) describe() (string, []string) {
	if n.Index != nil {
		return n.describeIndex() // index.go
	}
	kind := "scan"
	if n.IsPointLookup() {
		kind = "get"
	}
	var lines []string
	switch {
	case n.ParamSpans:
		lines = append(lines, "spans: computed from parameters")
	case len(n.Spans) == 0:
		lines = append(lines, "spans: none")
	default:
		for _, sp := range n.Spans {
			lines = append(lines, "span: "+PrettySpan(n.Table, sp))
		}
	}
	if n.Filter != nil {
		lines = append(lines, "filter: "+n.Filter.String())
	}
	return kind + " " + tableLabel(n.Table, n.Alias), lines
}

func (n *Values) describe() (string, []string) {
	return fmt.Sprintf("values (%d row%s)", len(n.Rows), plural(len(n.Rows))), nil
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

func (n *Filter) describe() (string, []string) {
	return "filter", []string{"predicate: " + n.Pred.String()}
}

func (n *Project) describe() (string, []string) {
	return "project", []string{"columns: " + exprList(n.Exprs)}
}

func colNames(cols []Column, ords []int) string {
	parts := make([]string, len(ords))
	for i, o := range ords {
		parts[i] = cols[o].Name
	}
	return strings.Join(parts, ", ")
}

func (n *HashJoin) describe() (string, []string) {
	var lines []string
	head := n.Kind.String() + " hash join"
	if len(n.LeftKeys) == 0 {
		head = n.Kind.String() + " nested loop join"
	} else {
		lc, rc := n.Left.Columns(), n.Right.Columns()
		for i := range n.LeftKeys {
			lines = append(lines, fmt.Sprintf("equality: %s = %s", lc[n.LeftKeys[i]].Name, rc[n.RightKeys[i]].Name))
		}
	}
	if n.On != nil {
		lines = append(lines, "on: "+n.On.String())
	}
	return head, lines
}

func (n *LookupJoin) describe() (string, []string) {
	lines := []string{"table: " + tableLabel(n.Table, n.Alias), "key: (" + exprList(n.KeyExprs) + ")"}
	if n.TableFilter != nil {
		lines = append(lines, "filter: "+n.TableFilter.String())
	}
	if n.On != nil {
		lines = append(lines, "on: "+n.On.String())
	}
	return n.Kind.String() + " lookup join", lines
}

func (n *Aggregate) describe() (string, []string) {
	var lines []string
	if len(n.GroupBy) > 0 {
		lines = append(lines, "group by: "+exprList(n.GroupBy))
	}
	aggs := make([]string, len(n.Aggs))
	for i, a := range n.Aggs {
		aggs[i] = a.String()
	}
	if len(aggs) > 0 {
		lines = append(lines, "aggregates: "+strings.Join(aggs, ", "))
	}
	if len(n.GroupBy) == 0 {
		return "scalar aggregate", lines
	}
	return "hash aggregate", lines
}

func (n *Sort) describe() (string, []string) {
	cols := n.Input.Columns()
	parts := make([]string, len(n.Keys))
	for i, k := range n.Keys {
		s := cols[k.Ordinal].Name
		if k.Desc {
			s += " DESC"
		}
		if k.NullsFirst != k.Desc {
			if k.NullsFirst {
				s += " NULLS FIRST"
			} else {
				s += " NULLS LAST"
			}
		}
		parts[i] = s
	}
	return "sort", []string{"order: " + strings.Join(parts, ", ")}
}

func (n *Distinct) describe() (string, []string) { return "distinct", nil }

func (n *Limit) describe() (string, []string) {
	var lines []string
	if n.Count != nil {
		lines = append(lines, "count: "+n.Count.String())
	}
	if n.Offset != nil {
		lines = append(lines, "offset: "+n.Offset.String())
	}
	return "limit", lines
}

func (n *DistinctOn) describe() (string, []string) {
	return "distinct on", []string{"columns: " + colNames(n.Input.Columns(), n.Ordinals)}
}

func (n *LockRows) describe() (string, []string) {
	if n.NoWait {
		return "lock rows " + n.Scan.Table.Name, []string{"nowait"}
	}
	return "lock rows " + n.Scan.Table.Name, nil
}

func (r *Returning) lines() []string {
	if r == nil {
		return nil
	}
	return []string{"returning: " + exprList(r.Exprs)}
}

func (n *Insert) describe() (string, []string) {
	return "insert " + n.Table.Name, r(n.Returning)
}

func r(ret *Returning) []string { return ret.lines() }

func (n *Update) describe() (string, []string) {
	parts := make([]string, len(n.Sets))
	for i, s := range n.Sets {
		parts[i] = n.Table.Columns[s.Ordinal].Name + " = " + s.Expr.String()
	}
	return "update " + n.Table.Name, append([]string{"set: " + strings.Join(parts, ", ")}, r(n.Returning)...)
}

func (n *Delete) describe() (string, []string) {
	return "delete " + n.Table.Name, r(n.Returning)
}

func (n *Explain) describe() (string, []string) { return "explain", nil }

// Annotator returns extra text for a node's headline (EXPLAIN ANALYZE's
// counters), or "".
type Annotator func(Node) string

// ExplainString renders a plan as an indented tree: each node's headline,
// its details (spans, filters, keys) indented below it, then its children.
// Subqueries are rendered after the main tree.
func ExplainString(n Node) string {
	return strings.Join(ExplainLines(n, nil), "\n") + "\n"
}

// ExplainLines renders a plan as EXPLAIN's rows, annotating each node.
func ExplainLines(n Node, annotate Annotator) []string {
	var lines []string
	var subs []*Subquery
	seen := map[*Subquery]bool{}
	var walk func(n Node, depth int)
	walk = func(n Node, depth int) {
		head, details := n.describe()
		if annotate != nil {
			if a := annotate(n); a != "" {
				head += " " + a
			}
		}
		pad := strings.Repeat("  ", depth)
		if depth > 0 {
			lines = append(lines, pad[2:]+"└── "+head)
		} else {
			lines = append(lines, head)
		}
		for _, d := range details {
			lines = append(lines, pad+"      "+d)
		}
		for _, e := range nodeExprs(n) {
			Walk(e, func(x Expr) bool {
				if s, ok := x.(*Subquery); ok && !seen[s] {
					seen[s] = true
					subs = append(subs, s)
				}
				return true
			})
		}
		for _, c := range n.Children() {
			walk(c, depth+1)
		}
	}
	walk(n, 0)
	for i := 0; i < len(subs); i++ {
		s := subs[i]
		kind := "subquery"
		if s.Correlated {
			kind = "correlated subquery"
		}
		lines = append(lines, fmt.Sprintf("%s %d", kind, s.ID))
		walk(s.Plan, 1)
	}
	return lines
}

// nodeExprs returns the expressions a node evaluates.
func nodeExprs(n Node) []Expr {
	switch x := n.(type) {
	case *Scan:
		return []Expr{x.Filter}
	case *FuncScan:
		return x.Args
	case *Values:
		var out []Expr
		for _, r := range x.Rows {
			out = append(out, r...)
		}
		return out
	case *Filter:
		return []Expr{x.Pred}
	case *Project:
		return x.Exprs
	case *HashJoin:
		return []Expr{x.On}
	case *LookupJoin:
		return append([]Expr{x.TableFilter, x.On}, x.KeyExprs...)
	case *Aggregate:
		out := append([]Expr(nil), x.GroupBy...)
		for _, a := range x.Aggs {
			out = append(out, a)
		}
		return out
	case *Limit:
		return []Expr{x.Count, x.Offset}
	case *Insert:
		if x.Returning != nil {
			return x.Returning.Exprs
		}
	case *Update:
		var out []Expr
		for _, s := range x.Sets {
			out = append(out, s.Expr)
		}
		if x.Returning != nil {
			out = append(out, x.Returning.Exprs...)
		}
		return out
	case *Delete:
		if x.Returning != nil {
			return x.Returning.Exprs
		}
	}
	return nil
}
