package exec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// DefaultScanBatchSize is how many keys one kv Scan request asks for.
const DefaultScanBatchSize = 1000

// Stats counts the kv work of statements. Safe for concurrent use.
type Stats struct {
	Gets     atomic.Int64
	Scans    atomic.Int64
	KeysRead atomic.Int64
}

// Context is what operators run with.
type Context struct {
	Txn *kv.Txn
	// RowID returns a fresh unique_rowid() for tables without a primary
	// key.
	RowID func() int64
	// ScanBatchSize bounds the keys of one kv Scan (default
	// DefaultScanBatchSize).
	ScanBatchSize int64
	// Stats, if set, is updated with the kv work done.
	Stats *Stats
}

func (c *Context) batchSize() int64 {
	if c.ScanBatchSize > 0 {
		return c.ScanBatchSize
	}
	return DefaultScanBatchSize
}

// RowSource produces rows one at a time. Next returns nil at the end. The
// returned row is owned by the caller until the next call.
type RowSource interface {
	Next(ctx context.Context) (types.Datums, error)
}

// NewRowSource builds the operator tree of a row-returning plan.
func NewRowSource(ec *Context, n plan.Node) (RowSource, error) {
	if v, f, ok := plan.FilteredValues(n); ok {
		return &valuesOp{rows: v.Rows, filter: f}, nil
	}
	switch x := n.(type) {
	case *plan.Scan:
		return newScanOp(ec, x), nil
	case *plan.Project:
		in, err := NewRowSource(ec, x.Input)
		if err != nil {
			return nil, err
		}
		return &projectOp{in: in, exprs: x.Exprs}, nil
	}
	return nil, fmt.Errorf("exec: %T is not a row source", n)
}

// valuesOp produces constant rows.
type valuesOp struct {
	rows   [][]plan.Expr
	filter plan.Expr
	i      int
}

func (v *valuesOp) Next(ctx context.Context) (types.Datums, error) {
	for v.i < len(v.rows) {
		exprs := v.rows[v.i]
		v.i++
		row := make(types.Datums, len(exprs))
		for j, e := range exprs {
			d, err := Eval(e, nil)
			if err != nil {
				return nil, err
			}
			row[j] = d
		}
		ok, err := EvalFilter(v.filter, row)
		if err != nil {
			return nil, err
		}
		if ok {
			return row, nil
		}
	}
	return nil, nil
}

// projectOp evaluates expressions over its input.
type projectOp struct {
	in    RowSource
	exprs []plan.Expr
}

