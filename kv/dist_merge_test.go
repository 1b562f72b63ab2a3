package kv_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// frozenNode answers RangeFrozenError to its first frozen batches (a
// range being merged), then succeeds.
type frozenNode struct {
	frozen int64
	calls  atomic.Int64
}

func (n *frozenNode) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	if n.calls.Add(1) <= n.frozen {
		return nil, &kvpb.RangeFrozenError{RangeID: 1}
	}
	return &kvpb.BatchResponse{Responses: []kvpb.Response{&kvpb.RawPutResponse{}}}, nil
}

type oneNode struct{ n *frozenNode }

func (d oneNode) Dial(kvpb.NodeID) (kv.Sender, error) { return d.n, nil }
func (d oneNode) Nodes() []kvpb.NodeID                { return []kvpb.NodeID{1} }

// TestDistSenderRetriesFrozenRange: a batch refused because its range is
// being merged is retried at the same node until it is served, and
// given up as RangeUnavailableError (wrapping the RangeFrozenError) at
// the DistSender's timeout.
func TestDistSenderRetriesFrozenRange(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	n := &frozenNode{frozen: 5}
	ds := kv.NewDistSender(oneNode{n}, kv.DistSenderOptions{SilenceTimeout: -1})
	if _, err := ds.Send(ctx, put); err != nil {
		t.Fatalf("send: %v", err)
	}
	if c := n.calls.Load(); c != 6 {
		t.Fatalf("%d attempts, want 6", c)
	}
	n = &frozenNode{frozen: 1 << 40}
	ds = kv.NewDistSender(oneNode{n}, kv.DistSenderOptions{SilenceTimeout: -1, Timeout: 200 * time.Millisecond})
	_, err := ds.Send(ctx, put)
	var ru *kv.RangeUnavailableError
	var fz *kvpb.RangeFrozenError
	if !errors.As(err, &ru) || !errors.As(err, &fz) {
		t.Fatalf("send to a range frozen for good: %v", err)
	}
}
