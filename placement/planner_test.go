package placement

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// sim is a cluster the planner's ops act on at once: ranges (descriptor,
// leader, size) over stores, so rounds can be run until nothing is left to
// do.
type sim struct {
	t      *testing.T
	now    time.Time
	stores map[kvpb.StoreID]*StoreInfo
	ranges map[kvpb.RangeID]*simRange
	nextID kvpb.RangeID
	sticky []kvpb.Key
	set    Settings
	p      *Planner
	ops    []kvpb.PlacementOp
}

type simRange struct {
	// rows [lo, hi) of table hold the range's keys (table 0: range 1).
	table, lo, hi uint64
	desc          kvpb.RangeDescriptor
	leader        kvpb.StoreID
	bytes         int64
	qps           float64
	behind        []kvpb.StoreID
}

func tableKey(table uint64, row int) kvpb.Key {
	k := kvpb.IndexKeyPrefix(table, 1)
	return kvpb.EncodeUvarintAscending(k, uint64(row))
}

func newSim(t *testing.T, stores int) *sim {
	s := &sim{t: t, now: time.Unix(1700000000, 0), stores: map[kvpb.StoreID]*StoreInfo{}, ranges: map[kvpb.RangeID]*simRange{},
		set: Settings{ReplicationFactor: 3, RangeMaxBytes: 64 << 20, RangeMinBytes: 1 << 20, SplitQPS: 2500, MaxMovesPerStore: 2, MergeEnabled: true},
		p:   NewPlanner(), nextID: 2}
	for i := 1; i <= stores; i++ {
		s.addStore()
	}
	// Range 1, then one range per table 50.., all on store 1.
	s.ranges[1] = &simRange{desc: kvpb.RangeDescriptor{RangeID: 1, StartKey: kvpb.KeyMin, EndKey: kvpb.TableKeyPrefix(50),
		Replicas: []kvpb.ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}}, NextReplicaID: 2, Generation: 1}, leader: 1, bytes: 1 << 20}
	return s
}

// fail makes store id suspect or dead; raft elects new leaders for the
// ranges it led among their other replicas.
func (s *sim) fail(id kvpb.StoreID, state StoreState) {
	s.stores[id].State = state
	for _, r := range s.ranges {
		if r.leader != id {
			continue
		}
		for _, rd := range r.desc.Replicas {
			if rd.StoreID != id {
				r.leader = rd.StoreID
				break
			}
		}
	}
}

func (s *sim) addStore() kvpb.StoreID {
	id := kvpb.StoreID(len(s.stores) + 1)
	s.stores[id] = &StoreInfo{ID: id, Node: kvpb.NodeID(id), State: StoreLive}
	return id
}

// addTable adds a table's range [table, table+1) on store 1, split into
// parts ranges of the given size each.
func (s *sim) addTable(table uint64, parts int, size int64) []kvpb.RangeID {
	var ids []kvpb.RangeID
	start := kvpb.TableKeyPrefix(table)
	for i := 0; i < parts; i++ {
		end := kvpb.TableKeyPrefix(table + 1)
		lo, hi := uint64(i*1000000), uint64(math.MaxUint32)
		if i < parts-1 {
			hi = uint64((i + 1) * 1000000)
			end = tableKey(table, int(hi))
		}
		id := s.nextID
		s.nextID++
		s.ranges[id] = &simRange{table: table, lo: lo, hi: hi, desc: kvpb.RangeDescriptor{RangeID: id, StartKey: start, EndKey: end,
			Replicas: []kvpb.ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}}, NextReplicaID: 2, Generation: 1}, leader: 1, bytes: size}
		ids = append(ids, id)
		start = end
	}
	// Range 1 ends where the first table starts; tables are contiguous.
	return ids
}

