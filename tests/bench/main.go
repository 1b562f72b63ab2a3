// Command bench compares rangedb with PostgreSQL 15 (started with
// tests/pgtest) on primary-key point selects and single-row inserts from
// concurrent pgx clients, printing throughput, p50/p99 latency and the
// rangedb/PostgreSQL ratios. It then fills a table of -stream-rows rows
// with multi-row INSERTs and reads it back with one SELECT (stream.go),
// timing both on each target and sampling the in-process rangedb's heap
// to show the SELECT holds bounded memory. Run it with `make bench`.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math/rand"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/server"
	"github.com/rangedb/rangedb/tests/pgtest"
)

var (
	ops     = flag.Int("ops", 10000, "operations per workload")
	clients = flag.Int("clients", 8, "concurrent clients")
	rows    = flag.Int("rows", 10000, "rows in the table point selects read")
)

// result is one workload's measurements.
type result struct {
	throughput float64 // operations per second
	p50, p99   time.Duration
}

func (r result) String() string {
	return fmt.Sprintf("%9.0f ops/s  p50 %8s  p99 %8s", r.throughput, r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond))
}

func main() {
	flag.Parse()
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "rangedb-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := server.New(server.Config{
		StoreDir: dir, SingleNode: true, SQLAddr: "127.0.0.1:0",
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), DrainTimeout: 2 * time.Second,
	})
	if err != nil {
		return err
	}
	startCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := srv.Start(startCtx); err != nil {
		return err
	}
	defer srv.Stop()
	pg, err := pgtest.StartWith(pgtest.Options{Durable: true})
	if err != nil {
		return err
	}
	defer func() { _ = pg.Stop() }()
	if err := pg.CreateDatabase(ctx, "bench"); err != nil {
		return err
	}
	targets := []struct{ name, url string }{{"rangedb", srv.URL()}, {"postgresql", pg.URL("bench")}}
	res := map[string]map[string]result{}
	streams := map[string]streamResult{}
	for _, tg := range targets {
		if err := setup(ctx, tg.url); err != nil {
			return fmt.Errorf("%s setup: %w", tg.name, err)
		}
		res[tg.name] = map[string]result{}
		sel, err := workload(ctx, tg.url, pointSelect("kv"))
		if err != nil {
			return fmt.Errorf("%s point select: %w", tg.name, err)
		}
		res[tg.name]["point select"] = sel
		ins, err := workload(ctx, tg.url, insert("ins", 0))
		if err != nil {
			return fmt.Errorf("%s insert: %w", tg.name, err)
		}
		res[tg.name]["insert"] = ins
		if *streamRows > 0 {
			st, err := stream(ctx, tg.url, tg.name == "rangedb")
			if err != nil {
				return fmt.Errorf("%s stream: %w", tg.name, err)
			}
			streams[tg.name] = st
		}
	}
	sf := splitFigures{ranges: map[string]int{}, clusterRanges: map[string]int{}, scans: map[string]streamResult{}}
	if *splitPart {
		if err := measureSplit(ctx, srv.URL(), "rangedb split", 0, res, sf.ranges); err != nil {
			return fmt.Errorf("rangedb split: %w", err)
		}
		if *streamRows > 0 {
			st, err := streamTable(ctx, srv.URL(), "big16", *streamRows, *regions, false)
			if err != nil {
				return fmt.Errorf("rangedb split stream: %w", err)
			}
			sf.scans["1 node"] = st
			if sf.ranges["big16"], err = regionCount(ctx, srv.URL(), "big16"); err != nil {
				return err
			}
		}
	}
	var failover time.Duration
	// A failed fail-over is reported after the figures, which stand.
	var failoverErr error
	if *clusterNodes > 0 {
		// The cluster's processes compete with nothing else: the
		// single node and PostgreSQL are idle by now.
		cl, err := startCluster(ctx, dir, *clusterNodes)
		if err != nil {
			return fmt.Errorf("cluster: %w", err)
		}
		defer cl.stop()
		if err := setup(ctx, cl.procs[0].url()); err != nil {
			return fmt.Errorf("cluster setup: %w", err)
		}
		for i, name := range []string{"cluster via leader", "cluster via follower"} {
			url := cl.procs[i].url()
			res[name] = map[string]result{}
			sel, err := workload(ctx, url, pointSelect("kv"))
			if err != nil {
				return fmt.Errorf("%s point select: %w", name, err)
			}
			res[name]["point select"] = sel
			// Keys of the second pass follow the first's.
			base := int64(i) * int64(*ops)
			ins, err := workload(ctx, url, insert("ins", base))
			if err != nil {
				return fmt.Errorf("%s insert: %w", name, err)
			}
			res[name]["insert"] = ins
		}
		if *splitPart {
			if err := clusterSplit(ctx, cl, res, sf); err != nil {
				return fmt.Errorf("cluster split: %w", err)
			}
		}
		if failover, err = cl.failover(ctx); err != nil {
			failoverErr = fmt.Errorf("cluster fail-over: %w", err)
		}
	}
	fmt.Printf("%d operations per workload, %d concurrent clients, %d-row table\n\n", *ops, *clients, *rows)
	for _, w := range []string{"point select", "insert"} {
		r, p := res["rangedb"][w], res["postgresql"][w]
		fmt.Printf("%s\n  rangedb     %s\n  postgresql  %s\n  ratio rangedb/postgresql: throughput %.2f, p50 %.2f, p99 %.2f\n",
			w, r, p, r.throughput/p.throughput, float64(r.p50)/float64(p.p50), float64(r.p99)/float64(p.p99))
		for _, name := range []string{"cluster via leader", "cluster via follower"} {
			c, ok := res[name][w]
			if !ok {
				continue
			}
			fmt.Printf("  %d-node %-13s %s\n    ratio to postgresql: throughput %.2f, p50 %.2f; to one node: throughput %.2f, p50 %.2f\n",
				*clusterNodes, strings.TrimPrefix(name, "cluster "), c, c.throughput/p.throughput, float64(c.p50)/float64(p.p50),
				c.throughput/r.throughput, float64(c.p50)/float64(r.p50))
		}
		fmt.Println()
	}
	if *clusterNodes > 0 && failoverErr == nil {
		fmt.Printf("fail-over (%d nodes, RF 3): kill -9 of range 1's leader to the first acknowledged write through a survivor: %s\n\n",
			*clusterNodes, failover.Round(time.Millisecond))
	} else if failoverErr != nil {
		fmt.Printf("fail-over (%d nodes, RF 3): FAILED: %v\n\n", *clusterNodes, failoverErr)
	}
	if *streamRows > 0 {
		printStream(streams["rangedb"], streams["postgresql"])
	}
	if *splitPart {
		printSplit(res, streams, sf)
	}
	return failoverErr
}

