package sql

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/datadriven"
	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/internal/kvtest"
)

// fakeRanges is a kv.RangeAdmin over a list of range descriptors: SplitAt
// splits the range holding the key (recording the key), Ranges lists the
// overlapping ones. Every range has replicas on nodes 1, 2, 3 and node 1
// leads. failSplits makes that many SplitAt calls fail first.
type fakeRanges struct {
	mu         sync.Mutex
	ranges     []kvpb.RangeDescriptor
	nextID     kvpb.RangeID
	splits     []kvpb.Key
	failSplits int
	calls      int
}

func newFakeRanges() *fakeRanges {
	f := &fakeRanges{nextID: 3}
	f.ranges = []kvpb.RangeDescriptor{
		{RangeID: 1, StartKey: kvpb.KeyMin, EndKey: kvpb.TablePrefix, Replicas: fakeReplicas()},
		{RangeID: 2, StartKey: kvpb.TablePrefix, EndKey: kvpb.KeyMax, Replicas: fakeReplicas()},
	}
	return f
}

func fakeReplicas() []kvpb.ReplicaDescriptor {
	return []kvpb.ReplicaDescriptor{
		{NodeID: 1, StoreID: 1, ReplicaID: 1}, {NodeID: 2, StoreID: 2, ReplicaID: 2}, {NodeID: 3, StoreID: 3, ReplicaID: 3},
	}
}

var errFakeSplit = errors.New("injected split failure")

func (f *fakeRanges) SplitAt(ctx context.Context, key kvpb.Key) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.failSplits > 0 {
		f.failSplits--
		return false, errFakeSplit
	}
	if bytes.Compare(key, kvpb.SystemMax) < 0 {
		return false, fmt.Errorf("cannot split below /System")
	}
	for i, d := range f.ranges {
		if !d.ContainsKey(key) {
			continue
		}
		if bytes.Equal(d.StartKey, key) {
			return false, nil
		}
		f.splits = append(f.splits, append(kvpb.Key(nil), key...))
		right := kvpb.RangeDescriptor{RangeID: f.nextID, StartKey: append(kvpb.Key(nil), key...), EndKey: d.EndKey, Replicas: fakeReplicas()}
		f.nextID++
		f.ranges[i].EndKey = right.StartKey
		f.ranges = append(f.ranges[:i+1], append([]kvpb.RangeDescriptor{right}, f.ranges[i+1:]...)...)
		return true, nil
	}
	return false, fmt.Errorf("no range holds %s", kvpb.PrettyKey(key))
}

func (f *fakeRanges) Ranges(ctx context.Context, span kvpb.Span) ([]kv.RangeInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []kv.RangeInfo
	for _, d := range f.ranges {
		if bytes.Compare(d.EndKey, span.Key) <= 0 || bytes.Compare(d.StartKey, span.EndKey) >= 0 {
			continue
		}
		out = append(out, kv.RangeInfo{Desc: d, LeaderNode: 1, ApproxBytes: 3 << 20, ApproxKeys: 42, WrittenBytes: 7, ReadBytes: 9})
	}
	return out, nil
}

// takeSplits returns the recorded split keys, pretty-printed, and forgets
// them.
func (f *fakeRanges) takeSplits() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, len(f.splits))
	for i, k := range f.splits {
		out[i] = kvpb.PrettyKey(k)
	}
	sort.Strings(out)
	f.splits = nil
	return out
}

