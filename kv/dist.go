package kv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// NodeDialer reaches the cluster's nodes; server implements it (the local
// store in-process, the others over gRPC).
type NodeDialer interface {
	// Dial returns a Sender to the node's store.
	Dial(kvpb.NodeID) (Sender, error)
	// Nodes lists the nodes that may hold replicas, to try when no leader
	// is known.
	Nodes() []kvpb.NodeID
}

// AddressLearner is implemented by NodeDialers that take the leader
// addresses NotLeaderErrors carry.
type AddressLearner interface {
	Learn(id kvpb.NodeID, addr string)
}

// UnreachableError is implemented by the errors of a Sender that did not
// reach its node or got no answer (server/rpc's UnavailableError): a read
// may be retried elsewhere, a write's outcome is unknown.
type UnreachableError interface {
	error
	Unreachable() bool
	// NotSent reports that the request certainly did not leave (no
	// connection): even a write may then be sent elsewhere.
	NotSent() bool
}

// AmbiguousResultError is a write whose node went silent after it was
// sent: it may or may not have applied.
type AmbiguousResultError struct {
	RangeID kvpb.RangeID
	Err     error
}

func (e *AmbiguousResultError) Error() string {
	return fmt.Sprintf("result of a write to range %s is unknown: %v", e.RangeID, e.Err)
}

func (e *AmbiguousResultError) Unwrap() error { return e.Err }

// RangeUnavailableError is a range that answered from no node within
// DistSenderOptions.Timeout.
type RangeUnavailableError struct {
	RangeID kvpb.RangeID
	Tried   time.Duration
	Err     error
}

func (e *RangeUnavailableError) Error() string {
	return fmt.Sprintf("range %s is unavailable: no leader answered within %s (last error: %v)", e.RangeID, e.Tried, e.Err)
}

func (e *RangeUnavailableError) Unwrap() error { return e.Err }

// DistSenderOptions tunes a DistSender.
type DistSenderOptions struct {
	// Timeout bounds the search for a range's leader. Default 10 s.
	Timeout time.Duration
	// SilenceTimeout is how long an attempt may go unanswered before the
	// node is probed, and how long the probe may take before the node is
	// deemed silent (sendWatched). Default 1 s; negative disables it.
	SilenceTimeout time.Duration
	// RangeCacheSize bounds the range descriptors cached. Default 65536.
	RangeCacheSize int
}

// DistSender is the Sender of a node in a cluster: it routes each batch by
// its keys to the ranges holding them, dividing a batch that spans ranges
// (see Send), and sends each part to the leader of its range, learning
// leaders from NotLeaderErrors (followed in one step when they name the
// leader) and trying the range's replicas, then the other nodes, when none
// is known. Reads are retried on any node's silence; a write whose node
// went silent is an AmbiguousResultError, never retried blindly.
//
// Ranges are found in a cache of descriptors (rangecache.go), filled from
// /Meta on range 1 (a lookup reads a few following ranges too) and from
// the current descriptors RangeKeyMismatchErrors carry. Range 1 holds
// /Meta and /System and is addressed without a lookup.
type DistSender struct {
	dialer NodeDialer
	opts   DistSenderOptions

	cache *rangeCache

	mu      sync.Mutex
	leaders map[kvpb.RangeID]kvpb.NodeID
	// lookups holds the meta lookups in flight, by the meta key they read
	// from: concurrent misses of one key share one lookup.
	lookups map[string]*metaLookup
}

// metaLookup is a meta lookup in flight; done is closed once desc or err
// is set.
type metaLookup struct {
	done chan struct{}
	desc *kvpb.RangeDescriptor
	err  error
}

var _ Sender = (*DistSender)(nil)

// NewDistSender returns a DistSender over dialer.
func NewDistSender(dialer NodeDialer, opts DistSenderOptions) *DistSender {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.SilenceTimeout == 0 {
		opts.SilenceTimeout = time.Second
	}
	return &DistSender{dialer: dialer, opts: opts, cache: newRangeCache(opts.RangeCacheSize),
		leaders: map[kvpb.RangeID]kvpb.NodeID{}, lookups: map[string]*metaLookup{}}
}

// LeaderHint returns the node last known to lead the range.
func (d *DistSender) LeaderHint(id kvpb.RangeID) (kvpb.NodeID, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.leaders[id]
	return n, ok
}

