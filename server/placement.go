package server

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/placement"
)

// The placement driver (DESIGN.md §6) runs on every node and decides only
// beside range 1's leader. Each round (Config.PlacementInterval) it reads
// the liveness records, asks every live node for its store report, and,
// once every live store has reported since this node took over (a new
// term of range 1 is a new takeover, with nothing remembered), hands the
// reports to placement.Planner and sends each op it returns to the node
// whose store leads the op's range (execPlacementOp, placement_exec.go).
// Every op names the range's generation, so a deposed driver's ops fail
// harmlessly: no decision is made twice. Ops run in the background, at
// most placementParallel at once, one per range: a range with an op
// running, or one that ended after the round's reports were asked for, is
// left out of the round's plan, so a slow op (an add waiting for its
// snapshot) holds up nothing else. Every decision is logged with
// its reason, counted (rangedb_placement_*), and written to the decision
// log at /System/placement/ (SHOW PLACEMENT DECISIONS).

const (
	// placementReportTimeout bounds one node's report.
	placementReportTimeout = 3 * time.Second
	// placementOpTimeout bounds one op (an add waits for its learner).
	placementOpTimeout = learnerCatchUp + 30*time.Second
	// placementParallel bounds the ops of a round in flight.
	placementParallel = 8
	// placementLogKeep is how many decisions the log keeps.
	placementLogKeep = 1000
	// maxStickySplits bounds the manual split points read per round.
	maxStickySplits = 10000
)

// placementDriver is the driver's state on one node; only its loop
// touches it.
type placementDriver struct {
	s        *Server
	term     uint64
	planner  *placement.Planner
	reported map[kvpb.StoreID]bool
	last     map[kvpb.StoreID]kvpb.StoreReport
	waiting  bool
	rounds   int
	// activeTerm is term, for readers outside the loop.
	activeTerm atomic.Uint64
	// paused stops decisions (PausePlacementForTesting).
	paused atomic.Bool
	// flight tracks the ops running (their goroutines are wg's, waited
	// for when run ends) and when each range's last op ended; it outlives
	// takeovers (an op runs to its end or its deadline).
	flight struct {
		mu       sync.Mutex
		running  map[kvpb.RangeID]kvpb.PlacementOp
		finished map[kvpb.RangeID]time.Time
	}
	wg sync.WaitGroup

	decisions, failures *prometheus.CounterVec
	active              prometheus.Gauge
	storesByState       *prometheus.GaugeVec
}

func newPlacementDriver(s *Server) *placementDriver {
	d := &placementDriver{s: s,
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rangedb_placement_decisions_total",
			Help: "Placement ops this node's driver decided, by kind."}, []string{"kind"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rangedb_placement_failures_total",
			Help: "Placement ops this node's driver decided that failed, by kind."}, []string{"kind"}),
		active: prometheus.NewGauge(prometheus.GaugeOpts{Name: "rangedb_placement_active",
			Help: "1 while this node's placement driver decides (beside range 1's leader)."}),
		storesByState: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "rangedb_placement_stores",
			Help: "Stores as the active driver saw them last round, by state."}, []string{"state"}),
	}
	s.registry.MustRegister(d.decisions, d.failures, d.active, d.storesByState)
	d.flight.running, d.flight.finished = map[kvpb.RangeID]kvpb.PlacementOp{}, map[kvpb.RangeID]time.Time{}
	return d
}

func (d *placementDriver) reset() {
	d.term, d.planner, d.reported, d.last, d.waiting = 0, nil, nil, nil, false
	d.activeTerm.Store(0)
	d.active.Set(0)
	d.storesByState.Reset()
}

// run runs rounds every interval until ctx ends.
func (d *placementDriver) run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	defer d.wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		d.round(ctx)
	}
}

