package exec

import (
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// RowSource produces rows one at a time. Next returns nil, nil at the end.
// The returned row is owned by the caller. Close releases the operator's
// memory.
type RowSource interface {
	Next(ctx context.Context) (types.Datums, error)
	Close()
}

// build turns a plan into operators.
func build(env *evalEnv, n plan.Node) (RowSource, error) {
	src, err := buildOp(env, n)
	if err != nil {
		return nil, err
	}
	if env.ec.analyze != nil {
		st := env.ec.analyze[n]
		if st == nil {
			st = &OpStats{}
			env.ec.analyze[n] = st
		}
		src = &countOp{in: src, st: st}
	}
	return &cancelCheckOp{in: src}, nil
}

// cancelCheckEvery is how many rows pass between two looks at the
// statement's context. A look costs tens of nanoseconds, a row at least
// a microsecond, so a canceled statement stops within a few hundred
// microseconds of CPU.
const cancelCheckEvery = 64

// cancelCheckOp wraps every operator: each row an operator pulls from
// its input passes a periodic check of the context, so statement_timeout,
// CancelRequest, pg_cancel_backend and a vanished client stop any
// operator that consumes rows. Loops inside an operator that neither pull
// nor emit rows (a join's probe of rows its ON rejects, a sort's
// comparisons) check with a canceler of their own.
type cancelCheckOp struct {
	in RowSource
	n  uint32
}

func (o *cancelCheckOp) Next(ctx context.Context) (types.Datums, error) {
	if o.n++; o.n%cancelCheckEvery == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	return o.in.Next(ctx)
}

func (o *cancelCheckOp) Close() { o.in.Close() }

// canceler counts the iterations of a loop and reports ctx's error every
// cancelCheckEvery of them.
type canceler uint32

func (c *canceler) check(ctx context.Context) error {
	if *c++; *c%cancelCheckEvery == 0 {
		return ctx.Err()
	}
	return nil
}

func (env *evalEnv) opStats(n plan.Node) *OpStats {
	if env.ec.analyze == nil {
		return nil
	}
	st := env.ec.analyze[n]
	if st == nil {
		st = &OpStats{}
		env.ec.analyze[n] = st
	}
	return st
}

func buildOp(env *evalEnv, n plan.Node) (RowSource, error) {
	switch x := n.(type) {
	case *plan.Scan:
		spans := x.Spans
		if x.ParamSpans {
			var err error
			if spans, err = plan.ComputeScanSpans(x, env.ec.param); err != nil {
				return nil, err
			}
		}
		op := &scanOp{env: env, table: x.Table, spans: spans, filter: x.Filter, st: env.opStats(n),
			index: x.Index, indexOnly: x.IndexOnly}
		if x == env.lockScan {
			op.collect = env.lockKeys
		}
		return op, nil
	case *plan.LockRows:
		return &lockRowsOp{env: env, n: x}, nil
	case *plan.Values:
		return &valuesOp{env: env, rows: x.Rows}, nil
	case *plan.FuncScan:
		return newSeriesOp(env, x) // srf.go
	case *plan.Filter:
		in, err := build(env, x.Input)
		if err != nil {
			return nil, err
		}
		return &filterOp{env: env, in: in, pred: x.Pred}, nil
	case *plan.Project:
		in, err := build(env, x.Input)
		if err != nil {
			return nil, err
		}
		return &projectOp{env: env, in: in, exprs: x.Exprs}, nil
	case *plan.HashJoin:
		l, err := build(env, x.Left)
		if err != nil {
			return nil, err
		}
		r, err := build(env, x.Right)
		if err != nil {
			l.Close()
			return nil, err
		}
		return &hashJoinOp{env: env, n: x, left: l, right: r, rightWidth: len(x.Right.Columns())}, nil
	case *plan.LookupJoin:
		l, err := build(env, x.Left)
		if err != nil {
			return nil, err
		}
		return &lookupJoinOp{env: env, n: x, left: l, st: env.opStats(n)}, nil
	case *plan.Aggregate:
		in, err := build(env, x.Input)
		if err != nil {
			return nil, err
		}
		return &aggOp{env: env, n: x, in: in}, nil
	case *plan.Sort:
		in, err := build(env, x.Input)
		if err != nil {
			return nil, err
		}
		return &sortOp{env: env, in: in, keys: x.Keys}, nil
	case *plan.Distinct:
		in, err := build(env, x.Input)
		if err != nil {
			return nil, err
		}
		return &distinctOp{env: env, in: in, seen: map[string]struct{}{}}, nil
	case *plan.Window:
		in, err := build(env, x.Input)
		if err != nil {
			return nil, err
		}
		return &windowOp{env: env, n: x, in: in}, nil
	case *plan.DistinctOn:
		in, err := build(env, x.Input)
		if err != nil {
			return nil, err
		}
		return &distinctOnOp{in: in, ords: x.Ordinals}, nil
	case *plan.Limit:
		in, err := build(env, x.Input)
		if err != nil {
			return nil, err
		}
		op := &limitOp{in: in, count: -1}
		if x.Count != nil {
			v, err := env.eval(x.Count, nil)
			if err != nil {
				in.Close()
				return nil, err
			}
			if v != types.DNull {
				op.count = int64(v.(types.DInt))
				if op.count < 0 {
					in.Close()
					return nil, pgerror.New(pgerror.CodeInvalidRowCountInLimit, "LIMIT must not be negative")
				}
			}
		}
		if x.Offset != nil {
			v, err := env.eval(x.Offset, nil)
			if err != nil {
				in.Close()
				return nil, err
			}
			if v != types.DNull {
				op.offset = int64(v.(types.DInt))
				if op.offset < 0 {
					in.Close()
					return nil, pgerror.New(pgerror.CodeInvalidRowCountInOffset, "OFFSET must not be negative")
				}
			}
		}
		return op, nil
	case *plan.SetOp:
		l, err := build(env, x.Left)
		if err != nil {
			return nil, err
		}
		r, err := build(env, x.Right)
		if err != nil {
			l.Close()
			return nil, err
		}
		return &setOpOp{env: env, n: x, left: l, right: r}, nil
	case *plan.RecursiveCTE:
		return newRecursiveOp(env, x), nil // recursive.go
	case *plan.WorkTableScan:
		return newWorkTableScanOp(env, x), nil
	case *plan.Insert, *plan.Update, *plan.Delete:
		return newMutation(env, n)
	}
	return nil, fmt.Errorf("exec: %T is not a row source", n)
}

// countOp counts the rows an operator produces (EXPLAIN ANALYZE).
type countOp struct {
	in RowSource
	st *OpStats
}

func (c *countOp) Next(ctx context.Context) (types.Datums, error) {
	r, err := c.in.Next(ctx)
	if r != nil {
		c.st.Rows++
	}
	return r, err
}

func (c *countOp) Close() { c.in.Close() }

// valuesOp produces rows of expressions.
type valuesOp struct {
	env  *evalEnv
	rows [][]plan.Expr
	i    int
}

func (v *valuesOp) Next(ctx context.Context) (types.Datums, error) {
	if v.i >= len(v.rows) {
		return nil, nil
	}
	exprs := v.rows[v.i]
	v.i++
	if v.i%256 == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	row := make(types.Datums, len(exprs))
	for j, e := range exprs {
		d, err := v.env.eval(e, nil)
		if err != nil {
			return nil, err
		}
		row[j] = d
	}
	return row, nil
}

func (v *valuesOp) Close() {}

type filterOp struct {
	env  *evalEnv
	in   RowSource
	pred plan.Expr
}

func (f *filterOp) Next(ctx context.Context) (types.Datums, error) {
	for {
		row, err := f.in.Next(ctx)
		if err != nil || row == nil {
			return nil, err
		}
		ok, err := f.env.evalFilter(f.pred, row)
		if err != nil {
			return nil, err
		}
		if ok {
			return row, nil
		}
	}
}

func (f *filterOp) Close() { f.in.Close() }

// projectOp evaluates expressions over its input.
type projectOp struct {
	env   *evalEnv
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
		if out[i], err = p.env.eval(e, row); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (p *projectOp) Close() { p.in.Close() }

// scanOp reads a table's rows from spans, in batches, and filters them.
type scanOp struct {
	env   *evalEnv
	table *catalog.TableDescriptor
	spans []kvpb.Span
	// cur is what remains of the span being read; nil between spans.
	cur    *kvpb.Span
	batch  []kvpb.KeyValue
	filter plan.Expr
	n      int
	st     *OpStats
	// index, when set, is the secondary index the spans are in (index.go).
	index     *catalog.Index
	indexOnly bool
	// collect, when set, receives the primary key of every row produced.
	collect *[]kvpb.Key
}

func (s *scanOp) count(gets, scans, keys int64) {
	if st := s.env.ec.Stats; st != nil {
		st.Gets.Add(gets)
		st.Scans.Add(scans)
		st.KeysRead.Add(keys)
	}
	if s.st != nil {
		s.st.KVRequests += gets + scans
		s.st.KeysRead += keys
	}
}

// nextKV returns the next kv pair of the spans, or nil at the end.
func (s *scanOp) nextKV(ctx context.Context) (*kvpb.KeyValue, error) {
	ec := s.env.ec
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
				v, ok, err := ec.Txn.Get(ctx, sp.Key)
				if err != nil {
					return nil, err
				}
				if ok {
					s.count(1, 0, 1)
					s.batch = []kvpb.KeyValue{{Key: sp.Key, Value: v}}
				} else {
					s.count(1, 0, 0)
				}
				continue
			}
			s.cur = &sp
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows, resume, err := ec.Txn.Scan(ctx, *s.cur, ec.batchSize(), DefaultScanBatchBytes)
		if err != nil {
			return nil, err
		}
		s.count(0, 1, int64(len(rows)))
		s.batch, s.cur = rows, resume
	}
	kv := &s.batch[0]
	s.batch = s.batch[1:]
	return kv, nil
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
		key := kv.Key
		if s.index != nil {
			if key, err = s.indexRow(ctx, kv, row); err != nil { // index.go
				return nil, nil, err
			}
		} else {
			if err := rowenc.DecodePrimaryKey(s.table, kv.Key, row); err != nil {
				return nil, nil, err
			}
			if err := rowenc.DecodeValue(s.table, kv.Value, row); err != nil {
				return nil, nil, err
			}
		}
		ok, err := s.env.evalFilter(s.filter, row)
		if err != nil {
			return nil, nil, err
		}
		if ok {
			if s.collect != nil {
				*s.collect = append(*s.collect, append(kvpb.Key(nil), key...))
			}
			return key, row, nil
		}
	}
}

