// Package rpc is the node-to-node RPC layer: a gRPC service (rpcpb) that
// evaluates kv batches on a node's store, and a client that sends batches
// to another node. Payloads are kvpb's binary encodings wrapped in
// protobuf bytes fields; errors travel as kvpb.EncodeError, so the caller
// gets the same error types (NotLeaderError, WriteConflictError, …) it
// would get from a local store.
//
// Every call has a deadline: the caller's, or DefaultTimeout when the
// caller's context has none.
//
// Raft messages travel on one stream per destination node (raft.go);
// snapshots beside it, on a Snapshot stream per snapshot fed by a queue
// and goroutine per node, as the SST files the sending store writes, in
// chunks, each within a deadline (snapshot.go). The receiver writes them
// to files and answers once its store ingested them.
package rpc

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/keepalive"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server/rpc/rpcpb"
)

// DefaultTimeout bounds a call whose context has no deadline.
const DefaultTimeout = 10 * time.Second

// maxMessageSize bounds one RPC message: a batch of large writes, or a
// scan's responses (a Scan stops at 256 KiB, so this is generous).
const maxMessageSize = 64 << 20

// Server serves the Internal service: batches on the node's store, raft
// messages into its replicas, and the cluster's membership calls. A node
// not yet in a cluster serves Init and Join before its store exists:
// SetNode installs the store once it does.
type Server struct {
	rpcpb.UnimplementedInternalServer
	node    atomic.Pointer[nodeHandlers]
	book    atomic.Pointer[AddressBook]
	cluster ClusterHandler
	grpc    *grpc.Server
}

type nodeHandlers struct {
	sender kv.Sender
	raft   RaftHandler
}

// ClusterHandler serves the membership calls; server implements it.
type ClusterHandler interface {
	// Init bootstraps a new cluster on this node (rangedb init).
	Init(ctx context.Context) (clusterID string, err error)
	// Join allocates an identity for a node joining the cluster.
	Join(ctx context.Context, addr string) (kvpb.StoreIdent, error)
	// Timestamps returns the first of n TSO timestamps.
	Timestamps(ctx context.Context, n int) (kvpb.Timestamp, error)
	// NodeStatus lists every node the cluster knows (rangedb node
	// status), by node id.
	NodeStatus(ctx context.Context) ([]NodeStatus, error)
	// Decommission marks a node decommissioning (with recommission: active
	// again) and returns its status (ErrUnknownNode for a node without a
	// liveness record).
	Decommission(ctx context.Context, id kvpb.NodeID, recommission bool) (NodeStatus, error)
}

// ErrNotInCluster is the answer of a node that has no store yet.
var ErrNotInCluster = errors.New("rpc: node is not part of a cluster yet")

