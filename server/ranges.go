package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/raftstore"
)

// Ranges from the node's side (DESIGN.md §3, §5): splits asked by SQL,
// the /Meta entries they and membership changes leave to be written, and
// the listings of SHOW … REGIONS.
//
// Range 1 holds /Meta, so its own splits and membership changes write
// their meta entries in the same raft command. Any other range's entries
// are written here, through range 1, after the change applied: every
// entry is a conditional put on the value just read, made only when the
// value there is older (a lower generation) — a late writer never
// overwrites a newer entry — and both entries of a split go in one batch,
// which range 1 applies atomically, so meta is stale at worst, never
// gapped or overlapping. The node that asked for a split writes them at
// once; repairMeta, beside every range leader on every node, writes what a
// crash left out.

// rangeAdmin implements kv.RangeAdmin over the node's kv client.
type rangeAdmin struct{ s *Server }

var _ kv.RangeAdmin = rangeAdmin{}

// SplitAt implements kv.RangeAdmin: a split a user asked for, which the
// placement driver never merges away (its sticky marker is written
// first, so a crash in between leaves at worst a marker without a split).
func (a rangeAdmin) SplitAt(ctx context.Context, key kvpb.Key) (bool, error) {
	if bytes.Compare(key, kvpb.SystemMax) < 0 || bytes.Compare(key, kvpb.KeyMax) >= 0 {
		return false, fmt.Errorf("cannot split at %s: ranges split only in [%s, %s)", key, kvpb.SystemMax, kvpb.KeyMax)
	}
	if err := a.s.db.RawPut(ctx, kvpb.StickySplitKey(key), nil); err != nil {
		return false, err
	}
	return a.s.splitAt(ctx, key, 0)
}

// splitAt splits the range holding key so that a range starts there; with
// gen ≠ 0, only if that range is still at generation gen. It reports
// false when a range starts there already.
func (s *Server) splitAt(ctx context.Context, key kvpb.Key, gen uint64) (bool, error) {
	if bytes.Compare(key, kvpb.SystemMax) < 0 || bytes.Compare(key, kvpb.KeyMax) >= 0 {
		return false, fmt.Errorf("cannot split at %s: ranges split only in [%s, %s)", key, kvpb.SystemMax, kvpb.KeyMax)
	}
	db := s.db
	d, err := lookupMeta(ctx, db, key)
	if err != nil {
		return false, err
	}
	if d.StartKey.Equal(key) {
		return false, nil
	}
	n, err := db.Increment(ctx, kvpb.RangeIDGeneratorKey, 1)
	if err != nil {
		return false, err
	}
	// Range 1 was bootstrapped without the counter: ids start at 2.
	id := kvpb.RangeID(n + 1)
	resp, err := db.Send(ctx, &kvpb.AdminSplitRequest{SplitKey: key, RightRangeID: id, Generation: gen})
	var mm *kvpb.RangeKeyMismatchError
	if errors.As(err, &mm) {
		for _, r := range mm.Ranges {
			if r.StartKey.Equal(key) {
				return false, nil // split there by someone else meanwhile
			}
		}
	}
	if err != nil {
		return false, err
	}
	sp := resp.(*kvpb.AdminSplitResponse)
	if skip := s.cfg.TestingSkipSplitMeta; skip != nil && skip() {
		return true, nil
	}
	if err := updateMeta(ctx, db, sp.Left, sp.Right); err != nil {
		// The split stands; repairMeta writes the entries later.
		s.log.Warn("split: meta entries not written yet", "left", sp.Left.RangeID, "right", sp.Right.RangeID, "err", err)
	}
	return true, nil
}

