package placement

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// The planner: what the placement driver decides from one round of
// reports. It is pure apart from the little it remembers between rounds
// (how long a learner or a hot range has been seen, which store a
// rebalancing add relieves), so it is tested without a cluster. Every op
// it returns names the range's generation as reported; the node carrying
// it out refuses it when the range changed meanwhile.
//
// For each range, in order, at most one op per round:
//
//  1. A learner outside any running op (an add that did not finish left
//     it) is promoted once caught up, or removed when it has not caught up
//     for LearnerTimeout.
//  2. Fewer voters on usable stores (not dead, not decommissioning) than
//     wanted: add one on the live store with the fewest replicas.
//  3. A replica on a dead or decommissioning store, once the rest are
//     enough: removed (the leadership handed away first when it is the
//     leader's).
//  4. More voters than wanted: the one on the store a rebalancing add
//     meant to relieve, else on the store with the most replicas, goes.
//  5. A range over range_max_bytes splits at the key that halves its
//     bytes; one above range_split_qps for HotRounds rounds at the key
//     that halves its load.
//
// Then merges: a range and its left neighbour, both under range_min_bytes
// and quiet, within one table, not at a split a user asked for, become
// one — after the right one's replicas and leader are moved onto the
// left one's stores. Then, only when no range needed repair, rebalancing:
// replicas from the store with the most to the one with the fewest while
// one is outside ±Tolerance of the mean and they differ by two or more
// (so the reverse move is never wanted next: no flapping), and likewise
// leaders by leadership transfer; when replica counts are balanced, the
// live bytes per store likewise (rebalanceBytes).
//
// Removals never leave a range without a quorum of live, caught-up voters.

// StoreState is what the driver knows of a store's liveness.
type StoreState uint8

const (
	// StoreLive heartbeats and reported this round.
	StoreLive StoreState = iota
	// StoreSuspect stopped reporting or heartbeating, not for long yet:
	// it takes nothing new and its replicas are not replaced.
	StoreSuspect
	// StoreDead has not heartbeated for server.time_until_store_dead:
	// its replicas are replaced.
	StoreDead
)

func (s StoreState) String() string {
	switch s {
	case StoreLive:
		return "live"
	case StoreSuspect:
		return "suspect"
	default:
		return "dead"
	}
}

// StoreInfo is one store as a round sees it.
type StoreInfo struct {
	ID              kvpb.StoreID
	Node            kvpb.NodeID
	State           StoreState
	Decommissioning bool
	// Report is the store's report this round (State StoreLive), or its
	// last one.
	Report kvpb.StoreReport
}

// usable: its replicas count toward the replication factor.
func (s *StoreInfo) usable() bool { return s.State != StoreDead && !s.Decommissioning }

// target: it may take a new replica or leadership.
func (s *StoreInfo) target() bool { return s.State == StoreLive && !s.Decommissioning }

// Settings are the cluster settings the planner reads.
type Settings struct {
	ReplicationFactor int
	RangeMaxBytes     int64
	RangeMinBytes     int64
	SplitQPS          float64
	// MaxMovesPerStore bounds the adds (each a snapshot) one store takes
	// and the replicas one store gives up per round.
	MaxMovesPerStore int
	MergeEnabled     bool
}

// Cluster is the input of one round.
type Cluster struct {
	Now    time.Time
	Stores map[kvpb.StoreID]*StoreInfo
	// Sticky lists, sorted, the split points users asked for.
	Sticky   []kvpb.Key
	Settings Settings
	// InFlight lists the ranges with an op still running (the planner
	// leaves them alone); InFlightAdds counts, per store, the adds among
	// them (they use the store's move budget).
	InFlight     map[kvpb.RangeID]bool
	InFlightAdds map[kvpb.StoreID]int
}

const (
	// Tolerance is how far from the mean a store's replica or leader
	// count may be before rebalancing moves one.
	Tolerance = 0.2
	// HotRounds is how many rounds in a row a range must be over
	// range_split_qps before it splits for load.
	HotRounds = 3
	// LearnerTimeout is how long a learner may stay before it is removed.
	LearnerTimeout = 90 * time.Second
	// Range1Replicas is range 1's replication once that many stores are
	// usable (it holds /Meta and /System: losing it stops everything).
	Range1Replicas = 5
)

// Planner decides. Not safe for concurrent use; the driver owns one per
// takeover.
type Planner struct {
	learnerSeen map[learnerKey]time.Time
	hot         map[kvpb.RangeID]int
	// relieve is the store a rebalancing add to the range meant to take
	// a replica from.
	relieve map[kvpb.RangeID]kvpb.StoreID
}

