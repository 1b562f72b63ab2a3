package kv_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeNode answers after delay (probes too, unless probesAnswer), or never
// when frozen, until its caller's context ends.
type fakeNode struct {
	frozen       bool
	delay        time.Duration
	probesAnswer bool
}

func (n *fakeNode) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	d := n.delay
	if _, probe := ba.Requests[0].(*kvpb.RawGetRequest); probe && n.probesAnswer {
		d = 0
	}
	if n.frozen {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	var resp kvpb.Response = &kvpb.RawPutResponse{}
	if _, meta := ba.Requests[0].(*kvpb.RawScanRequest); meta {
		// One range covers everything.
		desc := kvpb.RangeDescriptor{RangeID: 1, StartKey: kvpb.KeyMin, EndKey: kvpb.KeyMax, Generation: 1,
			Replicas: []kvpb.ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}, {NodeID: 2, StoreID: 2, ReplicaID: 2}}}
		resp = &kvpb.RawScanResponse{Rows: []kvpb.KeyValue{{Key: kvpb.MetaKey(kvpb.KeyMax), Value: desc.Marshal()}}}
	}
	select {
	case <-time.After(d):
		return &kvpb.BatchResponse{Responses: []kvpb.Response{resp}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type fakeDialer map[kvpb.NodeID]*fakeNode

func (d fakeDialer) Dial(id kvpb.NodeID) (kv.Sender, error) { return d[id], nil }
func (d fakeDialer) Nodes() []kvpb.NodeID                   { return []kvpb.NodeID{1, 2} }

// The silence tests address /System, which range 1 holds: no meta lookup.
var put = &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawPutRequest{Key: kvpb.SystemKey("k")}}}

// TestDistSenderSilentNode: a node that answers neither a request nor a
// probe is given up after about two silence timeouts (a read then goes to
// the next node; a write is ambiguous), while a node that is slow but
// answers probes is waited for however long it takes.
func TestDistSenderSilentNode(t *testing.T) {
	const silence = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Node 1 is frozen and asked first.
	ds := kv.NewDistSender(fakeDialer{1: {frozen: true}, 2: {}}, kv.DistSenderOptions{SilenceTimeout: silence})
	start := time.Now()
	get := &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: kvpb.SystemKey("k")}}}
	if _, err := ds.Send(ctx, get); err != nil {
		t.Fatalf("read with node 1 frozen: %v", err)
	}
	if h, _ := ds.LeaderHint(1); h != 2 || time.Since(start) > 5*time.Second {
		t.Fatalf("read answered by n%d after %s, want n2", h, time.Since(start))
	}
	ds = kv.NewDistSender(fakeDialer{1: {frozen: true}, 2: {}}, kv.DistSenderOptions{SilenceTimeout: silence})
	var amb *kv.AmbiguousResultError
	if _, err := ds.Send(ctx, put); !errors.As(err, &amb) {
		t.Fatalf("write to a frozen node: %v, want AmbiguousResultError", err)
	}

	// Slow, but alive: ten silence timeouts, and the answer comes.
	ds = kv.NewDistSender(fakeDialer{1: {delay: 10 * silence, probesAnswer: true}, 2: {}}, kv.DistSenderOptions{SilenceTimeout: silence})
	if _, err := ds.Send(ctx, put); err != nil {
		t.Fatalf("write to a slow node: %v", err)
	}
	if h, _ := ds.LeaderHint(1); h != 1 {
		t.Fatalf("the slow node's answer was not taken (hint n%d)", h)
	}
}

// fakeCluster is a multi-range cluster in memory: ranges over one sorted
// keyspace, each with replicas on some of the nodes and a leader, and the
// /Meta records the stores wrote. Its nodes refuse what a store refuses:
// a range they hold no replica of (RangeNotFoundError), a range they do
// not lead (NotLeaderError), keys outside the addressed range
// (RangeKeyMismatchError with their current descriptors).
type fakeCluster struct {
	mu struct {
		sync.Mutex
		data    map[string][]byte
		ranges  map[kvpb.RangeID]*kvpb.RangeDescriptor
		leader  map[kvpb.RangeID]kvpb.NodeID
		meta    map[string][]byte
		pending map[kvpb.Timestamp]map[string][]byte
		// sent counts the batches each range was sent (refused ones too),
		// metaLookups the reads of /Meta; reqs records the requests each
		// range evaluated.
		sent        map[kvpb.RangeID]int
		metaLookups int
		reqs        map[kvpb.RangeID][]kvpb.Request
		inFlight    int
		maxInFlight int
		arrived     int
	}
	// barrier, when set, holds every data batch until that many arrived
	// since the counts were reset (or the batch's context ends).
	barrier int
	// mismatchAddressedOnly makes a mismatch carry only the addressed
	// range's descriptor, as raftstore does today.
	mismatchAddressedOnly bool
	// metaDelay delays the answer to each meta lookup.
	metaDelay time.Duration
	// frozen, when set, is a node that answers nothing (probes neither).
	frozen kvpb.NodeID
	nodes  []kvpb.NodeID
}

