package tests

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server"
	"github.com/rangedb/rangedb/server/rpc"
)

// TestNodeRPC sends kv batches to a node over its gRPC listener, as
// another node will: raw operations, a scan of the rows SQL wrote, and
// errors that arrive with their kvpb types; a stopped node is an
// UnavailableError within the call's deadline.
func TestNodeRPC(t *testing.T) {
	s := startNode(t, server.Config{ListenAddr: "127.0.0.1:0"})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE r (a INT PRIMARY KEY, b TEXT)")
	mustExec(t, conn, "INSERT INTO r VALUES (1, 'one'), (2, 'two'), (3, 'three')")

	c, err := rpc.Dial(s.ListenAddr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db := kv.NewDB(c, nil, kv.DBOptions{})
	key := kvpb.SystemKey("rpc-test")
	if err := db.RawPut(ctx, key, []byte("v1")); err != nil {
		t.Fatal(err)
	}
	if v, found, err := db.RawGet(ctx, key); err != nil || !found || string(v) != "v1" {
		t.Fatalf("RawGet over rpc: %q %v %v", v, found, err)
	}
	if n, err := db.Increment(ctx, kvpb.SystemKey("rpc-counter"), 5); err != nil || n != 5 {
		t.Fatalf("Increment over rpc: %d %v", n, err)
	}
	// A failed condition comes back as the kvpb error, with its value.
	err = db.RawCPut(ctx, key, []byte("v2"), []byte("other"), true)
	var cf *kvpb.ConditionFailedError
	if !errors.As(err, &cf) || !cf.Exists || string(cf.Actual) != "v1" {
		t.Fatalf("RawCPut over rpc: %v", err)
	}
	// A span across ranges is refused by the store with the descriptors
	// it knows, as the kv client needs them to re-route.
	_, err = c.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.ScanRequest{
		Span: kvpb.Span{Key: kvpb.TableKeyPrefix(0), EndKey: kvpb.KeyMax}, Ts: kvpb.Timestamp(1) << 62, MaxKeys: 100}}})
	var mm *kvpb.RangeKeyMismatchError
	if !errors.As(err, &mm) || len(mm.Ranges) == 0 {
		t.Fatalf("scan across ranges over rpc: %v, want a RangeKeyMismatchError with descriptors", err)
	}
	// The whole table space through a DistSender over the connection,
	// read at a timestamp above every write.
	ds := kv.NewDistSender(oneNodeDialer{c}, kv.DistSenderOptions{})
	br, err := ds.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.ScanRequest{
		Span: kvpb.Span{Key: kvpb.TableKeyPrefix(0), EndKey: kvpb.KeyMax}, Ts: kvpb.Timestamp(1) << 62, MaxKeys: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	if rows := br.Responses[0].(*kvpb.ScanResponse).Rows; len(rows) != 3 {
		t.Fatalf("scan over rpc: %d rows, want the table's 3", len(rows))
	}
	// A batch for a range the node does not have.
	_, err = c.Send(ctx, &kvpb.BatchRequest{RangeID: 99, Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: key}}})
	var rnf *kvpb.RangeNotFoundError
	if !errors.As(err, &rnf) || rnf.RangeID != 99 {
		t.Fatalf("unknown range over rpc: %v", err)
	}

	s.Stop()
	start := time.Now()
	sctx, scancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer scancel()
	_, _, err = db.RawGet(sctx, key)
	var ue *rpc.UnavailableError
	if !errors.As(err, &ue) {
		t.Fatalf("stopped node: %v", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("stopped node answered after %s", d)
	}
}

// oneNodeDialer reaches one node, node 1, over an rpc client.
type oneNodeDialer struct{ c *rpc.Client }

func (d oneNodeDialer) Dial(kvpb.NodeID) (kv.Sender, error) { return d.c, nil }
func (d oneNodeDialer) Nodes() []kvpb.NodeID                { return []kvpb.NodeID{1} }