func (p *projectOp) Next(ctx context.Context) (types.Datums, error) {
	row, err := p.in.Next(ctx)
	if err != nil || row == nil {
		return nil, err
	}
	out := make(types.Datums, len(p.exprs))
	for i, e := range p.exprs {
		if out[i], err = Eval(e, row); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// scanOp reads a table's rows from spans, in batches, and filters them.
type scanOp struct {
	ec    *Context
	table *catalog.TableDescriptor
	spans []kvpb.Span
	// cur is what remains of the span being read; nil between spans.
	cur    *kvpb.Span
	batch  []kvpb.KeyValue
	filter plan.Expr
	n      int
}

func newScanOp(ec *Context, s *plan.Scan) *scanOp {
	return &scanOp{ec: ec, table: s.Table, spans: s.Spans, filter: s.Filter}
}

// nextKV returns the next kv pair of the spans, or nil at the end.
func (s *scanOp) nextKV(ctx context.Context) (*kvpb.KeyValue, error) {
	for len(s.batch) == 0 {
		if s.cur == nil {
			if len(s.spans) == 0 {
				return nil, nil
			}
			sp := s.spans[0]
			s.spans = s.spans[1:]
			if len(sp.EndKey) == 0 {
				// A point lookup.
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				v, ok, err := s.ec.Txn.Get(ctx, sp.Key)
				s.count(func(st *Stats) { st.Gets.Add(1) })
				if err != nil {
					return nil, err
				}
				if ok {
					s.count(func(st *Stats) { st.KeysRead.Add(1) })
					s.batch = []kvpb.KeyValue{{Key: sp.Key, Value: v}}
				}
				continue
			}
			s.cur = &sp
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows, resume, err := s.ec.Txn.Scan(ctx, *s.cur, s.ec.batchSize())
		s.count(func(st *Stats) { st.Scans.Add(1); st.KeysRead.Add(int64(len(rows))) })
		if err != nil {
			return nil, err
		}
		s.batch, s.cur = rows, resume
	}
	kv := &s.batch[0]
	s.batch = s.batch[1:]
	return kv, nil
}

func (s *scanOp) count(f func(*Stats)) {
	if s.ec.Stats != nil {
		f(s.ec.Stats)
	}
}

// nextRow returns the next decoded row (filtered) with its key.
func (s *scanOp) nextRow(ctx context.Context) (kvpb.Key, types.Datums, error) {
	for {
		kv, err := s.nextKV(ctx)
		if err != nil || kv == nil {
			return nil, nil, err
		}
		if s.n++; s.n%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, nil, err
			}
		}
		row := make(types.Datums, len(s.table.Columns))
		if err := rowenc.DecodePrimaryKey(s.table, kv.Key, row); err != nil {
			return nil, nil, err
		}
		if err := rowenc.DecodeValue(s.table, kv.Value, row); err != nil {
			return nil, nil, err
		}
		ok, err := EvalFilter(s.filter, row)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			return kv.Key, row, nil
		}
	}
}

func (s *scanOp) Next(ctx context.Context) (types.Datums, error) {
	_, row, err := s.nextRow(ctx)
	return row, err
}

// checkNotNull returns 23502 if row has NULL in a NOT NULL column.
func checkNotNull(t *catalog.TableDescriptor, row types.Datums) error {
	for i := range t.Columns {
		c := &t.Columns[i]
		if !c.Nullable && row[i] == types.DNull {
			return pgerror.New(pgerror.CodeNotNullViolation,
				"null value in column \"%s\" of relation \"%s\" violates not-null constraint", c.Name, t.Name).
				WithDetail("Failing row contains (%s).", rowString(t, row))
		}
	}
	return nil
}

func rowString(t *catalog.TableDescriptor, row types.Datums) string {
	var parts []string
	for i := range t.Columns {
		if !t.Columns[i].Hidden {
			parts = append(parts, types.String(row[i]))
		}
	}
	return strings.Join(parts, ", ")
}

// insertRow writes a new row, failing with 23505 if its key exists.
func insertRow(ctx context.Context, ec *Context, t *catalog.TableDescriptor, row types.Datums, checkExists bool) error {
	if err := checkNotNull(t, row); err != nil {
		return err
	}
	key, err := rowenc.EncodePrimaryKey(t, row)
	if err != nil {
		return err
	}
	if checkExists {
		_, found, err := ec.Txn.Get(ctx, key)
		if ec.Stats != nil {
			ec.Stats.Gets.Add(1)
		}
		if err != nil {
			return err
		}
		if found {
			return duplicateKey(t, row)
		}
	}
	val, err := rowenc.EncodeValue(t, row)
	if err != nil {
		return err
	}
	return ec.Txn.Insert(key, val)
}

func duplicateKey(t *catalog.TableDescriptor, row types.Datums) error {
	var names, vals []string
	for _, ord := range t.PrimaryKeyOrdinals() {
		names = append(names, t.Columns[ord].Name)
		vals = append(vals, types.String(row[ord]))
	}
	return pgerror.New(pgerror.CodeUniqueViolation, "duplicate key value violates unique constraint \"%s\"", t.PrimaryIndex.Name).
		WithDetail("Key (%s)=(%s) already exists.", strings.Join(names, ", "), strings.Join(vals, ", "))
}