// newFakeCluster returns a cluster of nodes 1-3 whose ranges start at
// KeyMin and at each of splits, range i+1 led by node i%3+1.
func newFakeCluster(splits ...string) *fakeCluster {
	c := &fakeCluster{nodes: []kvpb.NodeID{1, 2, 3}}
	c.mu.data = map[string][]byte{}
	c.mu.ranges = map[kvpb.RangeID]*kvpb.RangeDescriptor{}
	c.mu.leader = map[kvpb.RangeID]kvpb.NodeID{}
	c.mu.meta = map[string][]byte{}
	c.mu.pending = map[kvpb.Timestamp]map[string][]byte{}
	c.mu.sent = map[kvpb.RangeID]int{}
	c.mu.reqs = map[kvpb.RangeID][]kvpb.Request{}
	bounds := []kvpb.Key{kvpb.KeyMin}
	for _, s := range splits {
		bounds = append(bounds, kvpb.Key(s))
	}
	bounds = append(bounds, kvpb.KeyMax)
	for i := 0; i+1 < len(bounds); i++ {
		d := &kvpb.RangeDescriptor{RangeID: kvpb.RangeID(i + 1), StartKey: bounds[i], EndKey: bounds[i+1], Generation: 1}
		for j, n := range c.nodes {
			d.Replicas = append(d.Replicas, kvpb.ReplicaDescriptor{NodeID: n, StoreID: kvpb.StoreID(n), ReplicaID: kvpb.ReplicaID(j + 1)})
		}
		c.mu.ranges[d.RangeID] = d
		c.mu.leader[d.RangeID] = c.nodes[i%len(c.nodes)]
		c.mu.meta[string(kvpb.MetaKey(d.EndKey))] = d.Marshal()
	}
	return c
}

func (c *fakeCluster) Dial(id kvpb.NodeID) (kv.Sender, error) { return &fakeStore{c: c, node: id}, nil }
func (c *fakeCluster) Nodes() []kvpb.NodeID                   { return c.nodes }

// split splits range id at key into a new range newID (both generations
// bumped, the new range led by the same node) and, when writeMeta is set,
// writes both meta records.
func (c *fakeCluster) split(id kvpb.RangeID, key string, newID kvpb.RangeID, writeMeta bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	old := c.mu.ranges[id]
	l, r := *old, *old
	l.EndKey, l.Generation = kvpb.Key(key), old.Generation+1
	r.RangeID, r.StartKey, r.Generation = newID, kvpb.Key(key), old.Generation+1
	c.mu.ranges[id], c.mu.ranges[newID] = &l, &r
	c.mu.leader[newID] = c.mu.leader[id]
	if writeMeta {
		c.writeMetaLocked(id, newID)
	}
}

func (c *fakeCluster) writeMeta(ids ...kvpb.RangeID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writeMetaLocked(ids...)
}

func (c *fakeCluster) writeMetaLocked(ids ...kvpb.RangeID) {
	for _, id := range ids {
		d := c.mu.ranges[id]
		c.mu.meta[string(kvpb.MetaKey(d.EndKey))] = d.Marshal()
	}
}

// resetCounts forgets the batches sent so far.
func (c *fakeCluster) resetCounts() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.mu.sent)
	clear(c.mu.reqs)
	c.mu.metaLookups, c.mu.maxInFlight, c.mu.arrived = 0, 0, 0
}

func (c *fakeCluster) sent() (map[kvpb.RangeID]int, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return maps.Clone(c.mu.sent), c.mu.metaLookups
}

// fakeStore is one node's store of a fakeCluster.
type fakeStore struct {
	c    *fakeCluster
	node kvpb.NodeID
}