func (s *sim) cluster() *Cluster {
	for _, st := range s.stores {
		st.Report = kvpb.StoreReport{NodeID: st.Node, StoreID: st.ID, UsedBytes: 0}
	}
	for _, r := range s.ranges {
		st := s.stores[r.leader]
		rr := kvpb.RangeReport{Desc: r.desc, Bytes: r.bytes, ReadsPerSec: r.qps, Behind: r.behind}
		rr.Desc.Replicas = slices.Clone(r.desc.Replicas)
		if r.table != 0 && r.hi-r.lo > 1 {
			rr.SizeSplitKey = tableKey(r.table, int((r.lo+r.hi)/2))
			rr.LoadSplitKey = rr.SizeSplitKey
		}
		st.Report.Leading = append(st.Report.Leading, rr)
		for _, rd := range r.desc.Replicas {
			s.stores[rd.StoreID].Report.UsedBytes += uint64(r.bytes)
		}
	}
	return &Cluster{Now: s.now, Stores: s.stores, Sticky: s.sticky, Settings: s.set}
}

// round runs one Plan and applies its ops; it returns how many there were.
func (s *sim) round() int {
	s.now = s.now.Add(time.Second)
	ops := s.p.Plan(s.cluster())
	for _, op := range ops {
		s.apply(op)
	}
	s.ops = append(s.ops, ops...)
	return len(ops)
}

func (s *sim) apply(op kvpb.PlacementOp) {
	t := s.t
	r := s.ranges[op.RangeID]
	if r == nil || r.desc.Generation != op.Generation {
		t.Fatalf("op %+v on a stale range %+v", op, r)
	}
	d := &r.desc
	switch op.Kind {
	case kvpb.OpAddReplica:
		if rd, has := d.Replica(op.Target.StoreID); has {
			if !rd.Learner {
				t.Fatalf("add on s%d, which has r%d", op.Target.StoreID, d.RangeID)
			}
			for i := range d.Replicas {
				if d.Replicas[i].StoreID == op.Target.StoreID {
					d.Replicas[i].Learner = false
				}
			}
			break
		}
		if !s.stores[op.Target.StoreID].target() {
			t.Fatalf("add on unusable s%d", op.Target.StoreID)
		}
		d.Replicas = append(d.Replicas, kvpb.ReplicaDescriptor{NodeID: op.Target.NodeID, StoreID: op.Target.StoreID, ReplicaID: d.NextReplicaID})
		d.NextReplicaID++
	case kvpb.OpRemoveReplica:
		if op.Target.StoreID == r.leader {
			t.Fatalf("removal of r%d's leader replica", d.RangeID)
		}
		d.Replicas = slices.DeleteFunc(d.Replicas, func(rd kvpb.ReplicaDescriptor) bool { return rd.StoreID == op.Target.StoreID })
		live := 0
		for _, rd := range d.Replicas {
			if s.stores[rd.StoreID].State == StoreLive {
				live++
			}
		}
		if 2*live <= len(d.Replicas) {
			t.Fatalf("r%d below quorum after %+v: %+v", d.RangeID, op, d.Replicas)
		}
	case kvpb.OpTransferLeader:
		if _, has := d.Replica(op.Target.StoreID); !has {
			t.Fatalf("leader transfer of r%d to s%d without a replica", d.RangeID, op.Target.StoreID)
		}
		r.leader = op.Target.StoreID
	case kvpb.OpSplit:
		id := s.nextID
		s.nextID++
		m := (r.lo + r.hi) / 2
		if !op.SplitKey.Equal(tableKey(r.table, int(m))) {
			t.Fatalf("split of r%d at %s, not at the reported key", d.RangeID, op.SplitKey)
		}
		right := &simRange{table: r.table, lo: m, hi: r.hi, desc: kvpb.RangeDescriptor{RangeID: id, StartKey: op.SplitKey, EndKey: d.EndKey,
			Replicas: slices.Clone(d.Replicas), NextReplicaID: d.NextReplicaID, Generation: d.Generation + 1}, leader: r.leader, bytes: r.bytes / 2, qps: r.qps / 2}
		d.EndKey = op.SplitKey
		r.hi = m
		r.bytes -= right.bytes
		r.qps /= 2
		s.ranges[id] = right
	case kvpb.OpMerge:
		rr := s.ranges[op.Right]
		if rr == nil || rr.desc.Generation != op.RightGeneration || !rr.desc.StartKey.Equal(d.EndKey) || rr.leader != r.leader {
			t.Fatalf("merge %+v of %+v into %+v", op, rr, r)
		}
		if fmt.Sprint(storeSet(d)) != fmt.Sprint(storeSet(&rr.desc)) {
			t.Fatalf("merge of ranges on different stores: %v, %v", storeSet(d), storeSet(&rr.desc))
		}
		d.EndKey = rr.desc.EndKey
		r.hi = rr.hi
		d.Generation = max(d.Generation, rr.desc.Generation)
		r.bytes += rr.bytes
		delete(s.ranges, op.Right)
	}
	d.Generation++
}

