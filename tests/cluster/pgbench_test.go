package cluster

import (
	"context"
	"testing"
	"time"

	"github.com/rangedb/rangedb/tests/pgtest"
)

// TestPgbenchOnCluster runs PostgreSQL's pgbench, unmodified, against a
// 3-node cluster: initialized through one node (server-side generation,
// primary and foreign keys), TPC-B-like and simple-update through
// another, checked through the third. No client may fail or report an
// error, and TPC-B's balances must agree.
func TestPgbenchOnCluster(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if _, err := pgtest.Pgbench(ctx, c.nodes[0].srv.URL(), "-i", "-s", "1", "-I", "dtGvpf", "--foreign-keys", "-q"); err != nil {
		t.Fatal(err)
	}
	for i, args := range [][]string{
		{"-b", "tpcb-like", "-M", "prepared"},
		{"-b", "simple-update", "-M", "simple"},
		{"-b", "select-only", "-M", "extended"},
	} {
		r, err := pgtest.RunPgbench(ctx, c.nodes[1].srv.URL(), append([]string{"-n", "-c", "4", "-j", "2", "-T", "3"}, args...)...)
		if err != nil {
			t.Fatal(err)
		}
		if r.Failed != 0 || r.Processed == 0 {
			t.Fatalf("pgbench %v: %d processed, %d failed\n%s", args, r.Processed, r.Failed, r.Output)
		}
		t.Logf("pgbench %v: %d transactions", args, r.Processed)
		if i == 0 {
			if err := pgtest.CheckPgbenchBalances(ctx, c.nodes[2].srv.URL(), true); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := pgtest.CheckPgbenchBalances(ctx, c.nodes[2].srv.URL(), false); err != nil {
		t.Fatal(err)
	}
}