func (s *fakeStore) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	c := s.c
	if s.node == c.frozen {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if ba.RangeID == 0 {
		return nil, errors.New("fake store: a batch without a range id")
	}
	c.mu.Lock()
	desc, ok := c.mu.ranges[ba.RangeID]
	if !ok {
		c.mu.Unlock()
		return nil, &kvpb.RangeNotFoundError{RangeID: ba.RangeID, StoreID: kvpb.StoreID(s.node)}
	}
	if l := c.mu.leader[ba.RangeID]; l != s.node {
		c.mu.Unlock()
		return nil, &kvpb.NotLeaderError{RangeID: ba.RangeID, Leader: kvpb.ReplicaDescriptor{NodeID: l}}
	}
	isMeta := false
	if r, ok := ba.Requests[0].(*kvpb.RawScanRequest); ok && bytes.HasPrefix(r.Span.Key, kvpb.MetaPrefix) {
		isMeta = true
		c.mu.metaLookups++
		if c.metaDelay > 0 {
			c.mu.Unlock()
			time.Sleep(c.metaDelay)
			c.mu.Lock()
		}
	} else {
		c.mu.sent[ba.RangeID]++
	}
	for _, req := range ba.Requests {
		if k, ok := outside(desc, req); ok {
			ranges := []kvpb.RangeDescriptor{*desc}
			if !c.mismatchAddressedOnly {
				for _, d := range c.mu.ranges {
					if d.RangeID != desc.RangeID && d.ContainsKey(k) {
						ranges = append(ranges, *d)
					}
				}
			}
			c.mu.Unlock()
			return nil, &kvpb.RangeKeyMismatchError{Key: k, Ranges: ranges}
		}
	}
	if !isMeta {
		c.mu.inFlight++
		c.mu.arrived++
		c.mu.maxInFlight = max(c.mu.maxInFlight, c.mu.inFlight)
		for c.barrier > 0 && c.mu.arrived < c.barrier && ctx.Err() == nil {
			c.mu.Unlock()
			time.Sleep(time.Millisecond)
			c.mu.Lock()
		}
		c.mu.inFlight--
	}
	defer c.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	br := &kvpb.BatchResponse{}
	for _, req := range ba.Requests {
		c.mu.reqs[ba.RangeID] = append(c.mu.reqs[ba.RangeID], req)
		resp, err := c.evalLocked(req)
		if err != nil {
			return nil, err
		}
		br.Responses = append(br.Responses, resp)
	}
	return br, nil
}

// outside returns a key of req outside desc.
func outside(desc *kvpb.RangeDescriptor, req kvpb.Request) (kvpb.Key, bool) {
	var keys []kvpb.Key
	switch r := req.(type) {
	case *kvpb.ScanRequest:
		if !desc.ContainsSpan(r.Span) {
			return r.Span.Key, true
		}
	case *kvpb.RawScanRequest:
		if !desc.ContainsSpan(r.Span) {
			return r.Span.Key, true
		}
	case *kvpb.ClearRangeRequest:
		if !desc.ContainsSpan(r.Span) {
			return r.Span.Key, true
		}
	case *kvpb.CommitRequest:
		keys = r.Keys
	case *kvpb.PrewriteRequest:
		for _, m := range r.Mutations {
			keys = append(keys, m.Key)
		}
	case *kvpb.OnePCRequest:
		for _, m := range r.Mutations {
			keys = append(keys, m.Key)
		}
	default:
		keys = []kvpb.Key{req.Header()}
	}
	for _, k := range keys {
		if !desc.ContainsKey(k) {
			return k, true
		}
	}
	return nil, false
}