func setup(ctx context.Context, url string) error {
	return setupTables(ctx, url, "kv", "ins", 0)
}

// setupTables creates the point selects' table kv, filled with *rows
// rows, and the inserts' table ins; with regions > 0 each is split into
// that many ranges before it is loaded (kv over its keys, ins over the
// keys the inserts of both cluster passes write).
func setupTables(ctx context.Context, url, kv, ins string, regions int) error {
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	for _, q := range []string{"CREATE TABLE " + kv + " (k INT PRIMARY KEY, v INT)", "CREATE TABLE " + ins + " (k BIGINT PRIMARY KEY, v INT)"} {
		if _, err := c.Exec(ctx, q); err != nil {
			return err
		}
	}
	if err := split(ctx, c, kv, *rows, regions); err != nil {
		return err
	}
	if err := split(ctx, c, ins, 2*(*ops), regions); err != nil {
		return err
	}
	for lo := 0; lo < *rows; lo += 1000 {
		var b strings.Builder
		b.WriteString("INSERT INTO " + kv + " VALUES ")
		for k := lo; k < lo+1000 && k < *rows; k++ {
			if k > lo {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %d)", k, k*3)
		}
		if _, err := c.Exec(ctx, b.String()); err != nil {
			return err
		}
	}
	return nil
}

// workload runs *ops calls of op spread over *clients connections and
// measures each call's latency.
func workload(ctx context.Context, url string, op func(context.Context, *pgx.Conn, *rand.Rand, int64) error) (result, error) {
	conns := make([]*pgx.Conn, *clients)
	for i := range conns {
		c, err := pgx.Connect(ctx, url)
		if err != nil {
			return result{}, err
		}
		defer c.Close(ctx)
		conns[i] = c
	}
	var next atomic.Int64
	lat := make([][]time.Duration, *clients)
	errs := make([]error, *clients)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range conns {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(i)))
			for {
				n := next.Add(1)
				if n > int64(*ops) {
					return
				}
				t0 := time.Now()
				if err := op(ctx, conns[i], rng, n); err != nil {
					errs[i] = err
					return
				}
				lat[i] = append(lat[i], time.Since(t0))
			}
		}(i)
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for i := range lat {
		if errs[i] != nil {
			return result{}, errs[i]
		}
		all = append(all, lat[i]...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] < all[j] })
	return result{
		throughput: float64(len(all)) / elapsed.Seconds(),
		p50:        all[len(all)/2],
		p99:        all[len(all)*99/100],
	}, nil
}
