package rpc

import (
	"context"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server/rpc/rpcpb"
)

// DeadlockHandler serves the Deadlock call: the deadlock detector beside
// range 1's leader (server/deadlock.go). The Server serves it when its
// ClusterHandler implements it too.
type DeadlockHandler interface {
	// Detect records that waiter waits for holder, which locks key, or
	// reports that this closes a cycle; *kvpb.NotLeaderError when this
	// node does not lead range 1.
	Detect(ctx context.Context, waiter, holder kvpb.Timestamp, key kvpb.Key) (bool, error)
	// Finished drops waiter's edges.
	Finished(ctx context.Context, waiter kvpb.Timestamp) error
}

// Deadlock implements rpcpb.InternalServer.
func (s *Server) Deadlock(ctx context.Context, req *rpcpb.DeadlockRequest) (*rpcpb.DeadlockResponse, error) {
	h, ok := s.cluster.(DeadlockHandler)
	if !ok || s.node.Load() == nil {
		return &rpcpb.DeadlockResponse{Error: kvpb.EncodeError(ErrNotInCluster)}, nil
	}
	if req.Finished {
		if err := h.Finished(ctx, kvpb.Timestamp(req.Waiter)); err != nil {
			return &rpcpb.DeadlockResponse{Error: kvpb.EncodeError(err)}, nil
		}
		return &rpcpb.DeadlockResponse{}, nil
	}
	dl, err := h.Detect(ctx, kvpb.Timestamp(req.Waiter), kvpb.Timestamp(req.Holder), req.Key)
	if err != nil {
		return &rpcpb.DeadlockResponse{Error: kvpb.EncodeError(err)}, nil
	}
	return &rpcpb.DeadlockResponse{Deadlock: dl}, nil
}

// CallDeadlock reports to the node's deadlock detector that waiter waits
// for holder on key (finished: that waiter no longer waits) and returns
// whether the wait closes a cycle. A node that does not lead range 1
// answers *kvpb.NotLeaderError.
func (c *Client) CallDeadlock(ctx context.Context, waiter, holder kvpb.Timestamp, key kvpb.Key, finished bool) (bool, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if err := c.waitReady(ctx); err != nil {
		return false, &UnavailableError{Addr: c.addr, Err: err}
	}
	resp, err := c.rpc.Deadlock(ctx, &rpcpb.DeadlockRequest{Waiter: uint64(waiter), Holder: uint64(holder), Key: key, Finished: finished})
	if err != nil {
		return false, &UnavailableError{Addr: c.addr, Err: err, Sent: true}
	}
	if len(resp.Error) > 0 {
		return false, kvpb.DecodeError(resp.Error)
	}
	return resp.Deadlock, nil
}