func (c *fakeCluster) evalLocked(req kvpb.Request) (kvpb.Response, error) {
	switch r := req.(type) {
	case *kvpb.RawScanRequest:
		src := c.mu.data
		if bytes.HasPrefix(r.Span.Key, kvpb.MetaPrefix) {
			src = c.mu.meta
		}
		rows, _ := scanMap(src, r.Span, false, r.MaxKeys, 0)
		return &kvpb.RawScanResponse{Rows: rows}, nil
	case *kvpb.ScanRequest:
		rows, resume := scanMap(c.mu.data, r.Span, r.Reverse, r.MaxKeys, r.MaxBytes)
		return &kvpb.ScanResponse{Rows: rows, ResumeSpan: resume}, nil
	case *kvpb.GetRequest:
		v, ok := c.mu.data[string(r.Key)]
		return &kvpb.GetResponse{Value: v, Found: ok}, nil
	case *kvpb.RawGetRequest:
		v, ok := c.mu.data[string(r.Key)]
		return &kvpb.RawGetResponse{Value: v, Found: ok}, nil
	case *kvpb.RawPutRequest:
		c.mu.data[string(r.Key)] = r.Value
		return &kvpb.RawPutResponse{}, nil
	case *kvpb.ClearRangeRequest:
		for k := range c.mu.data {
			if r.Span.ContainsKey(kvpb.Key(k)) {
				delete(c.mu.data, k)
			}
		}
		return &kvpb.ClearRangeResponse{}, nil
	case *kvpb.PrewriteRequest:
		p := c.mu.pending[r.StartTs]
		if p == nil {
			p = map[string][]byte{}
			c.mu.pending[r.StartTs] = p
		}
		for _, m := range r.Mutations {
			p[string(m.Key)] = m.Value
		}
		return &kvpb.PrewriteResponse{}, nil
	case *kvpb.CommitRequest:
		for _, k := range r.Keys {
			if v, ok := c.mu.pending[r.StartTs][string(k)]; ok {
				c.mu.data[string(k)] = v
				delete(c.mu.pending[r.StartTs], string(k))
			}
		}
		return &kvpb.CommitResponse{}, nil
	case *kvpb.OnePCRequest:
		for _, m := range r.Mutations {
			c.mu.data[string(m.Key)] = m.Value
		}
		return &kvpb.OnePCResponse{CommitTs: r.StartTs + 1}, nil
	}
	return nil, fmt.Errorf("fake store: %s not implemented", req.Method())
}