func newRangesTestServer(t *testing.T, admin kv.RangeAdmin) (*Engine, *Session) {
	t.Helper()
	db, _ := kvtest.NewDB()
	e := NewEngine(Config{DB: db, NodeID: 1, Ranges: admin})
	t.Cleanup(e.Close)
	if err := e.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	s, err := e.NewSession(context.Background(), "root", "defaultdb", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return e, s
}

// TestRanges runs testdata/ranges over a fake RangeAdmin. Commands:
//
//	exec        runs the input as one simple-protocol query (as TestSession)
//	splits      prints the keys split since the last `splits`
func TestRanges(t *testing.T) {
	f := newFakeRanges()
	_, s := newRangesTestServer(t, f)
	datadriven.RunTest(t, "testdata/ranges", func(t *testing.T, d *datadriven.TestData) string {
		switch d.Cmd {
		case "exec":
			rec := &recorder{}
			err := s.ExecSimple(context.Background(), d.Input, rec)
			out := rec.b.String()
			if err != nil {
				out += formatError(err)
			}
			return out
		case "splits":
			ks := f.takeSplits()
			if len(ks) == 0 {
				return "<none>\n"
			}
			return strings.Join(ks, "\n") + "\n"
		}
		t.Fatalf("unknown command %s", d.Cmd)
		return ""
	})
}

// TestRangesWithoutAdmin: with no RangeAdmin the range statements are
// 0A000 and CREATE TABLE still works.
func TestRangesWithoutAdmin(t *testing.T) {
	_, s := newRangesTestServer(t, nil)
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY)")
	for _, q := range []string{"SPLIT TABLE t BY (1)", "SHOW TABLE t REGIONS", "SHOW RANGES"} {
		err := s.ExecSimple(context.Background(), q, &recorder{})
		if got := formatError(err); !strings.HasPrefix(got, "ERROR 0A000: ") || !strings.Contains(got, "requires a cluster range admin") {
			t.Errorf("%s: got %s", q, got)
		}
	}
}

// TestCreateTableSplitRetries: when the split after CREATE TABLE fails,
// the statement succeeds at once and the split is retried in the
// background until it succeeds.
func TestCreateTableSplitRetries(t *testing.T) {
	f := newFakeRanges()
	f.failSplits = 3
	e, s := newRangesTestServer(t, f)
	e.splits.backoff, e.splits.maxBackoff = time.Millisecond, 5*time.Millisecond
	start := time.Now()
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY)")
	if d := time.Since(start); d > time.Second {
		t.Fatalf("CREATE TABLE took %s", d)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if ks := f.takeSplits(); len(ks) == 1 {
			if !strings.HasPrefix(ks[0], "/Table/") || strings.Count(ks[0], "/") != 2 {
				t.Fatalf("split at %s, want a table prefix", ks[0])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the table was never split (%d calls)", f.calls)
		}
		time.Sleep(time.Millisecond)
	}
}

// TestCreateTableSplitClose: Engine.Close stops a worker still retrying.
func TestCreateTableSplitClose(t *testing.T) {
	f := newFakeRanges()
	f.failSplits = 1 << 30
	e, s := newRangesTestServer(t, f)
	e.splits.backoff, e.splits.maxBackoff = time.Hour, time.Hour
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY)")
	if n := e.splits.pendingCount(); n != 1 {
		// The worker took the split for its first try and waits now; the
		// retry is queued.
		deadline := time.Now().Add(10 * time.Second)
		for e.splits.pendingCount() != 1 {
			if time.Now().After(deadline) {
				t.Fatalf("pending splits: %d", e.splits.pendingCount())
			}
			time.Sleep(time.Millisecond)
		}
	}
	done := make(chan struct{})
	go func() { e.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the split worker")
	}
}

// TestRangesExtendedProtocol: the range statements describe their columns
// and run through Parse/Bind/Execute, a row limit suspending the portal
// (whose last Execute is tagged with the rows it returned, as in
// PostgreSQL).
func TestRangesExtendedProtocol(t *testing.T) {
	f := newFakeRanges()
	_, s := newRangesTestServer(t, f)
	ctx := context.Background()
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY)")
	if err := s.Parse(ctx, "", "SHOW RANGES", nil); err != nil {
		t.Fatal(err)
	}
	_, cols, err := s.DescribeStatement(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(cols) != 6 || cols[0].Name != "start_key" || cols[2].TypeOID != 20 || cols[5].Name != "voting_replicas" {
		t.Fatalf("columns %+v", cols)
	}
	if err := s.Bind(ctx, "", "", nil, nil, nil); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	more, err := s.Execute(ctx, "", 2, rec)
	if err != nil || !more {
		t.Fatalf("first Execute: more=%v err=%v", more, err)
	}
	if more, err = s.Execute(ctx, "", 0, rec); err != nil || more {
		t.Fatalf("second Execute: more=%v err=%v", more, err)
	}
	if err := s.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	want := "/Meta | /Table | 1 | {1,2,3} | 1 | {1,2,3}\n/Table | /Table/102 | 2 | {1,2,3} | 1 | {1,2,3}\n/Table/102 | /Max | 3 | {1,2,3} | 1 | {1,2,3}\nSELECT 1\n"
	if got := rec.b.String(); got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
