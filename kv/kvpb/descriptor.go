package kvpb

import (
	"bytes"
	"fmt"
)

// ReplicaDescriptor names one replica of a range: where it lives and its
// raft peer id.
type ReplicaDescriptor struct {
	NodeID    NodeID
	StoreID   StoreID
	ReplicaID ReplicaID
	// Learner marks a replica that receives the log but does not vote (a
	// new replica catching up before it is promoted).
	Learner bool
}

// RangeDescriptor describes a range: its span [StartKey, EndKey), its
// replicas, and a generation bumped by every split, merge and membership
// change (so stale requests and stale meta writes can be rejected).
type RangeDescriptor struct {
	RangeID       RangeID
	StartKey      Key
	EndKey        Key
	Replicas      []ReplicaDescriptor
	NextReplicaID ReplicaID
	Generation    uint64
}

// ContainsKey reports whether k lies in the range's span.
func (d *RangeDescriptor) ContainsKey(k Key) bool {
	return bytes.Compare(d.StartKey, k) <= 0 && bytes.Compare(k, d.EndKey) < 0
}

// ContainsSpan reports whether every key of s lies in the range.
func (d *RangeDescriptor) ContainsSpan(s Span) bool {
	if len(s.EndKey) == 0 {
		return d.ContainsKey(s.Key)
	}
	return bytes.Compare(d.StartKey, s.Key) <= 0 && bytes.Compare(s.EndKey, d.EndKey) <= 0
}

// Replica returns the descriptor of the replica on store id.
func (d *RangeDescriptor) Replica(id StoreID) (ReplicaDescriptor, bool) {
	for _, r := range d.Replicas {
		if r.StoreID == id {
			return r, true
		}
	}
	return ReplicaDescriptor{}, false
}

func (d *RangeDescriptor) String() string {
	return fmt.Sprintf("%s:[%s, %s) gen=%d replicas=%v", d.RangeID, d.StartKey, d.EndKey, d.Generation, d.Replicas)
}

// descriptorFormat 2 adds each replica's Learner flag; format 1 (all
// voters) is still read.
const (
	descriptorFormatV1 byte = 1
	descriptorFormat   byte = 2
)

// Marshal encodes the descriptor; the first byte is a format byte.
func (d *RangeDescriptor) Marshal() []byte {
	var w Writer
	w.Byte(descriptorFormat)
	d.encode(&w)
	return w.Bytes()
}

func (d *RangeDescriptor) encode(w *Writer) {
	w.Uvarint(uint64(d.RangeID))
	w.Bytes_(d.StartKey)
	w.Bytes_(d.EndKey)
	w.Uvarint(uint64(len(d.Replicas)))
	for _, r := range d.Replicas {
		w.Uvarint(uint64(r.NodeID))
		w.Uvarint(uint64(r.StoreID))
		w.Uvarint(uint64(r.ReplicaID))
		w.Bool(r.Learner)
	}
	w.Uvarint(uint64(d.NextReplicaID))
	w.Uvarint(d.Generation)
}

// UnmarshalRangeDescriptor decodes a descriptor made by Marshal.
func UnmarshalRangeDescriptor(b []byte) (*RangeDescriptor, error) {
	r := NewReader(b)
	f := r.Byte()
	if f != descriptorFormat && f != descriptorFormatV1 {
		return nil, fmt.Errorf("kvpb: range descriptor format %d unknown", f)
	}
	d := decodeRangeDescriptorFormat(r, f)
	return d, r.Err()
}

func decodeRangeDescriptor(r *Reader) *RangeDescriptor {
	return decodeRangeDescriptorFormat(r, descriptorFormat)
}

func decodeRangeDescriptorFormat(r *Reader, format byte) *RangeDescriptor {
	d := &RangeDescriptor{}
	d.RangeID = RangeID(r.Uvarint())
	d.StartKey = r.Bytes()
	d.EndKey = r.Bytes()
	n := r.Count()
	for i := 0; i < n; i++ {
		rd := ReplicaDescriptor{
			NodeID:    NodeID(r.Uvarint()),
			StoreID:   StoreID(r.Uvarint()),
			ReplicaID: ReplicaID(r.Uvarint()),
		}
		if format >= descriptorFormat {
			rd.Learner = r.Bool()
		}
		d.Replicas = append(d.Replicas, rd)
	}
	d.NextReplicaID = ReplicaID(r.Uvarint())
	d.Generation = r.Uvarint()
	return d
}