// NewServer returns a server evaluating batches with sender and stepping
// raft messages into raft (either may be nil until SetNode); cluster
// serves Init, Join and Timestamps (nil: refused).
func NewServer(sender kv.Sender, raft RaftHandler, cluster ClusterHandler) *Server {
	s := &Server{cluster: cluster}
	if sender != nil {
		s.SetNode(sender, raft)
	}
	s.grpc = grpc.NewServer(
		grpc.MaxRecvMsgSize(maxMessageSize),
		grpc.MaxSendMsgSize(maxMessageSize),
		grpc.KeepaliveParams(keepalive.ServerParameters{Time: 10 * time.Second, Timeout: 5 * time.Second}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
	)
	rpcpb.RegisterInternalServer(s.grpc, s)
	return s
}

// SetNode installs the node's store once it exists.
func (s *Server) SetNode(sender kv.Sender, raft RaftHandler) {
	s.node.Store(&nodeHandlers{sender: sender, raft: raft})
}

// Serve serves ln until Stop; it returns nil after Stop.
func (s *Server) Serve(ln net.Listener) error {
	err := s.grpc.Serve(ln)
	if errors.Is(err, grpc.ErrServerStopped) {
		return nil
	}
	return err
}

// Stop stops serving: running calls are canceled, listeners closed.
func (s *Server) Stop() { s.grpc.Stop() }

// Batch implements rpcpb.InternalServer.
func (s *Server) Batch(ctx context.Context, req *rpcpb.BatchRequest) (*rpcpb.BatchResponse, error) {
	h := s.node.Load()
	if h == nil {
		return &rpcpb.BatchResponse{Error: kvpb.EncodeError(ErrNotInCluster)}, nil
	}
	reqs, err := kvpb.DecodeRequests(req.Requests)
	if err != nil {
		return &rpcpb.BatchResponse{Error: kvpb.EncodeError(fmt.Errorf("rpc: decoding batch: %w", err))}, nil
	}
	br, err := h.sender.Send(ctx, &kvpb.BatchRequest{RangeID: kvpb.RangeID(req.RangeId), Requests: reqs})
	if err != nil {
		var nl *kvpb.NotLeaderError
		if errors.As(err, &nl) && nl.LeaderAddr == "" && nl.Leader.NodeID != 0 {
			if b := s.book.Load(); b != nil {
				if addr, ok := b.Get(nl.Leader.NodeID); ok {
					e := *nl
					e.LeaderAddr = addr
					err = &e
				}
			}
		}
		return &rpcpb.BatchResponse{Error: kvpb.EncodeError(err)}, nil
	}
	return &rpcpb.BatchResponse{Responses: kvpb.EncodeResponses(br.Responses)}, nil
}

// UnavailableError is a call that did not reach the node or got no
// answer from it. Whether a write it carried was applied is unknown.
type UnavailableError struct {
	Addr string
	Err  error
	// Sent is false when the call never left: there was no connection.
	Sent bool
}

// Unreachable implements kv.UnreachableError.
func (e *UnavailableError) Unreachable() bool { return true }

// NotSent implements kv.UnreachableError.
func (e *UnavailableError) NotSent() bool { return !e.Sent }

func (e *UnavailableError) Error() string {
	return fmt.Sprintf("rpc: node at %s unavailable: %v", e.Addr, e.Err)
}

func (e *UnavailableError) Unwrap() error { return e.Err }

// Client sends batches to one node. It is safe for concurrent use.
type Client struct {
	addr string
	conn *grpc.ClientConn
	rpc  rpcpb.InternalClient
}

var _ kv.Sender = (*Client)(nil)

// Dial returns a client of the node at addr. It does not wait for the
// connection: the first call does (within its deadline).
func Dial(addr string) (*Client, error) {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxMessageSize), grpc.MaxCallSendMsgSize(maxMessageSize)),
		grpc.WithKeepaliveParams(keepalive.ClientParameters{Time: 10 * time.Second, Timeout: 5 * time.Second, PermitWithoutStream: true}),
	)
	if err != nil {
		return nil, fmt.Errorf("rpc: dialing %s: %w", addr, err)
	}
	return &Client{addr: addr, conn: conn, rpc: rpcpb.NewInternalClient(conn)}, nil
}

// connectTimeout bounds the wait for a connection before a call.
const connectTimeout = 2 * time.Second

// waitReady waits until the connection is up, so that a call that fails
// afterwards is known to have been sent, and one that cannot connect is
// known not to have been. A connection in transient failure fails at once
// (gRPC reconnects in the background).
func (c *Client) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	for {
		st := c.conn.GetState()
		switch st {
		case connectivity.Ready:
			return nil
		case connectivity.Idle:
			c.conn.Connect()
		case connectivity.TransientFailure:
			return errors.New("no connection (transient failure)")
		case connectivity.Shutdown:
			return errors.New("client closed")
		}
		if !c.conn.WaitForStateChange(ctx, st) {
			return fmt.Errorf("no connection: %w", ctx.Err())
		}
	}
}

// Close releases the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Send implements kv.Sender: the batch is evaluated on the remote node's
// store, and its error comes back with its kvpb type.
func (c *Client) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	if err := c.waitReady(ctx); err != nil {
		return nil, &UnavailableError{Addr: c.addr, Err: err}
	}
	resp, err := c.rpc.Batch(ctx, &rpcpb.BatchRequest{RangeId: uint64(ba.RangeID), Requests: kvpb.EncodeRequests(ba.Requests)})
	if err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return nil, &UnavailableError{Addr: c.addr, Err: err, Sent: true}
	}
	if len(resp.Error) > 0 {
		return nil, kvpb.DecodeError(resp.Error)
	}
	resps, err := kvpb.DecodeResponses(resp.Responses)
	if err != nil {
		return nil, fmt.Errorf("rpc: decoding the answer of %s: %w", c.addr, err)
	}
	return &kvpb.BatchResponse{Responses: resps}, nil
}