// Ranges implements kv.RangeAdmin: the meta entries overlapping span, with
// each range's leader (asked with a read, which also warms the kv
// client's leader cache) and, where this node holds a replica, its size.
func (a rangeAdmin) Ranges(ctx context.Context, span kvpb.Span) ([]kv.RangeInfo, error) {
	descs, err := scanMeta(ctx, a.s.db, span)
	if err != nil {
		return nil, err
	}
	local := map[kvpb.RangeID]raftstore.ReplicaInfo{}
	for _, r := range a.s.store.Replicas() {
		local[r.Desc.RangeID] = r
	}
	out := make([]kv.RangeInfo, 0, len(descs))
	for _, d := range descs {
		ri := kv.RangeInfo{Desc: d}
		ri.LeaderNode = a.s.rangeLeader(ctx, d)
		if b, k, err := a.s.store.RangeStats(d.RangeID, 0); err == nil {
			ri.ApproxBytes, ri.ApproxKeys = b, k
		}
		if r, ok := local[d.RangeID]; ok && ri.LeaderNode == a.s.ident.NodeID {
			// Traffic is counted by the leader's replica; another node's
			// leader is not asked (0).
			ri.WrittenBytes, ri.ReadBytes = r.WrittenBytes, r.ReadBytes
		}
		out = append(out, ri)
	}
	return out, nil
}

// localDialer reaches the one store of a single node.
type localDialer struct {
	id    kvpb.NodeID
	store *raftstore.Store
}

func (d localDialer) Dial(id kvpb.NodeID) (kv.Sender, error) {
	if id != d.id {
		return nil, fmt.Errorf("single node %s has no node %s", d.id, id)
	}
	return d.store, nil
}

func (d localDialer) Nodes() []kvpb.NodeID { return []kvpb.NodeID{d.id} }

// rangeLeader returns the node leading d's range: this node if its
// replica leads, else the node that answers a read of the range.
func (s *Server) rangeLeader(ctx context.Context, d kvpb.RangeDescriptor) kvpb.NodeID {
	if _, ok := s.store.LeaderTerm(d.RangeID); ok {
		return s.ident.NodeID
	}
	if s.dist == nil {
		return 0
	}
	rctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := s.dist.Send(rctx, &kvpb.BatchRequest{RangeID: d.RangeID,
		Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: d.StartKey}}}); err != nil {
		return 0
	}
	n, _ := s.dist.LeaderHint(d.RangeID)
	return n
}

// lookupMeta reads the meta entry of the range holding key.
func lookupMeta(ctx context.Context, db *kv.DB, key kvpb.Key) (kvpb.RangeDescriptor, error) {
	descs, err := scanMeta(ctx, db, kvpb.Span{Key: key, EndKey: key.Next()})
	if err != nil {
		return kvpb.RangeDescriptor{}, err
	}
	if len(descs) == 0 || !descs[0].ContainsKey(key) {
		return kvpb.RangeDescriptor{}, fmt.Errorf("meta has no range holding %s", key)
	}
	return descs[0], nil
}

// scanMeta reads the meta entries of the ranges overlapping span, in key
// order.
func scanMeta(ctx context.Context, db *kv.DB, span kvpb.Span) ([]kvpb.RangeDescriptor, error) {
	if len(span.EndKey) == 0 || span.EndKey.Equal(span.Key.Next()) {
		// One key: the first entry ending after it.
		return scanMetaRows(ctx, db, kvpb.Span{Key: kvpb.MetaKey(span.Key.Next()), EndKey: kvpb.MetaMax}, 1, nil)
	}
	// Entries are keyed by their range's end: those ending in
	// (span.Key, span.EndKey] first — a scan bounded by the span, not the
	// rest of the keyspace — then, unless one ends exactly at
	// span.EndKey, the one range reaching past it.
	out, err := scanMetaRows(ctx, db, kvpb.Span{Key: kvpb.MetaKey(span.Key.Next()), EndKey: kvpb.MetaKey(span.EndKey).Next()}, 0, span.EndKey)
	if err != nil {
		return nil, err
	}
	if n := len(out); n > 0 && bytes.Compare(out[n-1].EndKey, span.EndKey) >= 0 {
		return out, nil
	}
	last, err := scanMetaRows(ctx, db, kvpb.Span{Key: kvpb.MetaKey(span.EndKey.Next()), EndKey: kvpb.MetaMax}, 1, span.EndKey)
	if err != nil {
		return nil, err
	}
	return append(out, last...), nil
}

