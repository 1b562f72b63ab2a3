package cluster

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Tests of a cluster whose tables are split into many ranges: routing of
// every kind of statement across range boundaries, stale range caches,
// splits under load, the bank invariant across ranges and a node restart,
// and a transaction coordinator that dies between its two phases.

// region is a row of SHOW TABLE … REGIONS.
type region struct {
	id, leaderStore int64
	start, end      string
	peers           []string
}

// regionsOf returns the rows of stmt, a SHOW TABLE … REGIONS.
func regionsOf(t *testing.T, conn *pgx.Conn, stmt string) ([]region, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rs, err := conn.Query(ctx, stmt)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []region
	for rs.Next() {
		var r region
		var leaderReplica, scattering, written, read, size, keys int64
		var peers string
		if err := rs.Scan(&r.id, &r.start, &r.end, &leaderReplica, &r.leaderStore, &peers, &scattering, &written, &read, &size, &keys); err != nil {
			return nil, err
		}
		r.peers = strings.Split(peers, ",")
		out = append(out, r)
	}
	return out, rs.Err()
}

// waitRegions waits until stmt (a SHOW TABLE … REGIONS) lists n ranges,
// each with a leader and three voters (no learner) on the nodes of c, all
// caught up with the leader's log, and returns them.
func waitRegions(t *testing.T, c *testCluster, conn *pgx.Conn, stmt string, n int) []region {
	t.Helper()
	var last []region
	var lastErr error
	deadline := time.Now().Add(60 * time.Second)
	for {
		last, lastErr = regionsOf(t, conn, stmt)
		if lastErr == nil && len(last) == n && c.allReplicated(last) {
			return last
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: want %d ranges of 3 caught-up voters with a leader within 60s, have %+v (%v); %s", stmt, n, last, lastErr, c.progress(last))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// progress describes each region's replication as its leader sees it.
func (c *testCluster) progress(rs []region) string {
	var out []string
	for _, r := range rs {
		l := c.leaderOf(kvpb.RangeID(r.id))
		if l < 0 {
			out = append(out, fmt.Sprintf("r%d: no leader", r.id))
			continue
		}
		match, commit := c.nodes[l].srv.RangeProgress(kvpb.RangeID(r.id))
		d, _ := c.nodes[l].srv.RangeDescriptor(kvpb.RangeID(r.id))
		out = append(out, fmt.Sprintf("r%d: %v, commit %d, match %v", r.id, d, commit, match))
	}
	return strings.Join(out, "; ")
}

// allReplicated reports whether every region has a leader, three voters
// by its leader's descriptor, and each voter's log caught up with the
// leader's commit index.
func (c *testCluster) allReplicated(rs []region) bool {
	for _, r := range rs {
		if len(r.peers) != 3 || r.leaderStore == 0 {
			return false
		}
		l := c.leaderOf(kvpb.RangeID(r.id))
		if l < 0 {
			return false
		}
		d, err := c.nodes[l].srv.RangeDescriptor(kvpb.RangeID(r.id))
		if err != nil || len(d.Replicas) != 3 {
			return false
		}
		match, commit := c.nodes[l].srv.RangeProgress(d.RangeID)
		for _, rd := range d.Replicas {
			if rd.Learner || commit == 0 || match[rd.NodeID] < commit {
				return false
			}
		}
	}
	return true
}

// leaderDesc returns the descriptor of range id held by its leader among
// the running nodes, or nil.
func (c *testCluster) leaderDesc(id kvpb.RangeID) *kvpb.RangeDescriptor {
	for _, nd := range c.nodes {
		if nd.srv != nil && nd.srv.LeadsRange(id) {
			if d, err := nd.srv.RangeDescriptor(id); err == nil {
				return d
			}
		}
	}
	return nil
}

// leaderOf returns the index in c.nodes of the node leading range id, or
// -1.
func (c *testCluster) leaderOf(id kvpb.RangeID) int {
	for i, nd := range c.nodes {
		if nd.srv != nil && nd.srv.LeadsRange(id) {
			return i
		}
	}
	return -1
}

// query returns the rows of sql, each as its values printed with %v and
// joined by spaces, or the error.
func query(conn *pgx.Conn, sql string, args ...any) ([]string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rs, err := conn.Query(ctx, sql, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			return nil, err
		}
		s := make([]string, len(vals))
		for i, v := range vals {
			if dv, ok := v.(driver.Valuer); ok { // pgtype.Numeric, say: its text
				if x, err := dv.Value(); err == nil {
					v = x
				}
			}
			s[i] = fmt.Sprint(v)
		}
		out = append(out, strings.Join(s, " "))
	}
	return out, rs.Err()
}

// mustQuery is query failing the test on an error.
func mustQuery(t *testing.T, conn *pgx.Conn, sql string, args ...any) []string {
	t.Helper()
	out, err := query(conn, sql, args...)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

// insertRows inserts the rows fmtRow(i) for i in [from, to) with
// multi-row INSERTs of at most 100 rows, through conn.
func insertRows(t *testing.T, conn *pgx.Conn, table string, from, to int, fmtRow func(i int) string) {
	t.Helper()
	for lo := from; lo < to; lo += 100 {
		var vals []string
		for i := lo; i < min(lo+100, to); i++ {
			vals = append(vals, "("+fmtRow(i)+")")
		}
		exec(t, conn, "INSERT INTO "+table+" VALUES "+strings.Join(vals, ", "))
	}
}

// check is a query and the rows it must return, in order unless sorted.
type check struct {
	sql    string
	want   []string
	sorted bool // compare as a set: sort both sides first
}

func (ck check) run(t *testing.T, conn *pgx.Conn, where string) {
	t.Helper()
	got := mustQuery(t, conn, ck.sql)
	if ck.sorted {
		got = slices.Clone(got)
		slices.Sort(got)
	}
	if !slices.Equal(got, ck.want) {
		t.Fatalf("%s: %s\n got %d rows %s\nwant %d rows %s", where, ck.sql, len(got), short(got), len(ck.want), short(ck.want))
	}
}

func short(rows []string) string {
	if len(rows) > 12 {
		return strings.Join(rows[:6], "; ") + "; …; " + strings.Join(rows[len(rows)-6:], "; ")
	}
	return strings.Join(rows, "; ")
}

// TestRoutingAcrossSplits: two tables of 200 rows on three nodes, split
// into 10 and 5 ranges of three voters each; through every node, point
// selects, full scans, ORDER BY … DESC LIMIT, aggregates, a join of the
// two tables and index scans (the index split too) return what Go
// computes, before and after the splits.
func TestRoutingAcrossSplits(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	conns := []*pgx.Conn{c.conn(0), c.conn(1), c.conn(2)}
	const n = 200
	// v is a permutation of k (37 is prime to 200); w of u is 3k.
	vOf := func(k int) int { return k * 37 % n }
	exec(t, conns[0], "CREATE TABLE t (k INT PRIMARY KEY, v INT, s TEXT)")
	exec(t, conns[1], "CREATE TABLE u (k INT PRIMARY KEY, tk INT, w INT)")
	insertRows(t, conns[0], "t", 0, n, func(k int) string { return fmt.Sprintf("%d, %d, 'row-%03d'", k, vOf(k), k) })
	// u's rows point at every other row of t, in reverse.
	insertRows(t, conns[2], "u", 0, n/2, func(k int) string { return fmt.Sprintf("%d, %d, %d", k, n-1-2*k, 3*k) })

	var checks []check
	for _, k := range []int{0, 1, 19, 20, 21, 99, 100, 180, 198, 199} {
		checks = append(checks, check{sql: fmt.Sprintf("SELECT v, s FROM t WHERE k = %d", k),
			want: []string{fmt.Sprintf("%d row-%03d", vOf(k), k)}})
	}
	checks = append(checks, check{sql: "SELECT v FROM t WHERE k = 200"}) // no such row
	var all, desc5, mid []string
	sum, midSum := 0, 0
	for k := range n {
		all = append(all, fmt.Sprintf("%d %d", k, vOf(k)))
		sum += vOf(k)
		if k >= 15 && k <= 65 {
			mid = append(mid, fmt.Sprint(k))
			midSum += vOf(k)
		}
	}
	for k := n - 1; k >= n-5; k-- {
		desc5 = append(desc5, fmt.Sprintf("%d %s", k, fmt.Sprintf("row-%03d", k)))
	}
	sortedAll := slices.Clone(all)
	slices.Sort(sortedAll)
	checks = append(checks,
		check{sql: "SELECT k, v FROM t", want: sortedAll, sorted: true},
		check{sql: "SELECT k, v FROM t ORDER BY k", want: all},
		check{sql: "SELECT k, s FROM t ORDER BY k DESC LIMIT 5", want: desc5},
		check{sql: "SELECT k FROM t WHERE k BETWEEN 15 AND 65 ORDER BY k", want: mid},
		check{sql: "SELECT count(*), sum(v) FROM t WHERE k BETWEEN 15 AND 65", want: []string{fmt.Sprintf("%d %d", len(mid), midSum)}},
		check{sql: "SELECT count(*), sum(v), min(k), max(k), min(s), max(s) FROM t",
			want: []string{fmt.Sprintf("%d %d 0 %d row-000 row-%03d", n, sum, n-1, n-1)}},
	)
	// GROUP BY k % 10: each group has 20 rows.
	var groups []string
	for g := range 10 {
		s := 0
		for k := g; k < n; k += 10 {
			s += vOf(k)
		}
		groups = append(groups, fmt.Sprintf("%d %d %d", g, n/10, s))
	}
	checks = append(checks, check{sql: "SELECT k % 10, count(*), sum(v) FROM t GROUP BY k % 10 ORDER BY 1", want: groups})
	// The join: u.k = i joins t.k = 199-2i.
	joinSum := 0
	var joinFirst []string
	for i := range n / 2 {
		joinSum += vOf(n-1-2*i) + 3*i
	}
	for i := n/2 - 1; i >= n/2-5; i-- {
		joinFirst = append(joinFirst, fmt.Sprintf("%d %d %d", n-1-2*i, i, 3*i))
	}
	checks = append(checks,
		check{sql: "SELECT count(*), sum(t.v + u.w) FROM t JOIN u ON t.k = u.tk", want: []string{fmt.Sprintf("%d %d", n/2, joinSum)}},
		check{sql: "SELECT t.k, u.k, u.w FROM t JOIN u ON t.k = u.tk ORDER BY t.k LIMIT 5", want: joinFirst},
	)
	runAll := func(when string) {
		t.Helper()
		for i, conn := range conns {
			for _, ck := range checks {
				ck.run(t, conn, fmt.Sprintf("%s, node %d", when, i+1))
			}
		}
	}
	runAll("before the splits")

	exec(t, conns[0], "SPLIT TABLE t BETWEEN (0) AND (200) REGIONS 10")
	exec(t, conns[1], "SPLIT TABLE u BY (10), (30), (50), (70)")
	rs := waitRegions(t, c, conns[2], "SHOW TABLE t REGIONS", 10)
	for _, r := range rs {
		t.Logf("t's range r%d [%s, %s) peers %v, leader n%d", r.id, r.start, r.end, r.peers, r.leaderStore)
	}
	waitRegions(t, c, conns[2], "SHOW TABLE u REGIONS", 5)
	runAll("after the splits")

	// An index, split in its turn: lookups and range scans on it.
	exec(t, conns[1], "CREATE INDEX t_v ON t (v)")
	var idx []check
	for _, v := range []int{0, 37, 74, 199} {
		k := 0
		for vOf(k) != v {
			k++
		}
		idx = append(idx, check{sql: fmt.Sprintf("SELECT k, s FROM t WHERE v = %d", v), want: []string{fmt.Sprintf("%d row-%03d", k, k)}})
	}
	var vRange []string
	for v := 10; v <= 150; v++ {
		k := 0
		for vOf(k) != v {
			k++
		}
		vRange = append(vRange, fmt.Sprintf("%d %d", v, k))
	}
	idx = append(idx,
		check{sql: "SELECT v, k FROM t WHERE v BETWEEN 10 AND 150 ORDER BY v", want: vRange},
		check{sql: "SELECT v, k FROM t WHERE v >= 10 AND v <= 150 ORDER BY v DESC LIMIT 3", want: []string{vRange[len(vRange)-1], vRange[len(vRange)-2], vRange[len(vRange)-3]}},
		check{sql: "SELECT count(*) FROM t WHERE v < 100", want: []string{"100"}},
	)
	for i, conn := range conns {
		for _, ck := range idx {
			ck.run(t, conn, fmt.Sprintf("index before its split, node %d", i+1))
		}
	}
	exec(t, conns[2], "SPLIT TABLE t INDEX t_v BETWEEN (0) AND (200) REGIONS 4")
	waitRegions(t, c, conns[0], "SHOW TABLE t INDEX t_v REGIONS", 4)
	for i, conn := range conns {
		for _, ck := range append(idx, checks...) {
			ck.run(t, conn, fmt.Sprintf("after the index's split, node %d", i+1))
		}
	}
}

// TestStaleRangeCache: node 1 reads a table, warming its range cache;
// node 2 then splits the table into ten ranges and moves the leadership of
// half of them; node 1's next reads and writes — point selects, scans,
// aggregates, updates, inserts, a transaction over two ranges — all
// succeed, first time, with the right answers. Then again after a second
// round of splits and moves.
func TestStaleRangeCache(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	a, b := c.conn(0), c.conn(1)
	exec(t, a, "CREATE TABLE st (k INT PRIMARY KEY, v INT)")
	insertRows(t, a, "st", 0, 100, func(k int) string { return fmt.Sprintf("%d, %d", k, k) })
	vals := map[int]int{}
	for k := range 100 {
		vals[k] = k
	}
	// verify runs node 1's reads: each must succeed at once and agree
	// with vals.
	verify := func(when string) {
		t.Helper()
		sum := 0
		for _, v := range vals {
			sum += v
		}
		check{sql: "SELECT count(*), sum(v) FROM st", want: []string{fmt.Sprintf("%d %d", len(vals), sum)}}.run(t, a, when)
		for k := 0; k < 130; k += 7 {
			var want []string
			if v, ok := vals[k]; ok {
				want = []string{fmt.Sprint(v)}
			}
			check{sql: fmt.Sprintf("SELECT v FROM st WHERE k = %d", k), want: want}.run(t, a, when)
		}
		var desc []string
		for k := 99; k >= 95; k-- {
			desc = append(desc, fmt.Sprintf("%d %d", k, vals[k]))
		}
		check{sql: "SELECT k, v FROM st WHERE k < 100 ORDER BY k DESC LIMIT 5", want: desc}.run(t, a, when)
	}
	verify("node 1 warming its cache")

	moveLeaders := func(rs []region) {
		t.Helper()
		moved := 0
		for i, r := range rs {
			if i%2 == 1 {
				continue
			}
			l := c.leaderOf(kvpb.RangeID(r.id))
			if l < 0 {
				continue
			}
			to := (l + 1) % 3
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := c.nodes[l].srv.TransferRangeLeadership(ctx, kvpb.RangeID(r.id), c.nodes[to].srv.NodeID())
			cancel()
			if err != nil {
				t.Logf("moving the leadership of r%d from node %d to node %d: %v", r.id, l+1, to+1, err)
				continue
			}
			moved++
		}
		if moved == 0 {
			t.Fatalf("no leadership of %d ranges moved", len(rs))
		}
		t.Logf("moved the leadership of %d of %d ranges", moved, len(rs))
	}

	exec(t, b, "SPLIT TABLE st BY (10), (20), (30), (40), (50), (60), (70), (80), (90)")
	moveLeaders(waitRegions(t, c, b, "SHOW TABLE st REGIONS", 10))
	verify("node 1 after node 2's splits and leader moves")
	for k := 0; k < 100; k += 9 {
		exec(t, a, fmt.Sprintf("UPDATE st SET v = v + 1000 WHERE k = %d", k))
		vals[k] += 1000
	}
	insertRows(t, a, "st", 100, 110, func(k int) string { return fmt.Sprintf("%d, %d", k, k) })
	for k := 100; k < 110; k++ {
		vals[k] = k
	}
	verify("node 1 after its writes")

	exec(t, b, "SPLIT TABLE st BY (5), (15), (25), (35), (45), (105)")
	moveLeaders(waitRegions(t, c, b, "SHOW TABLE st REGIONS", 16))
	exec(t, a, "BEGIN")
	exec(t, a, "UPDATE st SET v = v - 7 WHERE k = 3")
	exec(t, a, "UPDATE st SET v = v + 7 WHERE k = 97")
	exec(t, a, "INSERT INTO st VALUES (120, 120)")
	exec(t, a, "COMMIT")
	vals[3] -= 7
	vals[97] += 7
	vals[120] = 120
	verify("node 1 after the second splits and moves")
	check{sql: "SELECT count(*), sum(v) FROM st", want: mustQuery(t, a, "SELECT count(*), sum(v) FROM st")}.run(t, b, "node 2")
}

// TestSplitUnderLoad: two writers insert 300 rows each through two nodes
// while a scanner counts the rows through the third — no count below one
// already acknowledged before it began, none smaller than the one before —
// and a splitter splits the table at five keys through the first node as
// the rows arrive. Every statement succeeds; the final contents are exact
// through every node.
func TestSplitUnderLoad(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	setup := c.conn(0)
	exec(t, setup, "CREATE TABLE sl (k INT PRIMARY KEY, w INT)")
	const perWriter, writers = 300, 2
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	var acked atomic.Int64 // rows whose INSERT returned
	errs := make(chan error, 16)
	report := func(err error) {
		select {
		case errs <- err:
		default:
		}
	}
	var wg sync.WaitGroup
	writerConns := []*pgx.Conn{c.conn(1), c.conn(2)}
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWriter {
				k := writers*i + w // the writers interleave over [0, 600)
				if _, err := writerConns[w].Exec(ctx, "INSERT INTO sl VALUES ($1, $2)", k, w); err != nil {
					report(fmt.Errorf("writer %d, row %d: %w", w, k, err))
					return
				}
				acked.Add(1)
			}
		}()
	}
	scanConn := c.conn(0)
	splitConn := c.conn(0)
	scans := 0
	var scanWG sync.WaitGroup
	writersDone := make(chan struct{})
	scanWG.Add(1)
	go func() {
		defer scanWG.Done()
		last := int64(-1)
		for {
			select {
			case <-writersDone:
				return
			default:
			}
			floor := acked.Load()
			var n int64
			if err := scanConn.QueryRow(ctx, "SELECT count(*) FROM sl").Scan(&n); err != nil {
				report(fmt.Errorf("scan %d: %w", scans, err))
				return
			}
			if n < floor || n < last {
				report(fmt.Errorf("scan %d counted %d rows, after %d acknowledged and a count of %d", scans, n, floor, last))
				return
			}
			last = n
			scans++
		}
	}()
	splits := []int{100, 500, 300, 200, 400}
	splitErr := func() error {
		for j, k := range splits {
			// Split j once (j+1)/7 of the rows are in.
			for acked.Load() < int64((j+1)*writers*perWriter/7) {
				select {
				case err := <-errs:
					report(err)
					return fmt.Errorf("before split %d: writers failed", j)
				case <-ctx.Done():
					return fmt.Errorf("before split %d: %w", j, ctx.Err())
				case <-time.After(5 * time.Millisecond):
				}
			}
			if _, err := splitConn.Exec(ctx, fmt.Sprintf("SPLIT TABLE sl BY (%d)", k)); err != nil {
				return fmt.Errorf("split at %d with %d rows in: %w", k, acked.Load(), err)
			}
		}
		return nil
	}()
	wg.Wait()
	close(writersDone)
	scanWG.Wait()
	if splitErr != nil {
		t.Error(splitErr)
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}
	t.Logf("%d rows inserted by %d writers under %d splits; %d counts scanned", acked.Load(), writers, len(splits), scans)
	waitRegions(t, c, setup, "SHOW TABLE sl REGIONS", len(splits)+1)
	var all []string
	for k := range writers * perWriter {
		all = append(all, fmt.Sprintf("%d %d", k, k%writers))
	}
	for i := range 3 {
		conn := c.conn(i)
		check{sql: "SELECT count(*), sum(k) FROM sl", want: []string{fmt.Sprintf("%d %d", len(all), (len(all)-1)*len(all)/2)}}.run(t, conn, fmt.Sprintf("node %d", i+1))
		check{sql: "SELECT k, w FROM sl ORDER BY k", want: all}.run(t, conn, fmt.Sprintf("node %d", i+1))
	}
}

// The bank across ranges (rbank): 100 accounts over at least 10 ranges, 8
// clients moving money in explicit transactions through the three nodes.
const (
	rbankAccounts = 100
	rbankInitial  = 1000
	rbankClients  = 8
	rbankOpsEach  = 150
	rbankTries    = 100
	rbankDeadline = 30 * time.Second
)

// sqlState returns err's SQLSTATE, or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// bankURLs is the SQL address of each node, "" while it is stopped; the
// test's goroutine updates it, the clients read it.
type bankURLs struct {
	mu   sync.Mutex
	urls []string
}

func (u *bankURLs) set(i int, url string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.urls[i] = url
}

// connect connects to the first running node from i on; it returns the
// node's index.
func (u *bankURLs) connect(ctx context.Context, i int) (*pgx.Conn, int, error) {
	var lastErr error
	for j := range len(u.urls) {
		n := (i + j) % len(u.urls)
		u.mu.Lock()
		url := u.urls[n]
		u.mu.Unlock()
		if url == "" {
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := pgx.Connect(cctx, url)
		cancel()
		if err == nil {
			return conn, n, nil
		}
		lastErr = err
	}
	return nil, -1, fmt.Errorf("no node accepts a connection: %v", lastErr)
}

// bankStats is what the clients and the reader saw.
type bankStats struct {
	committed, retries, reconnects, reads atomic.Int64
	mu                                    sync.Mutex
	unexpected                            []string // errors that are neither a retry nor a lost connection
}

func (st *bankStats) note(format string, args ...any) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.unexpected = append(st.unexpected, fmt.Sprintf(format, args...))
}

// transfer moves amount from src to dst in an explicit transaction.
func transfer(ctx context.Context, conn *pgx.Conn, src, dst, amount int) error {
	tctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	tx, err := conn.Begin(tctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(context.Background()) }()
	if _, err := tx.Exec(tctx, "UPDATE accounts SET balance = balance - $1 WHERE id = $2", amount, src); err != nil {
		return err
	}
	if _, err := tx.Exec(tctx, "UPDATE accounts SET balance = balance + $1 WHERE id = $2", amount, dst); err != nil {
		return err
	}
	return tx.Commit(tctx)
}

// TestBankAcrossRanges: 100 accounts split into 10 ranges of three
// voters; 8 clients, spread over the three nodes' SQL ports, move money in
// explicit transactions (BEGIN; UPDATE -x; UPDATE +x; COMMIT), retrying on
// 40001 and 40P01 and reconnecting elsewhere when their node goes; a
// reader sums the balances through every node in turn, and every sum must
// be the initial total. Meanwhile the table is split further, a node is
// stopped, the table split again while it is down, and the node restarted.
// The run is bounded by 30 s and 150 transfers a client; at the end every
// node sums the total.
func TestBankAcrossRanges(t *testing.T) {
	c := newCluster(t, 3)
	for _, nd := range c.nodes {
		nd.cfg.LockTTL = time.Second // a stopped node's locks do not hold the others up long
	}
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	setup := c.conn(0)
	exec(t, setup, "CREATE TABLE accounts (id INT PRIMARY KEY, balance BIGINT NOT NULL)")
	insertRows(t, setup, "accounts", 0, rbankAccounts, func(i int) string { return fmt.Sprintf("%d, %d", i, rbankInitial) })
	exec(t, setup, fmt.Sprintf("SPLIT TABLE accounts BETWEEN (0) AND (%d) REGIONS 10", rbankAccounts))
	waitRegions(t, c, setup, "SHOW TABLE accounts REGIONS", 10)
	const total = rbankAccounts * rbankInitial
	wantSum := fmt.Sprintf("%d %d", total, rbankAccounts)

	urls := &bankURLs{}
	for _, nd := range c.nodes {
		urls.urls = append(urls.urls, nd.srv.URL())
	}
	ctx, cancel := context.WithTimeout(context.Background(), rbankDeadline)
	defer cancel()
	var st bankStats
	var wg sync.WaitGroup
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	for w := range rbankClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed + int64(w)))
			conn, node, err := urls.connect(ctx, w%3)
			if err != nil {
				st.note("client %d: %v", w, err)
				return
			}
			defer func() {
				if conn != nil {
					_ = conn.Close(context.Background())
				}
			}()
			for op := 0; op < rbankOpsEach && ctx.Err() == nil; op++ {
				src := rng.Intn(rbankAccounts)
				dst := (src + 1 + rng.Intn(rbankAccounts-1)) % rbankAccounts
				amount := 1 + rng.Intn(100)
				for try := 0; ; try++ {
					if ctx.Err() != nil {
						return
					}
					if try == rbankTries {
						st.note("client %d: transfer %d→%d did not commit in %d tries", w, src, dst, rbankTries)
						return
					}
					err := transfer(ctx, conn, src, dst, amount)
					if err == nil {
						st.committed.Add(1)
						break
					}
					if code := sqlState(err); code == "40001" || code == "40P01" {
						st.retries.Add(1)
						continue
					}
					if conn.IsClosed() || sqlState(err) == "57P01" {
						// Its node stopped: whether the transfer committed
						// is unknown, and either keeps the total.
						_ = conn.Close(context.Background())
						st.reconnects.Add(1)
						if conn, node, err = urls.connect(ctx, node+1); err != nil {
							if ctx.Err() == nil {
								st.note("client %d: %v", w, err)
							}
							return
						}
						break
					}
					if ctx.Err() == nil {
						st.note("client %d on node %d: transfer %d→%d: %v", w, node+1, src, dst, err)
					}
					_ = conn.Close(context.Background())
					if conn, node, err = urls.connect(ctx, node); err != nil {
						return
					}
				}
			}
		}()
	}
	readerDone := make(chan struct{})
	var readerWG sync.WaitGroup
	readerWG.Add(1)
	go func() {
		defer readerWG.Done()
		var conn *pgx.Conn
		node := 0
		defer func() {
			if conn != nil {
				_ = conn.Close(context.Background())
			}
		}()
		for i := 0; ; i++ {
			select {
			case <-readerDone:
				return
			default:
			}
			if conn == nil || conn.IsClosed() {
				var err error
				if conn, node, err = urls.connect(ctx, node+1); err != nil {
					if ctx.Err() == nil {
						st.note("reader: %v", err)
					}
					return
				}
			}
			got, err := query(conn, "SELECT sum(balance), count(*) FROM accounts")
			switch {
			case err != nil && (conn.IsClosed() || sqlState(err) == "57P01"):
			case err != nil:
				if ctx.Err() == nil {
					st.note("reader on node %d: %v", node+1, err)
				}
			case len(got) != 1 || got[0] != wantSum:
				st.note("reader on node %d: sum and count %v, want %s", node+1, got, wantSum)
			default:
				st.reads.Add(1)
			}
			if i%5 == 4 { // move to the next node now and then
				_ = conn.Close(context.Background())
				conn = nil
			}
		}
	}()

	// The disruptions, each once the clients committed a few more
	// transfers (each wait bounded by the run's deadline).
	after := func(what string, n int64) {
		t.Helper()
		waitUntil(t, fmt.Sprintf("%d committed transfers before %s", n, what), rbankDeadline, func() bool {
			return st.committed.Load() >= n || ctx.Err() != nil
		})
	}
	after("the second split", 40)
	exec(t, setup, "SPLIT TABLE accounts BY (5), (15), (25), (35), (45)")
	// Stop a node that does not lead range 1 (and so is not the TSO):
	// the other two go on with every range.
	victim := 2
	if c.nodes[victim].srv.LeadsRange1() {
		victim = 1
	}
	after("the stop", st.committed.Load()+40)
	urls.set(victim, "")
	c.nodes[victim].srv.Stop()
	stopped := st.committed.Load()
	t.Logf("stopped node %d after %d transfers", victim+1, stopped)
	after("the split with a node down", stopped+40)
	exec(t, setup, "SPLIT TABLE accounts BY (55), (65), (75)")
	after("the restart", st.committed.Load()+40)
	c.wait(c.start(victim), 1)
	urls.set(victim, c.nodes[victim].srv.URL())
	t.Logf("restarted node %d after %d transfers", victim+1, st.committed.Load())
	wg.Wait()
	close(readerDone)
	readerWG.Wait()
	t.Logf("%d transfers committed, %d retried, %d reconnections; %d sums read", st.committed.Load(), st.retries.Load(), st.reconnects.Load(), st.reads.Load())
	for _, u := range st.unexpected {
		t.Error(u)
	}
	if st.committed.Load() <= stopped+40 {
		t.Errorf("only %d transfers committed, %d before the stop", st.committed.Load(), stopped)
	}
	if st.reads.Load() == 0 {
		t.Error("the reader read no sum")
	}
	for i := range 3 {
		check{sql: "SELECT sum(balance), count(*) FROM accounts", want: []string{wantSum}}.run(t, c.conn(i), fmt.Sprintf("node %d at the end", i+1))
	}
	// The restarted node caught up with every range, those split while
	// it was down too: 10 ranges, then 5 and 3 more.
	waitRegions(t, c, setup, "SHOW TABLE accounts REGIONS", 18)
}