func (d *DistSender) setLeader(id kvpb.RangeID, n kvpb.NodeID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n == 0 {
		delete(d.leaders, id)
		return
	}
	d.leaders[id] = n
}

// maxParallelParts bounds the parts of one batch in flight at once.
const maxParallelParts = 16

// maxRouteRetries bounds how often a part is re-routed after its range
// turned out to have moved (RangeKeyMismatchError, RangeNotFoundError).
// With RetryBackoff's waits (up to 100 ms) that is several seconds: long
// enough for a range created by a split just before its node died to
// elect a leader and for meta to be repaired (server's repairMeta runs
// every 2 s).
const maxRouteRetries = 100

// metaPrefetch is how many ranges a meta lookup reads: the range wanted and
// those after it, which a scan is likely to want next.
const metaPrefetch = 8

// Send implements Sender. A batch that names its range (ba.RangeID) is sent
// to it as it is. Otherwise the batch is routed by its keys: when the
// range cache holds one range containing all of them (the common case)
// the batch goes there whole; else it is divided by range (divide.go), the
// parts are sent in parallel (at most maxParallelParts at once; a scan
// with a limit reads its ranges one by one, in scan order, up to the
// limit) and their responses are combined into one per request, in the
// batch's order. A part whose range moved (RangeKeyMismatchError, which
// carries the store's current descriptors, or RangeNotFoundError) is
// re-routed, up to maxRouteRetries times. A batch divided into several
// parts is not atomic and a multi-request read is not served from one
// snapshot: each request is correct on its own, at its own timestamp. If
// any part's outcome is unknown the batch's is (AmbiguousResultError); a
// one-phase commit whose keys lie in several ranges is refused with
// RangeKeyMismatchError before anything is sent.
func (d *DistSender) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	if ba.RangeID != 0 {
		return d.sendToRange(ctx, ba.RangeID, nil, ba)
	}
	if len(ba.Requests) == 0 {
		return &kvpb.BatchResponse{}, nil
	}
	if desc := d.cachedRangeOf(ba); desc != nil {
		part := *ba
		part.RangeID = desc.RangeID
		br, err := d.sendToRange(ctx, desc.RangeID, desc, &part)
		if err == nil || !d.noteMoved(desc, err) {
			return br, err
		}
		if !RetryBackoff(ctx, 0) {
			return nil, ctx.Err()
		}
	}
	m := newMerger(ba.Requests)
	if err := d.sendRequests(ctx, m, ba.Requests, nil, 0, true); err != nil {
		return nil, err
	}
	return m.response()
}

// cachedRangeOf returns the cached range holding every key of ba, or nil.
func (d *DistSender) cachedRangeOf(ba *kvpb.BatchRequest) *kvpb.RangeDescriptor {
	k := ba.Requests[0].Header()
	desc, ok := d.cache.lookup(k)
	if !ok {
		if !range1.ContainsKey(k) {
			return nil
		}
		desc = range1
	}
	for _, req := range ba.Requests {
		if !fitsRange(desc, req) {
			return nil
		}
	}
	return desc
}

// rangeFor implements rangeResolver: the cache, else range 1 for /Meta and
// /System, else a meta lookup.
func (d *DistSender) rangeFor(ctx context.Context, key kvpb.Key, before bool) (*kvpb.RangeDescriptor, error) {
	if before {
		if desc, ok := d.cache.lookupBefore(key); ok {
			return desc, nil
		}
		if bytes.Compare(key, range1.EndKey) <= 0 {
			return range1, nil
		}
	} else {
		if desc, ok := d.cache.lookup(key); ok {
			return desc, nil
		}
		if range1.ContainsKey(key) {
			return range1, nil
		}
	}
	return d.lookupMeta(ctx, key, before)
}