// scanMap scans the keys of m in span as kv/mvcc's scan does: in order or
// reverse, stopping at maxKeys rows or once maxBytes of keys and values
// were read, with the rest of the span as the resume span.
func scanMap(m map[string][]byte, span kvpb.Span, reverse bool, maxKeys, maxBytes int64) ([]kvpb.KeyValue, *kvpb.Span) {
	end := span.EndKey
	if len(end) == 0 {
		end = span.Key.Next()
	}
	var keys []string
	for k := range m {
		if bytes.Compare([]byte(k), span.Key) >= 0 && bytes.Compare([]byte(k), end) < 0 {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	if reverse {
		slices.Reverse(keys)
	}
	var rows []kvpb.KeyValue
	var n int64
	for _, k := range keys {
		if (maxKeys > 0 && int64(len(rows)) >= maxKeys) || (maxBytes > 0 && n >= maxBytes) {
			last := rows[len(rows)-1].Key
			if reverse {
				return rows, &kvpb.Span{Key: span.Key, EndKey: last}
			}
			return rows, &kvpb.Span{Key: last.Next(), EndKey: end}
		}
		rows = append(rows, kvpb.KeyValue{Key: kvpb.Key(k), Value: m[k]})
		n += int64(len(k) + len(m[k]))
	}
	return rows, nil
}

// threeRanges is a cluster of ranges [Min, c), [c, m), [m, Max) holding
// the keys a … z (value: the key twice).
func threeRanges(t *testing.T) (*fakeCluster, *kv.DistSender) {
	t.Helper()
	c := newFakeCluster("c", "m")
	for ch := 'a'; ch <= 'z'; ch++ {
		c.mu.data[string(ch)] = []byte{byte(ch), byte(ch)}
	}
	return c, kv.NewDistSender(c, kv.DistSenderOptions{Timeout: 5 * time.Second})
}

func sendOK(t *testing.T, ds *kv.DistSender, reqs ...kvpb.Request) []kvpb.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	br, err := ds.Send(ctx, &kvpb.BatchRequest{Requests: reqs})
	if err != nil {
		t.Fatalf("send %v: %v", reqs, err)
	}
	if len(br.Responses) != len(reqs) {
		t.Fatalf("%d responses to %d requests", len(br.Responses), len(reqs))
	}
	return br.Responses
}

func keysOf(rows []kvpb.KeyValue) string {
	var sb strings.Builder
	for _, r := range rows {
		sb.Write(r.Key)
	}
	return sb.String()
}

// TestDistSenderRoutesAcrossRanges: a batch of point reads over three
// ranges is answered in the batch's order, each read evaluated by the
// range holding its key; one meta lookup finds all three ranges.
func TestDistSenderRoutesAcrossRanges(t *testing.T) {
	c, ds := threeRanges(t)
	keys := []string{"b", "x", "d", "zz", "n", "a"}
	var reqs []kvpb.Request
	for _, k := range keys {
		reqs = append(reqs, &kvpb.GetRequest{Key: kvpb.Key(k), Ts: 10})
	}
	resps := sendOK(t, ds, reqs...)
	for i, k := range keys {
		g := resps[i].(*kvpb.GetResponse)
		if want := k != "zz"; g.Found != want || (want && string(g.Value) != k+k) {
			t.Errorf("get %s: found=%v value=%q", k, g.Found, g.Value)
		}
	}
	sent, lookups := c.sent()
	if want := map[kvpb.RangeID]int{1: 1, 2: 1, 3: 1}; !maps.Equal(sent, want) || lookups != 1 {
		t.Errorf("batches by range %v and %d meta lookups, want %v and 1", sent, lookups, want)
	}
	// A batch in one range goes there whole, without a lookup.
	c.resetCounts()
	sendOK(t, ds, &kvpb.RawPutRequest{Key: kvpb.Key("e"), Value: []byte("E")}, &kvpb.RawPutRequest{Key: kvpb.Key("f")})
	if sent, lookups := c.sent(); !maps.Equal(sent, map[kvpb.RangeID]int{2: 1}) || lookups != 0 {
		t.Errorf("one-range batch: batches by range %v, %d meta lookups", sent, lookups)
	}
	if h, _ := ds.LeaderHint(2); h != 2 {
		t.Errorf("range 2's leader learned as %s, want n2", h)
	}
}

// TestDistSenderScanAcrossRanges: scans over several ranges, forward and
// reverse, with and without row and byte limits, return what one scan of
// the whole keyspace would, and paging through the resume spans returns
// every row once. A limited scan stops reading ranges at its limit.
func TestDistSenderScanAcrossRanges(t *testing.T) {
	c, ds := threeRanges(t)
	spans := []kvpb.Span{
		{Key: kvpb.Key("a"), EndKey: kvpb.KeyMax},
		{Key: kvpb.Key("b"), EndKey: kvpb.Key("p")},
		{Key: kvpb.Key("c"), EndKey: kvpb.Key("m")},
		{Key: kvpb.Key("l"), EndKey: kvpb.Key("n")},
		{Key: kvpb.SystemMax, EndKey: kvpb.Key("d")},
	}
	for _, span := range spans {
		for _, reverse := range []bool{false, true} {
			all, _ := scanMap(c.mu.data, span, reverse, 0, 0)
			for _, lim := range []struct{ keys, bytes int64 }{{0, 0}, {1, 0}, {2, 0}, {3, 0}, {5, 0}, {100, 0}, {0, 1}, {0, 5}, {0, 7}, {2, 5}} {
				name := fmt.Sprintf("%s/reverse=%v/keys=%d/bytes=%d", span, reverse, lim.keys, lim.bytes)
				want, _ := scanMap(c.mu.data, span, reverse, lim.keys, lim.bytes)
				var pages []kvpb.KeyValue
				s := span
				for page := 0; ; page++ {
					r := sendOK(t, ds, &kvpb.ScanRequest{Span: s, Ts: 10, Reverse: reverse, MaxKeys: lim.keys, MaxBytes: lim.bytes})[0].(*kvpb.ScanResponse)
					if page == 0 && keysOf(r.Rows) != keysOf(want) {
						t.Errorf("%s: first page %q, want %q", name, keysOf(r.Rows), keysOf(want))
					}
					pages = append(pages, r.Rows...)
					if r.ResumeSpan == nil || page > 30 {
						break
					}
					s = *r.ResumeSpan
				}
				if keysOf(pages) != keysOf(all) {
					t.Errorf("%s: pages %q, want %q", name, keysOf(pages), keysOf(all))
				}
			}
		}
	}

	// LIMIT 2 from a: range 1 holds a and b, the others are not read.
	c.resetCounts()
	r := sendOK(t, ds, &kvpb.ScanRequest{Span: kvpb.Span{Key: kvpb.Key("a"), EndKey: kvpb.KeyMax}, Ts: 10, MaxKeys: 2})[0].(*kvpb.ScanResponse)
	if keysOf(r.Rows) != "ab" || r.ResumeSpan == nil || !r.ResumeSpan.Key.Equal(kvpb.Key("c")) {
		t.Errorf("LIMIT 2: rows %q resume %v", keysOf(r.Rows), r.ResumeSpan)
	}
	if sent, _ := c.sent(); !maps.Equal(sent, map[kvpb.RangeID]int{1: 1}) {
		t.Errorf("LIMIT 2 read ranges %v, want only r1", sent)
	}
	// Reverse LIMIT 3 from the end: only range 3.
	c.resetCounts()
	r = sendOK(t, ds, &kvpb.ScanRequest{Span: kvpb.Span{Key: kvpb.Key("a"), EndKey: kvpb.KeyMax}, Ts: 10, MaxKeys: 3, Reverse: true})[0].(*kvpb.ScanResponse)
	if keysOf(r.Rows) != "zyx" || r.ResumeSpan == nil || !r.ResumeSpan.EndKey.Equal(kvpb.Key("x")) {
		t.Errorf("reverse LIMIT 3: rows %q resume %v", keysOf(r.Rows), r.ResumeSpan)
	}
	if sent, _ := c.sent(); !maps.Equal(sent, map[kvpb.RangeID]int{3: 1}) {
		t.Errorf("reverse LIMIT 3 read ranges %v, want only r3", sent)
	}
	// A raw scan and a clear range over all three.
	raw := sendOK(t, ds, &kvpb.RawScanRequest{Span: kvpb.Span{Key: kvpb.Key("b"), EndKey: kvpb.Key("o")}, MaxKeys: 12})[0].(*kvpb.RawScanResponse)
	if got := keysOf(raw.Rows); got != "bcdefghijklm" {
		t.Errorf("raw scan: %q", got)
	}
	sendOK(t, ds, &kvpb.ClearRangeRequest{Span: kvpb.Span{Key: kvpb.Key("b"), EndKey: kvpb.Key("y")}})
	r = sendOK(t, ds, &kvpb.ScanRequest{Span: kvpb.Span{Key: kvpb.KeyMin, EndKey: kvpb.KeyMax}, Ts: 10})[0].(*kvpb.ScanResponse)
	if got := keysOf(r.Rows); got != "ayz" {
		t.Errorf("after clearing [b, y): %q", got)
	}
}

// TestDistSenderStaleCacheAfterSplit: after a split the cached range
// refuses the keys it gave away, and the request is re-routed in one
// retry: at once to the new range when the refusal names it, through
// one meta lookup when it names only the shrunk range, and again until
// meta catches up when meta still has the old range.
func TestDistSenderStaleCacheAfterSplit(t *testing.T) {
	for _, addressedOnly := range []bool{false, true} {
		t.Run(fmt.Sprintf("addressedOnly=%v", addressedOnly), func(t *testing.T) {
			c, ds := threeRanges(t)
			c.mismatchAddressedOnly = addressedOnly
			sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("d"), Ts: 10}) // caches all three
			c.split(2, "h", 4, true)
			c.resetCounts()
			g := sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("j"), Ts: 10})[0].(*kvpb.GetResponse)
			if string(g.Value) != "jj" {
				t.Fatalf("get j: %q", g.Value)
			}
			sent, lookups := c.sent()
			wantLookups := 0
			if addressedOnly {
				wantLookups = 1
			}
			if !maps.Equal(sent, map[kvpb.RangeID]int{2: 1, 4: 1}) || lookups != wantLookups {
				t.Errorf("batches by range %v and %d meta lookups, want r2 (refused) and r4 once, %d lookups", sent, lookups, wantLookups)
			}
			// A scan over both halves.
			r := sendOK(t, ds, &kvpb.ScanRequest{Span: kvpb.Span{Key: kvpb.Key("f"), EndKey: kvpb.Key("k")}, Ts: 10})[0].(*kvpb.ScanResponse)
			if got := keysOf(r.Rows); got != "fghij" {
				t.Errorf("scan [f, k) after the split: %q", got)
			}
		})
	}
	t.Run("staleMeta", func(t *testing.T) {
		c, ds := threeRanges(t)
		c.mismatchAddressedOnly = true
		c.split(3, "t", 4, false)
		// Meta still says r3 is [m, Max): r3 refuses u until meta is fixed.
		done := make(chan struct{})
		go func() {
			defer close(done)
			for {
				if sent, _ := c.sent(); sent[3] >= 2 {
					c.writeMeta(3, 4)
					return
				}
				time.Sleep(time.Millisecond)
			}
		}()
		g := sendOK(t, ds, &kvpb.RawGetRequest{Key: kvpb.Key("u")})[0].(*kvpb.RawGetResponse)
		<-done
		if string(g.Value) != "uu" {
			t.Fatalf("get u: %q", g.Value)
		}
	})
}

