package kvpb

import (
	"fmt"
	"time"
)

// NodeLivenessPrefix starts /System/liveness/<id>: each node's liveness
// record. A node heartbeats its own record (a conditional put on the value
// it read, so that a membership another node set is never lost), and
// anyone reads them to tell live nodes from dead ones and active from
// decommissioning ones.
var NodeLivenessPrefix = SystemKey("liveness/")

// NodeLivenessKey returns /System/liveness/<id>.
func NodeLivenessKey(id NodeID) Key {
	return EncodeUvarintAscending(append(Key(nil), NodeLivenessPrefix...), uint64(id))
}

// DecodeNodeLivenessKey returns the node id of a /System/liveness/<id> key.
func DecodeNodeLivenessKey(k Key) (NodeID, error) {
	if len(k) < len(NodeLivenessPrefix) || !k[:len(NodeLivenessPrefix)].Equal(NodeLivenessPrefix) {
		return 0, fmt.Errorf("kvpb: %s is not a node liveness key", k)
	}
	_, id, err := DecodeUvarintAscending(k[len(NodeLivenessPrefix):])
	return NodeID(id), err
}

// Membership is a node's standing in the cluster, set by `rangedb node
// decommission` and kept by the node's own heartbeats.
type Membership uint8

const (
	// MembershipActive nodes take replicas.
	MembershipActive Membership = iota
	// MembershipDecommissioning nodes take no new replicas and lose the
	// ones they hold.
	MembershipDecommissioning
	// MembershipDecommissioned nodes hold no replica and take none.
	MembershipDecommissioned
)

func (m Membership) String() string {
	switch m {
	case MembershipActive:
		return "active"
	case MembershipDecommissioning:
		return "decommissioning"
	case MembershipDecommissioned:
		return "decommissioned"
	}
	return fmt.Sprintf("membership(%d)", uint8(m))
}

// Liveness is a node's liveness record: who it is, until when it counts as
// live, its membership, and what it last reported about its store.
type Liveness struct {
	NodeID  NodeID
	Address string
	// Epoch grows each time the node starts heartbeating anew (after a
	// restart, or once its record had lapsed).
	Epoch uint64
	// Expiration is when the node stops counting as live unless it
	// heartbeats again, in wall-clock nanoseconds of the heartbeating
	// node's clock (nodes' clocks are assumed close, as the TSO assumes).
	Expiration int64
	Membership Membership
	// The node's last report: replicas on its store, how many of them
	// lead their range, and the bytes its engine uses on disk.
	Ranges    uint32
	Leaders   uint32
	UsedBytes uint64
}

// Live reports whether the record has not lapsed at now.
func (l Liveness) Live(now time.Time) bool { return now.UnixNano() < l.Expiration }

const livenessFormat byte = 1

// Marshal encodes the record with a format byte.
func (l Liveness) Marshal() []byte {
	var w Writer
	w.Byte(livenessFormat)
	w.Uvarint(uint64(l.NodeID))
	w.Bytes_([]byte(l.Address))
	w.Uvarint(l.Epoch)
	w.Varint(l.Expiration)
	w.Byte(byte(l.Membership))
	w.Uvarint(uint64(l.Ranges))
	w.Uvarint(uint64(l.Leaders))
	w.Uvarint(l.UsedBytes)
	return w.Bytes()
}

// UnmarshalLiveness decodes what Marshal made.
func UnmarshalLiveness(b []byte) (Liveness, error) {
	r := NewReader(b)
	if f := r.Byte(); f != livenessFormat {
		return Liveness{}, fmt.Errorf("kvpb: liveness record format %d unknown", f)
	}
	l := Liveness{NodeID: NodeID(r.Uvarint()), Address: string(r.Bytes()), Epoch: r.Uvarint(), Expiration: r.Varint()}
	l.Membership = Membership(r.Byte())
	l.Ranges, l.Leaders, l.UsedBytes = uint32(r.Uvarint()), uint32(r.Uvarint()), r.Uvarint()
	if err := r.Err(); err != nil {
		return Liveness{}, fmt.Errorf("kvpb: decoding a liveness record: %w", err)
	}
	if l.NodeID == 0 || l.Membership > MembershipDecommissioned {
		return Liveness{}, fmt.Errorf("kvpb: invalid liveness record (node %d, membership %d)", l.NodeID, l.Membership)
	}
	return l, nil
}