// scanMetaRows decodes the meta entries of span (at most limit, 0: all),
// stopping at the first range starting at or after before (nil: none).
func scanMetaRows(ctx context.Context, db *kv.DB, span kvpb.Span, limit int64, before kvpb.Key) ([]kvpb.RangeDescriptor, error) {
	resp, err := db.Send(ctx, &kvpb.RawScanRequest{Span: span, MaxKeys: limit})
	if err != nil {
		return nil, err
	}
	var out []kvpb.RangeDescriptor
	for _, row := range resp.(*kvpb.RawScanResponse).Rows {
		d, err := kvpb.UnmarshalRangeDescriptor(row.Value)
		if err != nil {
			return nil, fmt.Errorf("meta entry %s: %w", row.Key, err)
		}
		if len(before) > 0 && bytes.Compare(d.StartKey, before) >= 0 {
			break
		}
		out = append(out, *d)
	}
	return out, nil
}

// errMetaWider is updateMeta's refusal of descriptors that do not cover
// the whole span of the entries they would replace.
var errMetaWider = errors.New("meta entries reach beyond the descriptors that would replace them")

// updateMeta writes the meta entries of descs — contiguous, in key order —
// in one batch to range 1 (atomic there), replacing the entries that
// overlap their span, each with a conditional put on the value just read.
// An entry whose end is no longer a boundary (a merge) is deleted when a
// newer descriptor of descs covers it, guarded by a conditional put of
// the value just read in the same batch. It refuses when those entries
// reach beyond the span (a gap would open: more of the newer ranges are
// needed, repairMeta gathers them) and leaves alone what is as new or
// newer; it retries while another writer changes the entries in between.
func updateMeta(ctx context.Context, db *kv.DB, descs ...kvpb.RangeDescriptor) error {
	if len(descs) == 0 {
		return nil
	}
	span := kvpb.Span{Key: descs[0].StartKey, EndKey: descs[len(descs)-1].EndKey}
	for attempt := 0; ; attempt++ {
		cur, err := scanMeta(ctx, db, span)
		if err != nil {
			return err
		}
		byEnd := map[string]kvpb.RangeDescriptor{}
		for _, e := range cur {
			if bytes.Compare(e.StartKey, span.Key) < 0 || bytes.Compare(e.EndKey, span.EndKey) > 0 {
				return errMetaWider
			}
			byEnd[string(e.EndKey)] = e
		}
		ends := map[string]bool{}
		var reqs []kvpb.Request
		for i := range descs {
			d := &descs[i]
			ends[string(d.EndKey)] = true
			k := kvpb.MetaKey(d.EndKey)
			e, found := byEnd[string(d.EndKey)]
			if found && e.Generation >= d.Generation {
				if e.RangeID == d.RangeID {
					continue // as new or newer
				}
				return fmt.Errorf("meta entry %s holds %s, newer than %s", k, &e, d)
			}
			var expected []byte
			if found {
				expected = e.Marshal()
			}
			reqs = append(reqs, &kvpb.RawCPutRequest{Key: k, Value: d.Marshal(), Expected: expected, ExpectedExists: found})
		}
		for end, e := range byEnd {
			if ends[end] {
				continue
			}
			// Only a merge removes a boundary: the entry goes if a newer
			// descriptor covers its whole span, deleted only while it
			// holds what was read (a put of the same value guards it).
			covered := false
			for i := range descs {
				d := &descs[i]
				if bytes.Compare(d.StartKey, e.StartKey) <= 0 && bytes.Compare(e.EndKey, d.EndKey) <= 0 && d.Generation > e.Generation {
					covered = true
				}
			}
			if !covered {
				return fmt.Errorf("meta entry of %s has no replacement", &e)
			}
			k, v := kvpb.MetaKey(e.EndKey), e.Marshal()
			reqs = append(reqs, &kvpb.RawCPutRequest{Key: k, Value: v, Expected: v, ExpectedExists: true}, &kvpb.RawDeleteRequest{Key: k})
		}
		if len(reqs) == 0 {
			return nil
		}
		_, err = db.SendBatch(ctx, reqs)
		var cf *kvpb.ConditionFailedError
		if err == nil || !errors.As(err, &cf) || attempt >= 10 {
			return err
		}
	}
}

