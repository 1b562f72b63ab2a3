package kvpb

import (
	"context"
	"errors"
	"fmt"
)

// The codec of batch responses and errors, for batches that travel
// between nodes (node RPC). Requests use EncodeRequests, the raft
// command codec. Like every format here, each starts with a format byte.

const (
	responsesFormat byte = 1
	errorFormat     byte = 1
)

// EncodeResponses encodes a batch's responses.
func EncodeResponses(resps []Response) []byte {
	var w Writer
	w.Byte(responsesFormat)
	w.Uvarint(uint64(len(resps)))
	for _, resp := range resps {
		w.Byte(byte(resp.Method()))
		encodeResponse(&w, resp)
	}
	return w.Bytes()
}

// DecodeResponses decodes what EncodeResponses made.
func DecodeResponses(b []byte) ([]Response, error) {
	r := NewReader(b)
	if f := r.Byte(); r.Err() == nil && f != responsesFormat {
		return nil, fmt.Errorf("kvpb: response format %d unknown", f)
	}
	n := r.Count()
	resps := make([]Response, 0, n)
	for i := 0; i < n && r.Err() == nil; i++ {
		resp, err := decodeResponse(r, Method(r.Byte()))
		if err != nil {
			return nil, err
		}
		resps = append(resps, resp)
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	if !r.Done() {
		return nil, errors.New("kvpb: trailing bytes after responses")
	}
	return resps, nil
}

func encodeResponse(w *Writer, resp Response) {
	switch t := resp.(type) {
	case *GetResponse:
		w.Bytes_(t.Value)
		w.Bool(t.Found)
		w.Uvarint(uint64(t.Ts))
	case *ScanResponse:
		w.Uvarint(uint64(len(t.Rows)))
		for _, kv := range t.Rows {
			w.Bytes_(kv.Key)
			w.Bytes_(kv.Value)
			w.Uvarint(uint64(kv.Ts))
		}
		w.Bool(t.ResumeSpan != nil)
		if t.ResumeSpan != nil {
			w.Bytes_(t.ResumeSpan.Key)
			w.Bytes_(t.ResumeSpan.EndKey)
		}
	case *RawScanResponse:
		w.Uvarint(uint64(len(t.Rows)))
		for _, kv := range t.Rows {
			w.Bytes_(kv.Key)
			w.Bytes_(kv.Value)
		}
	case *AdminSplitResponse:
		t.Left.encode(w)
		t.Right.encode(w)
	case *OnePCResponse:
		w.Uvarint(uint64(t.CommitTs))
	case *TxnHeartBeatResponse:
		w.Uvarint(t.TTL)
	case *CheckTxnStatusResponse:
		w.Byte(byte(t.Status))
		w.Uvarint(uint64(t.CommitTs))
		w.Uvarint(t.LockTTL)
	case *RawGetResponse:
		w.Bytes_(t.Value)
		w.Bool(t.Found)
	case *IncrementResponse:
		w.Varint(t.NewValue)
	case *PrewriteResponse, *CommitResponse, *RollbackResponse, *ResolveLockResponse, *RawPutResponse,
		*RawCPutResponse, *RawDeleteResponse, *ClearRangeResponse, *PessimisticLockResponse:
		// Empty.
	case *WaitLockResponse:
		w.Bool(t.Released)
	case *AdminSubsumeResponse:
		t.Desc.encode(w)
		w.Uvarint(t.Index)
		w.Uvarint(uint64(t.MaxReadTs))
	case *AdminMergeResponse:
		t.Merged.encode(w)
	case *WaitAppliedResponse:
		w.Uvarint(t.Applied)
	case *StoreReportResponse:
		t.Report.encode(w)
	case *PlacementOpResponse:
		// Empty.
	default:
		panic(fmt.Sprintf("kvpb: cannot encode %T", resp))
	}
}

func decodeResponse(r *Reader, m Method) (Response, error) {
	switch m {
	case MethodGet:
		return &GetResponse{Value: r.Bytes(), Found: r.Bool(), Ts: Timestamp(r.Uvarint())}, nil
	case MethodScan:
		resp := &ScanResponse{}
		n := r.Count()
		for i := 0; i < n && r.Err() == nil; i++ {
			resp.Rows = append(resp.Rows, KeyValue{Key: r.Bytes(), Value: r.Bytes(), Ts: Timestamp(r.Uvarint())})
		}
		if r.Bool() {
			resp.ResumeSpan = &Span{Key: r.Bytes(), EndKey: r.Bytes()}
		}
		return resp, nil
	case MethodRawScan:
		resp := &RawScanResponse{}
		n := r.Count()
		for i := 0; i < n && r.Err() == nil; i++ {
			resp.Rows = append(resp.Rows, KeyValue{Key: r.Bytes(), Value: r.Bytes()})
		}
		return resp, nil
	case MethodAdminSplit:
		return &AdminSplitResponse{Left: *decodeRangeDescriptor(r), Right: *decodeRangeDescriptor(r)}, nil
	case MethodOnePC:
		return &OnePCResponse{CommitTs: Timestamp(r.Uvarint())}, nil
	case MethodTxnHeartBeat:
		return &TxnHeartBeatResponse{TTL: r.Uvarint()}, nil
	case MethodCheckTxnStatus:
		return &CheckTxnStatusResponse{Status: TxnStatus(r.Byte()), CommitTs: Timestamp(r.Uvarint()), LockTTL: r.Uvarint()}, nil
	case MethodRawGet:
		return &RawGetResponse{Value: r.Bytes(), Found: r.Bool()}, nil
	case MethodIncrement:
		return &IncrementResponse{NewValue: r.Varint()}, nil
	case MethodPrewrite:
		return &PrewriteResponse{}, nil
	case MethodCommit:
		return &CommitResponse{}, nil
	case MethodRollback:
		return &RollbackResponse{}, nil
	case MethodResolveLock:
		return &ResolveLockResponse{}, nil
	case MethodRawPut:
		return &RawPutResponse{}, nil
	case MethodRawCPut:
		return &RawCPutResponse{}, nil
	case MethodRawDelete:
		return &RawDeleteResponse{}, nil
	case MethodClearRange:
		return &ClearRangeResponse{}, nil
	case MethodPessimisticLock:
		return &PessimisticLockResponse{}, nil
	case MethodWaitLock:
		return &WaitLockResponse{Released: r.Bool()}, nil
	case MethodAdminSubsume:
		resp := &AdminSubsumeResponse{Desc: *decodeRangeDescriptor(r)}
		resp.Index, resp.MaxReadTs = r.Uvarint(), Timestamp(r.Uvarint())
		return resp, nil
	case MethodAdminMerge:
		return &AdminMergeResponse{Merged: *decodeRangeDescriptor(r)}, nil
	case MethodWaitApplied:
		return &WaitAppliedResponse{Applied: r.Uvarint()}, nil
	case MethodStoreReport:
		return &StoreReportResponse{Report: decodeStoreReport(r)}, r.Err()
	case MethodPlacementOp:
		return &PlacementOpResponse{}, nil
	}
	if r.Err() != nil {
		return nil, r.Err()
	}
	return nil, fmt.Errorf("kvpb: unknown method %d", m)
}

// errorKind tags an encoded error. Values travel between nodes of
// different versions: append, never renumber.
type errorKind byte

const (
	errOther errorKind = iota + 1
	errCanceled
	errDeadline
	errKeyLocked
	errWriteConflict
	errOnePCUnavailable
	errDeadlock
	errLockWaitTimeout
	errKeyExists
	errTxnAborted
	errTxnLockNotFound
	errConditionFailed
	errRangeNotFound
	errRangeKeyMismatch
	errNotLeader
	errBufferTooLarge
	errDiskFull
	errStoreFailed
	errRangeFrozen
)

// RemoteError is an error another node returned that has no type of its
// own in the codec: its message, verbatim.
type RemoteError struct{ Message string }

func (e *RemoteError) Error() string { return e.Message }

// EncodeError encodes err so that DecodeError gives back an error of the
// same type (the kvpb errors, context.Canceled and DeadlineExceeded), or a
// *RemoteError with its message.
func EncodeError(err error) []byte {
	var w Writer
	w.Byte(errorFormat)
	var (
		kl *KeyLockedError
		wc *WriteConflictError
		op *OnePCUnavailableError
		dl *DeadlockError
		lt *LockWaitTimeoutError
		ke *KeyExistsError
		ab *TxnAbortedError
		ln *TxnLockNotFoundError
		cf *ConditionFailedError
		rn *RangeNotFoundError
		rm *RangeKeyMismatchError
		nl *NotLeaderError
		bt *BufferTooLargeError
		df *DiskFullError
		sf *StoreFailedError
		fz *RangeFrozenError
	)
	switch {
	case errors.As(err, &kl):
		w.Byte(byte(errKeyLocked))
		encodeLockInfo(&w, kl.Lock)
	case errors.As(err, &wc):
		w.Byte(byte(errWriteConflict))
		w.Bytes_(wc.Key)
		w.Uvarint(uint64(wc.StartTs))
		w.Uvarint(uint64(wc.ConflictStartTs))
		w.Uvarint(uint64(wc.ConflictCommitTs))
	case errors.As(err, &op):
		w.Byte(byte(errOnePCUnavailable))
		w.Uvarint(uint64(op.RangeID))
		w.Bytes_([]byte(op.Reason))
	case errors.As(err, &dl):
		w.Byte(byte(errDeadlock))
		w.Bytes_(dl.Key)
		w.Uvarint(uint64(dl.HolderStartTs))
	case errors.As(err, &lt):
		w.Byte(byte(errLockWaitTimeout))
		w.Bytes_(lt.Key)
	case errors.As(err, &ke):
		w.Byte(byte(errKeyExists))
		w.Bytes_(ke.Key)
	case errors.As(err, &ab):
		w.Byte(byte(errTxnAborted))
		w.Bytes_(ab.Key)
		w.Uvarint(uint64(ab.StartTs))
	case errors.As(err, &ln):
		w.Byte(byte(errTxnLockNotFound))
		w.Bytes_(ln.Key)
		w.Uvarint(uint64(ln.StartTs))
	case errors.As(err, &cf):
		w.Byte(byte(errConditionFailed))
		w.Bytes_(cf.Actual)
		w.Bool(cf.Exists)
	case errors.As(err, &rn):
		w.Byte(byte(errRangeNotFound))
		w.Uvarint(uint64(rn.RangeID))
		w.Uvarint(uint64(rn.StoreID))
	case errors.As(err, &rm):
		w.Byte(byte(errRangeKeyMismatch))
		w.Bytes_(rm.Key)
		w.Uvarint(uint64(len(rm.Ranges)))
		for i := range rm.Ranges {
			rm.Ranges[i].encode(&w)
		}
	case errors.As(err, &nl):
		w.Byte(byte(errNotLeader))
		w.Uvarint(uint64(nl.RangeID))
		w.Uvarint(uint64(nl.Leader.NodeID))
		w.Uvarint(uint64(nl.Leader.StoreID))
		w.Uvarint(uint64(nl.Leader.ReplicaID))
		w.Bytes_([]byte(nl.LeaderAddr))
	case errors.As(err, &bt):
		w.Byte(byte(errBufferTooLarge))
		w.Varint(bt.Limit)
	case errors.As(err, &df):
		w.Byte(byte(errDiskFull))
		w.Uvarint(uint64(df.StoreID))
		w.Uvarint(df.Available)
		w.Uvarint(df.Reserve)
	case errors.As(err, &sf):
		w.Byte(byte(errStoreFailed))
		w.Uvarint(uint64(sf.StoreID))
		w.Bytes_([]byte(sf.Cause))
		w.Bool(sf.NoSpace)
	case errors.As(err, &fz):
		w.Byte(byte(errRangeFrozen))
		w.Uvarint(uint64(fz.RangeID))
	case errors.Is(err, context.Canceled):
		w.Byte(byte(errCanceled))
	case errors.Is(err, context.DeadlineExceeded):
		w.Byte(byte(errDeadline))
	default:
		w.Byte(byte(errOther))
		w.Bytes_([]byte(err.Error()))
	}
	return w.Bytes()
}

// DecodeError decodes what EncodeError made. Corrupt input decodes to a
// *RemoteError saying so, never to nil.
func DecodeError(b []byte) error {
	r := NewReader(b)
	if f := r.Byte(); r.Err() != nil || f != errorFormat {
		return &RemoteError{Message: fmt.Sprintf("kvpb: error format %d unknown", f)}
	}
	var err error
	switch errorKind(r.Byte()) {
	case errCanceled:
		err = context.Canceled
	case errDeadline:
		err = context.DeadlineExceeded
	case errKeyLocked:
		err = &KeyLockedError{Lock: decodeLockInfo(r)}
	case errWriteConflict:
		err = &WriteConflictError{Key: r.Bytes(), StartTs: Timestamp(r.Uvarint()),
			ConflictStartTs: Timestamp(r.Uvarint()), ConflictCommitTs: Timestamp(r.Uvarint())}
	case errOnePCUnavailable:
		err = &OnePCUnavailableError{RangeID: RangeID(r.Uvarint()), Reason: string(r.Bytes())}
	case errDeadlock:
		err = &DeadlockError{Key: r.Bytes(), HolderStartTs: Timestamp(r.Uvarint())}
	case errLockWaitTimeout:
		err = &LockWaitTimeoutError{Key: r.Bytes()}
	case errKeyExists:
		err = &KeyExistsError{Key: r.Bytes()}
	case errTxnAborted:
		err = &TxnAbortedError{Key: r.Bytes(), StartTs: Timestamp(r.Uvarint())}
	case errTxnLockNotFound:
		err = &TxnLockNotFoundError{Key: r.Bytes(), StartTs: Timestamp(r.Uvarint())}
	case errConditionFailed:
		err = &ConditionFailedError{Actual: r.Bytes(), Exists: r.Bool()}
	case errRangeNotFound:
		err = &RangeNotFoundError{RangeID: RangeID(r.Uvarint()), StoreID: StoreID(r.Uvarint())}
	case errRangeKeyMismatch:
		e := &RangeKeyMismatchError{Key: r.Bytes()}
		n := r.Count()
		for i := 0; i < n && r.Err() == nil; i++ {
			e.Ranges = append(e.Ranges, *decodeRangeDescriptor(r))
		}
		err = e
	case errNotLeader:
		err = &NotLeaderError{RangeID: RangeID(r.Uvarint()), Leader: ReplicaDescriptor{
			NodeID: NodeID(r.Uvarint()), StoreID: StoreID(r.Uvarint()), ReplicaID: ReplicaID(r.Uvarint())},
			LeaderAddr: string(r.Bytes())}
	case errBufferTooLarge:
		err = &BufferTooLargeError{Limit: r.Varint()}
	case errDiskFull:
		err = &DiskFullError{StoreID: StoreID(r.Uvarint()), Available: r.Uvarint(), Reserve: r.Uvarint()}
	case errStoreFailed:
		err = &StoreFailedError{StoreID: StoreID(r.Uvarint()), Cause: string(r.Bytes()), NoSpace: r.Bool()}
	case errRangeFrozen:
		err = &RangeFrozenError{RangeID: RangeID(r.Uvarint())}
	case errOther:
		err = &RemoteError{Message: string(r.Bytes())}
	default:
		return &RemoteError{Message: "kvpb: unknown error kind"}
	}
	if r.Err() != nil || !r.Done() {
		return &RemoteError{Message: "kvpb: corrupt error encoding"}
	}
	return err
}

func encodeLockInfo(w *Writer, l LockInfo) {
	w.Bytes_(l.Key)
	w.Bytes_(l.Primary)
	w.Uvarint(uint64(l.StartTs))
	w.Uvarint(l.TTL)
	w.Byte(byte(l.Op))
}

func decodeLockInfo(r *Reader) LockInfo {
	return LockInfo{Key: r.Bytes(), Primary: r.Bytes(), StartTs: Timestamp(r.Uvarint()), TTL: r.Uvarint(), Op: MutationOp(r.Byte())}
}
