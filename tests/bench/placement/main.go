// Command placement measures the placement driver and the TSO on
// in-process clusters (loopback gRPC, real timings: the default raft tick
// and the default 1 s placement round unless a flag overrides them). It
// prints figures and asserts nothing; it exits non-zero on an error, or
// when a wait it measures does not end within its bound. Run it with
// `make bench-placement`; -parts picks the parts:
//
//  1. rebalance: one node, a table of -rows rows split into -regions
//     ranges (SPLIT TABLE … BETWEEN … REGIONS); then two more nodes start
//     and join, and it times, from their start, (a) every range having
//     three voters and a leader (SHOW RANGES through pgx, the voters read
//     from each range leader's descriptor: no learner) and (b) the
//     replica and leader counts of the three stores (Server.ReplicaCounts)
//     all within ±20% of their mean (or within one of it where 20% is
//     less than one), printing the counts.
//  2. tso: on a three-node cluster, -tso-clients goroutines call
//     kv.DB.Now — what a transaction does for its timestamps: on range 1's
//     leader the local TSO, elsewhere a gRPC call to that leader
//     (server.tsoClient) — for -tso-duration, first all on range 1's
//     leader, then on the two other nodes; it prints timestamps per second
//     and the count of timestamps not above their client's previous one
//     (which the TSO promises to be none).
//  3. idle: one cluster node (placement driver, liveness and gossip
//     running as in production) with a table split into -ranges ranges,
//     left alone for -idle; it prints the process CPU time (getrusage
//     RUSAGE_SELF, user + system) over that time and as a percentage of
//     one core, and how long creating the ranges took.
//
// The parts run one after the other in this process, each cluster
// stopped before the next part starts, so the idle CPU figure is the idle
// node's alone.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"runtime"
	"runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server"
	"github.com/rangedb/rangedb/server/rpc"
	"github.com/rangedb/rangedb/tests/pgtest"
)

var (
	parts             = flag.String("parts", "rebalance,tso,idle", "comma-separated parts to run: rebalance, tso, idle")
	placementInterval = flag.Duration("placement-interval", 0, "placement round (server.Config.PlacementInterval); 0 is the server's default, 1s")
	raftTick          = flag.Duration("raft-tick", 0, "raft tick (server.Config.RaftTickInterval); 0 is raftstore's default")
	verbose           = flag.Bool("v", false, "log the nodes' warnings and errors to stderr")

	rows             = flag.Int("rows", 10000, "rebalance: rows loaded into the table")
	regions          = flag.Int("regions", 200, "rebalance: SPLIT TABLE … REGIONS n for the table")
	rebalanceTimeout = flag.Duration("rebalance-timeout", 10*time.Minute, "rebalance: bound on the wait for three voters everywhere and for balance")

	tsoDuration = flag.Duration("tso-duration", 5*time.Second, "tso: how long each run calls the TSO")
	tsoClients  = flag.Int("tso-clients", 8, "tso: concurrent clients")

	ranges       = flag.Int("ranges", 10000, "idle: ranges of the idle node's table")
	idle         = flag.Duration("idle", 60*time.Second, "idle: how long the CPU time is measured over")
	idleSettle   = flag.Duration("idle-settle", 5*time.Second, "idle: wait after the splits before measuring")
	splitTimeout = flag.Duration("split-timeout", 20*time.Minute, "idle: bound on creating the ranges")
	cpuProfile   = flag.String("cpuprofile", "", "idle: write a CPU profile of the idle window to this file")
)

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench-placement:", err)
		os.Exit(1)
	}
}

func run() error {
	dir, err := os.MkdirTemp("", "rangedb-bench-placement-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	fmt.Printf("placement round %s, raft tick %s, GOMAXPROCS %d\n\n",
		orDefault(*placementInterval, "1s (default)"), orDefault(*raftTick, "raftstore default"), runtime.GOMAXPROCS(0))
	var failed []error
	for _, p := range strings.Split(*parts, ",") {
		var err error
		switch p = strings.TrimSpace(p); p {
		case "rebalance":
			err = rebalance(dir + "/rebalance")
		case "tso":
			err = tso(dir + "/tso")
		case "idle":
			err = idleCPU(dir + "/idle")
		case "":
			continue
		default:
			return fmt.Errorf("unknown part %q (want rebalance, tso, idle)", p)
		}
		if err != nil {
			// The other parts' figures stand: report the failure with
			// them and exit non-zero at the end.
			fmt.Printf("%s: FAILED: %v\n\n", p, err)
			failed = append(failed, fmt.Errorf("%s: %w", p, err))
		}
	}
	return errors.Join(failed...)
}

