package sql

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// COPY FROM STDIN and COPY TO STDOUT, as PostgreSQL 15 runs them.
//
// COPY FROM plans the INSERT its rows are: `INSERT INTO t (cols) VALUES
// ($1, …, $n)` with the column types as parameter types (OVERRIDING
// SYSTEM VALUE, since COPY may fill identity columns). The plan's one
// VALUES row is a template: the planner has appended the defaults of the
// columns COPY leaves out, and every row of a batch is the template with
// its parameters replaced by the parsed values. Each batch of
// copyBatchRows rows then runs through exec as that INSERT, so the row
// writer applies NOT NULL, CHECK, unique and foreign key checks exactly
// as for INSERT. Input is parsed (exec.CopyIn) as it arrives from the
// client: a COPY holds one batch of rows, and what it wrote sits in the
// statement's transaction (bounded by the kv write buffer). An error ends
// the COPY; the transaction then rolls back (an implicit one) or aborts
// (a block), so nothing of a failed COPY is visible.
//
// COPY TO runs `SELECT cols FROM t` (or the query) through a Cursor and
// sends each row as one CopyData, formatted by exec.CopyOut.

// copyBatchRows is how many rows COPY FROM writes per INSERT.
const copyBatchRows = 1000

// copyBatchBytes ends a batch early when its input grew this large.
const copyBatchBytes = 1 << 20

// CopyWriter is implemented by ResultWriters that speak COPY's
// sub-protocols (server/pgwire). Its errors end the statement.
type CopyWriter interface {
	// CopyIn sends CopyInResponse (format 0 text, 1 binary, for ncols
	// columns) and returns the data the client sends: the CopyData
	// payloads in order, io.EOF at CopyDone, an error (57014 "COPY from
	// stdin failed: …") at CopyFail. The reader must not be used after
	// the statement.
	CopyIn(format int16, ncols int) (io.Reader, error)
	// CopyOut sends CopyOutResponse.
	CopyOut(format int16, ncols int) error
	// CopyData sends one CopyData; data may be reused after it returns.
	CopyData(data []byte) error
	// CopyDone sends CopyDone.
	CopyDone() error
}

// copyWriterOf returns w's CopyWriter. A bufferedWriter (an implicit
// transaction's, which holds output back to retry it) is flushed first:
// a COPY's input cannot be replayed, and its output goes straight out.
func copyWriterOf(w ResultWriter) (CopyWriter, error) {
	if bw, ok := w.(*bufferedWriter); ok {
		if err := bw.flush(); err != nil {
			return nil, err
		}
		return copyWriterOf(bw.w)
	}
	if cw, ok := w.(CopyWriter); ok {
		return cw, nil
	}
	return nil, pgerror.Unsupported("COPY FROM STDIN and COPY TO STDOUT over this connection")
}

// runCopy runs a COPY statement in s.txn.
func (s *Session) runCopy(ctx context.Context, n *ast.Copy, w ResultWriter) error {
	opts, err := exec.ParseCopyOptions(n.From, n.Options)
	if err != nil {
		return err
	}
	if n.From && s.txnModes.readOnly {
		return pgerror.New("25006", "cannot execute COPY FROM in a read-only transaction")
	}
	if err := s.statementSnapshot(ctx); err != nil {
		return err
	}
	if n.From {
		return s.copyFrom(ctx, n, opts, w)
	}
	return s.copyTo(ctx, n, opts, w)
}

func copyFormatCode(opts *exec.CopyOptions) int16 {
	if opts.Format == exec.CopyBinary {
		return 1
	}
	return 0
}