// TestDistSenderSplitsMultiKeyRequests: a commit of keys in three ranges
// becomes one commit per range with that range's keys; a prewrite's parts
// keep their primary.
func TestDistSenderSplitsMultiKeyRequests(t *testing.T) {
	c, ds := threeRanges(t)
	keys := []kvpb.Key{kvpb.Key("a"), kvpb.Key("d"), kvpb.Key("n"), kvpb.Key("e"), kvpb.Key("o")}
	var muts []kvpb.Mutation
	for _, k := range keys {
		muts = append(muts, kvpb.Mutation{Op: kvpb.OpPut, Key: k, Value: []byte("new")})
	}
	sendOK(t, ds, &kvpb.PrewriteRequest{Primary: kvpb.Key("d"), StartTs: 5, Mutations: muts})
	sendOK(t, ds, &kvpb.CommitRequest{StartTs: 5, CommitTs: 6, Keys: keys})
	c.mu.Lock()
	defer c.mu.Unlock()
	want := map[kvpb.RangeID]string{1: "a", 2: "de", 3: "no"}
	for id, w := range want {
		var got string
		for _, req := range c.mu.reqs[id] {
			switch r := req.(type) {
			case *kvpb.CommitRequest:
				for _, k := range r.Keys {
					got += string(k)
				}
			case *kvpb.PrewriteRequest:
				if !r.Primary.Equal(kvpb.Key("d")) {
					t.Errorf("r%d: prewrite with primary %s", id, r.Primary)
				}
			}
		}
		if got != w {
			t.Errorf("r%d committed %q, want %q", id, got, w)
		}
	}
	for _, k := range keys {
		if string(c.mu.data[string(k)]) != "new" {
			t.Errorf("%s = %q after the commit", k, c.mu.data[string(k)])
		}
	}
}