// MapCommitError turns a kv error met at commit into the SQL error a
// client expects: a racing insert of an existing key (OpInsert's check at
// prewrite) becomes 23505.
func MapCommitError(err error) error {
	var ke *kvpb.KeyExistsError
	if errors.As(err, &ke) {
		return pgerror.New(pgerror.CodeUniqueViolation, "duplicate key value violates unique constraint").
			WithDetail("Key %s already exists.", ke.Key)
	}
	return err
}

// ExecInsert runs an Insert and returns the number of rows written.
func ExecInsert(ctx context.Context, ec *Context, n *plan.Insert) (int, error) {
	rowidOrd := plan.RowIDOrdinal(n.Table)
	for i, exprs := range n.Rows {
		if i%256 == 255 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		row := make(types.Datums, len(n.Table.Columns))
		for j, e := range exprs {
			if e == nil {
				row[j] = types.DNull
				continue
			}
			d, err := Eval(e, nil)
			if err != nil {
				return 0, err
			}
			row[j] = d
		}
		// A generated rowid is unique by construction: no existence check.
		generated := rowidOrd >= 0 && row[rowidOrd] == types.DNull
		if generated {
			row[rowidOrd] = types.DInt(ec.RowID())
		}
		if err := insertRow(ctx, ec, n.Table, row, !generated); err != nil {
			return 0, err
		}
	}
	return len(n.Rows), nil
}

// ExecDelete runs a Delete and returns the number of rows deleted.
func ExecDelete(ctx context.Context, ec *Context, n *plan.Delete) (int, error) {
	scan := newScanOp(ec, n.Input)
	count := 0
	for {
		key, row, err := scan.nextRow(ctx)
		if err != nil {
			return 0, err
		}
		if row == nil {
			return count, nil
		}
		if err := ec.Txn.Delete(key); err != nil {
			return 0, err
		}
		count++
	}
}

// ExecUpdate runs an Update and returns the number of rows updated.
func ExecUpdate(ctx context.Context, ec *Context, n *plan.Update) (int, error) {
	scan := newScanOp(ec, n.Input)
	type pending struct {
		key kvpb.Key
		row types.Datums
	}
	var moved []pending
	count := 0
	for {
		key, row, err := scan.nextRow(ctx)
		if err != nil {
			return 0, err
		}
		if row == nil {
			break
		}
		if n.KeyChanged {
			// Read everything first: a row moved forward must not be met
			// again by this scan.
			moved = append(moved, pending{key: append(kvpb.Key(nil), key...), row: row})
			continue
		}
		if err := updateRow(ctx, ec, n, key, row); err != nil {
			return 0, err
		}
		count++
	}
	for i, p := range moved {
		if i%256 == 255 {
			if err := ctx.Err(); err != nil {
				return 0, err
			}
		}
		if err := updateRow(ctx, ec, n, p.key, p.row); err != nil {
			return 0, err
		}
		count++
	}
	return count, nil
}

func updateRow(ctx context.Context, ec *Context, n *plan.Update, key kvpb.Key, old types.Datums) error {
	row := append(types.Datums(nil), old...)
	for _, s := range n.Sets {
		d, err := Eval(s.Expr, old)
		if err != nil {
			return err
		}
		row[s.Ordinal] = d
	}
	if err := checkNotNull(n.Table, row); err != nil {
		return err
	}
	if n.KeyChanged {
		newKey, err := rowenc.EncodePrimaryKey(n.Table, row)
		if err != nil {
			return err
		}
		if !newKey.Equal(key) {
			if err := ec.Txn.Delete(key); err != nil {
				return err
			}
			return insertRow(ctx, ec, n.Table, row, true)
		}
	}
	val, err := rowenc.EncodeValue(n.Table, row)
	if err != nil {
		return err
	}
	return ec.Txn.Put(key, val)
}