// copyTable resolves a COPY's table and its columns (all visible ones
// when none are listed).
func (s *Session) copyTable(ctx context.Context, n *ast.Copy, opts *exec.CopyOptions) ([]string, []*types.T, error) {
	var t *catalog.TableDescriptor
	if n.Table.Schema == "" || n.Table.Schema == "public" {
		var err error
		if t, err = catalog.LookupTable(ctx, s.txn, s.db.ID, n.Table.Name); err != nil {
			return nil, nil, err
		}
	}
	if t == nil {
		return nil, nil, s.copyNotTable(ctx, n)
	}
	// A FORCE_* column must be the table's (42703), then the COPY's
	// (42P10, exec.CopyColumnFlags).
	for _, list := range [][]string{opts.ForceQuote, opts.ForceNotNull, opts.ForceNull} {
		for _, c := range list {
			if ord := t.FindColumn(c); ord < 0 || t.Columns[ord].Hidden {
				return nil, nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c, t.Name)
			}
		}
	}
	var names []string
	var typs []*types.T
	if len(n.Columns) == 0 {
		for i := range t.Columns {
			// COPY leaves generated columns out unless named (and COPY
			// FROM refuses them), as PostgreSQL 15 does.
			if !t.Columns[i].Hidden && t.Columns[i].Computed == "" {
				names = append(names, t.Columns[i].Name)
				typs = append(typs, t.Columns[i].Type)
			}
		}
		return names, typs, nil
	}
	seen := map[string]bool{}
	for _, c := range n.Columns {
		ord := t.FindColumn(c.Name)
		if ord < 0 || t.Columns[ord].Hidden {
			return nil, nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, t.Name)
		}
		if t.Columns[ord].Computed != "" {
			return nil, nil, pgerror.New(pgerror.CodeInvalidColumnReference, "column \"%s\" is a generated column", c.Name).
				WithDetail("Generated columns cannot be used in COPY.")
		}
		if seen[c.Name] {
			return nil, nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" specified more than once", c.Name)
		}
		seen[c.Name] = true
		names = append(names, c.Name)
		typs = append(typs, t.Columns[ord].Type)
	}
	return names, typs, nil
}

// copyNotTable is the error for a COPY of a name that is no table: a
// view or a sequence is refused as PostgreSQL refuses it (for COPY FROM
// after CopyInResponse, as PostgreSQL finds it only then), anything else
// does not exist.
func (s *Session) copyNotTable(ctx context.Context, n *ast.Copy) error {
	name := n.Table.Name
	if n.Table.Schema != "" && n.Table.Schema != "public" {
		return pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", n.Table.String())
	}
	var err *pgerror.Error
	ncols := 0
	if v, lerr := catalog.LookupView(ctx, s.txn, s.db.ID, name); lerr != nil {
		return lerr
	} else if v != nil {
		if n.From {
			err = pgerror.New(pgerror.CodeWrongObjectType, "cannot copy to view \"%s\"", v.Name).
				WithHint("To enable copying to a view, provide an INSTEAD OF INSERT trigger.")
			sel := &ast.Select{Exprs: []ast.SelectExpr{{Star: true}}, From: []ast.FromItem{&ast.TableRef{Table: n.Table}}}
			if pp, perr := s.prepare(ctx, sel, nil); perr == nil {
				ncols = len(pp.Columns)
			}
		} else {
			return pgerror.New(pgerror.CodeWrongObjectType, "cannot copy from view \"%s\"", v.Name).
				WithHint("Try the COPY (SELECT ...) TO variant.")
		}
	} else if seq, lerr := catalog.LookupSequence(ctx, s.txn, s.db.ID, name); lerr != nil {
		return lerr
	} else if seq != nil {
		if !n.From {
			return pgerror.New(pgerror.CodeWrongObjectType, "cannot copy from sequence \"%s\"", seq.Name)
		}
		err, ncols = pgerror.New(pgerror.CodeWrongObjectType, "cannot copy to sequence \"%s\"", seq.Name), 3
	} else {
		return pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name)
	}
	return &copyInRefusal{err: err, ncols: ncols}
}

// copyInRefusal is a COPY FROM that PostgreSQL refuses after entering
// copy-in mode: copyFrom sends CopyInResponse, then the error.
type copyInRefusal struct {
	err   *pgerror.Error
	ncols int
}

func (r *copyInRefusal) Error() string { return r.err.Error() }
func (r *copyInRefusal) Unwrap() error { return r.err }

// copyInsert is COPY FROM's planned INSERT: node's input is values, whose
// single row tmpl holds a *plan.Param for each COPY column.
type copyInsert struct {
	node   *plan.Insert
	values *plan.Values
	tmpl   []plan.Expr
}

