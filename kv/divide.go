package kv

import (
	"bytes"
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// rangeResolver finds the range holding a key (the DistSender: its cache,
// else a meta lookup).
type rangeResolver interface {
	// rangeFor returns the range holding key or, when before is set, the
	// range holding the keys just below key.
	rangeFor(ctx context.Context, key kvpb.Key, before bool) (*kvpb.RangeDescriptor, error)
}

// batchPart is the part of a batch bound for one range: requests, or the
// parts of requests that range holds, each with the position of the
// request it came from in the original batch.
type batchPart struct {
	desc *kvpb.RangeDescriptor
	reqs []kvpb.Request
	pos  []int
}

// limitedScan is a scan with a row or byte limit (a ScanRequest, or a
// RawScanRequest with MaxKeys) over more than one range: it reads them one
// after the other in scan order and stops at the limit, so a LIMIT does
// not read (or look up) the ranges beyond it.
type limitedScan struct {
	pos int
	req kvpb.Request
}

// division is a batch divided by range. Its parts are independent of each
// other and may be sent in parallel; so may its limited scans, each of
// which reads its ranges in order.
type division struct {
	parts []*batchPart
	byID  map[kvpb.RangeID]*batchPart
	scans []limitedScan
}

func (v *division) add(desc *kvpb.RangeDescriptor, req kvpb.Request, pos int) {
	p := v.byID[desc.RangeID]
	if p == nil {
		if v.byID == nil {
			v.byID = map[kvpb.RangeID]*batchPart{}
		}
		p = &batchPart{desc: desc}
		v.byID[desc.RangeID] = p
		v.parts = append(v.parts, p)
	}
	p.reqs = append(p.reqs, req)
	p.pos = append(p.pos, pos)
}

// divide splits reqs by range: a request addressing one key goes to the
// range holding it; a request listing keys (prewrite mutations, the keys
// of a commit, rollback, lock resolution or pessimistic lock) becomes one
// request per range with that range's keys, in their original order; a
// span request (scan, raw scan, clear range) one request per range with
// the span truncated to it, except a scan with a limit over several
// ranges, which becomes a limitedScan. A one-phase commit whose keys lie
// in more than one range fails the division with RangeKeyMismatchError:
// nothing may be sent, and the transaction commits in two phases. pos
// gives each request's position in the original batch (nil: its index).
// A key outside [kvpb.KeyMin, kvpb.KeyMax) is a RangeKeyMismatchError.
func divide(ctx context.Context, res rangeResolver, reqs []kvpb.Request, pos []int) (*division, error) {
	v := &division{}
	for i, req := range reqs {
		p := i
		if pos != nil {
			p = pos[i]
		}
		if err := v.divideOne(ctx, res, req, p); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (v *division) divideOne(ctx context.Context, res rangeResolver, req kvpb.Request, pos int) error {
	switch r := req.(type) {
	case *kvpb.ScanRequest:
		return v.divideSpan(ctx, res, req, pos, r.Span, r.MaxKeys > 0 || r.MaxBytes > 0, func(s kvpb.Span) kvpb.Request {
			c := *r
			c.Span = s
			return &c
		})
	case *kvpb.RawScanRequest:
		return v.divideSpan(ctx, res, req, pos, r.Span, r.MaxKeys > 0, func(s kvpb.Span) kvpb.Request {
			c := *r
			c.Span = s
			return &c
		})
	case *kvpb.ClearRangeRequest:
		return v.divideSpan(ctx, res, req, pos, r.Span, false, func(s kvpb.Span) kvpb.Request {
			return &kvpb.ClearRangeRequest{Span: s}
		})
	case *kvpb.PrewriteRequest:
		return divideMutations(ctx, v, res, req, pos, r.Mutations, func(ms []kvpb.Mutation) kvpb.Request {
			c := *r
			c.Mutations = ms
			return &c
		})
	case *kvpb.OnePCRequest:
		return divideMutations(ctx, v, res, req, pos, r.Mutations, nil)
	case *kvpb.CommitRequest:
		return divideKeys(ctx, v, res, req, pos, r.Keys, func(ks []kvpb.Key) kvpb.Request {
			c := *r
			c.Keys = ks
			return &c
		})
	case *kvpb.RollbackRequest:
		return divideKeys(ctx, v, res, req, pos, r.Keys, func(ks []kvpb.Key) kvpb.Request {
			c := *r
			c.Keys = ks
			return &c
		})
	case *kvpb.ResolveLockRequest:
		return divideKeys(ctx, v, res, req, pos, r.Keys, func(ks []kvpb.Key) kvpb.Request {
			c := *r
			c.Keys = ks
			return &c
		})
	case *kvpb.PessimisticLockRequest:
		return divideKeys(ctx, v, res, req, pos, r.Keys, func(ks []kvpb.Key) kvpb.Request {
			c := *r
			c.Keys = ks
			return &c
		})
	default:
		// One key: gets, raw operations, the transaction record requests
		// (by primary).
		desc, err := resolve(ctx, res, req.Header())
		if err != nil {
			return err
		}
		v.add(desc, req, pos)
		return nil
	}
}

// divideSpan divides a span request; part returns the request for a part
// of the span.
func (v *division) divideSpan(ctx context.Context, res rangeResolver, req kvpb.Request, pos int, span kvpb.Span, limited bool, part func(kvpb.Span) kvpb.Request) error {
	desc, err := resolve(ctx, res, span.Key)
	if err != nil {
		return err
	}
	end := span.EndKey
	if len(end) == 0 || bytes.Compare(end, desc.EndKey) <= 0 {
		v.add(desc, req, pos)
		return nil
	}
	if limited {
		v.scans = append(v.scans, limitedScan{pos: pos, req: req})
		return nil
	}
	start := span.Key
	for {
		s := kvpb.Span{Key: start, EndKey: desc.EndKey}
		if bytes.Compare(end, s.EndKey) <= 0 {
			s.EndKey = end
		}
		v.add(desc, part(s), pos)
		start = desc.EndKey
		if bytes.Compare(start, end) >= 0 {
			return nil
		}
		if desc, err = resolve(ctx, res, start); err != nil {
			return err
		}
	}
}

// keyGroups gathers the positions of a request's keys by range, in the
// order the ranges were first met.
type keyGroups struct {
	descs []*kvpb.RangeDescriptor
	idx   [][]int
}

func groupKeys(ctx context.Context, res rangeResolver, n int, key func(int) kvpb.Key) (*keyGroups, error) {
	g := &keyGroups{}
	var last *kvpb.RangeDescriptor
	lastGroup := -1
	for i := 0; i < n; i++ {
		k := key(i)
		if last == nil || !last.ContainsKey(k) {
			desc, err := resolve(ctx, res, k)
			if err != nil {
				return nil, err
			}
			last, lastGroup = desc, -1
			for j, d := range g.descs {
				if d.RangeID == desc.RangeID {
					lastGroup = j
					break
				}
			}
			if lastGroup < 0 {
				g.descs = append(g.descs, desc)
				g.idx = append(g.idx, nil)
				lastGroup = len(g.descs) - 1
			}
		}
		g.idx[lastGroup] = append(g.idx[lastGroup], i)
	}
	return g, nil
}

// divideKeys divides a request listing keys; part returns the request for
// a subset of them.
func divideKeys(ctx context.Context, v *division, res rangeResolver, req kvpb.Request, pos int, keys []kvpb.Key, part func([]kvpb.Key) kvpb.Request) error {
	if len(keys) == 0 {
		v.add(range1, req, pos)
		return nil
	}
	g, err := groupKeys(ctx, res, len(keys), func(i int) kvpb.Key { return keys[i] })
	if err != nil {
		return err
	}
	if len(g.descs) == 1 {
		v.add(g.descs[0], req, pos)
		return nil
	}
	for j, desc := range g.descs {
		ks := make([]kvpb.Key, len(g.idx[j]))
		for n, i := range g.idx[j] {
			ks[n] = keys[i]
		}
		v.add(desc, part(ks), pos)
	}
	return nil
}

// divideMutations divides a request of mutations; part returns the
// request for a subset of them, nil refuses a division (a one-phase
// commit).
func divideMutations(ctx context.Context, v *division, res rangeResolver, req kvpb.Request, pos int, muts []kvpb.Mutation, part func([]kvpb.Mutation) kvpb.Request) error {
	if len(muts) == 0 {
		v.add(range1, req, pos)
		return nil
	}
	g, err := groupKeys(ctx, res, len(muts), func(i int) kvpb.Key { return muts[i].Key })
	if err != nil {
		return err
	}
	if len(g.descs) == 1 {
		v.add(g.descs[0], req, pos)
		return nil
	}
	if part == nil {
		ranges := make([]kvpb.RangeDescriptor, len(g.descs))
		for i, d := range g.descs {
			ranges[i] = *d
		}
		return &kvpb.RangeKeyMismatchError{Key: muts[g.idx[1][0]].Key, Ranges: ranges}
	}
	for j, desc := range g.descs {
		ms := make([]kvpb.Mutation, len(g.idx[j]))
		for n, i := range g.idx[j] {
			ms[n] = muts[i]
		}
		v.add(desc, part(ms), pos)
	}
	return nil
}

// resolve finds the range of key, refusing keys outside the keyspace the
// ranges cover.
func resolve(ctx context.Context, res rangeResolver, key kvpb.Key) (*kvpb.RangeDescriptor, error) {
	if bytes.Compare(key, kvpb.KeyMin) < 0 || bytes.Compare(key, kvpb.KeyMax) >= 0 {
		return nil, &kvpb.RangeKeyMismatchError{Key: key}
	}
	return res.rangeFor(ctx, key, false)
}

// range1 stands for range 1 before its descriptor is known: it holds
// /Meta and /System at least (it is never split below kvpb.SystemMax), so
// their keys are routed without a lookup. It is shared: never modify it.
var range1 = &kvpb.RangeDescriptor{RangeID: 1, StartKey: kvpb.KeyMin, EndKey: kvpb.SystemMax}

// fitsRange reports whether every key req addresses lies in desc: the
// test of the single-range fast path.
func fitsRange(desc *kvpb.RangeDescriptor, req kvpb.Request) bool {
	switch r := req.(type) {
	case *kvpb.ScanRequest:
		return desc.ContainsSpan(r.Span)
	case *kvpb.RawScanRequest:
		return desc.ContainsSpan(r.Span)
	case *kvpb.ClearRangeRequest:
		return desc.ContainsSpan(r.Span)
	case *kvpb.PrewriteRequest:
		return mutationsIn(desc, r.Mutations)
	case *kvpb.OnePCRequest:
		return mutationsIn(desc, r.Mutations)
	case *kvpb.CommitRequest:
		return keysIn(desc, r.Keys)
	case *kvpb.RollbackRequest:
		return keysIn(desc, r.Keys)
	case *kvpb.ResolveLockRequest:
		return keysIn(desc, r.Keys)
	case *kvpb.PessimisticLockRequest:
		return keysIn(desc, r.Keys)
	default:
		return desc.ContainsKey(req.Header())
	}
}

func keysIn(desc *kvpb.RangeDescriptor, ks []kvpb.Key) bool {
	for _, k := range ks {
		if !desc.ContainsKey(k) {
			return false
		}
	}
	return true
}

func mutationsIn(desc *kvpb.RangeDescriptor, ms []kvpb.Mutation) bool {
	for i := range ms {
		if !desc.ContainsKey(ms[i].Key) {
			return false
		}
	}
	return true
}

// merger assembles the responses of a divided batch: one per original
// request, in the original order. The responses of the parts of one
// request are combined: scan rows concatenated in scan order, the empty
// responses of the parts of a write taken once. It is safe for concurrent
// use by the parts' senders.
type merger struct {
	reqs []kvpb.Request

	mu struct {
		sync.Mutex
		pieces [][]piece
	}
}

// piece is the response to the part req of an original request.
type piece struct {
	req  kvpb.Request
	resp kvpb.Response
}

func newMerger(reqs []kvpb.Request) *merger {
	m := &merger{reqs: reqs}
	m.mu.pieces = make([][]piece, len(reqs))
	return m
}

func (m *merger) add(pos int, req kvpb.Request, resp kvpb.Response) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.mu.pieces[pos] = append(m.mu.pieces[pos], piece{req: req, resp: resp})
}

// response returns the combined BatchResponse.
func (m *merger) response() (*kvpb.BatchResponse, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	br := &kvpb.BatchResponse{Responses: make([]kvpb.Response, len(m.reqs))}
	for i, ps := range m.mu.pieces {
		switch len(ps) {
		case 0:
			return nil, fmt.Errorf("kv: no response to %s (request %d of the batch)", m.reqs[i].Method(), i)
		case 1:
			br.Responses[i] = ps[0].resp
			continue
		}
		switch r := m.reqs[i].(type) {
		case *kvpb.ScanRequest:
			sort.Slice(ps, func(a, b int) bool {
				c := bytes.Compare(ps[a].req.Header(), ps[b].req.Header())
				return (c < 0) != r.Reverse
			})
			out := &kvpb.ScanResponse{}
			for _, p := range ps {
				sr, ok := p.resp.(*kvpb.ScanResponse)
				if !ok {
					return nil, fmt.Errorf("kv: %s answered with %s", r.Method(), p.resp.Method())
				}
				out.Rows = append(out.Rows, sr.Rows...)
			}
			br.Responses[i] = out
		case *kvpb.RawScanRequest:
			sort.Slice(ps, func(a, b int) bool { return bytes.Compare(ps[a].req.Header(), ps[b].req.Header()) < 0 })
			out := &kvpb.RawScanResponse{}
			for _, p := range ps {
				sr, ok := p.resp.(*kvpb.RawScanResponse)
				if !ok {
					return nil, fmt.Errorf("kv: %s answered with %s", r.Method(), p.resp.Method())
				}
				out.Rows = append(out.Rows, sr.Rows...)
			}
			br.Responses[i] = out
		default:
			// The parts of a write answer with empty responses.
			br.Responses[i] = ps[0].resp
		}
	}
	return br, nil
}
