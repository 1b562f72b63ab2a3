package cluster

import (
	"context"
	"fmt"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// votersOfAll returns, through conn, how many ranges SHOW RANGES lists and
// how many of them have want voters.
func votersOfAll(conn *pgx.Conn, want int) (ranges, full int, err error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rs, err := conn.Query(ctx, "SHOW RANGES")
	if err != nil {
		return 0, 0, err
	}
	defer rs.Close()
	for rs.Next() {
		var start, end, replicas, voting string
		var id int64
		var leader *int64
		if err := rs.Scan(&start, &end, &id, &replicas, &leader, &voting); err != nil {
			return 0, 0, err
		}
		ranges++
		if n := len(strings.Split(strings.Trim(voting, "{}"), ",")); n == want && replicas == voting && leader != nil {
			full++
		}
	}
	return ranges, full, rs.Err()
}

// TestPlacementThreeBinariesFromOne: one real binary is loaded with data
// at a tiny range_max_bytes, so it splits into many ranges on its own;
// two more binaries started with --join make every range reach three
// voters, while a client writing through the first node throughout sees
// no error and every acknowledged row reads back.
func TestPlacementThreeBinariesFromOne(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "rangedb")
	if out, err := osexec.Command("go", "build", "-o", bin, "../../cmd/rangedb").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var ps []*proc
	for range 3 {
		ps = append(ps, &proc{bin: bin, store: t.TempDir(), listen: freeAddr(t), sql: freeAddr(t), http: freeAddr(t)})
	}
	t.Cleanup(func() {
		if t.Failed() {
			for i, p := range ps {
				if p.logs != nil {
					t.Logf("node %d logs:\n%s", i+1, tail(p.logs.String(), 40))
				}
			}
		}
	})
	ps[0].join = ps[0].listen
	ps[0].start(t)
	t.Cleanup(ps[0].kill9)
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := osexec.Command(bin, "init", "--host="+ps[0].listen, "--timeout=5s").CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("init: %v\n%s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	c1 := connectWithin(t, ps[0].url, 30*time.Second)
	exec1(t, c1, "SET CLUSTER SETTING range_max_bytes = '48 KiB'")
	exec1(t, c1, "SET CLUSTER SETTING range_min_bytes = '0 B'") // no merges: the count only grows
	exec1(t, c1, "CREATE TABLE w (id INT PRIMARY KEY, v TEXT)")
	pad := strings.Repeat("y", 300)
	for i := 0; i < 2000; i += 100 {
		var vals []string
		for j := i; j < i+100; j++ {
			vals = append(vals, fmt.Sprintf("(%d, '%s')", j, pad))
		}
		exec1(t, c1, "INSERT INTO w VALUES "+strings.Join(vals, ","))
	}
	waitUntil(t, "the loaded table split into ranges on one node", 60*time.Second, func() bool {
		n, _, err := votersOfAll(c1, 1)
		return err == nil && n >= 8
	})

	// A writer through node 1 throughout: every insert must succeed.
	var acked atomic.Int64
	var errMu sync.Mutex
	var errs []string
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		conn := connectWithin(t, ps[0].url, 30*time.Second)
		defer conn.Close(context.Background())
		for i := 100000; i < 100000+20000; i++ {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			_, err := conn.Exec(ctx, fmt.Sprintf("INSERT INTO w VALUES (%d, 'during')", i))
			cancel()
			if err != nil {
				errMu.Lock()
				errs = append(errs, err.Error())
				errMu.Unlock()
				continue
			}
			acked.Add(1)
			time.Sleep(10 * time.Millisecond)
		}
	}()

	for _, p := range ps[1:] {
		p.join = ps[0].listen
		p.start(t)
		t.Cleanup(p.kill9)
	}
	var ranges, full int
	waitUntil(t, "every range with three voters", 180*time.Second, func() bool {
		var err error
		ranges, full, err = votersOfAll(c1, 3)
		return err == nil && ranges >= 8 && full == ranges
	})
	t.Logf("%d ranges, each with three voters", ranges)
	close(stop)
	wg.Wait()
	errMu.Lock()
	defer errMu.Unlock()
	if len(errs) > 0 {
		t.Fatalf("%d writes failed while the cluster grew (acknowledged %d): first %q", len(errs), acked.Load(), errs[0])
	}
	if acked.Load() == 0 {
		t.Fatal("the writer wrote nothing")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n int64
	c3 := connectWithin(t, ps[2].url, 30*time.Second)
	if err := c3.QueryRow(ctx, "SELECT count(*) FROM w").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2000+acked.Load() {
		t.Fatalf("count through node 3 = %d, want %d", n, 2000+acked.Load())
	}
}
