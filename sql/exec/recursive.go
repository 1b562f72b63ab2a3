package exec

import (
	"context"

	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// recursiveOp runs WITH RECURSIVE's UNION [ALL] as PostgreSQL's
// RecursiveUnion does, lazily: it streams the non-recursive term's rows,
// keeping each in the intermediate table as it emits it; when a term's
// input ends, the intermediate table becomes the work table and the
// recursive term is built afresh over it; the recursion ends when an
// iteration adds no row. Only the work table (the previous iteration's
// rows) and the intermediate table (this iteration's) are held, and for
// UNION the set of every row produced so far, against which duplicates
// are discarded; all three are charged to the memory budget. A LIMIT
// above stops pulling, which ends an otherwise infinite recursion; a
// canceled context ends it at the next look (every row pulled passes a
// cancelCheckOp, and the loop over iterations and discarded duplicates
// checks too).
type recursiveOp struct {
	env *evalEnv
	n   *plan.RecursiveCTE
	// work is the work table the recursive term being run reads.
	work *workTable
	// cur is the term being pulled; nil between terms.
	cur       RowSource
	started   bool
	done      bool
	next      []types.Datums
	nextAcct  memAccount
	seen      map[string]struct{}
	seenAcct  memAccount
	buf       []byte
	cancel    canceler
	iteration int
}

// workTable is the rows of a work table during one iteration. A
// workTableScanOp takes the rows when it is built: the recursive term is
// built once per iteration, after the rows are set.
type workTable struct {
	rows []types.Datums
	acct memAccount
}

func newRecursiveOp(env *evalEnv, n *plan.RecursiveCTE) *recursiveOp {
	op := &recursiveOp{env: env, n: n, work: &workTable{}}
	if !n.All {
		op.seen = map[string]struct{}{}
	}
	return op
}

func (r *recursiveOp) Next(ctx context.Context) (types.Datums, error) {
	for {
		if err := r.cancel.check(ctx); err != nil {
			return nil, err
		}
		if r.cur == nil {
			if r.done {
				return nil, nil
			}
			if err := r.startTerm(ctx); err != nil || r.cur == nil {
				return nil, err
			}
		}
		row, err := r.cur.Next(ctx)
		if err != nil {
			return nil, err
		}
		if row == nil {
			r.cur.Close()
			r.cur = nil
			continue
		}
		if r.seen != nil {
			r.buf = r.buf[:0]
			for _, d := range row {
				r.buf = hashKey(r.buf, d)
			}
			if _, dup := r.seen[string(r.buf)]; dup {
				continue
			}
			if err := r.seenAcct.grow(r.env.ec, int64(len(r.buf))+48, "recursive UNION"); err != nil {
				return nil, err
			}
			r.seen[string(r.buf)] = struct{}{}
		}
		keep := append(types.Datums(nil), row...)
		if err := r.nextAcct.grow(r.env.ec, rowSize(keep)+24, "recursive query"); err != nil {
			return nil, err
		}
		r.next = append(r.next, keep)
		return row, nil
	}
}

// startTerm builds the next term to pull: the non-recursive term first,
// then the recursive term over the rows the last term produced, or
// nothing (r.done) when it produced none.
func (r *recursiveOp) startTerm(ctx context.Context) error {
	term := r.n.Init
	if r.started {
		// The intermediate table becomes the work table.
		r.work.acct.close(r.env.ec)
		r.work.rows, r.work.acct = r.next, r.nextAcct
		r.next, r.nextAcct = nil, memAccount{}
		if len(r.work.rows) == 0 {
			r.done = true
			return nil
		}
		term = r.n.Recursive
		r.iteration++
	}
	r.started = true
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.env.workTables == nil {
		r.env.workTables = map[*plan.WorkTable]*workTable{}
	}
	// A recursive CTE nested in this one's recursive term binds its own
	// work table; restore ours for the build.
	r.env.workTables[r.n.Table] = r.work
	src, err := build(r.env, term)
	if err != nil {
		return err
	}
	r.cur = src
	return nil
}

func (r *recursiveOp) Close() {
	if r.cur != nil {
		r.cur.Close()
		r.cur = nil
	}
	r.done = true
	r.next, r.seen, r.work.rows = nil, nil, nil
	r.nextAcct.close(r.env.ec)
	r.seenAcct.close(r.env.ec)
	r.work.acct.close(r.env.ec)
}

// workTableScanOp produces the rows of its recursive CTE's work table as
// they were when it was built.
type workTableScanOp struct {
	rows []types.Datums
	i    int
}

func newWorkTableScanOp(env *evalEnv, n *plan.WorkTableScan) *workTableScanOp {
	var rows []types.Datums
	if wt := env.workTables[n.Table]; wt != nil {
		rows = wt.rows
	}
	return &workTableScanOp{rows: rows}
}

func (w *workTableScanOp) Next(ctx context.Context) (types.Datums, error) {
	if w.i >= len(w.rows) {
		return nil, nil
	}
	row := append(types.Datums(nil), w.rows[w.i]...)
	w.i++
	return row, nil
}

func (w *workTableScanOp) Close() { w.rows = nil }