func (s *Session) planCopyInsert(ctx context.Context, n *ast.Copy, names []string, typs []*types.T) (*copyInsert, error) {
	ins := &ast.Insert{Table: n.Table, Overriding: ast.OverridingSystemValue}
	row := make([]ast.Expr, len(names))
	for i, name := range names {
		ins.Columns = append(ins.Columns, ast.Name{Name: name})
		row[i] = &ast.Placeholder{Idx: i}
	}
	ins.Rows = [][]ast.Expr{row}
	node, _, err := plan.BuildWithParams(ctx, &resolver{s: s, ctx: ctx}, ins, typs)
	if err != nil {
		return nil, err
	}
	pi, ok := node.(*plan.Insert)
	if !ok {
		return nil, pgerror.New(pgerror.CodeInternalError, "COPY: unexpected plan %T", node)
	}
	vals, ok := pi.Input.(*plan.Values)
	if !ok || len(vals.Rows) != 1 {
		return nil, pgerror.New(pgerror.CodeInternalError, "COPY: unexpected insert input %T", pi.Input)
	}
	for i := range names {
		if _, ok := vals.Rows[0][i].(*plan.Param); !ok {
			return nil, pgerror.New(pgerror.CodeInternalError, "COPY: column %d is planned as %T", i, vals.Rows[0][i])
		}
	}
	return &copyInsert{node: pi, values: vals, tmpl: vals.Rows[0]}, nil
}

// run writes one batch of rows through the INSERT and returns how many
// it wrote.
func (ci *copyInsert) run(ctx context.Context, s *Session, rows []types.Datums) (int, error) {
	vals := *ci.values
	vals.Rows = make([][]plan.Expr, len(rows))
	for r, row := range rows {
		out := make([]plan.Expr, len(ci.tmpl))
		copy(out, ci.tmpl)
		for i, d := range row {
			out[i] = &plan.Const{D: d, Typ: ci.tmpl[i].(*plan.Param).Typ}
		}
		vals.Rows[r] = out
	}
	node := *ci.node
	node.Input = &vals
	cur, err := exec.Open(ctx, s.execContext(nil), &node)
	if err != nil {
		return 0, err
	}
	defer cur.Close()
	for {
		row, err := cur.Next(ctx)
		if err != nil {
			return 0, err
		}
		if row == nil {
			break
		}
	}
	return len(rows), nil
}

// copyBatch is the rows COPY FROM writes next, with their line numbers
// and text (for an error's CONTEXT).
type copyBatch struct {
	rows  []types.Datums
	lines []int
	texts [][]byte
	size  int
}

func (b *copyBatch) add(row types.Datums, line int, text []byte) {
	b.rows = append(b.rows, row)
	b.lines = append(b.lines, line)
	b.texts = append(b.texts, append([]byte(nil), text...))
	b.size += len(text) + 16*len(row)
}

func (b *copyBatch) reset() {
	b.rows, b.lines, b.texts, b.size = b.rows[:0], b.lines[:0], b.texts[:0], 0
}

// runBatch writes a batch. When a row breaks a constraint the row writer
// checks as it goes (NOT NULL, CHECK, unique), the batch is undone and
// written again row by row to find the row, whose line the error's
// CONTEXT names as PostgreSQL's does; foreign key violations, found at
// the end of the batch, name no line (PostgreSQL finds them at the end of
// the statement).
func (ci *copyInsert) runBatch(ctx context.Context, s *Session, src *exec.CopyIn, b *copyBatch) (int, error) {
	sp := s.txn.Savepoint()
	n, err := ci.run(ctx, s, b.rows)
	if err == nil {
		s.txn.ReleaseSavepoint(sp)
		return n, nil
	}
	code := pgerror.Flatten(err).Code
	if code != pgerror.CodeNotNullViolation && code != pgerror.CodeCheckViolation && code != pgerror.CodeUniqueViolation {
		s.txn.RollbackToSavepoint(sp)
		return 0, err
	}
	s.txn.RollbackToSavepoint(sp)
	for i, row := range b.rows {
		if _, rerr := ci.run(ctx, s, []types.Datums{row}); rerr != nil {
			pe := pgerror.Flatten(rerr)
			if pe.Where == "" {
				cp := *pe
				cp.Where = src.RowContext(b.lines[i], b.texts[i], pe.Code != pgerror.CodeUniqueViolation)
				pe = &cp
			}
			return 0, pe
		}
	}
	return 0, err
}