type learnerKey struct {
	rangeID kvpb.RangeID
	store   kvpb.StoreID
}

// NewPlanner returns a planner with nothing remembered.
func NewPlanner() *Planner {
	return &Planner{learnerSeen: map[learnerKey]time.Time{}, hot: map[kvpb.RangeID]int{},
		relieve: map[kvpb.RangeID]kvpb.StoreID{}}
}

// rangeView is one reported range and its leader's store.
type rangeView struct {
	kvpb.RangeReport
	leader kvpb.StoreID
}

// round is one Plan call's working state.
type round struct {
	c      *Cluster
	ranges []*rangeView // by start key
	byID   map[kvpb.RangeID]*rangeView
	busy   map[kvpb.RangeID]bool
	// ids are the stores, sorted; usable counts those whose replicas
	// count (not dead, not decommissioning).
	ids    []kvpb.StoreID
	usable int
	// replicas and leaders per store, updated as ops are planned.
	replicas, leaders map[kvpb.StoreID]int
	adds, gives       map[kvpb.StoreID]int
	ops               []kvpb.PlacementOp
}

// Plan returns this round's ops, in the order they should be issued.
func (p *Planner) Plan(c *Cluster) []kvpb.PlacementOp {
	r := &round{c: c, byID: map[kvpb.RangeID]*rangeView{}, busy: map[kvpb.RangeID]bool{},
		replicas: map[kvpb.StoreID]int{}, leaders: map[kvpb.StoreID]int{},
		adds: map[kvpb.StoreID]int{}, gives: map[kvpb.StoreID]int{}}
	r.ids = sortedStores(c)
	for _, id := range r.ids {
		st := c.Stores[id]
		if st.usable() {
			r.usable++
		}
		if st.State != StoreLive {
			continue // its leaderships are stale
		}
		for _, rr := range st.Report.Leading {
			if old, ok := r.byID[rr.Desc.RangeID]; ok && old.Desc.Generation >= rr.Desc.Generation {
				continue // two claimants: the newer descriptor wins
			}
			r.byID[rr.Desc.RangeID] = &rangeView{RangeReport: rr, leader: id}
		}
	}
	for _, rv := range r.byID {
		r.ranges = append(r.ranges, rv)
		r.leaders[rv.leader]++
		for _, rd := range rv.Desc.Replicas {
			r.replicas[rd.StoreID]++
		}
	}
	slices.SortFunc(r.ranges, func(a, b *rangeView) int { return bytes.Compare(a.Desc.StartKey, b.Desc.StartKey) })
	p.forget(r)
	for id := range c.InFlight {
		r.busy[id] = true
	}
	for id, n := range c.InFlightAdds {
		r.adds[id] += n
	}

	repairs := 0
	for _, rv := range r.ranges {
		if rv.Frozen {
			// Subsumed by a merge, which the servers roll forward from
			// the node leading both it and its left neighbour: leave both
			// alone, but bring the left one's leader over if it moved.
			r.busy[rv.Desc.RangeID] = true
			if l := r.leftNeighbour(rv); l != nil && !r.busy[l.Desc.RangeID] {
				r.busy[l.Desc.RangeID] = true
				if l.leader != rv.leader {
					if to, ok := r.leaderTarget(l, []kvpb.StoreID{rv.leader}); ok {
						r.add(kvpb.PlacementOp{Kind: kvpb.OpTransferLeader, RangeID: l.Desc.RangeID, Generation: l.Desc.Generation,
							Target: to, Reason: fmt.Sprintf("finish the merge of frozen r%d: lead r%d from s%d", rv.Desc.RangeID, l.Desc.RangeID, rv.leader)})
					}
				}
			}
		}
	}
	for _, rv := range r.ranges {
		if r.busy[rv.Desc.RangeID] {
			continue
		}
		if op, ok := p.repair(r, rv); ok {
			r.add(op)
			repairs++
		}
	}
	for _, rv := range r.ranges {
		if !r.busy[rv.Desc.RangeID] {
			if op, ok := p.split(r, rv); ok {
				r.add(op)
			}
		}
	}
	p.merges(r)
	if repairs == 0 {
		if !p.rebalanceReplicas(r) {
			p.rebalanceBytes(r)
		}
		p.rebalanceLeaders(r)
	}
	return r.ops
}

func (r *round) add(op kvpb.PlacementOp) {
	r.busy[op.RangeID] = true
	if op.Kind == kvpb.OpMerge {
		r.busy[op.Right] = true
	}
	r.ops = append(r.ops, op)
}

