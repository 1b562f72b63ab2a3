package kvpb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Writer appends a compact binary encoding: uvarints, length-prefixed bytes.
// It is the codec of raft commands and stored records; every format built on
// it starts with a format byte so it can evolve.
type Writer struct{ buf []byte }

// Bytes returns what was written.
func (w *Writer) Bytes() []byte { return w.buf }

// Byte appends one byte.
func (w *Writer) Byte(b byte) { w.buf = append(w.buf, b) }

// Uvarint appends v as a uvarint.
func (w *Writer) Uvarint(v uint64) { w.buf = binary.AppendUvarint(w.buf, v) }

// Varint appends v as a zig-zag varint.
func (w *Writer) Varint(v int64) { w.buf = binary.AppendVarint(w.buf, v) }

// Bool appends a boolean as one byte.
func (w *Writer) Bool(b bool) {
	if b {
		w.Byte(1)
	} else {
		w.Byte(0)
	}
}

// Bytes_ appends length-prefixed bytes. (Named with a trailing underscore
// because Bytes returns the buffer.)
func (w *Writer) Bytes_(b []byte) {
	w.Uvarint(uint64(len(b)))
	w.buf = append(w.buf, b...)
}

// Reader decodes what a Writer wrote. The first error sticks: later calls
// return zero values, and Err reports it.
type Reader struct {
	buf []byte
	err error
}

// NewReader reads b.
func NewReader(b []byte) *Reader { return &Reader{buf: b} }

// ErrTruncated is the error of a Reader that ran out of bytes.
var ErrTruncated = errors.New("kvpb: truncated encoding")

// Err returns the first decoding error.
func (r *Reader) Err() error { return r.err }

// Done reports whether every byte was consumed.
func (r *Reader) Done() bool { return len(r.buf) == 0 }

// Byte reads one byte.
func (r *Reader) Byte() byte {
	if r.err != nil || len(r.buf) < 1 {
		r.fail()
		return 0
	}
	b := r.buf[0]
	r.buf = r.buf[1:]
	return b
}

// Bool reads a boolean.
func (r *Reader) Bool() bool { return r.Byte() != 0 }

// Uvarint reads a uvarint.
func (r *Reader) Uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.buf)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

// Varint reads a zig-zag varint.
func (r *Reader) Varint() int64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Varint(r.buf)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.buf = r.buf[n:]
	return v
}

// Count reads a uvarint used as an element count, bounded by the bytes left
// (every element takes at least one byte), so corrupt input cannot make a
// caller allocate without bound.
func (r *Reader) Count() int {
	n := r.Uvarint()
	if n > uint64(len(r.buf)) {
		r.fail()
		return 0
	}
	return int(n)
}

// Bytes reads length-prefixed bytes (a copy, nil when empty).
func (r *Reader) Bytes() []byte {
	n := r.Uvarint()
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.buf)) {
		r.fail()
		return nil
	}
	if n == 0 {
		return nil
	}
	b := append([]byte(nil), r.buf[:n]...)
	r.buf = r.buf[n:]
	return b
}

func (r *Reader) fail() {
	if r.err == nil {
		r.err = ErrTruncated
	}
	r.buf = nil
}

const requestsFormat byte = 1

// EncodeRequests encodes a list of requests (a raft command's payload, or a
// batch on the wire). The encoding starts with a format byte.
func EncodeRequests(reqs []Request) []byte {
	var w Writer
	w.Byte(requestsFormat)
	w.Uvarint(uint64(len(reqs)))
	for _, req := range reqs {
		w.Byte(byte(req.Method()))
		encodeRequest(&w, req)
	}
	return w.Bytes()
}

// DecodeRequests decodes what EncodeRequests made.
func DecodeRequests(b []byte) ([]Request, error) {
	r := NewReader(b)
	if f := r.Byte(); r.Err() == nil && f != requestsFormat {
		return nil, fmt.Errorf("kvpb: request format %d unknown", f)
	}
	n := r.Count()
	reqs := make([]Request, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		req, err := decodeRequest(r, Method(r.Byte()))
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, req)
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	if !r.Done() {
		return nil, errors.New("kvpb: trailing bytes after requests")
	}
	return reqs, nil
}

func encodeMutations(w *Writer, ms []Mutation) {
	w.Uvarint(uint64(len(ms)))
	for _, m := range ms {
		w.Byte(byte(m.Op))
		w.Bytes_(m.Key)
		w.Bytes_(m.Value)
	}
}

func decodeMutations(r *Reader) []Mutation {
	n := r.Count()
	var ms []Mutation
	for i := 0; i < n && r.Err() == nil; i++ {
		ms = append(ms, Mutation{Op: MutationOp(r.Byte()), Key: r.Bytes(), Value: r.Bytes()})
	}
	return ms
}