// repairMeta checks, every interval, the meta entry of each range this
// node's replica leads, and rewrites what is stale (a split or membership
// change whose entries a crash left unwritten). A split's two halves are
// written together: a half whose entry is missing is repaired only with
// every other range the stale entry covered, as this store knows them.
func (s *Server) repairMeta(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	verified := map[kvpb.RangeID]metaVerified{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := s.repairMetaOnce(ctx, verified); err != nil && ctx.Err() == nil {
			s.log.Debug("meta repair", "err", err)
		}
	}
}

// metaVerified records that a range's meta entry was found right at a
// generation, and when.
type metaVerified struct {
	gen uint64
	at  time.Time
}

// metaReverify is how long a range whose meta entry was found right, and
// whose generation has not moved, is not looked at again.
const metaReverify = 30 * time.Second

func (s *Server) repairMetaOnce(ctx context.Context, verified map[kvpb.RangeID]metaVerified) error {
	if skip := s.cfg.TestingSkipSplitMeta; skip != nil && skip() {
		return nil
	}
	now := time.Now()
	reps := s.store.Replicas()
	seen := make(map[kvpb.RangeID]bool, len(reps))
	for _, ri := range reps {
		if !ri.Leader || ri.Desc.RangeID == 1 {
			continue // range 1's entries are written with its commands
		}
		id := ri.Desc.RangeID
		seen[id] = true
		if v, ok := verified[id]; ok && v.gen == ri.Desc.Generation && now.Sub(v.at) < metaReverify {
			continue
		}
		rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := s.repairRangeMeta(rctx, ri.Desc, reps)
		cancel()
		if err != nil {
			return err
		}
		if ok {
			verified[id] = metaVerified{gen: ri.Desc.Generation, at: now}
		} else {
			delete(verified, id)
		}
	}
	for id := range verified {
		if !seen[id] {
			delete(verified, id)
		}
	}
	return nil
}

// repairRangeMeta rewrites what is stale of the meta entries around d, a
// range this node leads; ok reports that d's own entry was found right.
func (s *Server) repairRangeMeta(ctx context.Context, d kvpb.RangeDescriptor, reps []raftstore.ReplicaInfo) (ok bool, err error) {
	cur, err := scanMeta(ctx, s.db, kvpb.Span{Key: d.StartKey, EndKey: d.EndKey})
	if err != nil {
		return false, err
	}
	if len(cur) == 1 && cur[0].RangeID == d.RangeID && cur[0].Generation >= d.Generation {
		return true, nil
	}
	// The stale entries' whole span must be rewritten at once, from this
	// store's ranges, each newer than what it replaces.
	span := kvpb.Span{Key: d.StartKey, EndKey: d.EndKey}
	for _, e := range cur {
		if bytes.Compare(e.StartKey, d.EndKey) >= 0 {
			continue // after d: a gap before it, d's own entry is missing
		}
		if e.Generation > d.Generation {
			return false, nil // newer than d: this replica is the stale one
		}
		if bytes.Compare(e.StartKey, span.Key) < 0 {
			span.Key = e.StartKey
		}
		if bytes.Compare(e.EndKey, span.EndKey) > 0 {
			span.EndKey = e.EndKey
		}
	}
	var tiles []kvpb.RangeDescriptor
	next := span.Key
	for _, r := range reps {
		if bytes.Compare(r.Desc.StartKey, span.Key) < 0 || bytes.Compare(r.Desc.EndKey, span.EndKey) > 0 {
			continue
		}
		if !r.Desc.StartKey.Equal(next) {
			return false, nil // not known here in full: another leader repairs it
		}
		tiles = append(tiles, r.Desc)
		next = r.Desc.EndKey
	}
	if !next.Equal(span.EndKey) {
		return false, nil
	}
	s.log.Info("meta repair", "span", span.String(), "ranges", len(tiles))
	return false, updateMeta(ctx, s.db, tiles...)
}