func orDefault(d time.Duration, def string) string {
	if d == 0 {
		return def
	}
	return d.String()
}

// cluster is n in-process nodes that all join each other, started on
// demand.
type cluster struct {
	cfgs []server.Config
	srvs []*server.Server
}

func newCluster(dir string, n int) (*cluster, error) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	c := &cluster{srvs: make([]*server.Server, n)}
	var join []string
	for i := range n {
		addr, err := pgtest.FreeAddr()
		if err != nil {
			return nil, err
		}
		c.cfgs = append(c.cfgs, server.Config{
			StoreDir: fmt.Sprintf("%s/n%d", dir, i+1), ListenAddr: addr, SQLAddr: "127.0.0.1:0",
			Logger: logger, DrainTimeout: 2 * time.Second,
			RaftTickInterval: *raftTick, PlacementInterval: *placementInterval,
		})
		join = append(join, addr)
	}
	for i := range c.cfgs {
		c.cfgs[i].Join = join
	}
	return c, nil
}

// start starts the nodes idx at once and waits until every one has
// started (a joining node's Start returns once it has joined).
func (c *cluster) start(idx ...int) error {
	errs := make(chan error, len(idx))
	for _, i := range idx {
		s, err := server.New(c.cfgs[i])
		if err != nil {
			return err
		}
		c.srvs[i] = s
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			errs <- s.Start(ctx)
		}()
	}
	var err error
	for range idx {
		err = errors.Join(err, <-errs)
	}
	return err
}

// bootstrap starts the nodes idx and initializes the cluster through the
// first of them.
func (c *cluster) bootstrap(idx ...int) error {
	errs := make(chan error, 1)
	go func() { errs <- c.start(idx...) }()
	initErr := c.init(idx[0])
	return errors.Join(initErr, <-errs)
}