func encodeKeys(w *Writer, ks []Key) {
	w.Uvarint(uint64(len(ks)))
	for _, k := range ks {
		w.Bytes_(k)
	}
}

func decodeKeys(r *Reader) []Key {
	n := r.Count()
	ks := make([]Key, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		ks = append(ks, r.Bytes())
	}
	return ks
}

func encodeRequest(w *Writer, req Request) {
	switch t := req.(type) {
	case *GetRequest:
		w.Bytes_(t.Key)
		w.Uvarint(uint64(t.Ts))
	case *ScanRequest:
		w.Bytes_(t.Span.Key)
		w.Bytes_(t.Span.EndKey)
		w.Uvarint(uint64(t.Ts))
		w.Varint(t.MaxKeys)
		w.Varint(t.MaxBytes)
		w.Bool(t.Reverse)
	case *PrewriteRequest:
		w.Bytes_(t.Primary)
		w.Uvarint(uint64(t.StartTs))
		w.Uvarint(t.LockTTL)
		encodeMutations(w, t.Mutations)
	case *OnePCRequest:
		w.Uvarint(uint64(t.StartTs))
		w.Uvarint(uint64(t.MinCommitTs))
		w.Uvarint(uint64(t.CommitTs))
		encodeMutations(w, t.Mutations)
	case *PessimisticLockRequest:
		w.Bytes_(t.Primary)
		w.Uvarint(uint64(t.StartTs))
		w.Uvarint(uint64(t.ForUpdateTs))
		w.Uvarint(t.LockTTL)
		encodeKeys(w, t.Keys)
	case *TxnHeartBeatRequest:
		w.Bytes_(t.Primary)
		w.Uvarint(uint64(t.StartTs))
		w.Uvarint(t.TTL)
	case *CommitRequest:
		w.Uvarint(uint64(t.StartTs))
		w.Uvarint(uint64(t.CommitTs))
		encodeKeys(w, t.Keys)
	case *RollbackRequest:
		w.Uvarint(uint64(t.StartTs))
		encodeKeys(w, t.Keys)
	case *CheckTxnStatusRequest:
		w.Bytes_(t.Primary)
		w.Uvarint(uint64(t.StartTs))
		w.Uvarint(uint64(t.CurrentTs))
	case *ResolveLockRequest:
		w.Uvarint(uint64(t.StartTs))
		w.Uvarint(uint64(t.CommitTs))
		encodeKeys(w, t.Keys)
	case *RawGetRequest:
		w.Bytes_(t.Key)
	case *RawPutRequest:
		w.Bytes_(t.Key)
		w.Bytes_(t.Value)
	case *RawCPutRequest:
		w.Bytes_(t.Key)
		w.Bytes_(t.Value)
		w.Bytes_(t.Expected)
		w.Bool(t.ExpectedExists)
	case *IncrementRequest:
		w.Bytes_(t.Key)
		w.Varint(t.Inc)
	case *RawDeleteRequest:
		w.Bytes_(t.Key)
	case *ClearRangeRequest:
		w.Bytes_(t.Span.Key)
		w.Bytes_(t.Span.EndKey)
	case *RawScanRequest:
		w.Bytes_(t.Span.Key)
		w.Bytes_(t.Span.EndKey)
		w.Varint(t.MaxKeys)
	case *AdminSplitRequest:
		w.Bytes_(t.SplitKey)
		w.Uvarint(uint64(t.RightRangeID))
		w.Uvarint(t.Generation)
	case *WaitLockRequest:
		w.Bytes_(t.Key)
		w.Uvarint(uint64(t.LockStartTs))
		w.Uvarint(t.WaitMillis)
	case *AdminSubsumeRequest:
		w.Uvarint(t.Generation)
		w.Uvarint(uint64(t.LeftRangeID))
	case *AdminMergeRequest:
		w.Uvarint(t.LeftGeneration)
		t.RightDesc.encode(w)
		w.Uvarint(t.SubsumeIndex)
		w.Uvarint(uint64(t.RightMaxReadTs))
	case *WaitAppliedRequest:
		w.Uvarint(uint64(t.RangeID))
		w.Uvarint(t.Index)
		w.Uvarint(t.WaitMillis)
	case *StoreReportRequest:
		w.Bool(t.WithSplitKeys)
		w.Varint(t.SplitBytes)
		encodeFloat(w, t.SplitQPS)
	case *PlacementOpRequest:
		t.Op.encode(w)
	default:
		panic(fmt.Sprintf("kvpb: cannot encode %T", req))
	}
}