// tableID returns the id of the table whose SHOW TABLE … REGIONS rows are
// rs (their start keys print as t_<id>_…).
func tableID(t *testing.T, rs []region) uint64 {
	t.Helper()
	var id uint64
	if len(rs) == 0 {
		t.Fatal("no regions")
	}
	if _, err := fmt.Sscanf(rs[0].start, "t_%d_", &id); err != nil {
		t.Fatalf("region start key %q: %v", rs[0].start, err)
	}
	return id
}

// TestCoordinatorDiesAfterPrewrite: two transactions, coordinated through
// one node's kv client, each write a row in each of two ranges. The first
// is prewritten and no more; the second is prewritten and its primary
// committed, its secondary not. Then the coordinator stops. Readers
// through the other nodes see, for each transaction, both of its writes
// or neither: none of the first (its locks, past their TTL, are rolled
// back), all of the second (its secondary resolved through the primary);
// and writes to the four rows then proceed.
func TestCoordinatorDiesAfterPrewrite(t *testing.T) {
	c := newCluster(t, 3)
	for _, nd := range c.nodes {
		nd.cfg.LockTTL = time.Second
	}
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	// The coordinator does not lead range 1: the TSO stays up.
	coord := 2
	if c.nodes[coord].srv.LeadsRange1() {
		coord = 1
	}
	readers := []int{(coord + 1) % 3, (coord + 2) % 3}
	setup := c.conn(readers[0])
	exec(t, setup, "CREATE TABLE ct (k INT PRIMARY KEY, v INT)")
	insertRows(t, setup, "ct", 0, 100, func(k int) string { return fmt.Sprintf("%d, %d", k, k) })
	// Rows whose values the transactions copy: -1 for the first, -2 for
	// the second.
	exec(t, setup, "INSERT INTO ct VALUES (1000, -1), (1001, -2)")
	exec(t, setup, "SPLIT TABLE ct BY (50)")
	rs := waitRegions(t, c, setup, "SHOW TABLE ct REGIONS", 2)
	id := tableID(t, rs)

	db := c.nodes[coord].srv.DB()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The primary index's rows, in key order: k = 0…99, 1000, 1001.
	read, err := db.NewTxn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prefix := kvpb.IndexKeyPrefix(id, 1)
	kvs, _, err := read.Scan(ctx, kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	_ = read.Rollback(ctx)
	if len(kvs) != 102 {
		t.Fatalf("the primary index holds %d rows, want 102", len(kvs))
	}
	key := func(k int) kvpb.Key { return kvs[k].Key }
	minus1, minus2 := kvs[100].Value, kvs[101].Value
	for _, k := range []int{10, 20, 60, 70} {
		want := 0
		if k >= 50 {
			want = 1
		}
		if d := c.leaderDesc(kvpb.RangeID(rs[want].id)); d == nil || !d.ContainsKey(key(k)) {
			t.Fatalf("row %d is not in range r%d (%v)", k, rs[want].id, d)
		}
	}

	const ttl = 1000 // ms
	prewrite := func(startTs kvpb.Timestamp, primary kvpb.Key, k int, value []byte) {
		t.Helper()
		if _, err := db.Send(ctx, &kvpb.PrewriteRequest{Primary: primary, StartTs: startTs, LockTTL: ttl,
			Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: key(k), Value: value}}}); err != nil {
			t.Fatalf("prewrite of row %d: %v", k, err)
		}
	}
	// The first: rows 10 (primary) and 60 become -1, prewritten only.
	ts1, err := db.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prewrite(ts1, key(10), 10, minus1)
	prewrite(ts1, key(10), 60, minus1)
	// The second: rows 70 (primary) and 20 become -2; the primary
	// commits, the secondary is left locked.
	ts2, err := db.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	prewrite(ts2, key(70), 70, minus2)
	prewrite(ts2, key(70), 20, minus2)
	commitTs, err := db.Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Send(ctx, &kvpb.CommitRequest{StartTs: ts2, CommitTs: commitTs, Keys: []kvpb.Key{key(70)}}); err != nil {
		t.Fatalf("commit of the second's primary: %v", err)
	}
	c.nodes[coord].srv.Stop()
	stopped := time.Now()

	// Every read through the others sees each transaction whole; the
	// first reads wait out the locks' TTL.
	want := []string{"10 10", "20 -2", "60 60", "70 -2"}
	const sel = "SELECT k, v FROM ct WHERE k IN (10, 20, 60, 70) ORDER BY k"
	conns := []*pgx.Conn{c.conn(readers[0]), c.conn(readers[1])}
	for i, conn := range conns {
		got, err := query(conn, sel)
		if err != nil {
			t.Fatalf("node %d: %s: %v", readers[i]+1, sel, err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("node %d, %s after the coordinator stopped: %v, want %v", readers[i]+1, sel, got, want)
		}
		t.Logf("node %d read the four rows %s after the coordinator stopped", readers[i]+1, time.Since(stopped).Round(time.Millisecond))
	}
	check{sql: "SELECT count(*), sum(v) FROM ct", want: []string{fmt.Sprintf("102 %d", 99*100/2-22-72-1-2)}}.run(t, conns[1], "the whole table")

	// Writes to the four rows proceed: no lock is left on them.
	exec(t, conns[0], "UPDATE ct SET v = v + 1000 WHERE k IN (10, 20, 60, 70)")
	exec(t, conns[1], "BEGIN")
	exec(t, conns[1], "UPDATE ct SET v = v + 1 WHERE k = 60")
	exec(t, conns[1], "UPDATE ct SET v = v + 1 WHERE k = 20")
	exec(t, conns[1], "COMMIT")
	check{sql: sel, want: []string{"10 1010", "20 999", "60 1061", "70 998"}}.run(t, conns[0], "after the writes")
}
