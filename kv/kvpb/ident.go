package kvpb

import (
	"errors"
	"fmt"
)

// localStoreInfix starts store-local keys: /Local/Store/…, which belong to
// the store, not to any range (never replicated, never in a snapshot).
const localStoreInfix byte = 's'

var (
	// StoreIdentKey holds the store's StoreIdent, written when the node
	// bootstraps or joins a cluster.
	StoreIdentKey = Key{localPrefixByte, localStoreInfix, 'i', 'd', 'e', 'n', 't'}
	// NodeAddressPrefix starts /System/node/<id>: each node's address.
	NodeAddressPrefix = SystemKey("node/")
)

// NodeAddressKey returns /System/node/<id>.
func NodeAddressKey(id NodeID) Key {
	return EncodeUvarintAscending(append(Key(nil), NodeAddressPrefix...), uint64(id))
}

// DecodeNodeAddressKey returns the node id of a /System/node/<id> key.
func DecodeNodeAddressKey(k Key) (NodeID, error) {
	if len(k) < len(NodeAddressPrefix) || !k[:len(NodeAddressPrefix)].Equal(NodeAddressPrefix) {
		return 0, fmt.Errorf("kvpb: %s is not a node address key", k)
	}
	_, id, err := DecodeUvarintAscending(k[len(NodeAddressPrefix):])
	return NodeID(id), err
}

// StoreIdent is who a store is: its cluster, its node and its own id.
type StoreIdent struct {
	ClusterID string
	NodeID    NodeID
	StoreID   StoreID
}

const storeIdentFormat byte = 1

// Marshal encodes the ident with a format byte.
func (id StoreIdent) Marshal() []byte {
	var w Writer
	w.Byte(storeIdentFormat)
	w.Bytes_([]byte(id.ClusterID))
	w.Uvarint(uint64(id.NodeID))
	w.Uvarint(uint64(id.StoreID))
	return w.Bytes()
}

// UnmarshalStoreIdent decodes what Marshal made.
func UnmarshalStoreIdent(b []byte) (StoreIdent, error) {
	r := NewReader(b)
	if f := r.Byte(); f != storeIdentFormat {
		return StoreIdent{}, fmt.Errorf("kvpb: store ident format %d unknown", f)
	}
	id := StoreIdent{ClusterID: string(r.Bytes()), NodeID: NodeID(r.Uvarint()), StoreID: StoreID(r.Uvarint())}
	if r.Err() != nil {
		return StoreIdent{}, r.Err()
	}
	if id.ClusterID == "" || id.NodeID == 0 || id.StoreID == 0 {
		return StoreIdent{}, errors.New("kvpb: incomplete store ident")
	}
	return id, nil
}
