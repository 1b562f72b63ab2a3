package rpc

import (
	"context"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server/rpc/rpcpb"
)

// Init implements rpcpb.InternalServer.
func (s *Server) Init(ctx context.Context, _ *rpcpb.InitRequest) (*rpcpb.InitResponse, error) {
	if s.cluster == nil {
		return nil, status.Error(codes.Unimplemented, "this node does not take init")
	}
	id, err := s.cluster.Init(ctx)
	if err != nil {
		return nil, status.Error(codes.FailedPrecondition, err.Error())
	}
	return &rpcpb.InitResponse{ClusterId: id}, nil
}

// Join implements rpcpb.InternalServer.
func (s *Server) Join(ctx context.Context, req *rpcpb.JoinRequest) (*rpcpb.JoinResponse, error) {
	if s.cluster == nil {
		return nil, status.Error(codes.Unimplemented, "this node does not take joins")
	}
	id, err := s.cluster.Join(ctx, req.Address)
	if err != nil {
		return nil, status.Error(codes.Unavailable, err.Error())
	}
	resp := &rpcpb.JoinResponse{ClusterId: id.ClusterID, NodeId: uint64(id.NodeID), StoreId: uint64(id.StoreID)}
	if b := s.book.Load(); b != nil {
		b.Set(id.NodeID, req.Address)
		resp.Nodes = b.toProto()
	}
	return resp, nil
}

// Timestamps implements rpcpb.InternalServer.
func (s *Server) Timestamps(ctx context.Context, req *rpcpb.TimestampsRequest) (*rpcpb.TimestampsResponse, error) {
	if s.cluster == nil {
		return &rpcpb.TimestampsResponse{Error: kvpb.EncodeError(ErrNotInCluster)}, nil
	}
	first, err := s.cluster.Timestamps(ctx, int(max(req.Count, 1)))
	if err != nil {
		return &rpcpb.TimestampsResponse{Error: kvpb.EncodeError(err)}, nil
	}
	return &rpcpb.TimestampsResponse{First: uint64(first)}, nil
}

// CallInit asks the node at addr to bootstrap a cluster (rangedb init).
func (c *Client) CallInit(ctx context.Context) (string, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.rpc.Init(ctx, &rpcpb.InitRequest{})
	if err != nil {
		return "", err
	}
	return resp.ClusterId, nil
}

// CallJoin asks the node for an identity for the node at addr; the
// answering node's address book is merged into book.
func (c *Client) CallJoin(ctx context.Context, addr string, book *AddressBook) (kvpb.StoreIdent, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.rpc.Join(ctx, &rpcpb.JoinRequest{Address: addr})
	if err != nil {
		return kvpb.StoreIdent{}, err
	}
	book.merge(resp.Nodes)
	return kvpb.StoreIdent{ClusterID: resp.ClusterId, NodeID: kvpb.NodeID(resp.NodeId), StoreID: kvpb.StoreID(resp.StoreId)}, nil
}

// CallTimestamps asks the node for n TSO timestamps; a node that does not
// lead range 1 answers *kvpb.NotLeaderError.
func (c *Client) CallTimestamps(ctx context.Context, n int) (kvpb.Timestamp, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	if err := c.waitReady(ctx); err != nil {
		return 0, &UnavailableError{Addr: c.addr, Err: err}
	}
	resp, err := c.rpc.Timestamps(ctx, &rpcpb.TimestampsRequest{Count: uint32(n)})
	if err != nil {
		return 0, &UnavailableError{Addr: c.addr, Err: err, Sent: true}
	}
	if len(resp.Error) > 0 {
		return 0, kvpb.DecodeError(resp.Error)
	}
	return kvpb.Timestamp(resp.First), nil
}

func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, DefaultTimeout)
}
