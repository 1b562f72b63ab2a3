package main

import (
	"context"
	"flag"
	"fmt"
	"math/rand"
	"strings"

	"github.com/jackc/pgx/v5"
)

var (
	splitPart = flag.Bool("split", true, "also measure tables split into -split-regions ranges before loading (false skips it)")
	regions   = flag.Int("split-regions", 16, "ranges the split tables are cut into (SPLIT TABLE … REGIONS n)")
	// A 1M-row fill through raft on three processes sharing this
	// machine's two cores takes minutes: the cluster scans read fewer.
	clusterStreamRows = flag.Int("cluster-stream-rows", 200000, "rows of the cluster's unsplit and split scans (0 skips them)")
)

// The split workloads (-split) repeat the point selects, the inserts and
// the SELECT * scan on tables split into *regions ranges before they are
// loaded, with SPLIT TABLE t BETWEEN (0) AND (n) REGIONS *regions (n the
// table's key count; the inserts' table over the keys both cluster passes
// write), on one node and on the cluster, so the figures show what
// dividing each batch by range (kv.DistSender) costs beside the unsplit
// figures and PostgreSQL's.

// split splits table into regions ranges over the keys [0, n); regions 0
// does nothing.
func split(ctx context.Context, c *pgx.Conn, table string, n, regions int) error {
	if regions == 0 {
		return nil
	}
	q := fmt.Sprintf("SPLIT TABLE %s BETWEEN (0) AND (%d) REGIONS %d", table, n, regions)
	if _, err := c.Exec(ctx, q); err != nil {
		return fmt.Errorf("%s: %w", q, err)
	}
	return nil
}

// regionCount returns the number of ranges SHOW TABLE … REGIONS lists for
// table.
func regionCount(ctx context.Context, url, table string) (int, error) {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return 0, err
	}
	defer c.Close(ctx)
	rs, err := c.Query(ctx, "SHOW TABLE "+table+" REGIONS")
	if err != nil {
		return 0, err
	}
	n := 0
	for rs.Next() {
		n++
	}
	rs.Close()
	return n, rs.Err()
}

// pointSelect reads one random row of kv by primary key.
func pointSelect(kv string) func(context.Context, *pgx.Conn, *rand.Rand, int64) error {
	q := "SELECT v FROM " + kv + " WHERE k = $1"
	return func(ctx context.Context, c *pgx.Conn, rng *rand.Rand, i int64) error {
		var v int
		return c.QueryRow(ctx, q, rng.Intn(*rows)).Scan(&v)
	}
}

// insert inserts the row base+i into ins.
func insert(ins string, base int64) func(context.Context, *pgx.Conn, *rand.Rand, int64) error {
	q := "INSERT INTO " + ins + " VALUES ($1, $2)"
	return func(ctx context.Context, c *pgx.Conn, rng *rand.Rand, i int64) error {
		_, err := c.Exec(ctx, q, base+i, rng.Intn(1000))
		return err
	}
}

// ratios formats r's throughput, p50 and p99 over base's.
func ratios(r, base result) string {
	return fmt.Sprintf("throughput %.2f, p50 %.2f, p99 %.2f", r.throughput/base.throughput,
		float64(r.p50)/float64(base.p50), float64(r.p99)/float64(base.p99))
}

// splitFigures are the split part's measurements.
type splitFigures struct {
	ranges        map[string]int          // table → ranges SHOW TABLE … REGIONS lists
	clusterRanges map[string]int          // the same on the cluster
	scans         map[string]streamResult // "1 node", "cluster unsplit", "cluster split"
}

