package tests

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/rangedb/rangedb/server"
	"github.com/rangedb/rangedb/tests/pgtest"
)

// pgbenchScripts are the runs TestPgbench makes after initializing: each
// built-in script, the query modes spread over them; TPC-B's runs come
// first, so that its invariant can be checked before simple-update
// (which changes no teller or branch) runs.
var pgbenchScripts = [][]string{
	{"-b", "tpcb-like", "-M", "simple"},
	{"-b", "tpcb-like", "-M", "prepared"},
	{"-b", "simple-update", "-M", "extended"},
	{"-b", "select-only", "-M", "prepared"},
}

// TestPgbench runs PostgreSQL's pgbench, unmodified, against one node:
// `pgbench -i -s 1` (client-side generation through COPY, VACUUM,
// primary keys and foreign keys), then each built-in script for a few seconds with 4
// clients; no client may fail or report an error, and TPC-B's balances
// must agree afterwards.
func TestPgbench(t *testing.T) {
	s := startNode(t, server.Config{})
	runPgbenchSuite(t, s.URL(), 4*time.Second)
}

func runPgbenchSuite(t *testing.T, url string, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := pgtest.Pgbench(ctx, url, "-i", "-s", "1", "--foreign-keys", "-q"); err != nil {
		t.Fatal(err)
	}
	secs := []string{"-T", strconv.Itoa(int(d / time.Second))}
	for i, args := range pgbenchScripts {
		if i == 2 {
			if err := pgtest.CheckPgbenchBalances(ctx, url, true); err != nil {
				t.Fatal(err)
			}
		}
		r, err := pgtest.RunPgbench(ctx, url, append(append([]string{"-n", "-c", "4", "-j", "2"}, secs...), args...)...)
		if err != nil {
			t.Fatal(err)
		}
		if r.Failed != 0 || r.Processed == 0 {
			t.Fatalf("pgbench %v: %d processed, %d failed\n%s", args, r.Processed, r.Failed, r.Output)
		}
		t.Logf("pgbench %v: %d transactions", args, r.Processed)
	}
	if err := pgtest.CheckPgbenchBalances(ctx, url, false); err != nil {
		t.Fatal(err)
	}
}