func (s *scanOp) Next(ctx context.Context) (types.Datums, error) {
	_, row, err := s.nextRow(ctx)
	return row, err
}

func (s *scanOp) Close() { s.batch, s.spans = nil, nil }

// hashKey appends an encoding of d under which equal values (as SQL
// compares values of one type family) are equal bytes.
func hashKey(b []byte, d types.Datum) []byte {
	switch v := d.(type) {
	case types.DInt:
		b = append(b, 1)
		return binary.BigEndian.AppendUint64(b, uint64(v))
	case types.DFloat:
		f := float64(v)
		if f == 0 {
			f = 0
		}
		if math.IsNaN(f) {
			f = math.NaN()
		}
		b = append(b, 2)
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f))
	case *types.DDecimal:
		var r apd.Decimal
		r.Reduce(&v.Decimal)
		b = append(b, 3)
		s := r.String()
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case types.DString:
		b = append(b, 4)
		b = binary.AppendUvarint(b, uint64(len(v)))
		return append(b, v...)
	case types.DChar:
		s := strings.TrimRight(string(v), " ")
		b = append(b, 4)
		b = binary.AppendUvarint(b, uint64(len(s)))
		return append(b, s...)
	case types.DBytes:
		b = append(b, 5)
		b = binary.AppendUvarint(b, uint64(len(v)))
		return append(b, v...)
	case types.DBool:
		if v {
			return append(b, 6, 1)
		}
		return append(b, 6, 0)
	case types.DDate:
		b = append(b, 7)
		return binary.BigEndian.AppendUint64(b, uint64(v))
	case types.DTimestamp:
		b = append(b, 8)
		return binary.BigEndian.AppendUint64(b, uint64(v))
	case types.DTimestampTZ:
		b = append(b, 9)
		return binary.BigEndian.AppendUint64(b, uint64(v))
	case types.DInterval:
		b = append(b, 10)
		total := (int64(v.Months)*30+int64(v.Days))*86400e6 + v.Micros
		return binary.BigEndian.AppendUint64(b, uint64(total))
	case types.DUUID:
		b = append(b, 11)
		return append(b, v[:]...)
	case types.DTime:
		b = append(b, 12)
		return binary.BigEndian.AppendUint64(b, uint64(v))
	case types.DTimeTZ:
		b = append(b, 13)
		b = binary.BigEndian.AppendUint64(b, uint64(v.Micros))
		return binary.BigEndian.AppendUint32(b, uint32(v.Zone))
	case types.DJSONB:
		b = append(b, 14)
		b = types.AppendJSONBKey(b, v.V)
		return append(b, 0)
	case types.DJSON:
		b = append(b, 15)
		b = binary.AppendUvarint(b, uint64(len(v)))
		return append(b, v...)
	}
	return append(b, 0)
}

