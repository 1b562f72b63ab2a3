package kvpb

import (
	"fmt"
	"math"
	"slices"
)

// The placement driver's wire types (DESIGN.md §6). A node answers a
// StoreReportRequest with its store's report: capacity, use, counts, load,
// and the facts of every range its store leads. The driver asks the node
// whose store leads a range to carry out one PlacementOp on it
// (PlacementOpRequest); every op names the range's generation, and the
// node refuses it when the range changed since, so a stale or deposed
// driver does no harm. Both travel alone in a batch to one node, like
// WaitAppliedRequest. Decisions are logged, raw and unversioned, at
// /System/placement/<unix nanos> (PlacementDecisionKey), for SHOW
// PLACEMENT DECISIONS on any node.

// OpKind is the kind of a placement step.
type OpKind uint8

const (
	// OpAddReplica adds Target as a learner, waits until it caught up and
	// promotes it: a new voter, never counted before it has the log.
	OpAddReplica OpKind = iota + 1
	// OpRemoveReplica removes Target (never the leader's own replica).
	OpRemoveReplica
	// OpTransferLeader hands the range's leadership to Target.
	OpTransferLeader
	// OpSplit splits the range at SplitKey.
	OpSplit
	// OpMerge merges Right into the range (its left neighbour).
	OpMerge
)

var opKindNames = map[OpKind]string{
	OpAddReplica: "add-replica", OpRemoveReplica: "remove-replica",
	OpTransferLeader: "transfer-leader", OpSplit: "split", OpMerge: "merge",
}

func (k OpKind) String() string {
	if s, ok := opKindNames[k]; ok {
		return s
	}
	return fmt.Sprintf("OpKind(%d)", uint8(k))
}

// PlacementOp is one step the driver decided for a range.
type PlacementOp struct {
	Kind       OpKind
	RangeID    RangeID
	Generation uint64
	// Target is the replica added, removed or made leader.
	Target ReplicaDescriptor
	// From is the store a rebalancing add is meant to relieve (0: none).
	From StoreID
	// SplitKey is where OpSplit splits.
	SplitKey Key
	// Right is the range OpMerge merges in, with its generation.
	Right           RangeID
	RightGeneration uint64
	Reason          string
}

func (o *PlacementOp) encode(w *Writer) {
	w.Byte(byte(o.Kind))
	w.Uvarint(uint64(o.RangeID))
	w.Uvarint(o.Generation)
	encodeReplica(w, o.Target)
	w.Uvarint(uint64(o.From))
	w.Bytes_(o.SplitKey)
	w.Uvarint(uint64(o.Right))
	w.Uvarint(o.RightGeneration)
	w.Bytes_([]byte(o.Reason))
}

func decodePlacementOp(r *Reader) PlacementOp {
	o := PlacementOp{Kind: OpKind(r.Byte()), RangeID: RangeID(r.Uvarint()), Generation: r.Uvarint()}
	o.Target = decodeReplica(r)
	o.From = StoreID(r.Uvarint())
	o.SplitKey = Key(cloneBytes(r.Bytes()))
	o.Right, o.RightGeneration = RangeID(r.Uvarint()), r.Uvarint()
	o.Reason = string(r.Bytes())
	return o
}

func encodeReplica(w *Writer, rd ReplicaDescriptor) {
	w.Uvarint(uint64(rd.NodeID))
	w.Uvarint(uint64(rd.StoreID))
	w.Uvarint(uint64(rd.ReplicaID))
	w.Bool(rd.Learner)
}

func decodeReplica(r *Reader) ReplicaDescriptor {
	return ReplicaDescriptor{NodeID: NodeID(r.Uvarint()), StoreID: StoreID(r.Uvarint()),
		ReplicaID: ReplicaID(r.Uvarint()), Learner: r.Bool()}
}

func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}