func storeSet(d *kvpb.RangeDescriptor) []kvpb.StoreID {
	ids := storesOf(d)
	slices.Sort(ids)
	return ids
}

// settle runs rounds until one plans nothing; it fails after max.
func (s *sim) settle(maxRounds int) int {
	for i := 0; i < maxRounds; i++ {
		if s.round() == 0 {
			return i
		}
	}
	s.t.Fatalf("no steady state after %d rounds; last ops: %v", maxRounds, s.lastOps(10))
	return 0
}

func (s *sim) lastOps(n int) []string {
	var out []string
	for _, op := range s.ops[max(0, len(s.ops)-n):] {
		out = append(out, fmt.Sprintf("%s r%d s%d (%s)", op.Kind, op.RangeID, op.Target.StoreID, op.Reason))
	}
	return out
}

func (s *sim) counts() (replicas, leaders map[kvpb.StoreID]int) {
	replicas, leaders = map[kvpb.StoreID]int{}, map[kvpb.StoreID]int{}
	for _, r := range s.ranges {
		leaders[r.leader]++
		for _, rd := range r.desc.Replicas {
			replicas[rd.StoreID]++
		}
	}
	return replicas, leaders
}

func (s *sim) checkBalanced(what string, c map[kvpb.StoreID]int) {
	total, n := 0, 0
	for id, st := range s.stores {
		if st.target() {
			total += c[id]
			n++
		}
	}
	mean := float64(total) / float64(n)
	for id, st := range s.stores {
		if !st.target() {
			continue
		}
		// Within ±20% of the mean, or within one when counts are small.
		if d := math.Abs(float64(c[id]) - mean); d > math.Max(mean*Tolerance, 1) {
			s.t.Errorf("%s: s%d has %d, mean %.1f", what, id, c[id], mean)
		}
	}
}

func (s *sim) checkReplication(want int) {
	for id, r := range s.ranges {
		w := want
		if id == 1 && len(s.stores) >= Range1Replicas {
			w = Range1Replicas
		}
		n := 0
		for _, rd := range r.desc.Replicas {
			if st := s.stores[rd.StoreID]; st.usable() && !rd.Learner {
				n++
			}
		}
		if n != w || len(r.desc.Replicas) != w {
			s.t.Errorf("r%d has %d usable of %d replicas, want %d: %+v", id, n, len(r.desc.Replicas), w, r.desc.Replicas)
		}
	}
}