// hashJoinOp builds a hash table of the right input, then streams the
// left input through it. Without keys every right row matches (nested
// loop over the materialized right side).
type hashJoinOp struct {
	env         *evalEnv
	n           *plan.HashJoin
	left, right RowSource
	rightWidth  int
	built       bool
	// rows holds the Right rows; table maps a key to their indexes (all
	// of them, in order, when there are no keys).
	rows  []types.Datums
	table map[string][]int
	all   []int
	acct  memAccount
	// used marks the Right rows that joined (FullJoin).
	used []bool
	// probe state
	cur       types.Datums
	matches   []int
	matched   bool
	key       []byte
	leftDone  bool
	unmatched int // next Right row to consider for FullJoin's tail
	cancel    canceler
}

func (h *hashJoinOp) build(ctx context.Context) error {
	h.built = true
	h.table = map[string][]int{}
	for {
		r, err := h.right.Next(ctx)
		if err != nil {
			return err
		}
		if r == nil {
			if h.n.Kind == plan.FullJoin {
				h.used = make([]bool, len(h.rows))
			}
			return nil
		}
		if err := h.acct.grow(h.env.ec, rowSize(r)+40, "hash join"); err != nil {
			return err
		}
		if len(h.n.RightKeys) == 0 {
			h.all = append(h.all, len(h.rows))
			h.rows = append(h.rows, r)
			continue
		}
		k, ok := h.keyOf(r, h.n.RightKeys)
		if !ok {
			if h.n.Kind == plan.FullJoin {
				h.rows = append(h.rows, r) // joins nothing, still emitted
			}
			continue // NULL keys never match
		}
		h.table[string(k)] = append(h.table[string(k)], len(h.rows))
		h.rows = append(h.rows, r)
	}
}