func sortedStores(c *Cluster) []kvpb.StoreID {
	ids := make([]kvpb.StoreID, 0, len(c.Stores))
	for id := range c.Stores {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// forget drops what is remembered of ranges no longer reported.
func (p *Planner) forget(r *round) {
	for k := range p.learnerSeen {
		rv, ok := r.byID[k.rangeID]
		if !ok {
			delete(p.learnerSeen, k)
			continue
		}
		if rd, has := rv.Desc.Replica(k.store); !has || !rd.Learner {
			delete(p.learnerSeen, k)
		}
	}
	for id := range p.hot {
		if _, ok := r.byID[id]; !ok {
			delete(p.hot, id)
		}
	}
	for id := range p.relieve {
		if _, ok := r.byID[id]; !ok {
			delete(p.relieve, id)
		}
	}
}

// want is how many voters range rv should have.
func (r *round) want(rv *rangeView) int {
	usable := r.usable
	rf := max(r.c.Settings.ReplicationFactor, 1)
	if rv.Desc.RangeID == 1 && usable >= Range1Replicas {
		rf = max(rf, Range1Replicas)
	}
	return max(min(rf, usable), 1)
}

func (r *round) store(id kvpb.StoreID) *StoreInfo {
	if st, ok := r.c.Stores[id]; ok {
		return st
	}
	// A store nobody reports is as good as dead.
	return &StoreInfo{ID: id, State: StoreDead}
}

func (r *round) behind(rv *rangeView, id kvpb.StoreID) bool { return slices.Contains(rv.Behind, id) }

// quorumWithout reports whether the range keeps a quorum of live,
// caught-up voters once the replica on store gone is removed.
func (r *round) quorumWithout(rv *rangeView, gone kvpb.StoreID) bool {
	voters, healthy := 0, 0
	for _, rd := range rv.Desc.Replicas {
		if rd.Learner || rd.StoreID == gone {
			continue
		}
		voters++
		if r.store(rd.StoreID).State == StoreLive && !r.behind(rv, rd.StoreID) {
			healthy++
		}
	}
	return voters > 0 && 2*healthy > voters
}

// repair returns the op that fixes rv's replication, if one is due.
func (p *Planner) repair(r *round, rv *rangeView) (kvpb.PlacementOp, bool) {
	d := &rv.Desc
	op := func(kind kvpb.OpKind, target kvpb.ReplicaDescriptor, reason string) kvpb.PlacementOp {
		return kvpb.PlacementOp{Kind: kind, RangeID: d.RangeID, Generation: d.Generation, Target: target, Reason: reason}
	}
	// 1. Learners.
	for _, rd := range d.Replicas {
		if !rd.Learner {
			continue
		}
		k := learnerKey{d.RangeID, rd.StoreID}
		seen, ok := p.learnerSeen[k]
		if !ok {
			p.learnerSeen[k] = r.c.Now
			r.busy[d.RangeID] = true // an add is probably under way
			return kvpb.PlacementOp{}, false
		}
		if !r.behind(rv, rd.StoreID) && r.store(rd.StoreID).target() {
			// Left by an add that did not finish (no add of this
			// driver's runs: the range would not be planned), and caught
			// up: finish it.
			delete(p.learnerSeen, k)
			return op(kvpb.OpAddReplica, rd, fmt.Sprintf("promote the caught-up learner on s%d an earlier add left", rd.StoreID)), true
		}
		if r.c.Now.Sub(seen) < LearnerTimeout {
			r.busy[d.RangeID] = true
			return kvpb.PlacementOp{}, false
		}
		delete(p.learnerSeen, k)
		return op(kvpb.OpRemoveReplica, rd, fmt.Sprintf("learner on s%d did not catch up within %s", rd.StoreID, LearnerTimeout)), true
	}
	want := r.want(rv)
	good, voters := 0, 0
	var bad []kvpb.ReplicaDescriptor
	for _, rd := range d.Replicas {
		voters++
		if st := r.store(rd.StoreID); st.usable() {
			good++
		} else {
			bad = append(bad, rd)
		}
	}
	// 2. Too few.
	if good < want {
		if t, ok := r.pickTarget(d, nil); ok {
			reason := fmt.Sprintf("up-replicate: %d of %d replicas", good, want)
			if len(bad) > 0 {
				st := r.store(bad[0].StoreID)
				reason = fmt.Sprintf("replace the replica on %s store s%d (%d of %d usable)", r.describe(st), st.ID, good, want)
			}
			r.adds[t.StoreID]++
			r.replicas[t.StoreID]++
			return op(kvpb.OpAddReplica, t, reason), true
		}
		if len(bad) == 0 {
			return kvpb.PlacementOp{}, false
		}
		// No store to replace on: a dead replica still goes once the
		// rest keep a quorum (a decommissioning one waits).
	}
	// 3. Replicas on dead or decommissioning stores.
	for _, rd := range bad {
		st := r.store(rd.StoreID)
		if st.State != StoreDead && good < want {
			continue // it still counts until its replacement is in
		}
		if rd.StoreID == rv.leader {
			if to, ok := r.leaderTarget(rv, nil); ok {
				return op(kvpb.OpTransferLeader, to, fmt.Sprintf("the leader's store s%d is %s", rd.StoreID, r.describe(st))), true
			}
			continue
		}
		if !r.quorumWithout(rv, rd.StoreID) {
			continue
		}
		r.replicas[rd.StoreID]--
		return op(kvpb.OpRemoveReplica, rd, fmt.Sprintf("replica on %s store s%d (%d of %d replicas elsewhere)", r.describe(st), rd.StoreID, good, want)), true
	}
	// 4. Too many.
	if good > want && len(bad) == 0 {
		if l := r.leftNeighbour(rv); l != nil && r.mergeable(l, rv) {
			if _, onLeft := l.Desc.Replica(rv.leader); !onLeft {
				// The replica to drop is the leader's: hand it over first.
				if to, ok := r.leaderTarget(rv, storesOf(&l.Desc)); ok {
					return op(kvpb.OpTransferLeader, to, fmt.Sprintf("co-locate for a merge with r%d: the leader's store s%d goes", l.Desc.RangeID, rv.leader)), true
				}
			}
		}
		if rd, ok := p.surplus(r, rv); ok {
			r.replicas[rd.StoreID]--
			return op(kvpb.OpRemoveReplica, rd, fmt.Sprintf("over-replicated: %d of %d replicas; s%d has %d", voters, want, rd.StoreID, r.replicas[rd.StoreID]+1)), true
		}
	}
	return kvpb.PlacementOp{}, false
}

func (r *round) describe(st *StoreInfo) string {
	if st.Decommissioning {
		return "decommissioning"
	}
	return st.State.String()
}

// surplus picks the voter of an over-replicated range to remove: the one
// a rebalancing add meant to relieve, else the one off the merge partner's
// stores, else the one on the store with the most replicas; never the
// leader's, never one whose removal loses the quorum.
func (p *Planner) surplus(r *round, rv *rangeView) (kvpb.ReplicaDescriptor, bool) {
	d := &rv.Desc
	ok := func(rd kvpb.ReplicaDescriptor) bool {
		return !rd.Learner && rd.StoreID != rv.leader && r.quorumWithout(rv, rd.StoreID)
	}
	if from, has := p.relieve[d.RangeID]; has {
		if rd, found := d.Replica(from); found && ok(rd) {
			delete(p.relieve, d.RangeID)
			return rd, true
		}
	}
	if l := r.leftNeighbour(rv); l != nil && r.mergeable(l, rv) {
		for _, rd := range d.Replicas {
			if _, onLeft := l.Desc.Replica(rd.StoreID); !onLeft && ok(rd) {
				return rd, true
			}
		}
	}
	cands := slices.DeleteFunc(slices.Clone(d.Replicas), func(rd kvpb.ReplicaDescriptor) bool { return !ok(rd) })
	if len(cands) == 0 {
		return kvpb.ReplicaDescriptor{}, false
	}
	slices.SortStableFunc(cands, func(a, b kvpb.ReplicaDescriptor) int {
		return cmp.Or(cmp.Compare(r.replicas[b.StoreID], r.replicas[a.StoreID]),
			cmp.Compare(r.store(b.StoreID).Report.UsedBytes, r.store(a.StoreID).Report.UsedBytes),
			cmp.Compare(a.StoreID, b.StoreID))
	})
	return cands[0], true
}

// pickTarget returns the live store without a replica of d that should
// take one: among allowed (nil: any), the fewest replicas, then the least
// used bytes; within the per-store move budget.
func (r *round) pickTarget(d *kvpb.RangeDescriptor, allowed []kvpb.StoreID) (kvpb.ReplicaDescriptor, bool) {
	var best *StoreInfo
	for _, id := range r.ids {
		st := r.c.Stores[id]
		if !st.target() || r.adds[id] >= max(r.c.Settings.MaxMovesPerStore, 1) {
			continue
		}
		if _, has := d.Replica(id); has {
			continue
		}
		if allowed != nil && !slices.Contains(allowed, id) {
			continue
		}
		if best == nil || r.replicas[id] < r.replicas[best.ID] ||
			(r.replicas[id] == r.replicas[best.ID] && st.Report.UsedBytes < best.Report.UsedBytes) {
			best = st
		}
	}
	if best == nil {
		return kvpb.ReplicaDescriptor{}, false
	}
	return kvpb.ReplicaDescriptor{NodeID: best.Node, StoreID: best.ID}, true
}

// leaderTarget returns the voter of rv on a live store that should lead
// it: on only (0: any), else the store leading the fewest ranges.
func (r *round) leaderTarget(rv *rangeView, only []kvpb.StoreID) (kvpb.ReplicaDescriptor, bool) {
	var best kvpb.ReplicaDescriptor
	found := false
	for _, rd := range rv.Desc.Replicas {
		if rd.Learner || rd.StoreID == rv.leader || !r.store(rd.StoreID).target() || r.behind(rv, rd.StoreID) {
			continue
		}
		if only != nil && !slices.Contains(only, rd.StoreID) {
			continue
		}
		if !found || r.leaders[rd.StoreID] < r.leaders[best.StoreID] {
			best, found = rd, true
		}
	}
	return best, found
}

// split returns a split of rv when it is too big or too hot.
func (p *Planner) split(r *round, rv *rangeView) (kvpb.PlacementOp, bool) {
	d := &rv.Desc
	s := r.c.Settings
	inside := func(k kvpb.Key) bool {
		return len(k) > 0 && bytes.Compare(k, d.StartKey) > 0 && (len(d.EndKey) == 0 || bytes.Compare(k, d.EndKey) < 0) &&
			bytes.Compare(k, kvpb.SystemMax) >= 0
	}
	qps := rv.ReadsPerSec + rv.WritesPerSec
	if s.SplitQPS > 0 && qps > s.SplitQPS {
		p.hot[d.RangeID]++
	} else {
		delete(p.hot, d.RangeID)
	}
	op := kvpb.PlacementOp{Kind: kvpb.OpSplit, RangeID: d.RangeID, Generation: d.Generation}
	if s.RangeMaxBytes > 0 && rv.Bytes > s.RangeMaxBytes && inside(rv.SizeSplitKey) {
		op.SplitKey = rv.SizeSplitKey
		op.Reason = fmt.Sprintf("size %s over range_max_bytes %s", humanBytes(rv.Bytes), humanBytes(s.RangeMaxBytes))
		return op, true
	}
	if p.hot[d.RangeID] >= HotRounds && inside(rv.LoadSplitKey) {
		delete(p.hot, d.RangeID)
		op.SplitKey = rv.LoadSplitKey
		op.Reason = fmt.Sprintf("load %.0f/s over range_split_qps %.0f for %d rounds", qps, s.SplitQPS, HotRounds)
		return op, true
	}
	return kvpb.PlacementOp{}, false
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func (r *round) leftNeighbour(rv *rangeView) *rangeView {
	i, found := slices.BinarySearchFunc(r.ranges, rv.Desc.StartKey, func(x *rangeView, k kvpb.Key) int { return bytes.Compare(x.Desc.StartKey, k) })
	if !found || i == 0 {
		return nil
	}
	if l := r.ranges[i-1]; l.Desc.EndKey.Equal(rv.Desc.StartKey) {
		return l
	}
	return nil
}

// mergeable reports whether l and its right neighbour rv may merge, before
// co-location: both small and quiet, not range 1, not across a table's
// start or a user's split.
func (r *round) mergeable(l, rv *rangeView) bool {
	s := r.c.Settings
	if !s.MergeEnabled || s.RangeMinBytes <= 0 || l.Desc.RangeID == 1 || rv.Desc.RangeID == 1 || l.Frozen || rv.Frozen {
		return false
	}
	if kvpb.IsTableStart(rv.Desc.StartKey) || kvpb.IsStickySplit(r.c.Sticky, rv.Desc.StartKey) {
		return false
	}
	if l.Bytes < 0 || rv.Bytes < 0 || l.Bytes >= s.RangeMinBytes || rv.Bytes >= s.RangeMinBytes {
		return false
	}
	if s.RangeMaxBytes > 0 && l.Bytes+rv.Bytes > s.RangeMaxBytes/2 {
		return false
	}
	if s.SplitQPS > 0 && l.ReadsPerSec+l.WritesPerSec+rv.ReadsPerSec+rv.WritesPerSec > s.SplitQPS/2 {
		return false
	}
	return true
}

// healthy: every replica a voter on a live store and caught up, as many
// as wanted.
func (r *round) healthy(rv *rangeView) bool {
	for _, rd := range rv.Desc.Replicas {
		if rd.Learner || r.store(rd.StoreID).State != StoreLive || r.behind(rv, rd.StoreID) {
			return false
		}
	}
	return len(rv.Desc.Replicas) >= r.want(rv)
}

// merges plans the next step of each merge: co-locating the right range's
// replicas, then its leader, then the merge.
func (p *Planner) merges(r *round) {
	for _, rv := range r.ranges {
		l := r.leftNeighbour(rv)
		if l == nil || r.busy[rv.Desc.RangeID] || r.busy[l.Desc.RangeID] || !r.mergeable(l, rv) || !r.healthy(l) || !r.healthy(rv) {
			continue
		}
		// Whatever happens below, rebalancing leaves the pair alone.
		r.busy[rv.Desc.RangeID], r.busy[l.Desc.RangeID] = true, true
		lStores := storesOf(&l.Desc)
		var missing []kvpb.StoreID
		for _, id := range lStores {
			if _, has := rv.Desc.Replica(id); !has {
				missing = append(missing, id)
			}
		}
		reason := fmt.Sprintf("r%d (%s) and r%d (%s) under range_min_bytes %s", l.Desc.RangeID, humanBytes(l.Bytes),
			rv.Desc.RangeID, humanBytes(rv.Bytes), humanBytes(r.c.Settings.RangeMinBytes))
		d := &rv.Desc
		switch {
		case len(missing) > 0:
			// Co-locate: one of the left's stores takes a replica of the
			// right; the surplus removal then drops one off them.
			if t, ok := r.pickTarget(d, missing); ok {
				r.adds[t.StoreID]++
				r.replicas[t.StoreID]++
				r.add(kvpb.PlacementOp{Kind: kvpb.OpAddReplica, RangeID: d.RangeID, Generation: d.Generation, Target: t,
					Reason: "co-locate for a merge: " + reason})
			}
		case len(d.Replicas) > len(l.Desc.Replicas):
			// Handled by the surplus removal (repair step 4), which drops
			// the replica off the left's stores first.
		case rv.leader != l.leader:
			if to, ok := r.leaderTarget(rv, []kvpb.StoreID{l.leader}); ok {
				r.add(kvpb.PlacementOp{Kind: kvpb.OpTransferLeader, RangeID: d.RangeID, Generation: d.Generation, Target: to,
					Reason: "co-locate the leader for a merge: " + reason})
			}
		default:
			r.add(kvpb.PlacementOp{Kind: kvpb.OpMerge, RangeID: l.Desc.RangeID, Generation: l.Desc.Generation,
				Right: d.RangeID, RightGeneration: d.Generation, Reason: "merge: " + reason})
		}
	}
}

func storesOf(d *kvpb.RangeDescriptor) []kvpb.StoreID {
	out := make([]kvpb.StoreID, 0, len(d.Replicas))
	for _, rd := range d.Replicas {
		out = append(out, rd.StoreID)
	}
	return out
}

// targets lists the stores that take replicas and leaders, sorted.
func (r *round) targets() []kvpb.StoreID {
	var out []kvpb.StoreID
	for _, id := range r.ids {
		if r.c.Stores[id].target() {
			out = append(out, id)
		}
	}
	return out
}

// unbalanced reports whether moving one from a store with hi to one with
// lo is due: one is outside the tolerance around mean and they differ by
// two or more (after the move they differ by at least zero the other
// way, so the reverse is never due next).
func unbalanced(hi, lo int, mean float64) bool {
	return hi-lo >= 2 && (float64(hi) > mean*(1+Tolerance) || float64(lo) < mean*(1-Tolerance))
}

// byCount returns the mean of counts over stores and the stores in
// ascending order of their count.
func byCount(stores []kvpb.StoreID, counts map[kvpb.StoreID]int) (float64, []kvpb.StoreID) {
	total := 0
	for _, id := range stores {
		total += counts[id]
	}
	order := slices.Clone(stores)
	slices.SortStableFunc(order, func(a, b kvpb.StoreID) int { return cmp.Compare(counts[a], counts[b]) })
	return float64(total) / float64(len(stores)), order
}

// rebalanceReplicas moves replicas from crowded stores to empty ones; it
// reports whether it planned a move.
func (p *Planner) rebalanceReplicas(r *round) (any bool) {
	stores := r.targets()
	if len(stores) < 2 {
		return false
	}
	limit := max(r.c.Settings.MaxMovesPerStore, 1)
	for moves := 0; moves < limit*len(stores); moves++ {
		mean, order := byCount(stores, r.replicas)
		moved := false
		for hiIdx := len(order) - 1; hiIdx > 0 && !moved; hiIdx-- {
			src := order[hiIdx]
			if r.gives[src] >= limit {
				continue
			}
			for _, dst := range order[:hiIdx] {
				if !unbalanced(r.replicas[src], r.replicas[dst], mean) || r.adds[dst] >= limit {
					continue
				}
				if rv := r.movable(src, dst); rv != nil {
					d := &rv.Desc
					r.add(kvpb.PlacementOp{Kind: kvpb.OpAddReplica, RangeID: d.RangeID, Generation: d.Generation,
						Target: kvpb.ReplicaDescriptor{NodeID: r.c.Stores[dst].Node, StoreID: dst}, From: src,
						Reason: fmt.Sprintf("rebalance replicas: s%d has %d, s%d has %d, mean %.1f", src, r.replicas[src], dst, r.replicas[dst], mean)})
					p.relieve[d.RangeID] = src
					r.replicas[src]--
					r.replicas[dst]++
					r.adds[dst]++
					r.gives[src]++
					moved, any = true, true
					break
				}
			}
		}
		if !moved {
			return any
		}
	}
	return any
}

// rebalanceBytes evens out the live bytes of the replicas each store
// holds, once replica counts are balanced: while the fullest store is
// above, or the emptiest below, ±Tolerance of the mean, it moves the
// largest range off the fullest that leaves it still at least as full as
// the target (so the reverse is never due). When that would unbalance the
// replica counts it swaps instead: the smallest range of the target moves
// the other way in the same round, so rebalanceReplicas has nothing to
// undo. A range the fullest store leads first has its leadership handed
// away (its replica there would not be the one removed).
func (p *Planner) rebalanceBytes(r *round) {
	stores := r.targets()
	if len(stores) < 2 {
		return
	}
	held := map[kvpb.StoreID]int64{}
	for _, rv := range r.ranges {
		for _, rd := range rv.Desc.Replicas {
			held[rd.StoreID] += max(rv.Bytes, 0)
		}
	}
	limit := max(r.c.Settings.MaxMovesPerStore, 1)
	// eligible lists the healthy ranges on from and not on to that may
	// move, and the largest of those from leads.
	eligible := func(from, to kvpb.StoreID) (out []*rangeView, led *rangeView) {
		for _, rv := range r.ranges {
			d := &rv.Desc
			if d.RangeID == 1 || r.busy[d.RangeID] || rv.Bytes <= 0 || !r.healthy(rv) {
				continue
			}
			_, onFrom := d.Replica(from)
			_, onTo := d.Replica(to)
			if !onFrom || onTo {
				continue
			}
			if rv.leader == from {
				if led == nil || rv.Bytes > led.Bytes {
					led = rv
				}
				continue
			}
			out = append(out, rv)
		}
		return out, led
	}
	move := func(rv *rangeView, from, to kvpb.StoreID, reason string) {
		d := &rv.Desc
		r.add(kvpb.PlacementOp{Kind: kvpb.OpAddReplica, RangeID: d.RangeID, Generation: d.Generation,
			Target: kvpb.ReplicaDescriptor{NodeID: r.c.Stores[to].Node, StoreID: to}, From: from, Reason: reason})
		p.relieve[d.RangeID] = from
		held[from] -= rv.Bytes
		held[to] += rv.Bytes
		r.replicas[from]--
		r.replicas[to]++
		r.adds[to]++
		r.gives[from]++
	}
	for moves := 0; moves < limit; moves++ {
		var total int64
		for _, id := range stores {
			total += held[id]
		}
		mean := float64(total) / float64(len(stores))
		order := slices.Clone(stores)
		slices.SortStableFunc(order, func(a, b kvpb.StoreID) int { return cmp.Compare(held[a], held[b]) })
		src := order[len(order)-1]
		if mean == 0 || r.gives[src] >= limit ||
			(float64(held[src]) <= mean*(1+Tolerance) && float64(held[order[0]]) >= mean*(1-Tolerance)) {
			return
		}
		countMean, _ := byCount(stores, r.replicas)
		var handOff *rangeView
		planned := false
		for _, dst := range order[:len(order)-1] {
			if r.adds[dst] >= limit || r.gives[dst] >= limit {
				continue
			}
			bigs, led := eligible(src, dst)
			if handOff == nil && led != nil && held[src]-led.Bytes >= held[dst]+led.Bytes {
				handOff = led // movable (or swappable), but for its leadership
			}
			reason := fmt.Sprintf("rebalance bytes: s%d holds %s, s%d %s, mean %s", src, humanBytes(held[src]), dst,
				humanBytes(held[dst]), humanBytes(int64(mean)))
			if !unbalanced(r.replicas[dst]+1, r.replicas[src]-1, countMean) {
				var best *rangeView
				for _, rv := range bigs {
					if held[src]-rv.Bytes >= held[dst]+rv.Bytes && (best == nil || rv.Bytes > best.Bytes) {
						best = rv
					}
				}
				if best != nil {
					move(best, src, dst, reason)
					planned = true
					break
				}
				continue
			}
			// A swap: src's large range for dst's small one.
			smalls, _ := eligible(dst, src)
			var big, small *rangeView
			for _, b := range bigs {
				for _, sm := range smalls {
					gain := b.Bytes - sm.Bytes
					if gain <= 0 || held[src]-gain < held[dst]+gain {
						continue
					}
					if big == nil || gain > big.Bytes-small.Bytes {
						big, small = b, sm
					}
				}
			}
			if big != nil {
				move(big, src, dst, reason+" (swap)")
				move(small, dst, src, reason+" (swap)")
				planned = true
				break
			}
		}
		if !planned {
			if handOff != nil {
				leaderMean, _ := byCount(stores, r.leaders)
				if to, ok := r.leaderTarget(handOff, nil); ok && !unbalanced(r.leaders[to.StoreID]+1, r.leaders[src]-1, leaderMean) {
					r.add(kvpb.PlacementOp{Kind: kvpb.OpTransferLeader, RangeID: handOff.Desc.RangeID, Generation: handOff.Desc.Generation,
						Target: to, Reason: fmt.Sprintf("rebalance bytes: hand r%d's leadership off s%d, which holds %s (mean %s), to move it",
							handOff.Desc.RangeID, src, humanBytes(held[src]), humanBytes(int64(mean)))})
					r.leaders[src]--
					r.leaders[to.StoreID]++
				}
			}
			return
		}
	}
}

// movable picks a healthy range with a replica on src, not its leader's,
// and none on dst; not range 1, not busy this round.
func (r *round) movable(src, dst kvpb.StoreID) *rangeView {
	for _, rv := range r.ranges {
		d := &rv.Desc
		if d.RangeID == 1 || r.busy[d.RangeID] || rv.leader == src || !r.healthy(rv) {
			continue // (a leader's replica would not be the one removed)
		}
		if _, on := d.Replica(src); !on {
			continue
		}
		if _, on := d.Replica(dst); on {
			continue
		}
		return rv
	}
	return nil
}

// rebalanceLeaders moves leaderships from stores leading many ranges to
// stores leading few, by raft leader transfer.
func (p *Planner) rebalanceLeaders(r *round) {
	stores := r.targets()
	if len(stores) < 2 {
		return
	}
	limit := max(r.c.Settings.MaxMovesPerStore, 1)
	for moves := 0; moves < limit*len(stores); moves++ {
		mean, order := byCount(stores, r.leaders)
		moved := false
		for hiIdx := len(order) - 1; hiIdx > 0 && !moved; hiIdx-- {
			src := order[hiIdx]
			for _, dst := range order[:hiIdx] {
				if !unbalanced(r.leaders[src], r.leaders[dst], mean) {
					continue
				}
				for _, rv := range r.ranges {
					d := &rv.Desc
					if rv.leader != src || d.RangeID == 1 || r.busy[d.RangeID] || !r.healthy(rv) {
						continue
					}
					to, ok := r.leaderTarget(rv, []kvpb.StoreID{dst})
					if !ok {
						continue
					}
					r.add(kvpb.PlacementOp{Kind: kvpb.OpTransferLeader, RangeID: d.RangeID, Generation: d.Generation, Target: to,
						Reason: fmt.Sprintf("rebalance leaders: s%d leads %d, s%d leads %d, mean %.1f", src, r.leaders[src], dst, r.leaders[dst], mean)})
					r.leaders[src]--
					r.leaders[dst]++
					moved = true
					break
				}
				if moved {
					break
				}
			}
		}
		if !moved {
			return
		}
	}
}