func TestPlannerUpReplicatesAndBalancesAsStoresJoin(t *testing.T) {
	s := newSim(t, 1)
	s.addTable(50, 40, 1<<20+1) // 40 ranges, each just over range_min_bytes
	if s.round() != 0 {
		t.Fatalf("one store, one replica each: nothing to do, got %v", s.lastOps(5))
	}
	s.addStore()
	s.addStore()
	s.settle(400)
	s.checkReplication(3)
	s.addStore()
	s.addStore()
	s.settle(400)
	s.checkReplication(3)
	reps, leaders := s.counts()
	s.checkBalanced("replicas", reps)
	s.checkBalanced("leaders", leaders)
	// A steady cluster: many more rounds, not one move.
	before := len(s.ops)
	for range 200 {
		s.round()
	}
	if n := len(s.ops) - before; n != 0 {
		t.Fatalf("steady cluster made %d moves: %v", n, s.lastOps(n))
	}
}

func TestPlannerReplacesDeadStore(t *testing.T) {
	s := newSim(t, 4)
	s.addTable(50, 12, 2<<20)
	s.settle(300)
	s.checkReplication(3)
	s.fail(2, StoreSuspect)
	if n := s.round(); n != 0 {
		// A suspect store's replicas stay (only leader moves are fine).
		for _, op := range s.ops[len(s.ops)-n:] {
			if op.Kind != kvpb.OpTransferLeader {
				t.Fatalf("suspect store made %v", s.lastOps(n))
			}
		}
	}
	s.fail(2, StoreDead)
	s.settle(300)
	for id, r := range s.ranges {
		if _, has := r.desc.Replica(2); has {
			t.Errorf("r%d still on dead s2", id)
		}
	}
	s.checkReplication(3)
}

func TestPlannerDecommission(t *testing.T) {
	s := newSim(t, 4)
	s.addTable(50, 10, 2<<20)
	s.settle(300)
	s.stores[1].Decommissioning = true
	s.settle(300)
	for id, r := range s.ranges {
		if _, has := r.desc.Replica(1); has {
			t.Errorf("r%d still on decommissioning s1", id)
		}
		if r.leader == 1 {
			t.Errorf("r%d still led from s1", id)
		}
	}
	s.checkReplication(3)
	// Recommissioned, it gets replicas back.
	s.stores[1].Decommissioning = false
	s.settle(300)
	reps, _ := s.counts()
	if reps[1] == 0 {
		t.Fatal("a recommissioned store got no replicas back")
	}
	s.checkBalanced("replicas", reps)
}

func TestPlannerSplitsBigAndHotRanges(t *testing.T) {
	s := newSim(t, 3)
	s.set.RangeMaxBytes = 4 << 20
	s.set.RangeMinBytes = 0 // no merges in this test
	ids := s.addTable(50, 1, 30<<20)
	s.settle(300)
	for id, r := range s.ranges {
		if id != 1 && r.bytes > s.set.RangeMaxBytes {
			t.Errorf("r%d is %d bytes, over %d", id, r.bytes, s.set.RangeMaxBytes)
		}
	}
	if len(s.ranges) < 8 {
		t.Fatalf("%d ranges after splitting 30 MiB at 4 MiB", len(s.ranges))
	}
	// Load: hot for HotRounds rounds, then a split.
	hot := s.ranges[ids[0]]
	hot.qps = 4 * s.set.SplitQPS
	n := len(s.ranges)
	for range HotRounds - 1 {
		s.round()
	}
	if len(s.ranges) != n {
		t.Fatal("split for load before the load lasted")
	}
	s.settle(50)
	if len(s.ranges) <= n {
		t.Fatal("a hot range did not split")
	}
}

func TestPlannerMergesSmallNeighbours(t *testing.T) {
	s := newSim(t, 4)
	ids := s.addTable(50, 6, 1<<10) // 6 tiny ranges of one table
	s.addTable(51, 1, 1<<10)        // another table: never merged in
	s.set.MergeEnabled = false
	s.settle(300)
	s.set.MergeEnabled = true
	s.settle(400)
	// One range per table remains, plus range 1.
	if len(s.ranges) != 3 {
		var ds []string
		for _, r := range s.ranges {
			ds = append(ds, fmt.Sprintf("r%d [%s,%s) %v", r.desc.RangeID, r.desc.StartKey, r.desc.EndKey, storeSet(&r.desc)))
		}
		t.Fatalf("%d ranges after merging: %s", len(s.ranges), strings.Join(ds, "; "))
	}
	if _, ok := s.ranges[ids[0]]; !ok {
		t.Fatal("the table's first range was merged away")
	}
	s.checkReplication(3)
}