func (h *hashJoinOp) keyOf(r types.Datums, ords []int) ([]byte, bool) {
	h.key = h.key[:0]
	for _, o := range ords {
		if r[o] == types.DNull {
			return nil, false
		}
		h.key = hashKey(h.key, r[o])
	}
	return h.key, true
}

func (h *hashJoinOp) Next(ctx context.Context) (types.Datums, error) {
	if !h.built {
		if err := h.build(ctx); err != nil {
			return nil, err
		}
	}
	for {
		for len(h.matches) > 0 {
			if err := h.cancel.check(ctx); err != nil {
				return nil, err
			}
			i := h.matches[0]
			r := h.rows[i]
			h.matches = h.matches[1:]
			row := make(types.Datums, 0, len(h.cur)+len(r))
			row = append(append(row, h.cur...), r...)
			ok, err := h.env.evalFilter(h.n.On, row)
			if err != nil {
				return nil, err
			}
			if ok {
				h.matched = true
				if h.used != nil {
					h.used[i] = true
				}
				return row, nil
			}
		}
		if h.cur != nil && !h.matched && (h.n.Kind == plan.LeftJoin || h.n.Kind == plan.FullJoin) {
			row := nullPadded(h.cur, 0, h.rightWidth)
			h.cur = nil
			return row, nil
		}
		if h.leftDone {
			return h.nextUnmatched(), nil
		}
		l, err := h.left.Next(ctx)
		if err != nil {
			return nil, err
		}
		if l == nil {
			h.leftDone, h.cur = true, nil
			if h.n.Kind != plan.FullJoin {
				return nil, nil
			}
			continue
		}
		h.cur, h.matched = l, false
		if len(h.n.LeftKeys) == 0 {
			h.matches = h.all
		} else if k, ok := h.keyOf(l, h.n.LeftKeys); ok {
			h.matches = h.table[string(k)]
		} else {
			h.matches = nil
		}
	}
}