func (d *placementDriver) round(ctx context.Context) {
	s := d.s
	term, leads := s.store.LeaderTerm(1)
	if !leads {
		if d.term != 0 {
			s.log.Info("placement driver: idle, no longer beside range 1's leader")
			d.reset()
		}
		return
	}
	if term != d.term {
		d.reset()
		d.term, d.planner = term, placement.NewPlanner()
		d.reported, d.last = map[kvpb.StoreID]bool{}, map[kvpb.StoreID]kvpb.StoreReport{}
		d.active.Set(1)
		d.activeTerm.Store(term)
		s.log.Info("placement driver: taking over", "term", term)
	}
	set := s.settings
	if !set.Bool("placement.enabled") || d.paused.Load() {
		return
	}
	rctx, cancel := context.WithTimeout(ctx, placementReportTimeout+2*time.Second)
	defer cancel()
	var recs map[kvpb.NodeID]kvpb.Liveness
	if s.cfg.SingleNode {
		// No liveness records: the one node is live (it splits and
		// merges; with one store there is nothing to replicate or move).
		recs = map[kvpb.NodeID]kvpb.Liveness{s.ident.NodeID: {NodeID: s.ident.NodeID,
			Expiration: time.Now().Add(time.Hour).UnixNano(), Membership: kvpb.MembershipActive}}
	} else {
		var err error
		if recs, err = readLiveness(rctx, s.sender); err != nil {
			s.log.Debug("placement driver: no liveness records this round", "err", err)
			return
		}
	}
	now := time.Now()
	dead := set.Duration("server.time_until_store_dead")
	stores := map[kvpb.StoreID]*placement.StoreInfo{}
	var live []kvpb.NodeID
	for id, l := range recs {
		st := &placement.StoreInfo{ID: kvpb.StoreID(id), Node: id, Decommissioning: l.Membership != kvpb.MembershipActive}
		switch {
		case l.Live(now):
			st.State = placement.StoreLive
			live = append(live, id)
		case now.Sub(time.Unix(0, l.Expiration)) >= dead:
			st.State = placement.StoreDead
		default:
			st.State = placement.StoreSuspect
		}
		st.Report = d.last[st.ID]
		stores[st.ID] = st
	}
	collectStart := time.Now()
	req := &kvpb.StoreReportRequest{WithSplitKeys: true, SplitBytes: set.Bytes("range_max_bytes"), SplitQPS: set.Float("range_split_qps")}
	reports := d.collect(rctx, live, req)
	var missing []kvpb.NodeID
	for _, id := range live {
		st := stores[kvpb.StoreID(id)]
		if rep, ok := reports[id]; ok {
			st.Report = rep
			d.last[st.ID] = rep
			d.reported[st.ID] = true
			continue
		}
		st.State = placement.StoreSuspect // live, but silent this round
		if !d.reported[st.ID] {
			missing = append(missing, id)
		}
	}
	states := map[string]int{}
	for _, st := range stores {
		states[st.State.String()]++
	}
	for _, state := range []placement.StoreState{placement.StoreLive, placement.StoreSuspect, placement.StoreDead} {
		d.storesByState.WithLabelValues(state.String()).Set(float64(states[state.String()]))
	}
	if len(missing) > 0 {
		if !d.waiting {
			slices.Sort(missing)
			s.log.Info("placement driver: waiting for every live store to report once", "missing", missing)
		}
		d.waiting = true
		return
	}
	if d.waiting {
		s.log.Info("placement driver: every live store reported; deciding")
		d.waiting = false
	}
	sticky, err := readSticky(rctx, s.db)
	if err != nil {
		s.log.Debug("placement driver: manual split points not read this round", "err", err)
		return
	}
	c := &placement.Cluster{Now: now, Stores: stores, Sticky: sticky, Settings: placement.Settings{
		ReplicationFactor: int(set.Int("replication_factor")),
		RangeMaxBytes:     set.Bytes("range_max_bytes"),
		RangeMinBytes:     set.Bytes("range_min_bytes"),
		SplitQPS:          set.Float("range_split_qps"),
		MaxMovesPerStore:  int(set.Int("placement.max_moves_per_store")),
		MergeEnabled:      set.Bool("placement.merge_enabled"),
	}}
	c.InFlight, c.InFlightAdds = d.inFlight(collectStart)
	ops := d.planner.Plan(c)
	if s.log.Enabled(ctx, slog.LevelDebug) {
		ranges := 0
		for _, st := range stores {
			ranges += len(st.Report.Leading)
		}
		s.log.Debug("placement driver: round", "stores", states, "ranges", ranges, "ops", len(ops))
	}
	if len(ops) > 0 {
		d.execute(ctx, ops, func(op kvpb.PlacementOp) kvpb.NodeID {
			for _, st := range stores {
				for _, rr := range st.Report.Leading {
					if rr.Desc.RangeID == op.RangeID {
						return st.Node
					}
				}
			}
			return 0
		})
	}
	d.rounds++
	if d.rounds%60 == 0 {
		d.trimLog(ctx)
	}
}