func decodeRequest(r *Reader, m Method) (Request, error) {
	switch m {
	case MethodGet:
		return &GetRequest{Key: r.Bytes(), Ts: Timestamp(r.Uvarint())}, nil
	case MethodScan:
		return &ScanRequest{Span: Span{Key: r.Bytes(), EndKey: r.Bytes()}, Ts: Timestamp(r.Uvarint()), MaxKeys: r.Varint(), MaxBytes: r.Varint(), Reverse: r.Bool()}, nil
	case MethodPrewrite:
		p := &PrewriteRequest{Primary: r.Bytes(), StartTs: Timestamp(r.Uvarint()), LockTTL: r.Uvarint()}
		p.Mutations = decodeMutations(r)
		return p, nil
	case MethodOnePC:
		p := &OnePCRequest{StartTs: Timestamp(r.Uvarint()), MinCommitTs: Timestamp(r.Uvarint()), CommitTs: Timestamp(r.Uvarint())}
		p.Mutations = decodeMutations(r)
		return p, nil
	case MethodPessimisticLock:
		return &PessimisticLockRequest{Primary: r.Bytes(), StartTs: Timestamp(r.Uvarint()), ForUpdateTs: Timestamp(r.Uvarint()),
			LockTTL: r.Uvarint(), Keys: decodeKeys(r)}, nil
	case MethodTxnHeartBeat:
		return &TxnHeartBeatRequest{Primary: r.Bytes(), StartTs: Timestamp(r.Uvarint()), TTL: r.Uvarint()}, nil
	case MethodCommit:
		return &CommitRequest{StartTs: Timestamp(r.Uvarint()), CommitTs: Timestamp(r.Uvarint()), Keys: decodeKeys(r)}, nil
	case MethodRollback:
		return &RollbackRequest{StartTs: Timestamp(r.Uvarint()), Keys: decodeKeys(r)}, nil
	case MethodCheckTxnStatus:
		return &CheckTxnStatusRequest{Primary: r.Bytes(), StartTs: Timestamp(r.Uvarint()), CurrentTs: Timestamp(r.Uvarint())}, nil
	case MethodResolveLock:
		return &ResolveLockRequest{StartTs: Timestamp(r.Uvarint()), CommitTs: Timestamp(r.Uvarint()), Keys: decodeKeys(r)}, nil
	case MethodRawGet:
		return &RawGetRequest{Key: r.Bytes()}, nil
	case MethodRawPut:
		return &RawPutRequest{Key: r.Bytes(), Value: r.Bytes()}, nil
	case MethodRawCPut:
		return &RawCPutRequest{Key: r.Bytes(), Value: r.Bytes(), Expected: r.Bytes(), ExpectedExists: r.Bool()}, nil
	case MethodIncrement:
		return &IncrementRequest{Key: r.Bytes(), Inc: r.Varint()}, nil
	case MethodRawDelete:
		return &RawDeleteRequest{Key: r.Bytes()}, nil
	case MethodClearRange:
		return &ClearRangeRequest{Span: Span{Key: r.Bytes(), EndKey: r.Bytes()}}, nil
	case MethodRawScan:
		return &RawScanRequest{Span: Span{Key: r.Bytes(), EndKey: r.Bytes()}, MaxKeys: r.Varint()}, nil
	case MethodAdminSplit:
		return &AdminSplitRequest{SplitKey: r.Bytes(), RightRangeID: RangeID(r.Uvarint()), Generation: r.Uvarint()}, nil
	case MethodWaitLock:
		return &WaitLockRequest{Key: r.Bytes(), LockStartTs: Timestamp(r.Uvarint()), WaitMillis: r.Uvarint()}, nil
	case MethodAdminSubsume:
		return &AdminSubsumeRequest{Generation: r.Uvarint(), LeftRangeID: RangeID(r.Uvarint())}, nil
	case MethodAdminMerge:
		m := &AdminMergeRequest{LeftGeneration: r.Uvarint()}
		m.RightDesc = *decodeRangeDescriptor(r)
		m.SubsumeIndex, m.RightMaxReadTs = r.Uvarint(), Timestamp(r.Uvarint())
		return m, nil
	case MethodWaitApplied:
		return &WaitAppliedRequest{RangeID: RangeID(r.Uvarint()), Index: r.Uvarint(), WaitMillis: r.Uvarint()}, nil
	case MethodStoreReport:
		return &StoreReportRequest{WithSplitKeys: r.Bool(), SplitBytes: r.Varint(), SplitQPS: decodeFloat(r)}, r.Err()
	case MethodPlacementOp:
		return &PlacementOpRequest{Op: decodePlacementOp(r)}, r.Err()
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	return nil, fmt.Errorf("kvpb: unknown method %d", m)
}
