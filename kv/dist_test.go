package kv_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// fakeNode answers after delay (probes too, unless probesAnswer), or never
// when frozen, until its caller's context ends.
type fakeNode struct {
	frozen       bool
	delay        time.Duration
	probesAnswer bool
}

func (n *fakeNode) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	d := n.delay
	if _, probe := ba.Requests[0].(*kvpb.RawGetRequest); probe && n.probesAnswer {
		d = 0
	}
	if n.frozen {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	select {
	case <-time.After(d):
		return &kvpb.BatchResponse{Responses: []kvpb.Response{&kvpb.RawPutResponse{}}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

type fakeDialer map[kvpb.NodeID]*fakeNode

func (d fakeDialer) Dial(id kvpb.NodeID) (kv.Sender, error) { return d[id], nil }
func (d fakeDialer) Nodes() []kvpb.NodeID                   { return []kvpb.NodeID{1, 2} }

var put = &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawPutRequest{Key: kvpb.Key("k")}}}

// TestDistSenderSilentNode: a node that answers neither a request nor a
// probe is given up after about two silence timeouts (a read then goes to
// the next node; a write is ambiguous), while a node that is slow but
// answers probes is waited for however long it takes.
func TestDistSenderSilentNode(t *testing.T) {
	const silence = 50 * time.Millisecond
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	// Node 1 is frozen and asked first.
	ds := kv.NewDistSender(fakeDialer{1: {frozen: true}, 2: {}}, kv.DistSenderOptions{SilenceTimeout: silence})
	start := time.Now()
	get := &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: kvpb.Key("k")}}}
	if _, err := ds.Send(ctx, get); err != nil {
		t.Fatalf("read with node 1 frozen: %v", err)
	}
	if h, _ := ds.LeaderHint(1); h != 2 || time.Since(start) > 5*time.Second {
		t.Fatalf("read answered by n%d after %s, want n2", h, time.Since(start))
	}
	ds = kv.NewDistSender(fakeDialer{1: {frozen: true}, 2: {}}, kv.DistSenderOptions{SilenceTimeout: silence})
	var amb *kv.AmbiguousResultError
	if _, err := ds.Send(ctx, put); !errors.As(err, &amb) {
		t.Fatalf("write to a frozen node: %v, want AmbiguousResultError", err)
	}

	// Slow, but alive: ten silence timeouts, and the answer comes.
	ds = kv.NewDistSender(fakeDialer{1: {delay: 10 * silence, probesAnswer: true}, 2: {}}, kv.DistSenderOptions{SilenceTimeout: silence})
	if _, err := ds.Send(ctx, put); err != nil {
		t.Fatalf("write to a slow node: %v", err)
	}
	if h, _ := ds.LeaderHint(1); h != 1 {
		t.Fatalf("the slow node's answer was not taken (hint n%d)", h)
	}
}
