package exec

import (
	"context"

	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// setOpOp runs UNION, INTERSECT and EXCEPT. UNION ALL streams both inputs;
// UNION streams them through a set of rows seen; INTERSECT and EXCEPT
// first build a multiset of the right input, then stream the left one.
// The sets are charged to the memory budget.
type setOpOp struct {
	env         *evalEnv
	n           *plan.SetOp
	left, right RowSource
	leftDone    bool
	built       bool
	counts      map[string]int64
	emitted     map[string]struct{}
	acct        memAccount
	buf         []byte
}

func (s *setOpOp) key(r types.Datums) string {
	s.buf = s.buf[:0]
	for _, d := range r {
		s.buf = hashKey(s.buf, d)
	}
	return string(s.buf)
}

// firstTime reports whether key k is emitted for the first time.
func (s *setOpOp) firstTime(k string) (bool, error) {
	if _, ok := s.emitted[k]; ok {
		return false, nil
	}
	if err := s.acct.grow(s.env.ec, int64(len(k))+48, s.n.Op); err != nil {
		return false, err
	}
	s.emitted[k] = struct{}{}
	return true, nil
}

func (s *setOpOp) Next(ctx context.Context) (types.Datums, error) {
	if s.emitted == nil {
		s.emitted = map[string]struct{}{}
	}
	if s.n.Op == "UNION" {
		for {
			var r types.Datums
			var err error
			if !s.leftDone {
				if r, err = s.left.Next(ctx); err != nil {
					return nil, err
				}
				if r == nil {
					s.leftDone = true
					continue
				}
			} else if r, err = s.right.Next(ctx); err != nil || r == nil {
				return nil, err
			}
			if s.n.All {
				return r, nil
			}
			if ok, err := s.firstTime(s.key(r)); err != nil || ok {
				return r, err
			}
		}
	}
	if !s.built {
		s.built = true
		s.counts = map[string]int64{}
		for {
			r, err := s.right.Next(ctx)
			if err != nil {
				return nil, err
			}
			if r == nil {
				break
			}
			k := s.key(r)
			if _, ok := s.counts[k]; !ok {
				if err := s.acct.grow(s.env.ec, int64(len(k))+48, s.n.Op); err != nil {
					return nil, err
				}
			}
			s.counts[k]++
		}
	}
	for {
		r, err := s.left.Next(ctx)
		if err != nil || r == nil {
			return nil, err
		}
		k := s.key(r)
		c := s.counts[k]
		switch {
		case s.n.Op == "INTERSECT" && s.n.All:
			if c > 0 {
				s.counts[k]--
				return r, nil
			}
		case s.n.Op == "INTERSECT":
			if c > 0 {
				if ok, err := s.firstTime(k); err != nil || ok {
					return r, err
				}
			}
		case s.n.All: // EXCEPT ALL
			if c > 0 {
				s.counts[k]--
				continue
			}
			return r, nil
		default: // EXCEPT
			if c == 0 {
				if ok, err := s.firstTime(k); err != nil || ok {
					return r, err
				}
			}
		}
	}
}

func (s *setOpOp) Close() {
	s.left.Close()
	s.right.Close()
	s.counts, s.emitted = nil, nil
	s.acct.close(s.env.ec)
}