// RangeReport is what a range's leader reports of it.
type RangeReport struct {
	Desc RangeDescriptor
	// Bytes and Keys are the live data (newest versions that are puts):
	// what splits and merges go by. TotalBytes counts every version; it
	// stays high after deletes until the history is collected.
	Bytes, Keys int64
	TotalBytes  int64
	// ReadsPerSec and WritesPerSec are batches per second served lately.
	ReadsPerSec, WritesPerSec float64
	// SizeSplitKey roughly halves the range's bytes, LoadSplitKey its
	// load; nil when there is none (computed only when asked for).
	SizeSplitKey, LoadSplitKey Key
	// Behind lists the stores whose replica has not caught up with the
	// leader's commit index.
	Behind []StoreID
	// Frozen is true while the range is subsumed by a merge.
	Frozen bool
}

// StoreReport is one store's report to the placement driver.
type StoreReport struct {
	NodeID                    NodeID
	StoreID                   StoreID
	CapacityBytes             uint64
	AvailableBytes            uint64
	UsedBytes                 uint64
	Ranges, Leaders           uint32
	ReadsPerSec, WritesPerSec float64
	// Leading holds the ranges this store leads.
	Leading []RangeReport
}

const storeReportFormat byte = 1

func encodeFloat(w *Writer, f float64) { w.Uvarint(math.Float64bits(f)) }
func decodeFloat(r *Reader) float64    { return math.Float64frombits(r.Uvarint()) }

func (s *StoreReport) encode(w *Writer) {
	w.Byte(storeReportFormat)
	w.Uvarint(uint64(s.NodeID))
	w.Uvarint(uint64(s.StoreID))
	w.Uvarint(s.CapacityBytes)
	w.Uvarint(s.AvailableBytes)
	w.Uvarint(s.UsedBytes)
	w.Uvarint(uint64(s.Ranges))
	w.Uvarint(uint64(s.Leaders))
	encodeFloat(w, s.ReadsPerSec)
	encodeFloat(w, s.WritesPerSec)
	w.Uvarint(uint64(len(s.Leading)))
	for i := range s.Leading {
		rr := &s.Leading[i]
		rr.Desc.encode(w)
		w.Varint(rr.Bytes)
		w.Varint(rr.Keys)
		w.Varint(rr.TotalBytes)
		encodeFloat(w, rr.ReadsPerSec)
		encodeFloat(w, rr.WritesPerSec)
		w.Bytes_(rr.SizeSplitKey)
		w.Bytes_(rr.LoadSplitKey)
		w.Uvarint(uint64(len(rr.Behind)))
		for _, b := range rr.Behind {
			w.Uvarint(uint64(b))
		}
		w.Bool(rr.Frozen)
	}
}

func decodeStoreReport(r *Reader) StoreReport {
	var s StoreReport
	if f := r.Byte(); f != storeReportFormat && r.Err() == nil {
		r.err = fmt.Errorf("kvpb: store report format %d unknown", f)
		return s
	}
	s.NodeID, s.StoreID = NodeID(r.Uvarint()), StoreID(r.Uvarint())
	s.CapacityBytes, s.AvailableBytes, s.UsedBytes = r.Uvarint(), r.Uvarint(), r.Uvarint()
	s.Ranges, s.Leaders = uint32(r.Uvarint()), uint32(r.Uvarint())
	s.ReadsPerSec, s.WritesPerSec = decodeFloat(r), decodeFloat(r)
	n := r.Count()
	for i := 0; i < n && r.Err() == nil; i++ {
		rr := RangeReport{Desc: *decodeRangeDescriptor(r)}
		rr.Bytes, rr.Keys, rr.TotalBytes = r.Varint(), r.Varint(), r.Varint()
		rr.ReadsPerSec, rr.WritesPerSec = decodeFloat(r), decodeFloat(r)
		rr.SizeSplitKey, rr.LoadSplitKey = Key(cloneBytes(r.Bytes())), Key(cloneBytes(r.Bytes()))
		m := r.Count()
		for j := 0; j < m && r.Err() == nil; j++ {
			rr.Behind = append(rr.Behind, StoreID(r.Uvarint()))
		}
		rr.Frozen = r.Bool()
		s.Leading = append(s.Leading, rr)
	}
	return s
}

