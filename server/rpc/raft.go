package rpc

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"time"

	"go.etcd.io/raft/v3/raftpb"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/raftstore"
	"github.com/rangedb/rangedb/server/rpc/rpcpb"
)

// RaftHandler receives raft messages for the node's replicas;
// *raftstore.Store implements it.
type RaftHandler interface {
	HandleRaftMessage(ctx context.Context, m *raftstore.RaftMessage) error
}

// RaftMessages implements rpcpb.InternalServer: every message of the
// stream is stepped into its replica. A message the store refuses (a range
// it does not have yet) is dropped, as raft allows.
func (s *Server) RaftMessages(stream rpcpb.Internal_RaftMessagesServer) error {
	h := s.node.Load()
	if h == nil || h.raft == nil {
		return ErrNotInCluster
	}
	for {
		batch, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return stream.SendAndClose(&rpcpb.RaftAck{})
		}
		if err != nil {
			return err
		}
		for _, pm := range batch.Messages {
			m, err := fromProto(pm)
			if err != nil {
				return err
			}
			_ = h.raft.HandleRaftMessage(stream.Context(), m)
		}
	}
}

// Resolver maps a node id to its RPC address.
type Resolver func(kvpb.NodeID) (addr string, ok bool)

// Transport implements raftstore.Transport over gRPC: one stream per
// destination node, fed by a bounded queue. When a queue is full, or the
// node cannot be reached, messages are dropped (raft retransmits).
type Transport struct {
	resolve Resolver
	log     *slog.Logger

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu    sync.Mutex
	peers map[kvpb.NodeID]*peer
	// snapSrc streams snapshots, one goroutine per node fed by snapPeers
	// (snapshot.go).
	snapSrc   SnapshotSource
	snapPeers map[kvpb.NodeID]chan *raftstore.RaftMessage
}

var _ raftstore.Transport = (*Transport)(nil)

// peerQueue bounds the batches waiting for one node.
const peerQueue = 256

// streamLifetime bounds one stream (every RPC has a deadline); the peer
// opens the next when it ends.
const streamLifetime = time.Minute

type peer struct {
	node kvpb.NodeID
	ch   chan *rpcpb.RaftMessageBatch
}

// NewTransport returns a transport that finds nodes with resolve. Stop it
// to end its goroutines.
func NewTransport(resolve Resolver, log *slog.Logger) *Transport {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	return &Transport{resolve: resolve, log: log, ctx: ctx, cancel: cancel, peers: map[kvpb.NodeID]*peer{},
		snapPeers: map[kvpb.NodeID]chan *raftstore.RaftMessage{}}
}

// Send implements raftstore.Transport; it never blocks. Snapshots go
// their own way (sendSnapshot).
func (t *Transport) Send(msgs []*raftstore.RaftMessage) {
	byNode := map[kvpb.NodeID]*rpcpb.RaftMessageBatch{}
	for _, m := range msgs {
		if m.Message.GetType() == raftpb.MessageType_MsgSnap {
			t.sendSnapshot(m)
			continue
		}
		pm, err := toProto(m)
		if err != nil {
			t.log.Error("rpc: marshalling a raft message", "err", err)
			continue
		}
		batch := byNode[m.To.NodeID]
		if batch == nil {
			batch = &rpcpb.RaftMessageBatch{}
			byNode[m.To.NodeID] = batch
		}
		batch.Messages = append(batch.Messages, pm)
	}
	for node, batch := range byNode {
		p := t.peer(node)
		if p == nil {
			continue
		}
		select {
		case p.ch <- batch:
		default: // queue full: drop, raft retransmits
		}
	}
}

// peer returns the node's peer, starting its goroutine; nil once stopped.
func (t *Transport) peer(node kvpb.NodeID) *peer {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.ctx.Err() != nil {
		return nil
	}
	p := t.peers[node]
	if p == nil {
		p = &peer{node: node, ch: make(chan *rpcpb.RaftMessageBatch, peerQueue)}
		t.peers[node] = p
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.run(p)
		}()
	}
	return p
}

// run delivers a peer's batches until the transport stops.
func (t *Transport) run(p *peer) {
	var client *Client
	defer func() {
		if client != nil {
			_ = client.Close()
		}
	}()
	backoff := 50 * time.Millisecond
	for t.ctx.Err() == nil {
		if client == nil {
			addr, ok := t.resolve(p.node)
			if ok {
				c, err := Dial(addr)
				if err == nil {
					client = c
				}
			}
			if client == nil {
				if !t.drainFor(p, backoff) {
					return
				}
				continue
			}
		}
		if err := t.stream(p, client); err != nil && t.ctx.Err() == nil {
			t.log.Debug("rpc: raft stream ended", "node", p.node, "err", err)
			_ = client.Close()
			client = nil
			if !t.drainFor(p, backoff) {
				return
			}
		}
	}
}

// drainFor drops what is queued for d (the node is unreachable); false
// once the transport stops.
func (t *Transport) drainFor(p *peer, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	for {
		select {
		case <-p.ch:
		case <-timer.C:
			return true
		case <-t.ctx.Done():
			return false
		}
	}
}

// stream sends batches on one stream until it fails or its lifetime ends.
func (t *Transport) stream(p *peer, c *Client) error {
	ctx, cancel := context.WithCancel(t.ctx)
	defer cancel()
	st, err := c.rpc.RaftMessages(ctx)
	if err != nil {
		return err
	}
	lifetime := time.NewTimer(streamLifetime)
	defer lifetime.Stop()
	for {
		select {
		case b := <-p.ch:
			if err := st.Send(b); err != nil {
				return err
			}
		case <-lifetime.C:
			_, err := st.CloseAndRecv()
			return err
		case <-ctx.Done():
			return nil
		}
	}
}

// Stop ends every peer's goroutine and waits for them.
func (t *Transport) Stop() {
	t.mu.Lock()
	t.cancel()
	t.mu.Unlock()
	t.wg.Wait()
}