// nextUnmatched returns FullJoin's next Right row that joined nothing,
// NULL-padded on the left, or nil when none is left.
func (h *hashJoinOp) nextUnmatched() types.Datums {
	for h.unmatched < len(h.used) {
		i := h.unmatched
		h.unmatched++
		if h.used[i] {
			continue
		}
		return nullPadded(h.rows[i], len(h.n.Left.Columns()), 0)
	}
	return nil
}

// nullPadded returns vals with before NULLs ahead of them and after NULLs
// behind (an outer join's row of one side).
func nullPadded(vals types.Datums, before, after int) types.Datums {
	row := make(types.Datums, before+len(vals)+after)
	for i := range row {
		row[i] = types.DNull
	}
	copy(row[before:], vals)
	return row
}

func (h *hashJoinOp) Close() {
	h.left.Close()
	h.right.Close()
	h.table, h.all, h.rows = nil, nil, nil
	h.acct.close(h.env.ec)
}

// lookupJoinOp fetches, for each left row, the table row whose primary
// key the key expressions give, with one point Get.
type lookupJoinOp struct {
	env  *evalEnv
	n    *plan.LookupJoin
	left RowSource
	st   *OpStats
}

func (j *lookupJoinOp) Next(ctx context.Context) (types.Datums, error) {
	t := j.n.Table
	ords := t.PrimaryKeyOrdinals()
	for {
		l, err := j.left.Next(ctx)
		if err != nil || l == nil {
			return nil, err
		}
		vals := make(types.Datums, len(t.Columns))
		for i := range vals {
			vals[i] = types.DNull
		}
		haveKey := true
		for i, e := range j.n.KeyExprs {
			v, err := j.env.eval(e, l)
			if err != nil {
				return nil, err
			}
			if v == types.DNull {
				haveKey = false
				break
			}
			vals[ords[i]] = v
		}
		var right types.Datums
		if haveKey {
			key, err := rowenc.EncodePrimaryKey(t, vals)
			if err != nil {
				return nil, err
			}
			v, ok, err := j.env.ec.Txn.Get(ctx, key)
			if err != nil {
				return nil, err
			}
			var keys int64
			if ok {
				keys = 1
				row := make(types.Datums, len(t.Columns))
				if err := rowenc.DecodePrimaryKey(t, key, row); err != nil {
					return nil, err
				}
				if err := rowenc.DecodeValue(t, v, row); err != nil {
					return nil, err
				}
				if ok, err := j.env.evalFilter(j.n.TableFilter, row); err != nil {
					return nil, err
				} else if ok {
					right = row
				}
			}
			if st := j.env.ec.Stats; st != nil {
				st.Gets.Add(1)
				st.KeysRead.Add(keys)
			}
			if j.st != nil {
				j.st.KVRequests++
				j.st.KeysRead += keys
			}
		}
		if right != nil {
			row := append(append(make(types.Datums, 0, len(l)+len(right)), l...), right...)
			ok, err := j.env.evalFilter(j.n.On, row)
			if err != nil {
				return nil, err
			}
			if ok {
				return row, nil
			}
		}
		if j.n.Kind == plan.LeftJoin {
			return nullPadded(l, 0, len(t.Columns)), nil
		}
	}
}

func (j *lookupJoinOp) Close() { j.left.Close() }

// sortOp buffers its input (within the memory budget) and sorts it.
type sortOp struct {
	env    *evalEnv
	in     RowSource
	keys   []plan.SortKey
	rows   []types.Datums
	sorted bool
	acct   memAccount
}