// TestDistSenderOnePCAcrossRanges: a one-phase commit whose keys lie in two
// ranges is refused with RangeKeyMismatchError and nothing is sent; a
// transaction writing to three ranges then commits in two phases.
func TestDistSenderOnePCAcrossRanges(t *testing.T) {
	c, ds := threeRanges(t)
	sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("a"), Ts: 10}) // caches all three
	c.resetCounts()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := ds.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.OnePCRequest{StartTs: 5, Mutations: []kvpb.Mutation{
		{Op: kvpb.OpPut, Key: kvpb.Key("a")}, {Op: kvpb.OpPut, Key: kvpb.Key("d")},
	}}}})
	var mm *kvpb.RangeKeyMismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("one-phase commit over two ranges: %v, want RangeKeyMismatchError", err)
	}
	if sent, lookups := c.sent(); len(sent) != 0 || lookups != 0 {
		t.Errorf("the refused one-phase commit sent %v (%d lookups)", sent, lookups)
	}
	// In one range it goes through.
	sendOK(t, ds, &kvpb.OnePCRequest{StartTs: 5, Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: kvpb.Key("d"), Value: []byte("1pc")}}})

	db := kv.NewDB(ds, &fakeTSO{}, kv.DBOptions{})
	if err := db.Txn(ctx, func(ctx context.Context, txn *kv.Txn) error {
		for _, k := range []string{"b", "e", "q"} {
			if err := txn.Put(kvpb.Key(k), []byte("txn")); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatalf("transaction over three ranges: %v", err)
	}
	txn, err := db.NewTxn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rows, _, err := txn.Scan(ctx, kvpb.Span{Key: kvpb.Key("a"), EndKey: kvpb.Key("r")}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		if string(r.Value) == "txn" {
			got = append(got, string(r.Key))
		}
	}
	if strings.Join(got, "") != "beq" {
		t.Errorf("rows written by the transaction: %v", got)
	}
}

type fakeTSO struct{ ts atomic.Uint64 }

func (o *fakeTSO) Next(context.Context) (kvpb.Timestamp, error) {
	return kvpb.Timestamp(o.ts.Add(1) + 100), nil
}

// TestDistSenderParallelParts: the parts of a batch over three ranges are
// in flight at once (each range holds its part until all three arrived),
// while a scan with a limit reads its ranges one at a time.
func TestDistSenderParallelParts(t *testing.T) {
	c, ds := threeRanges(t)
	sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("a"), Ts: 10}) // caches all three
	c.barrier = 3
	c.resetCounts()
	sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("a"), Ts: 10}, &kvpb.GetRequest{Key: kvpb.Key("d"), Ts: 10}, &kvpb.GetRequest{Key: kvpb.Key("q"), Ts: 10})
	c.mu.Lock()
	maxIn := c.mu.maxInFlight
	c.mu.Unlock()
	if maxIn != 3 {
		t.Errorf("%d parts in flight at most, want 3", maxIn)
	}
	c.barrier = 0
	c.resetCounts()
	r := sendOK(t, ds, &kvpb.ScanRequest{Span: kvpb.Span{Key: kvpb.Key("a"), EndKey: kvpb.KeyMax}, Ts: 10, MaxKeys: 20})[0].(*kvpb.ScanResponse)
	c.mu.Lock()
	maxIn = c.mu.maxInFlight
	c.mu.Unlock()
	if len(r.Rows) != 20 || maxIn != 1 {
		t.Errorf("limited scan: %d rows, %d ranges read at once", len(r.Rows), maxIn)
	}
}

