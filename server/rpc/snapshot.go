package rpc

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/raftstore"
	"github.com/rangedb/rangedb/server/rpc/rpcpb"
)

// Snapshots travel beside the raft stream: Transport.Send hands a MsgSnap
// to a goroutine of its own per destination node, fed by a short queue,
// which opens a Snapshot stream, sends the MsgSnap as the header and then
// the SST files the local store writes (SnapshotSource), chunk by chunk,
// and reports the outcome to the store. A big snapshot, or a slow peer,
// holds up only the snapshots to that node.
//
// The receiving Server writes the chunks into files
// (raftstore.IncomingSnapshot: at most raftstore.MaxIncomingSnapshots at
// once, bounded in size) and hands them to the store, which answers once
// the snapshot is ingested or refused.

// SnapshotSource streams the snapshots a node's raft sends;
// *raftstore.Store implements it.
type SnapshotSource interface {
	StreamSnapshot(ctx context.Context, m *raftstore.RaftMessage, send func(file int, data []byte) error) error
	ReportSnapshot(m *raftstore.RaftMessage, ok bool)
}

// SnapshotHandler receives snapshots; *raftstore.Store implements it.
type SnapshotHandler interface {
	NewIncomingSnapshot() (*raftstore.IncomingSnapshot, error)
	HandleSnapshot(ctx context.Context, m *raftstore.RaftMessage, in *raftstore.IncomingSnapshot) error
}

// snapshotQueue bounds the snapshots waiting for one node; raft sends one
// per follower at a time, so this is rarely reached.
const snapshotQueue = 4

// snapshotChunkTimeout bounds the wait for one chunk to go out (a
// deadline proportional to the snapshot's size, enforced chunk by chunk),
// and snapshotApplyTimeout the wait for the recipient's answer once all
// are sent (it ingests the files then).
const (
	snapshotChunkTimeout = 10 * time.Second
	snapshotApplyTimeout = 30 * time.Second
)

// SetSnapshotSource installs the store whose snapshots the transport
// streams; until then MsgSnap messages are dropped (the store, which has
// not been given to the transport yet, releases them when they expire).
func (t *Transport) SetSnapshotSource(src SnapshotSource) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.snapSrc = src
}

// sendSnapshot queues MsgSnap m for its node; it never blocks.
func (t *Transport) sendSnapshot(m *raftstore.RaftMessage) {
	t.mu.Lock()
	src := t.snapSrc
	var ch chan *raftstore.RaftMessage
	if src != nil && t.ctx.Err() == nil {
		ch = t.snapPeers[m.To.NodeID]
		if ch == nil {
			ch = make(chan *raftstore.RaftMessage, snapshotQueue)
			t.snapPeers[m.To.NodeID] = ch
			node := m.To.NodeID
			t.wg.Add(1)
			go func() {
				defer t.wg.Done()
				t.runSnapshots(node, ch, src)
			}()
		}
	}
	t.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- m:
	default:
		src.ReportSnapshot(m, false)
	}
}

// runSnapshots streams a node's snapshots, one at a time, until the
// transport stops.
func (t *Transport) runSnapshots(node kvpb.NodeID, ch chan *raftstore.RaftMessage, src SnapshotSource) {
	for {
		select {
		case <-t.ctx.Done():
			// What is still queued was never fetched: the store
			// releases it when it expires.
			return
		case m := <-ch:
			err := t.streamSnapshot(node, m, src)
			if err != nil && t.ctx.Err() == nil {
				t.log.Warn("rpc: sending a snapshot failed", "node", node, "range", m.RangeID, "err", err)
			}
			src.ReportSnapshot(m, err == nil)
		}
	}
}

