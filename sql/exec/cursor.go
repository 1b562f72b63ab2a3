package exec

import (
	"context"
	"fmt"

	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// Cursor is an executing plan: rows are pulled with Next (so a portal can
// fetch some, suspend, and fetch more), and Tag gives the command tag once
// Next has returned nil, nil.
type Cursor struct {
	ec   *Context
	node plan.Node
	src  RowSource
	rows int
	// lines holds EXPLAIN output.
	lines []string
	done  bool
}

// Open starts executing plan n in ec. Nothing is read until Next.
func Open(ctx context.Context, ec *Context, n plan.Node) (*Cursor, error) {
	c := &Cursor{ec: ec, node: n}
	if ex, ok := n.(*plan.Explain); ok {
		lines, err := explain(ctx, ec, ex)
		if err != nil {
			return nil, err
		}
		c.lines = lines
		return c, nil
	}
	env := &evalEnv{ec: ec, ctx: ctx}
	src, err := build(env, n)
	if err != nil {
		return nil, err
	}
	c.src = src
	return c, nil
}

// Next returns the next row, or nil, nil at the end.
func (c *Cursor) Next(ctx context.Context) (types.Datums, error) {
	if c.done {
		return nil, nil
	}
	if c.src == nil {
		if len(c.lines) == 0 {
			c.done = true
			return nil, nil
		}
		l := c.lines[0]
		c.lines = c.lines[1:]
		c.rows++
		return types.Datums{types.DString(l)}, nil
	}
	r, err := c.src.Next(ctx)
	if err != nil {
		return nil, err
	}
	if r == nil {
		c.done = true
		return nil, nil
	}
	c.rows++
	return r, nil
}

// Tag returns the command tag ("SELECT 3", "INSERT 0 2", "UPDATE 1",
// "DELETE 0", "EXPLAIN").
func (c *Cursor) Tag() string {
	count := c.rows
	if m, ok := c.mutation(); ok {
		count = m.Count
	}
	switch c.node.(type) {
	case *plan.Insert:
		return fmt.Sprintf("INSERT 0 %d", count)
	case *plan.Update:
		return fmt.Sprintf("UPDATE %d", count)
	case *plan.Delete:
		return fmt.Sprintf("DELETE %d", count)
	case *plan.Explain:
		return "EXPLAIN"
	}
	return fmt.Sprintf("SELECT %d", count)
}

func (c *Cursor) mutation() (*mutationOp, bool) {
	src := c.src
	if cc, ok := src.(*cancelCheckOp); ok {
		src = cc.in
	}
	if co, ok := src.(*countOp); ok {
		src = co.in
	}
	m, ok := src.(*mutationOp)
	return m, ok
}

// Close releases the cursor's operators.
func (c *Cursor) Close() {
	if c.src != nil {
		c.src.Close()
		c.src = nil
	}
	c.ec.releaseNodeMemory()
}

// explain renders EXPLAIN [ANALYZE]: ANALYZE runs the plan to completion
// (discarding its rows; a mutation does write) and annotates every node
// with the rows it produced and the kv requests and keys it read.
func explain(ctx context.Context, ec *Context, ex *plan.Explain) ([]string, error) {
	if !ex.Analyze {
		return plan.ExplainLines(ex.Plan, nil), nil
	}
	ec.analyze = map[any]*OpStats{}
	env := &evalEnv{ec: ec, ctx: ctx}
	src, err := build(env, ex.Plan)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	for {
		r, err := src.Next(ctx)
		if err != nil {
			return nil, err
		}
		if r == nil {
			break
		}
	}
	var reqs, keys int64
	for _, st := range ec.analyze {
		reqs += st.KVRequests
		keys += st.KeysRead
	}
	lines := plan.ExplainLines(ex.Plan, func(n plan.Node) string {
		st := ec.analyze[n]
		if st == nil {
			return "(never executed)"
		}
		s := fmt.Sprintf("(actual rows=%d", st.Rows)
		if st.KVRequests > 0 || st.KeysRead > 0 {
			s += fmt.Sprintf(", kv requests=%d, keys read=%d", st.KVRequests, st.KeysRead)
		}
		return s + ")"
	})
	lines = append(lines, fmt.Sprintf("total: kv requests=%d, keys read=%d", reqs, keys))
	return lines, nil
}