// collect asks every node of ids for its report, concurrently; a node
// that does not answer in time is left out.
func (d *placementDriver) collect(ctx context.Context, ids []kvpb.NodeID, req *kvpb.StoreReportRequest) map[kvpb.NodeID]kvpb.StoreReport {
	var mu sync.Mutex
	out := map[kvpb.NodeID]kvpb.StoreReport{}
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cctx, cancel := context.WithTimeout(ctx, placementReportTimeout)
			defer cancel()
			br, err := d.s.sendToNode(cctx, id, &kvpb.BatchRequest{Requests: []kvpb.Request{req}})
			if err != nil {
				d.s.log.Debug("placement driver: no report", "node", id, "err", err)
				return
			}
			if len(br.Responses) != 1 {
				return
			}
			if r, ok := br.Responses[0].(*kvpb.StoreReportResponse); ok {
				mu.Lock()
				out[id] = r.Report
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return out
}

// sendToNode sends ba to node id's Batch RPC (nodeSender), or runs it here
// when id is this node.
func (s *Server) sendToNode(ctx context.Context, id kvpb.NodeID, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	if id == s.ident.NodeID || s.cfg.SingleNode {
		return nodeSender{s}.Send(ctx, ba)
	}
	sender, err := s.dialer.Dial(id)
	if err != nil {
		return nil, err
	}
	return sender.Send(ctx, ba)
}

// inFlight returns the ranges with an op running, or finished after
// since (the round's reports may predate what it did), and the adds among
// the running ones per target store.
func (d *placementDriver) inFlight(since time.Time) (map[kvpb.RangeID]bool, map[kvpb.StoreID]int) {
	d.flight.mu.Lock()
	defer d.flight.mu.Unlock()
	ranges, adds := map[kvpb.RangeID]bool{}, map[kvpb.StoreID]int{}
	for id, op := range d.flight.running {
		ranges[id] = true
		if op.Kind == kvpb.OpAddReplica {
			adds[op.Target.StoreID]++
		}
	}
	for id, at := range d.flight.finished {
		if at.After(since) {
			ranges[id] = true
		} else {
			delete(d.flight.finished, id)
		}
	}
	return ranges, adds
}

// execute starts ops, each on the node leaderOf names, while fewer than
// placementParallel run; they log and count themselves when they end.
func (d *placementDriver) execute(ctx context.Context, ops []kvpb.PlacementOp, leaderOf func(kvpb.PlacementOp) kvpb.NodeID) {
	for _, op := range ops {
		ids := []kvpb.RangeID{op.RangeID}
		if op.Kind == kvpb.OpMerge {
			ids = append(ids, op.Right)
		}
		d.flight.mu.Lock()
		full := len(d.flight.running) >= placementParallel
		if !full {
			for _, id := range ids {
				d.flight.running[id] = op
			}
		}
		d.flight.mu.Unlock()
		if full {
			return // the rest waits for a later round
		}
		kind := op.Kind.String()
		d.decisions.WithLabelValues(kind).Inc()
		d.s.log.Info("placement: "+kind, "range", op.RangeID, "target", op.Target.StoreID, "from", op.From,
			"split_key", op.SplitKey, "right", op.Right, "reason", op.Reason)
		node := leaderOf(op)
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			octx, cancel := context.WithTimeout(ctx, placementOpTimeout)
			defer cancel()
			start := time.Now()
			var err error
			if node == 0 {
				err = errors.New("no leader reported the range")
			} else {
				_, err = d.s.sendToNode(octx, node, &kvpb.BatchRequest{RangeID: op.RangeID,
					Requests: []kvpb.Request{&kvpb.PlacementOpRequest{Op: op}}})
			}
			outcome := ""
			if err != nil {
				d.failures.WithLabelValues(kind).Inc()
				outcome = err.Error()
				d.s.log.Warn("placement: "+kind+" failed", "range", op.RangeID, "target", op.Target.StoreID, "err", err)
			}
			d.logDecision(ctx, start, op, outcome)
			d.flight.mu.Lock()
			for _, id := range ids {
				delete(d.flight.running, id)
				d.flight.finished[id] = time.Now()
			}
			d.flight.mu.Unlock()
		}()
	}
}

// logDecision writes the decision to the log at /System/placement/.
func (d *placementDriver) logDecision(ctx context.Context, at time.Time, op kvpb.PlacementOp, outcome string) {
	rec := kvpb.PlacementDecision{UnixNanos: at.UnixNano(), Op: op, Outcome: outcome}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := d.s.db.RawPut(wctx, kvpb.PlacementDecisionKey(rec.UnixNanos), rec.Marshal()); err != nil {
		d.s.log.Debug("placement: decision not logged", "err", err)
	}
}

// trimLog deletes all but the newest placementLogKeep decisions.
func (d *placementDriver) trimLog(ctx context.Context) {
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	rows, err := rawScanPrefix(tctx, d.s.db, kvpb.PlacementPrefix, 4*placementLogKeep)
	if err != nil || len(rows) <= placementLogKeep {
		return
	}
	reqs := make([]kvpb.Request, 0, len(rows)-placementLogKeep)
	for _, r := range rows[:len(rows)-placementLogKeep] {
		reqs = append(reqs, &kvpb.RawDeleteRequest{Key: r.Key})
	}
	if _, err := d.s.db.SendBatch(tctx, reqs); err != nil {
		d.s.log.Debug("placement: decision log not trimmed", "err", err)
	}
}

// readSticky reads the manual split points, sorted.
func readSticky(ctx context.Context, db *kv.DB) ([]kvpb.Key, error) {
	rows, err := rawScanPrefix(ctx, db, kvpb.StickySplitPrefix, maxStickySplits)
	if err != nil {
		return nil, err
	}
	out := make([]kvpb.Key, 0, len(rows))
	for _, r := range rows {
		out = append(out, kvpb.Key(r.Key[len(kvpb.StickySplitPrefix):]))
	}
	return out, nil
}

// rawScanPrefix reads up to limit raw records under prefix, in key order.
func rawScanPrefix(ctx context.Context, db *kv.DB, prefix kvpb.Key, limit int) ([]kvpb.KeyValue, error) {
	resp, err := db.Send(ctx, &kvpb.RawScanRequest{Span: kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}, MaxKeys: int64(limit)})
	if err != nil {
		return nil, err
	}
	return resp.(*kvpb.RawScanResponse).Rows, nil
}