func TestPlannerKeepsStickySplitsAndTableStarts(t *testing.T) {
	s := newSim(t, 3)
	ids := s.addTable(50, 3, 1<<10)
	s.sticky = []kvpb.Key{s.ranges[ids[1]].desc.StartKey, s.ranges[ids[2]].desc.StartKey}
	s.settle(300)
	for _, id := range ids {
		if _, ok := s.ranges[id]; !ok {
			t.Fatalf("r%d merged across a sticky split", id)
		}
	}
}

func TestPlannerRange1GetsFiveReplicas(t *testing.T) {
	s := newSim(t, 5)
	s.settle(100)
	if n := len(s.ranges[1].desc.Replicas); n != Range1Replicas {
		t.Fatalf("range 1 has %d replicas on 5 stores", n)
	}
}

func TestPlannerRemovesStaleLearner(t *testing.T) {
	s := newSim(t, 3)
	r := s.ranges[1]
	r.desc.Replicas = append(r.desc.Replicas, kvpb.ReplicaDescriptor{NodeID: 2, StoreID: 2, ReplicaID: 2, Learner: true})
	r.desc.NextReplicaID = 3
	r.behind = []kvpb.StoreID{2}
	if s.round() != 0 {
		t.Fatal("a fresh learner was acted on")
	}
	s.now = s.now.Add(LearnerTimeout)
	s.round()
	if len(s.ops) != 1 || s.ops[0].Kind != kvpb.OpRemoveReplica || s.ops[0].Target.StoreID != 2 {
		t.Fatalf("ops %v", s.lastOps(5))
	}
}

func TestPlannerPromotesCaughtUpLeftoverLearner(t *testing.T) {
	s := newSim(t, 3)
	r := s.ranges[1]
	r.desc.Replicas = append(r.desc.Replicas, kvpb.ReplicaDescriptor{NodeID: 2, StoreID: 2, ReplicaID: 2, Learner: true})
	r.desc.NextReplicaID = 3
	if s.round() != 0 {
		t.Fatal("a learner seen for the first time was acted on")
	}
	s.round()
	if len(s.ops) != 1 || s.ops[0].Kind != kvpb.OpAddReplica || s.ops[0].Target.StoreID != 2 {
		t.Fatalf("ops %v", s.lastOps(5))
	}
	s.settle(50)
	s.checkReplication(3)
}

func TestPlannerBalancesBytes(t *testing.T) {
	s := newSim(t, 5)
	s.addTable(50, 30, 1<<20+1)
	big := s.addTable(51, 10, 20<<20)
	s.settle(600)
	s.checkReplication(3)
	reps, leaders := s.counts()
	s.checkBalanced("replicas", reps)
	s.checkBalanced("leaders", leaders)
	held := map[kvpb.StoreID]int64{}
	var total int64
	for _, r := range s.ranges {
		for _, rd := range r.desc.Replicas {
			held[rd.StoreID] += r.bytes
			total += r.bytes
		}
	}
	mean := float64(total) / 5
	for id, b := range held {
		// Within the tolerance, or within one big range of the mean
		// (what whole ranges allow).
		if d := math.Abs(float64(b) - mean); d > math.Max(mean*Tolerance, float64(s.ranges[big[0]].bytes)) {
			t.Errorf("s%d holds %d bytes, mean %.0f", id, b, mean)
		}
	}
	before := len(s.ops)
	for range 200 {
		s.round()
	}
	if n := len(s.ops) - before; n != 0 {
		t.Fatalf("steady cluster made %d moves: %v", n, s.lastOps(n))
	}
}
