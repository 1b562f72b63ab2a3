package rpc

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server/rpc/rpcpb"
)

// AddressBook maps node ids to RPC addresses. Nodes learn it from each
// other (the Join answer, then the Nodes call every node makes to another
// now and then); a node's own entry is authoritative. Safe for concurrent
// use.
type AddressBook struct {
	mu    sync.Mutex
	self  kvpb.NodeID
	addrs map[kvpb.NodeID]string
}

// NewAddressBook returns an empty book.
func NewAddressBook() *AddressBook { return &AddressBook{addrs: map[kvpb.NodeID]string{}} }

// SetSelf records this node's own id and address.
func (b *AddressBook) SetSelf(id kvpb.NodeID, addr string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.self = id
	b.addrs[id] = addr
}

// Set records a node's address.
func (b *AddressBook) Set(id kvpb.NodeID, addr string) {
	if id == 0 || addr == "" {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if id != b.self {
		b.addrs[id] = addr
	}
}

// Get returns a node's address.
func (b *AddressBook) Get(id kvpb.NodeID) (string, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	a, ok := b.addrs[id]
	return a, ok
}

// IDs returns the known node ids, ascending.
func (b *AddressBook) IDs() []kvpb.NodeID {
	b.mu.Lock()
	defer b.mu.Unlock()
	ids := make([]kvpb.NodeID, 0, len(b.addrs))
	for id := range b.addrs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

func (b *AddressBook) toProto() []*rpcpb.NodeAddress {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make([]*rpcpb.NodeAddress, 0, len(b.addrs))
	for id, a := range b.addrs {
		out = append(out, &rpcpb.NodeAddress{NodeId: uint64(id), Address: a})
	}
	return out
}

func (b *AddressBook) merge(nodes []*rpcpb.NodeAddress) {
	for _, n := range nodes {
		b.Set(kvpb.NodeID(n.NodeId), n.Address)
	}
}

// SetAddressBook gives the server the book it answers Nodes and Join
// with.
func (s *Server) SetAddressBook(b *AddressBook) { s.book.Store(b) }

// Nodes implements rpcpb.InternalServer.
func (s *Server) Nodes(_ context.Context, req *rpcpb.NodesRequest) (*rpcpb.NodesResponse, error) {
	b := s.book.Load()
	if b == nil {
		return &rpcpb.NodesResponse{}, nil
	}
	b.merge(req.Known)
	return &rpcpb.NodesResponse{Nodes: b.toProto()}, nil
}

// ExchangeNodes trades address books with the node c reaches.
func (c *Client) ExchangeNodes(ctx context.Context, b *AddressBook) error {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := c.rpc.Nodes(ctx, &rpcpb.NodesRequest{Known: b.toProto()})
	if err != nil {
		return err
	}
	b.merge(resp.Nodes)
	return nil
}

// Dialer implements kv.NodeDialer: the local node's store directly, the
// others through cached clients at the addresses of an AddressBook.
type Dialer struct {
	book *AddressBook

	mu      sync.Mutex
	self    kvpb.NodeID
	local   kv.Sender
	clients map[string]*Client
}

var _ kv.NodeDialer = (*Dialer)(nil)

// NewDialer returns a dialer of the nodes in book.
func NewDialer(book *AddressBook) *Dialer {
	return &Dialer{book: book, clients: map[string]*Client{}}
}

// SetLocal makes batches for node self go to local directly.
func (d *Dialer) SetLocal(self kvpb.NodeID, local kv.Sender) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.self, d.local = self, local
}

// Dial implements kv.NodeDialer.
func (d *Dialer) Dial(id kvpb.NodeID) (kv.Sender, error) {
	d.mu.Lock()
	self, local := d.self, d.local
	d.mu.Unlock()
	if id == self && local != nil {
		return local, nil
	}
	addr, ok := d.book.Get(id)
	if !ok {
		return nil, fmt.Errorf("rpc: no address known for node %s", id)
	}
	return d.Client(addr)
}

// Client returns the cached client of addr.
func (d *Dialer) Client(addr string) (*Client, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.clients[addr]; c != nil {
		return c, nil
	}
	c, err := Dial(addr)
	if err != nil {
		return nil, err
	}
	d.clients[addr] = c
	return c, nil
}

// Nodes implements kv.NodeDialer.
func (d *Dialer) Nodes() []kvpb.NodeID { return d.book.IDs() }

// Close closes every client.
func (d *Dialer) Close() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for a, c := range d.clients {
		_ = c.Close()
		delete(d.clients, a)
	}
}

// Learn implements kv.AddressLearner: a NotLeaderError's leader address.
func (d *Dialer) Learn(id kvpb.NodeID, addr string) { d.book.Set(id, addr) }