func (s *sortOp) Next(ctx context.Context) (types.Datums, error) {
	if !s.sorted {
		s.sorted = true
		for {
			r, err := s.in.Next(ctx)
			if err != nil {
				return nil, err
			}
			if r == nil {
				break
			}
			if err := s.acct.grow(s.env.ec, rowSize(r), "sort"); err != nil {
				return nil, err
			}
			s.rows = append(s.rows, r)
		}
		fc := s.env.ec.fc()
		// Comparisons cannot be interrupted; once the context is done
		// they all answer "equal", which ends the sort quickly.
		var cancel canceler
		var canceled error
		sort.SliceStable(s.rows, func(i, j int) bool {
			if canceled != nil {
				return false
			}
			if canceled = cancel.check(ctx); canceled != nil {
				return false
			}
			return compareRows(s.rows[i], s.rows[j], s.keys, fc) < 0
		})
		if canceled != nil {
			return nil, canceled
		}
	}
	if len(s.rows) == 0 {
		return nil, nil
	}
	r := s.rows[0]
	s.rows[0] = nil
	s.rows = s.rows[1:]
	return r, nil
}

func (s *sortOp) Close() {
	s.in.Close()
	s.rows = nil
	s.acct.close(s.env.ec)
}

func compareRows(a, b types.Datums, keys []plan.SortKey, fc *types.FormatContext) int {
	for _, k := range keys {
		x, y := a[k.Ordinal], b[k.Ordinal]
		var c int
		switch {
		case x == types.DNull && y == types.DNull:
			c = 0
		case x == types.DNull:
			if k.NullsFirst {
				return -1
			}
			return 1
		case y == types.DNull:
			if k.NullsFirst {
				return 1
			}
			return -1
		default:
			c = types.CompareCtx(x, y, fc)
		}
		if k.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}

// distinctOp passes the first of each set of equal rows.
type distinctOp struct {
	env  *evalEnv
	in   RowSource
	seen map[string]struct{}
	acct memAccount
	buf  []byte
}

func (d *distinctOp) Next(ctx context.Context) (types.Datums, error) {
	for {
		r, err := d.in.Next(ctx)
		if err != nil || r == nil {
			return nil, err
		}
		d.buf = d.buf[:0]
		for _, v := range r {
			d.buf = hashKey(d.buf, v)
		}
		if _, ok := d.seen[string(d.buf)]; ok {
			continue
		}
		if err := d.acct.grow(d.env.ec, int64(len(d.buf))+48, "DISTINCT"); err != nil {
			return nil, err
		}
		d.seen[string(d.buf)] = struct{}{}
		return r, nil
	}
}

func (d *distinctOp) Close() {
	d.in.Close()
	d.seen = nil
	d.acct.close(d.env.ec)
}

type limitOp struct {
	in            RowSource
	count, offset int64
	done          int64
}

func (l *limitOp) Next(ctx context.Context) (types.Datums, error) {
	for l.offset > 0 {
		r, err := l.in.Next(ctx)
		if err != nil || r == nil {
			return nil, err
		}
		l.offset--
	}
	if l.count >= 0 && l.done >= l.count {
		return nil, nil
	}
	r, err := l.in.Next(ctx)
	if r != nil {
		l.done++
	}
	return r, err
}

func (l *limitOp) Close() { l.in.Close() }

// distinctOnOp passes the first row of each run of rows equal in ords.
type distinctOnOp struct {
	in        RowSource
	ords      []int
	prev, cur []byte
	started   bool
}

func (d *distinctOnOp) Next(ctx context.Context) (types.Datums, error) {
	for {
		r, err := d.in.Next(ctx)
		if err != nil || r == nil {
			return nil, err
		}
		d.cur = d.cur[:0]
		for _, o := range d.ords {
			d.cur = hashKey(d.cur, r[o])
		}
		if d.started && string(d.cur) == string(d.prev) {
			continue
		}
		d.started = true
		d.prev, d.cur = d.cur, d.prev
		return r, nil
	}
}

func (d *distinctOnOp) Close() { d.in.Close() }