// streamSnapshot sends one snapshot and waits for its recipient's answer.
func (t *Transport) streamSnapshot(node kvpb.NodeID, m *raftstore.RaftMessage, src SnapshotSource) error {
	addr, ok := t.resolve(node)
	if !ok {
		return fmt.Errorf("rpc: node %s has no address", node)
	}
	c, err := Dial(addr)
	if err != nil {
		return err
	}
	defer func() { _ = c.Close() }()
	header, err := toProto(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(t.ctx, raftstore.SnapshotStreamTimeout)
	defer cancel()
	// A stalled peer cancels the stream within a chunk's timeout.
	watchdog := time.AfterFunc(snapshotChunkTimeout, cancel)
	defer watchdog.Stop()
	st, err := c.rpc.Snapshot(ctx)
	if err != nil {
		return err
	}
	if err := st.Send(&rpcpb.SnapshotChunk{Header: header}); err != nil {
		return err
	}
	err = src.StreamSnapshot(ctx, m, func(file int, data []byte) error {
		watchdog.Reset(snapshotChunkTimeout)
		return st.Send(&rpcpb.SnapshotChunk{File: uint32(file), Data: data})
	})
	if err != nil {
		return err
	}
	watchdog.Reset(snapshotApplyTimeout)
	if err := st.Send(&rpcpb.SnapshotChunk{Done: true}); err != nil {
		return err
	}
	resp, err := st.CloseAndRecv()
	if err != nil {
		return err
	}
	if resp.Error != "" {
		return errors.New(resp.Error)
	}
	return nil
}

// Snapshot implements rpcpb.InternalServer: it receives a snapshot's
// files and answers once the store applied it, or with why not.
func (s *Server) Snapshot(stream rpcpb.Internal_SnapshotServer) error {
	h := s.node.Load()
	if h == nil || h.raft == nil {
		return ErrNotInCluster
	}
	sh, ok := h.raft.(SnapshotHandler)
	if !ok {
		return errors.New("rpc: this node takes no snapshots")
	}
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	m, err := fromProto(first.GetHeader())
	if err != nil {
		return err
	}
	in, err := sh.NewIncomingSnapshot()
	if err != nil {
		return stream.SendAndClose(&rpcpb.SnapshotResponse{Error: err.Error()})
	}
	for {
		c, err := stream.Recv()
		if err != nil {
			in.Close()
			return err
		}
		if c.Done {
			break
		}
		if err := in.Write(int(c.File), c.Data); err != nil {
			in.Close()
			return stream.SendAndClose(&rpcpb.SnapshotResponse{Error: err.Error()})
		}
	}
	// HandleSnapshot takes in.
	if err := sh.HandleSnapshot(stream.Context(), m, in); err != nil {
		return stream.SendAndClose(&rpcpb.SnapshotResponse{Error: err.Error()})
	}
	return stream.SendAndClose(&rpcpb.SnapshotResponse{})
}

// toProto and fromProto convert a raft message with its routing.
func toProto(m *raftstore.RaftMessage) (*rpcpb.RaftMessage, error) {
	b, err := proto.Marshal(m.Message)
	if err != nil {
		return nil, err
	}
	return &rpcpb.RaftMessage{
		RangeId:  uint64(m.RangeID),
		FromNode: uint64(m.From.NodeID), FromStore: uint64(m.From.StoreID), FromReplica: uint64(m.From.ReplicaID),
		ToNode: uint64(m.To.NodeID), ToStore: uint64(m.To.StoreID), ToReplica: uint64(m.To.ReplicaID),
		Message: b,
	}, nil
}

func fromProto(pm *rpcpb.RaftMessage) (*raftstore.RaftMessage, error) {
	if pm == nil {
		return nil, errors.New("rpc: a raft message is missing")
	}
	m := &raftpb.Message{}
	if err := proto.Unmarshal(pm.Message, m); err != nil {
		return nil, err
	}
	return &raftstore.RaftMessage{
		RangeID: kvpb.RangeID(pm.RangeId),
		From:    kvpb.ReplicaDescriptor{NodeID: kvpb.NodeID(pm.FromNode), StoreID: kvpb.StoreID(pm.FromStore), ReplicaID: kvpb.ReplicaID(pm.FromReplica)},
		To:      kvpb.ReplicaDescriptor{NodeID: kvpb.NodeID(pm.ToNode), StoreID: kvpb.StoreID(pm.ToStore), ReplicaID: kvpb.ReplicaID(pm.ToReplica)},
		Message: m,
	}, nil
}