// lookupMeta reads the range of key (or, when before is set, of the keys
// just below it) and the next few ranges from /Meta on range 1, and caches
// them. Meta may lag a split (never gapped or overlapping), so the range
// returned may turn out stale; the store then says so. Concurrent lookups
// of one key share the first one's answer, unless its context ended.
func (d *DistSender) lookupMeta(ctx context.Context, key kvpb.Key, before bool) (*kvpb.RangeDescriptor, error) {
	from := kvpb.MetaKey(key)
	if !before {
		from = kvpb.MetaKey(key.Next())
	}
	d.mu.Lock()
	if l, ok := d.lookups[string(from)]; ok {
		d.mu.Unlock()
		select {
		case <-l.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if l.err == nil || ctx.Err() != nil || (!errors.Is(l.err, context.Canceled) && !errors.Is(l.err, context.DeadlineExceeded)) {
			return l.desc, l.err
		}
		// The first looker gave up: look for ourselves.
		return d.readMeta(ctx, key, from, before)
	}
	l := &metaLookup{done: make(chan struct{})}
	d.lookups[string(from)] = l
	d.mu.Unlock()
	l.desc, l.err = d.readMeta(ctx, key, from, before)
	d.mu.Lock()
	delete(d.lookups, string(from))
	d.mu.Unlock()
	close(l.done)
	return l.desc, l.err
}

// readMeta is lookupMeta's read of /Meta from the meta key from.
func (d *DistSender) readMeta(ctx context.Context, key, from kvpb.Key, before bool) (*kvpb.RangeDescriptor, error) {
	contains := func(desc *kvpb.RangeDescriptor) bool {
		if before {
			return bytes.Compare(desc.StartKey, key) < 0 && bytes.Compare(key, desc.EndKey) <= 0
		}
		return desc.ContainsKey(key)
	}
	ba := &kvpb.BatchRequest{RangeID: 1, Requests: []kvpb.Request{
		&kvpb.RawScanRequest{Span: kvpb.Span{Key: from, EndKey: kvpb.MetaMax}, MaxKeys: metaPrefetch},
	}}
	for attempt := 0; ; attempt++ {
		r1, _ := d.cache.lookup(kvpb.KeyMin)
		br, err := d.sendToRange(ctx, 1, r1, ba)
		if err != nil {
			if r1 == nil || !d.noteMoved(r1, err) || attempt >= maxRouteRetries {
				return nil, err
			}
			if !RetryBackoff(ctx, attempt) {
				return nil, ctx.Err()
			}
			continue
		}
		var rows []kvpb.KeyValue
		if len(br.Responses) == 1 {
			if sr, ok := br.Responses[0].(*kvpb.RawScanResponse); ok {
				rows = sr.Rows
			}
		}
		descs := make([]kvpb.RangeDescriptor, 0, len(rows))
		for _, row := range rows {
			desc, err := kvpb.UnmarshalRangeDescriptor(row.Value)
			if err != nil {
				return nil, fmt.Errorf("kv: meta record %s: %w", row.Key, err)
			}
			descs = append(descs, *desc)
		}
		if len(descs) > 0 && contains(&descs[0]) {
			cached := d.cache.insert(descs...)
			if cached[0] != nil {
				return cached[0], nil
			}
			// The cache knows a newer descriptor overlapping it.
			if desc, ok := d.cache.lookup(key); ok && !before {
				return desc, nil
			}
			if desc, ok := d.cache.lookupBefore(key); ok && before {
				return desc, nil
			}
			return &descs[0], nil
		}
		if attempt >= maxRouteRetries {
			return nil, fmt.Errorf("kv: no range holds %s in /Meta", key)
		}
		if !RetryBackoff(ctx, attempt) {
			return nil, ctx.Err()
		}
	}
}

// noteMoved learns from err that desc's range moved, reporting whether the
// request may be re-routed: a RangeKeyMismatchError's descriptors replace
// desc in the cache, a RangeNotFoundError evicts it. Both mean the request
// was not evaluated.
func (d *DistSender) noteMoved(desc *kvpb.RangeDescriptor, err error) bool {
	var mm *kvpb.RangeKeyMismatchError
	if errors.As(err, &mm) {
		d.cache.evict(desc)
		d.cache.insert(mm.Ranges...)
		return true
	}
	var rnf *kvpb.RangeNotFoundError
	if errors.As(err, &rnf) {
		d.cache.evict(desc)
		return true
	}
	return false
}

// sendRequests divides reqs (their positions in the original batch: pos,
// nil for their indexes) by range and sends the parts, in parallel when
// parallel is set (a re-routed part's pieces go one by one), adding the
// responses to m. attempt counts the re-routings so far.
func (d *DistSender) sendRequests(ctx context.Context, m *merger, reqs []kvpb.Request, pos []int, attempt int, parallel bool) error {
	v, err := divide(ctx, d, reqs, pos)
	if err != nil {
		return err
	}
	n := len(v.parts) + len(v.scans)
	run := func(ctx context.Context, i int) error {
		if i < len(v.parts) {
			return d.sendPart(ctx, m, v.parts[i], attempt)
		}
		return d.sendLimitedScan(ctx, m, v.scans[i-len(v.parts)])
	}
	if n == 1 || !parallel {
		for i := 0; i < n; i++ {
			if err := run(ctx, i); err != nil {
				return err
			}
		}
		return nil
	}
	// A read stops its siblings on the first error; a write does not: a
	// write cancelled in flight would have an unknown outcome.
	pctx, cancel := ctx, context.CancelFunc(func() {})
	write := false
	for _, r := range reqs {
		write = write || r.IsWrite()
	}
	if !write {
		pctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, maxParallelParts)
	for i := 0; i < n; i++ {
		mu.Lock()
		failed := first != nil
		mu.Unlock()
		if failed {
			break // what was not sent yet is not sent
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := run(pctx, i); err != nil {
				mu.Lock()
				first = worseError(first, err)
				mu.Unlock()
				if !write {
					cancel()
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// worseError returns the error a batch reports when two of its parts
// failed: the first, unless the other left a write's outcome unknown.
func worseError(first, err error) error {
	var amb *AmbiguousResultError
	if first == nil || (errors.As(err, &amb) && !errors.As(first, &amb)) {
		return err
	}
	return first
}

// sendPart sends one part to its range and adds its responses to m; a part
// whose range moved is divided again and re-sent.
func (d *DistSender) sendPart(ctx context.Context, m *merger, p *batchPart, attempt int) error {
	br, err := d.sendToRange(ctx, p.desc.RangeID, p.desc, &kvpb.BatchRequest{RangeID: p.desc.RangeID, Requests: p.reqs})
	if err == nil {
		if len(br.Responses) != len(p.reqs) {
			return fmt.Errorf("kv: a batch of %d requests to range %s returned %d responses", len(p.reqs), p.desc.RangeID, len(br.Responses))
		}
		for i, resp := range br.Responses {
			m.add(p.pos[i], p.reqs[i], resp)
		}
		return nil
	}
	if !d.noteMoved(p.desc, err) || attempt+1 >= maxRouteRetries {
		return err
	}
	if !RetryBackoff(ctx, attempt) {
		return ctx.Err()
	}
	return d.sendRequests(ctx, m, p.reqs, p.pos, attempt+1, false)
}

// sendLimitedScan reads a scan with a limit range by range in scan order
// (ascending, or descending for a reverse scan), each range asked for what
// remains of the limit, and stops once the limit is reached, with the
// ResumeSpan set to what remains of the span.
func (d *DistSender) sendLimitedScan(ctx context.Context, m *merger, ls limitedScan) error {
	var (
		span              kvpb.Span
		reverse           bool
		maxKeys, maxBytes int64
		scan              *kvpb.ScanRequest
		raw               *kvpb.RawScanRequest
	)
	switch r := ls.req.(type) {
	case *kvpb.ScanRequest:
		scan, span, reverse, maxKeys, maxBytes = r, r.Span, r.Reverse, r.MaxKeys, r.MaxBytes
	case *kvpb.RawScanRequest:
		raw, span, maxKeys = r, r.Span, r.MaxKeys
	default:
		return fmt.Errorf("kv: %s is not a scan", ls.req.Method())
	}
	var (
		rows    []kvpb.KeyValue
		nbytes  int64
		resume  *kvpb.Span
		retries int
	)
	full := func() bool {
		return (maxKeys > 0 && int64(len(rows)) >= maxKeys) || (maxBytes > 0 && nbytes >= maxBytes)
	}
	start, end := span.Key, span.EndKey
	for bytes.Compare(start, end) < 0 {
		if full() {
			resume = &kvpb.Span{Key: start, EndKey: end}
			break
		}
		var desc *kvpb.RangeDescriptor
		var err error
		if reverse {
			desc, err = d.rangeFor(ctx, end, true)
		} else {
			desc, err = resolve(ctx, d, start)
		}
		if err != nil {
			return err
		}
		part := kvpb.Span{Key: start, EndKey: end}
		if bytes.Compare(desc.StartKey, part.Key) > 0 {
			part.Key = desc.StartKey
		}
		if bytes.Compare(desc.EndKey, part.EndKey) < 0 {
			part.EndKey = desc.EndKey
		}
		var keysLeft, bytesLeft int64
		if maxKeys > 0 {
			keysLeft = maxKeys - int64(len(rows))
		}
		if maxBytes > 0 {
			bytesLeft = maxBytes - nbytes
		}
		var partReq kvpb.Request
		if scan != nil {
			c := *scan
			c.Span, c.MaxKeys, c.MaxBytes = part, keysLeft, bytesLeft
			partReq = &c
		} else {
			c := *raw
			c.Span, c.MaxKeys = part, keysLeft
			partReq = &c
		}
		br, err := d.sendToRange(ctx, desc.RangeID, desc, &kvpb.BatchRequest{RangeID: desc.RangeID, Requests: []kvpb.Request{partReq}})
		if err != nil {
			if !d.noteMoved(desc, err) || retries+1 >= maxRouteRetries {
				return err
			}
			if !RetryBackoff(ctx, retries) {
				return ctx.Err()
			}
			retries++
			continue
		}
		retries = 0
		if len(br.Responses) != 1 {
			return fmt.Errorf("kv: a scan of range %s returned %d responses", desc.RangeID, len(br.Responses))
		}
		var partRows []kvpb.KeyValue
		var partResume *kvpb.Span
		switch r := br.Responses[0].(type) {
		case *kvpb.ScanResponse:
			partRows, partResume = r.Rows, r.ResumeSpan
		case *kvpb.RawScanResponse:
			partRows, partResume = r.Rows, nil
		default:
			return fmt.Errorf("kv: %s answered with %s", ls.req.Method(), r.Method())
		}
		rows = append(rows, partRows...)
		for _, row := range partRows {
			nbytes += int64(len(row.Key) + len(row.Value))
		}
		if partResume != nil {
			// The range's share of the limit ran out inside it.
			if reverse {
				resume = &kvpb.Span{Key: span.Key, EndKey: partResume.EndKey}
			} else {
				resume = &kvpb.Span{Key: partResume.Key, EndKey: span.EndKey}
			}
			break
		}
		if reverse {
			end = part.Key
		} else {
			start = part.EndKey
		}
	}
	if scan != nil {
		m.add(ls.pos, ls.req, &kvpb.ScanResponse{Rows: rows, ResumeSpan: resume})
	} else {
		m.add(ls.pos, ls.req, &kvpb.RawScanResponse{Rows: rows})
	}
	return nil
}

// sendToRange sends ba to the leader of range rangeID, finding it: the
// last leader known, else (in this order, each once until a leader hint)
// the voters of desc when known and every node of the dialer. A store
// that answers RangeNotFoundError does not hold the range; when every
// node asked in a round says so and desc is set, the error is returned so
// that the caller looks the range up again. A RangeFrozenError (the range
// is being merged; nothing was evaluated) is retried at the same node
// with backoff until Timeout: once merged, the store answers
// RangeKeyMismatchError with the merged descriptor, which the caller
// re-routes by.
func (d *DistSender) sendToRange(ctx context.Context, rangeID kvpb.RangeID, desc *kvpb.RangeDescriptor, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	start := time.Now()
	deadline := start.Add(d.opts.Timeout)
	var lastErr error
	// tried holds the nodes asked since the last leader hint.
	tried := map[kvpb.NodeID]bool{}
	// notFound holds whether every node asked in this round answered
	// RangeNotFoundError.
	notFound := true
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, &RangeUnavailableError{RangeID: rangeID, Tried: time.Since(start).Round(time.Millisecond), Err: lastErr}
		}
		node, ok := d.LeaderHint(rangeID)
		if !ok || tried[node] {
			node = d.untried(tried, desc)
			if node == 0 {
				if desc != nil && notFound && lastErr != nil {
					return nil, lastErr
				}
				// Every node was asked: wait a little (an election) and
				// start over.
				clear(tried)
				notFound = true
				if !RetryBackoff(ctx, min(attempt, 7)) {
					return nil, ctx.Err()
				}
				continue
			}
		}
		tried[node] = true
		s, err := d.dialer.Dial(node)
		if err != nil {
			lastErr = err
			notFound = false
			d.setLeader(rangeID, 0)
			continue
		}
		br, err := d.sendWatched(ctx, s, ba)
		if err == nil {
			d.setLeader(rangeID, node)
			return br, nil
		}
		lastErr = err
		var nl *kvpb.NotLeaderError
		var ue UnreachableError
		var rnf *kvpb.RangeNotFoundError
		var fz *kvpb.RangeFrozenError
		switch {
		case errors.As(err, &fz):
			// Being merged (nothing was evaluated): ask the same leader
			// again after a pause, until the deadline; once the merge is
			// done it answers RangeKeyMismatchError with the merged
			// descriptor, which the caller re-routes by.
			notFound = false
			delete(tried, node)
			if !RetryBackoff(ctx, min(attempt, 7)) {
				return nil, ctx.Err()
			}
		case errors.As(err, &nl):
			notFound = false
			if l, ok := d.dialer.(AddressLearner); ok && nl.LeaderAddr != "" {
				l.Learn(nl.Leader.NodeID, nl.LeaderAddr)
			}
			if nl.Leader.NodeID != 0 && nl.Leader.NodeID != node {
				// Follow the hint at once: it was not tried since.
				d.setLeader(rangeID, nl.Leader.NodeID)
				delete(tried, nl.Leader.NodeID)
			} else {
				d.setLeader(rangeID, 0)
			}
		case errors.As(err, &ue) && ue.Unreachable():
			notFound = false
			d.setLeader(rangeID, 0)
			if ba.IsWrite() && !ue.NotSent() {
				return nil, &AmbiguousResultError{RangeID: rangeID, Err: err}
			}
		case errors.As(err, &rnf):
			d.setLeader(rangeID, 0)
		default:
			return nil, err
		}
	}
}

// untried returns a node not yet asked, or 0: desc's voters first, then
// the dialer's nodes.
func (d *DistSender) untried(tried map[kvpb.NodeID]bool, desc *kvpb.RangeDescriptor) kvpb.NodeID {
	if desc != nil {
		for _, r := range desc.Replicas {
			if !r.Learner && !tried[r.NodeID] {
				return r.NodeID
			}
		}
	}
	for _, n := range d.dialer.Nodes() {
		if !tried[n] {
			return n
		}
	}
	return 0
}

// errSilent cancels an attempt whose node answers neither it nor a probe.
var errSilent = errors.New("kv: the node answers nothing (not even a probe)")

// silentError is an attempt given up because its node went silent: a read
// is retried elsewhere, a write is ambiguous (it may have applied).
type silentError struct{ err error }

func (e *silentError) Error() string     { return fmt.Sprintf("%v: %v", errSilent, e.err) }
func (e *silentError) Unwrap() error     { return e.err }
func (e *silentError) Unreachable() bool { return true }
func (e *silentError) NotSent() bool     { return false }

// probeBatch is what a silent node is asked: a read of the cluster id that
// any live node answers at once, with the value or a NotLeaderError.
var probeBatch = &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: kvpb.ClusterIDKey}}}

// sendWatched sends ba to s. An attempt unanswered after SilenceTimeout is
// not given up for being slow (it may wait for a lock, or scan a lot):
// the node is then probed, every SilenceTimeout, and the attempt is given
// up only when a probe gets no answer within SilenceTimeout either. A
// frozen process (SIGSTOP, a stalled VM) keeps its TCP connections open,
// and gRPC's keepalive, whose interval is at least 10 s, would notice it
// only after 15 s, with every request to the node waiting that long.
func (d *DistSender) sendWatched(ctx context.Context, s Sender, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	after := d.opts.SilenceTimeout
	if after < 0 {
		return s.Send(ctx, ba)
	}
	actx, cancel := context.WithCancelCause(ctx)
	stop := make(chan struct{})
	watched := make(chan struct{})
	// The watcher runs on the timer's goroutine, only for a slow attempt;
	// the attempt waits for it before returning.
	timer := time.AfterFunc(after, func() {
		defer close(watched)
		wait := time.NewTimer(after)
		defer wait.Stop()
		for {
			pctx, pcancel := context.WithTimeout(actx, after)
			_, err := s.Send(pctx, probeBatch)
			silent := err != nil && errors.Is(pctx.Err(), context.DeadlineExceeded) && actx.Err() == nil
			pcancel()
			if silent {
				cancel(errSilent)
				return
			}
			wait.Reset(after)
			select {
			case <-wait.C:
			case <-stop:
				return
			}
		}
	})
	br, err := s.Send(actx, ba)
	close(stop)
	cancel(nil)
	if !timer.Stop() {
		<-watched
	}
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errSilent) {
		return nil, &silentError{err: err}
	}
	return br, err
}