// TestDistSenderRangeNotFound: a cached range that no node holds any more
// (here replaced by another range over the same span) is evicted and
// looked up again.
func TestDistSenderRangeNotFound(t *testing.T) {
	c, ds := threeRanges(t)
	sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("a"), Ts: 10}) // caches all three
	c.mu.Lock()
	r5 := *c.mu.ranges[2]
	r5.RangeID, r5.Generation = 5, 2
	delete(c.mu.ranges, 2)
	c.mu.ranges[5], c.mu.leader[5] = &r5, 1
	c.mu.meta[string(kvpb.MetaKey(r5.EndKey))] = r5.Marshal()
	c.mu.Unlock()
	c.resetCounts()
	g := sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("d"), Ts: 10})[0].(*kvpb.GetResponse)
	if string(g.Value) != "dd" {
		t.Fatalf("get d: %q", g.Value)
	}
	if sent, lookups := c.sent(); !maps.Equal(sent, map[kvpb.RangeID]int{5: 1}) || lookups != 1 {
		t.Errorf("batches by range %v, %d meta lookups; want r5 once after one lookup", sent, lookups)
	}
}

// BenchmarkDistSenderOneRange measures the common case: a point read in a
// cached range whose leader is known.
func BenchmarkDistSenderOneRange(b *testing.B) {
	c := newFakeCluster("c", "m")
	c.mu.data["d"] = []byte("v")
	ds := kv.NewDistSender(c, kv.DistSenderOptions{SilenceTimeout: -1})
	ctx := context.Background()
	ba := &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.GetRequest{Key: kvpb.Key("d"), Ts: 10}}}
	if _, err := ds.Send(ctx, ba); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ds.Send(ctx, ba); err != nil {
			b.Fatal(err)
		}
	}
}

// TestDistSenderAmbiguousPart: a write over two ranges whose part went to
// a leader that fell silent is ambiguous as a whole, though the other
// part applied.
func TestDistSenderAmbiguousPart(t *testing.T) {
	c := newFakeCluster("c", "m")
	ds := kv.NewDistSender(c, kv.DistSenderOptions{SilenceTimeout: 20 * time.Millisecond})
	sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("a"), Ts: 10}) // caches all three, learns r1's leader
	sendOK(t, ds, &kvpb.GetRequest{Key: kvpb.Key("d"), Ts: 10}) // learns r2's leader, n2
	c.frozen = 2
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := ds.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{
		&kvpb.CommitRequest{StartTs: 5, CommitTs: 6, Keys: []kvpb.Key{kvpb.Key("a"), kvpb.Key("d")}},
	}})
	var amb *kv.AmbiguousResultError
	if !errors.As(err, &amb) || amb.RangeID != 2 {
		t.Fatalf("write with r2's leader frozen: %v, want AmbiguousResultError of r2", err)
	}
	if sent, _ := c.sent(); sent[1] != 2 {
		t.Errorf("r1's part was not sent: %v", sent)
	}
}

// TestDistSenderSharesMetaLookups: concurrent requests missing the cache
// for one key share one meta lookup.
func TestDistSenderSharesMetaLookups(t *testing.T) {
	c, ds := threeRanges(t)
	c.metaDelay = 50 * time.Millisecond
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ba := &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.GetRequest{Key: kvpb.Key("q"), Ts: 10}}}
			if _, err := ds.Send(context.Background(), ba); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if _, lookups := c.sent(); lookups != 1 {
		t.Errorf("%d meta lookups, want 1", lookups)
	}
}