// StoreReportRequest asks a node for its store's report. WithSplitKeys
// asks for the split keys of the ranges over SplitBytes or SplitQPS
// (they cost a scan each).
type StoreReportRequest struct {
	WithSplitKeys bool
	SplitBytes    int64
	SplitQPS      float64
}

// StoreReportResponse carries the report.
type StoreReportResponse struct{ Report StoreReport }

// PlacementOpRequest asks the node whose store leads Op.RangeID to carry
// out Op; the batch's RangeID is Op.RangeID.
type PlacementOpRequest struct{ Op PlacementOp }

// PlacementOpResponse is empty: the op was carried out.
type PlacementOpResponse struct{}

func (*StoreReportRequest) Method() Method  { return MethodStoreReport }
func (*StoreReportResponse) Method() Method { return MethodStoreReport }
func (*StoreReportRequest) IsWrite() bool   { return false }
func (*StoreReportRequest) Header() Key     { return nil }
func (*PlacementOpRequest) Method() Method  { return MethodPlacementOp }
func (*PlacementOpResponse) Method() Method { return MethodPlacementOp }
func (*PlacementOpRequest) IsWrite() bool   { return false }
func (*PlacementOpRequest) Header() Key     { return nil }

// PlacementDecision is one logged decision: an op, when it was decided,
// and how carrying it out ended ("" while it runs or when it succeeded,
// else the error).
type PlacementDecision struct {
	UnixNanos int64
	Op        PlacementOp
	Outcome   string
}

// PlacementPrefix starts /System/placement/<unix nanos>: the decision log.
var PlacementPrefix = SystemKey("placement/")

// PlacementDecisionKey returns the log key of a decision made at nanos.
func PlacementDecisionKey(nanos int64) Key {
	return EncodeUvarintAscending(append(Key(nil), PlacementPrefix...), uint64(nanos))
}

// StickySplitPrefix starts /System/sticky/<key>: split points a user asked
// for (SPLIT TABLE …), which the driver never merges away.
var StickySplitPrefix = SystemKey("sticky/")

// StickySplitKey returns the marker of a manual split at k.
func StickySplitKey(k Key) Key { return append(append(Key(nil), StickySplitPrefix...), k...) }

const decisionFormat byte = 1

// Marshal encodes the decision with a format byte.
func (d *PlacementDecision) Marshal() []byte {
	var w Writer
	w.Byte(decisionFormat)
	w.Varint(d.UnixNanos)
	d.Op.encode(&w)
	w.Bytes_([]byte(d.Outcome))
	return w.Bytes()
}

// UnmarshalPlacementDecision decodes what Marshal made.
func UnmarshalPlacementDecision(b []byte) (PlacementDecision, error) {
	r := NewReader(b)
	if f := r.Byte(); f != decisionFormat {
		return PlacementDecision{}, fmt.Errorf("kvpb: placement decision format %d unknown", f)
	}
	d := PlacementDecision{UnixNanos: r.Varint()}
	d.Op = decodePlacementOp(r)
	d.Outcome = string(r.Bytes())
	if err := r.Err(); err != nil {
		return PlacementDecision{}, fmt.Errorf("kvpb: decoding a placement decision: %w", err)
	}
	return d, nil
}

// IsTableStart reports whether k is exactly /Table/<id>: where a table's
// own range starts, which merges never cross.
func IsTableStart(k Key) bool {
	if len(k) < 2 || k[0] != tablePrefixByte {
		return false
	}
	rest, _, err := DecodeUvarintAscending(k[1:])
	return err == nil && len(rest) == 0
}

// IsStickySplit reports whether k is among sticky, the sorted manual split
// points.
func IsStickySplit(sticky []Key, k Key) bool {
	_, found := slices.BinarySearchFunc(sticky, k, Key.Compare)
	return found
}