// printSplit prints the split part beside the unsplit figures (res) and
// PostgreSQL's.
func printSplit(res map[string]map[string]result, streams map[string]streamResult, f splitFigures) {
	fmt.Printf("split tables: SPLIT TABLE … BETWEEN (0) AND (n) REGIONS %d before loading; SHOW TABLE … REGIONS then lists %s on one node",
		*regions, rangeList(f.ranges))
	if len(f.clusterRanges) > 0 {
		fmt.Printf(", %s on the cluster", rangeList(f.clusterRanges))
	}
	fmt.Print("\n\n")
	for _, w := range []string{"point select", "insert"} {
		p, one := res["postgresql"][w], res["rangedb"][w]
		s := res["rangedb split"][w]
		fmt.Printf("%s, %d ranges\n  rangedb     %s\n    ratio to postgresql: %s; to unsplit: %s\n", w, *regions, s, ratios(s, p), ratios(s, one))
		for _, via := range []string{"via leader", "via follower"} {
			c, ok := res["split cluster "+via][w]
			if !ok {
				continue
			}
			u := res["cluster "+via][w]
			fmt.Printf("  %d-node %-13s %s\n    ratio to postgresql: %s; to unsplit %d-node: %s\n",
				*clusterNodes, via, c, ratios(c, p), *clusterNodes, ratios(c, u))
		}
		fmt.Println()
	}
	if sc, ok := f.scans["1 node"]; ok {
		p, u := streams["postgresql"], streams["rangedb"]
		fmt.Printf("scan %s rows, %d ranges (SELECT * FROM big16, 1 client)\n  rangedb     %s\n    ratio to postgresql: time %.2f; to unsplit: time %.2f (fill %.1fs, unsplit %.1fs)\n",
			count(*streamRows), *regions, sc, sc.elapsed.Seconds()/p.elapsed.Seconds(), sc.elapsed.Seconds()/u.elapsed.Seconds(),
			sc.fill.Seconds(), u.fill.Seconds())
		cu, okU := f.scans["cluster unsplit"]
		cs, okS := f.scans["cluster split"]
		if okU && okS {
			// The cluster reads fewer rows: compare rates, not times.
			pr := float64(p.rows) / p.elapsed.Seconds()
			rate := func(r streamResult) float64 { return float64(r.rows) / r.elapsed.Seconds() }
			fmt.Printf("  %d-node via leader, %s rows", *clusterNodes, count(*clusterStreamRows))
			if *clusterStreamRows != *streamRows {
				fmt.Printf(" (not %s: filling %s rows through raft on this machine takes too long)", count(*streamRows), count(*streamRows))
			}
			fmt.Println(":")
			fmt.Printf("    unsplit  %s  (fill %.1fs)\n    split    %s  (fill %.1fs)\n", cu, cu.fill.Seconds(), cs, cs.fill.Seconds())
			fmt.Printf("    ratio of rows/s to postgresql's %s-row scan: unsplit %.2f, split %.2f; split to unsplit: %.2f\n",
				count(*streamRows), rate(cu)/pr, rate(cs)/pr, rate(cs)/rate(cu))
		}
		fmt.Println()
	}
}

func rangeList(m map[string]int) string {
	var parts []string
	for _, t := range []string{"kv16", "ins16", "big16"} {
		if n, ok := m[t]; ok {
			parts = append(parts, fmt.Sprintf("%s %d", t, n))
		}
	}
	return strings.Join(parts, ", ")
}

// measureSplit creates kv16 and ins16 split into *regions ranges through
// url, runs the point selects and the inserts (keys from base+1) on them
// into res[name], and records the tables' range counts.
func measureSplit(ctx context.Context, url, name string, base int64, res map[string]map[string]result, ranges map[string]int) error {
	if err := setupTables(ctx, url, "kv16", "ins16", *regions); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	return measureOn(ctx, url, name, base, res, ranges)
}

// measureOn runs the point selects and inserts on kv16 and ins16.
func measureOn(ctx context.Context, url, name string, base int64, res map[string]map[string]result, ranges map[string]int) error {
	var err error
	for _, t := range []string{"kv16", "ins16"} {
		if ranges[t], err = regionCount(ctx, url, t); err != nil {
			return fmt.Errorf("SHOW TABLE %s REGIONS: %w", t, err)
		}
	}
	res[name] = map[string]result{}
	sel, err := workload(ctx, url, pointSelect("kv16"))
	if err != nil {
		return fmt.Errorf("point select: %w", err)
	}
	res[name]["point select"] = sel
	ins, err := workload(ctx, url, insert("ins16", base))
	if err != nil {
		return fmt.Errorf("insert: %w", err)
	}
	res[name]["insert"] = ins
	return nil
}

// clusterSplit is the split part on the cluster: point selects and
// inserts on split tables through the leader and a follower, then the
// unsplit and the split scan of *clusterStreamRows rows through the
// leader.
func clusterSplit(ctx context.Context, cl *benchCluster, res map[string]map[string]result, sf splitFigures) error {
	lead := cl.procs[0].url()
	if err := setupTables(ctx, lead, "kv16", "ins16", *regions); err != nil {
		return fmt.Errorf("setup: %w", err)
	}
	for i, via := range []string{"via leader", "via follower"} {
		if err := measureOn(ctx, cl.procs[i].url(), "split cluster "+via, int64(i)*int64(*ops), res, sf.clusterRanges); err != nil {
			return fmt.Errorf("%s: %w", via, err)
		}
	}
	if *clusterStreamRows == 0 || *streamRows == 0 {
		return nil
	}
	st, err := streamTable(ctx, lead, "big", *clusterStreamRows, 0, false)
	if err != nil {
		return fmt.Errorf("unsplit stream: %w", err)
	}
	sf.scans["cluster unsplit"] = st
	if st, err = streamTable(ctx, lead, "big16", *clusterStreamRows, *regions, false); err != nil {
		return fmt.Errorf("split stream: %w", err)
	}
	sf.scans["cluster split"] = st
	if sf.clusterRanges["big16"], err = regionCount(ctx, lead, "big16"); err != nil {
		return err
	}
	return nil
}