func (s *Session) copyFrom(ctx context.Context, n *ast.Copy, opts *exec.CopyOptions, w ResultWriter) error {
	names, typs, err := s.copyTable(ctx, n, opts)
	var refused *copyInRefusal
	if errors.As(err, &refused) {
		if cw, cerr := copyWriterOf(w); cerr == nil {
			if _, cerr := cw.CopyIn(copyFormatCode(opts), refused.ncols); cerr != nil {
				return cerr
			}
		}
		return refused.err
	}
	if err != nil {
		return err
	}
	ins, err := s.planCopyInsert(ctx, n, names, typs)
	if err != nil {
		return err
	}
	// FORCE_* name COPY's columns: checked before the client sends data.
	if _, err := exec.CopyColumnFlags("FORCE_NOT_NULL", opts.ForceNotNull, false, names); err != nil {
		return err
	}
	if _, err := exec.CopyColumnFlags("FORCE_NULL", opts.ForceNull, false, names); err != nil {
		return err
	}
	cw, err := copyWriterOf(w)
	if err != nil {
		return err
	}
	in, err := cw.CopyIn(copyFormatCode(opts), len(names))
	if err != nil {
		return err
	}
	src, err := exec.NewCopyIn(in, opts, n.Table.Name, names, typs, s.FormatContext())
	if err != nil {
		return err
	}
	total := 0
	b := &copyBatch{}
	flush := func() error {
		if len(b.rows) == 0 {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		k, err := ins.runBatch(ctx, s, src, b)
		total += k
		b.reset()
		return err
	}
	for {
		row, err := src.Next()
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		b.add(row, src.Line(), src.LineText())
		if len(b.rows) == copyBatchRows || b.size >= copyBatchBytes {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := flush(); err != nil {
		return err
	}
	s.flushNotices(w)
	return w.Complete(fmt.Sprintf("COPY %d", total))
}

func (s *Session) copyTo(ctx context.Context, n *ast.Copy, opts *exec.CopyOptions, w ResultWriter) error {
	sel := n.Query
	if sel == nil {
		names, _, err := s.copyTable(ctx, n, opts)
		if err != nil {
			return err
		}
		sel = &ast.Select{From: []ast.FromItem{&ast.TableRef{Table: n.Table}}}
		for _, name := range names {
			sel.Exprs = append(sel.Exprs, ast.SelectExpr{Expr: &ast.ColumnRef{Name: name}})
		}
	}
	pp, err := s.prepare(ctx, sel, nil)
	if err != nil {
		return err
	}
	names := make([]string, len(pp.Columns))
	for i, c := range pp.Columns {
		names[i] = c.Name
	}
	out, err := exec.NewCopyOut(opts, names)
	if err != nil {
		return err
	}
	cur, err := s.open(ctx, pp, nil)
	if err != nil {
		return err
	}
	defer cur.Close()
	cw, err := copyWriterOf(w)
	if err != nil {
		return err
	}
	// The first row is fetched before CopyOutResponse, so that an error
	// found at once (as PostgreSQL finds it while planning) comes alone.
	row, err := cur.Next(ctx)
	if err != nil {
		return err
	}
	if err := cw.CopyOut(copyFormatCode(opts), len(names)); err != nil {
		return err
	}
	// A text or CSV header line is a CopyData of its own; binary's
	// signature goes out with the first row (or the trailer), as
	// PostgreSQL sends them.
	var pending []byte
	if h := out.Header(names); h != nil {
		if opts.Format == exec.CopyBinary {
			pending = h
		} else if err := cw.CopyData(h); err != nil {
			return err
		}
	}
	send := func(b []byte) error {
		if pending != nil {
			b = append(pending, b...)
			pending = nil
		}
		return cw.CopyData(b)
	}
	vals := make([][]byte, len(names))
	count := 0
	for row != nil {
		for i, d := range row {
			switch {
			case d == nil || d == types.DNull:
				vals[i] = nil
			case opts.Format == exec.CopyBinary:
				if vals[i], err = types.EncodeBinary(d, pp.ColumnTypes[i]); err != nil {
					return err
				}
				if vals[i] == nil {
					vals[i] = []byte{} // an empty value, not NULL
				}
			default:
				vals[i] = s.formatText(d, pp.ColumnTypes[i])
			}
		}
		if err := send(out.Row(vals)); err != nil {
			return err
		}
		count++
		if row, err = cur.Next(ctx); err != nil {
			return err
		}
	}
	if t := out.Trailer(); t != nil {
		if err := send(t); err != nil {
			return err
		}
	}
	if err := cw.CopyDone(); err != nil {
		return err
	}
	s.flushNotices(w)
	return w.Complete(fmt.Sprintf("COPY %d", count))
}
