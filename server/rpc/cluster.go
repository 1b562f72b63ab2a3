package rpc

import (
	"context"
	"errors"
	"time"

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

// NodeStatus is one row of `rangedb node status`: a node as its liveness
// record describes it.
type NodeStatus struct {
	NodeID  kvpb.NodeID
	Address string
	// Liveness is "live", "dead", "decommissioning" or "decommissioned".
	Liveness string
	// Expiration is when the node's liveness lapses unless it heartbeats.
	Expiration time.Time
	// Ranges, Leaders and UsedBytes are the node's last report.
	Ranges, Leaders int
	UsedBytes       uint64
	// Decommissioning is set once `rangedb node decommission` marked it.
	Decommissioning bool
}

// ErrUnknownNode is the answer about a node that has no liveness record.
var ErrUnknownNode = errors.New("unknown node")

func (n NodeStatus) toProto() *rpcpb.NodeStatus {
	var exp int64
	if !n.Expiration.IsZero() {
		exp = n.Expiration.UnixNano()
	}
	return &rpcpb.NodeStatus{NodeId: uint64(n.NodeID), Address: n.Address, Liveness: n.Liveness, ExpirationUnixNanos: exp,
		Ranges: uint32(n.Ranges), Leaders: uint32(n.Leaders), UsedBytes: n.UsedBytes, Decommissioning: n.Decommissioning}
}

func nodeStatusFromProto(p *rpcpb.NodeStatus) NodeStatus {
	n := NodeStatus{NodeID: kvpb.NodeID(p.NodeId), Address: p.Address, Liveness: p.Liveness, Ranges: int(p.Ranges),
		Leaders: int(p.Leaders), UsedBytes: p.UsedBytes, Decommissioning: p.Decommissioning}
	if p.ExpirationUnixNanos != 0 {
		n.Expiration = time.Unix(0, p.ExpirationUnixNanos)
	}
	return n
}

// clusterError is the gRPC status of a membership call's error: an
// unknown node is NotFound, the rest Unavailable (the caller may retry).
func clusterError(err error) error {
	if errors.Is(err, ErrUnknownNode) {
		return status.Error(codes.NotFound, err.Error())
	}
	if errors.Is(err, ErrNotInCluster) {
		return status.Error(codes.FailedPrecondition, err.Error())
	}
	return status.Error(codes.Unavailable, err.Error())
}

// NodeStatus implements rpcpb.InternalServer.
func (s *Server) NodeStatus(ctx context.Context, _ *rpcpb.NodeStatusRequest) (*rpcpb.NodeStatusResponse, error) {
	if s.cluster == nil {
		return nil, status.Error(codes.Unimplemented, "this node does not serve node status")
	}
	nodes, err := s.cluster.NodeStatus(ctx)
	if err != nil {
		return nil, clusterError(err)
	}
	resp := &rpcpb.NodeStatusResponse{Nodes: make([]*rpcpb.NodeStatus, 0, len(nodes))}
	for _, n := range nodes {
		resp.Nodes = append(resp.Nodes, n.toProto())
	}
	return resp, nil
}

// Decommission implements rpcpb.InternalServer.
func (s *Server) Decommission(ctx context.Context, req *rpcpb.DecommissionRequest) (*rpcpb.DecommissionResponse, error) {
	if s.cluster == nil {
		return nil, status.Error(codes.Unimplemented, "this node does not serve decommission")
	}
	if req.NodeId == 0 {
		return nil, status.Error(codes.InvalidArgument, "a node id is required")
	}
	n, err := s.cluster.Decommission(ctx, kvpb.NodeID(req.NodeId), req.Recommission)
	if err != nil {
		return nil, clusterError(err)
	}
	return &rpcpb.DecommissionResponse{Status: n.toProto()}, nil
}

// CallNodeStatus asks the node for the status of every node of its
// cluster (rangedb node status).
func (c *Client) CallNodeStatus(ctx context.Context) ([]NodeStatus, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.rpc.NodeStatus(ctx, &rpcpb.NodeStatusRequest{})
	if err != nil {
		return nil, err
	}
	out := make([]NodeStatus, 0, len(resp.Nodes))
	for _, n := range resp.Nodes {
		out = append(out, nodeStatusFromProto(n))
	}
	return out, nil
}

// CallDecommission asks the node to mark node id decommissioning and
// returns that node's status (rangedb node decommission).
func (c *Client) CallDecommission(ctx context.Context, id kvpb.NodeID) (NodeStatus, error) {
	return c.callMembership(ctx, id, false)
}

// CallRecommission asks the node to mark node id active again (rangedb
// node recommission) and returns that node's status.
func (c *Client) CallRecommission(ctx context.Context, id kvpb.NodeID) (NodeStatus, error) {
	return c.callMembership(ctx, id, true)
}

func (c *Client) callMembership(ctx context.Context, id kvpb.NodeID, recommission bool) (NodeStatus, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.rpc.Decommission(ctx, &rpcpb.DecommissionRequest{NodeId: uint64(id), Recommission: recommission})
	if err != nil {
		return NodeStatus{}, err
	}
	if resp.Status == nil {
		return NodeStatus{}, errors.New("rpc: decommission answered without a status")
	}
	return nodeStatusFromProto(resp.Status), nil
}