func (c *cluster) init(i int) error {
	cl, err := rpc.Dial(c.cfgs[i].ListenAddr)
	if err != nil {
		return err
	}
	defer cl.Close()
	// The node may not listen yet: retry briefly.
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, err = cl.CallInit(ctx)
		cancel()
		if err == nil || time.Now().After(deadline) {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (c *cluster) stop() {
	for i, s := range c.srvs {
		if s != nil {
			s.Stop()
			c.srvs[i] = nil
		}
	}
}

func (c *cluster) conn(i int) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return pgx.Connect(ctx, c.srvs[i].URL())
}

// exec runs sql, bounded by d.
func exec(conn *pgx.Conn, d time.Duration, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// showRange is a row of SHOW RANGES.
type showRange struct {
	id       kvpb.RangeID
	replicas []string
	leader   int64 // 0: none
}

func showRanges(conn *pgx.Conn) ([]showRange, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rs, err := conn.Query(ctx, "SHOW RANGES")
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []showRange
	for rs.Next() {
		var start, end, reps, voting string
		var id int64
		var leader *int64
		if err := rs.Scan(&start, &end, &id, &reps, &leader, &voting); err != nil {
			return nil, err
		}
		r := showRange{id: kvpb.RangeID(id), replicas: strings.Split(strings.Trim(reps, "{}"), ",")}
		if leader != nil {
			r.leader = *leader
		}
		out = append(out, r)
	}
	return out, rs.Err()
}

// fullyReplicated reports whether every range of rs has three replicas
// and a leader in SHOW RANGES, and three voters (no learner) by its
// leader's descriptor; otherwise it says how many do.
func (c *cluster) fullyReplicated(rs []showRange) (bool, string) {
	ok := 0
	for _, r := range rs {
		if len(r.replicas) == 3 && r.leader != 0 && c.voters(r.id) == 3 {
			ok++
		}
	}
	return ok == len(rs), fmt.Sprintf("%d of %d ranges with 3 voters", ok, len(rs))
}

// voters returns the voters of range id by its leader's descriptor, -1
// when no running node leads it.
func (c *cluster) voters(id kvpb.RangeID) int {
	for _, s := range c.srvs {
		if s == nil || !s.LeadsRange(id) {
			continue
		}
		d, err := s.RangeDescriptor(id)
		if err != nil {
			return -1
		}
		n := 0
		for _, rd := range d.Replicas {
			if !rd.Learner {
				n++
			}
		}
		return n
	}
	return -1
}

func (c *cluster) counts() (replicas, leaders []int) {
	for _, s := range c.srvs {
		if s != nil {
			r, l := s.ReplicaCounts()
			replicas, leaders = append(replicas, r), append(leaders, l)
		}
	}
	return replicas, leaders
}

// balanced reports whether every count is within ±20% of the mean, or
// within one of it where the counts are too small for 20% to be one (as
// tests/cluster's placement tests judge it).
func balanced(counts []int) bool {
	total := 0
	for _, n := range counts {
		total += n
	}
	mean := float64(total) / float64(len(counts))
	for _, n := range counts {
		if math.Abs(float64(n)-mean) > math.Max(0.2*mean, 1) {
			return false
		}
	}
	return true
}

// rebalance is part 1.
func rebalance(dir string) error {
	c, err := newCluster(dir, 3)
	if err != nil {
		return err
	}
	defer c.stop()
	if err := c.bootstrap(0); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	conn, err := c.conn(0)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if err := exec(conn, 30*time.Second, "CREATE TABLE t (k INT PRIMARY KEY, v INT)"); err != nil {
		return err
	}
	for lo := 0; lo < *rows; lo += 1000 {
		var b strings.Builder
		b.WriteString("INSERT INTO t VALUES ")
		for k := lo; k < lo+1000 && k < *rows; k++ {
			if k > lo {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %d)", k, k*7)
		}
		if err := exec(conn, time.Minute, b.String()); err != nil {
			return err
		}
	}
	t0 := time.Now()
	if err := exec(conn, 5*time.Minute, fmt.Sprintf("SPLIT TABLE t BETWEEN (0) AND (%d) REGIONS %d", *rows, *regions)); err != nil {
		return err
	}
	splitTook := time.Since(t0)
	rs, err := showRanges(conn)
	if err != nil {
		return err
	}
	fmt.Printf("rebalance: %d rows split into %d regions in %s; %d ranges in all (SHOW RANGES) on node 1\n",
		*rows, *regions, splitTook.Round(time.Millisecond), len(rs))

	start := time.Now()
	if err := c.start(1, 2); err != nil {
		return fmt.Errorf("starting nodes 2 and 3: %w", err)
	}
	joined := time.Since(start)
	deadline := start.Add(*rebalanceTimeout)
	var replicated, balance time.Duration
	var state string
	var reps, leads []int
	for time.Now().Before(deadline) {
		rs, err := showRanges(conn)
		if err != nil {
			// A range being moved can fail a scan of the meta
			// ranges now and then: try again next poll.
			state = fmt.Sprintf("SHOW RANGES: %v", err)
		} else {
			var all bool
			all, state = c.fullyReplicated(rs)
			if all && replicated == 0 {
				replicated = time.Since(start)
				r, l := c.counts()
				fmt.Printf("  (a) every range with 3 voters and a leader: %s after the start of nodes 2 and 3 (joined in %s); %d ranges; replicas %v, leaders %v\n",
					replicated.Round(time.Millisecond), joined.Round(time.Millisecond), len(rs), r, l)
			}
			reps, leads = c.counts()
			if all && balanced(reps) && balanced(leads) {
				balance = time.Since(start)
				fmt.Printf("  (b) and replicas and leaders per node within ±20%% of the mean: %s; replicas %v, leaders %v\n",
					balance.Round(time.Millisecond), reps, leads)
				break
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	if balance == 0 {
		fmt.Printf("  not done within %s: %s; replicas %v, leaders %v\n", *rebalanceTimeout, state, reps, leads)
		fmt.Println()
		return fmt.Errorf("not replicated and balanced within %s", *rebalanceTimeout)
	}
	fmt.Println()
	return nil
}

// tso is part 2.
func tso(dir string) error {
	c, err := newCluster(dir, 3)
	if err != nil {
		return err
	}
	defer c.stop()
	if err := c.bootstrap(0, 1, 2); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	// Wait until range 1 has three caught-up voters and every node gets
	// timestamps: the runs measure a steady cluster.
	leader := -1
	deadline := time.Now().Add(2 * time.Minute)
	for {
		leader = -1
		for i, s := range c.srvs {
			if s.LeadsRange1() {
				leader = i
			}
		}
		ready := leader >= 0
		if ready {
			match, commit := c.srvs[leader].Range1Progress()
			ready = len(match) == 3 && commit > 0
			for _, m := range match {
				ready = ready && m >= commit
			}
		}
		for _, s := range c.srvs {
			if !ready {
				break
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := s.DB().Now(ctx)
			cancel()
			ready = err == nil
		}
		if ready {
			break
		}
		if time.Now().After(deadline) {
			return errors.New("range 1 not on three caught-up voters with a leader within 2m")
		}
		time.Sleep(100 * time.Millisecond)
	}
	var others []*server.Server
	for i, s := range c.srvs {
		if i != leader {
			others = append(others, s)
		}
	}
	fmt.Printf("tso: 3 nodes, %d concurrent clients calling kv.DB.Now for %s per run\n", *tsoClients, *tsoDuration)
	var errs error
	for _, run := range []struct {
		name string
		on   []*server.Server
	}{
		{fmt.Sprintf("on range 1's leader (node %d)", leader+1), []*server.Server{c.srvs[leader]}},
		{"on the two other nodes (a gRPC call to the leader each)", others},
	} {
		r := tsoRun(run.on)
		fmt.Printf("  %-58s %10.0f timestamps/s (%d in %s), not increasing: %d, errors: %d\n",
			run.name, float64(r.n)/r.elapsed.Seconds(), r.n, r.elapsed.Round(time.Millisecond), r.violations, r.errors)
		if r.firstErr != nil {
			fmt.Printf("    first error: %v\n", r.firstErr)
		}
		if r.n == 0 {
			errs = errors.Join(errs, fmt.Errorf("%s: no timestamp: %v", run.name, r.firstErr))
		}
	}
	fmt.Println()
	return errs
}

type tsoResult struct {
	n, violations, errors int
	elapsed               time.Duration
	firstErr              error
}

// tsoRun has *tsoClients goroutines, spread over the nodes on, take
// timestamps for *tsoDuration.
func tsoRun(on []*server.Server) tsoResult {
	type clientResult struct {
		n, violations, errors int
		firstErr              error
	}
	res := make([]clientResult, *tsoClients)
	var wg sync.WaitGroup
	start := time.Now()
	end := start.Add(*tsoDuration)
	for i := range res {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			db := on[i%len(on)].DB()
			r := &res[i]
			var last kvpb.Timestamp
			for time.Now().Before(end) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				ts, err := db.Now(ctx)
				cancel()
				if err != nil {
					r.errors++
					if r.firstErr == nil {
						r.firstErr = err
					}
					continue
				}
				if ts <= last {
					r.violations++
				}
				last = ts
				r.n++
			}
		}(i)
	}
	wg.Wait()
	out := tsoResult{elapsed: time.Since(start)}
	for _, r := range res {
		out.n += r.n
		out.violations += r.violations
		out.errors += r.errors
		if out.firstErr == nil {
			out.firstErr = r.firstErr
		}
	}
	return out
}

// idleCPU is part 3.
func idleCPU(dir string) error {
	c, err := newCluster(dir, 1)
	if err != nil {
		return err
	}
	defer c.stop()
	if err := c.bootstrap(0); err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	conn, err := c.conn(0)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	if err := exec(conn, 30*time.Second, "CREATE TABLE idle (k INT PRIMARY KEY, v INT)"); err != nil {
		return err
	}
	srv := c.srvs[0]
	before := len(srv.RangeIDs())
	// SPLIT TABLE … REGIONS n takes at most 1000 (sql maxSplitRegions):
	// split disjoint intervals of the key space, 1000 keys and at most
	// 1000 regions each, until the table has its ranges.
	const chunk = 1000
	t0 := time.Now()
	deadline := t0.Add(*splitTimeout)
	lastReport := t0
	for lo := 0; ; lo += chunk {
		have := len(srv.RangeIDs()) - before + 1 // the table's ranges
		if have >= *ranges {
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("only %d of %d ranges after %s", have, *ranges, *splitTimeout)
		}
		n := min(chunk, *ranges-have+1)
		if err := exec(conn, 10*time.Minute, fmt.Sprintf("SPLIT TABLE idle BETWEEN (%d) AND (%d) REGIONS %d", lo, lo+chunk, n)); err != nil {
			return err
		}
		if time.Since(lastReport) > 30*time.Second {
			fmt.Fprintf(os.Stderr, "idle: %d ranges after %s\n", len(srv.RangeIDs())-before+1, time.Since(t0).Round(time.Second))
			lastReport = time.Now()
		}
	}
	created := time.Since(t0)
	total := len(srv.RangeIDs())
	fmt.Printf("idle: one node, a table split into %d ranges (%d ranges in all) in %s\n",
		total-before+1, total, created.Round(time.Millisecond))
	time.Sleep(*idleSettle)
	u0, err := cpuTime()
	if err != nil {
		return err
	}
	w0 := time.Now()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	time.Sleep(*idle)
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	u1, err := cpuTime()
	if err != nil {
		return err
	}
	wall := time.Since(w0)
	cpu := u1 - u0
	reps, leads := srv.ReplicaCounts()
	fmt.Printf("  CPU over %s idle (after %s to settle): %.2f s user+system, %.1f%% of one core; %d replicas, %d led, %d goroutines at the end\n",
		wall.Round(time.Millisecond), *idleSettle, cpu.Seconds(), 100*cpu.Seconds()/wall.Seconds(), reps, leads, runtime.NumGoroutine())
	fmt.Println()
	return nil
}

// cpuTime returns this process's user plus system CPU time.
func cpuTime() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}
