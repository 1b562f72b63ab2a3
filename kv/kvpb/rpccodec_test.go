package kvpb

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
)

func TestResponsesRoundTrip(t *testing.T) {
	resps := []Response{
		&GetResponse{Value: []byte("v"), Found: true, Ts: 7},
		&GetResponse{},
		&ScanResponse{Rows: []KeyValue{{Key: Key("a"), Value: []byte("1"), Ts: 3}, {Key: Key("b"), Value: []byte("2"), Ts: 4}},
			ResumeSpan: &Span{Key: Key("c"), EndKey: Key("d")}},
		&ScanResponse{},
		&OnePCResponse{CommitTs: 99},
		&TxnHeartBeatResponse{TTL: 3000},
		&CheckTxnStatusResponse{Status: TxnStatus(2), CommitTs: 5, LockTTL: 6},
		&RawGetResponse{Value: []byte("r"), Found: true},
		&IncrementResponse{NewValue: -5},
		&PrewriteResponse{}, &CommitResponse{}, &RollbackResponse{}, &ResolveLockResponse{}, &RawPutResponse{},
		&RawCPutResponse{}, &RawDeleteResponse{}, &ClearRangeResponse{}, &PessimisticLockResponse{},
		&WaitLockResponse{Released: true}, &WaitLockResponse{},
		&AdminSubsumeResponse{Desc: RangeDescriptor{RangeID: 3, StartKey: Key("m"), EndKey: Key("z"),
			Replicas: []ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}}, NextReplicaID: 2, Generation: 4}, Index: 17, MaxReadTs: 40},
		&AdminMergeResponse{Merged: RangeDescriptor{RangeID: 2, StartKey: Key("a"), EndKey: Key("z"),
			Replicas: []ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}}, NextReplicaID: 2, Generation: 5}},
		&WaitAppliedResponse{Applied: 17},
		&StoreReportResponse{Report: StoreReport{NodeID: 2, StoreID: 2, CapacityBytes: 100, AvailableBytes: 40, UsedBytes: 60,
			Ranges: 3, Leaders: 1, ReadsPerSec: 2.5, WritesPerSec: 0.25,
			Leading: []RangeReport{{Desc: RangeDescriptor{RangeID: 3, StartKey: Key("m"), EndKey: Key("z"),
				Replicas:      []ReplicaDescriptor{{NodeID: 2, StoreID: 2, ReplicaID: 1}, {NodeID: 3, StoreID: 3, ReplicaID: 2, Learner: true}},
				NextReplicaID: 3, Generation: 4}, Bytes: 1 << 20, Keys: 900, TotalBytes: 3 << 20, ReadsPerSec: 10, WritesPerSec: 3.5,
				SizeSplitKey: Key("q"), Behind: []StoreID{3}, Frozen: true}}}},
		&PlacementOpResponse{},
	}
	got, err := DecodeResponses(EncodeResponses(resps))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, resps) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", got, resps)
	}
}

func TestErrorsRoundTrip(t *testing.T) {
	desc := RangeDescriptor{RangeID: 3, StartKey: Key("a"), EndKey: Key("m"),
		Replicas: []ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}, {NodeID: 2, StoreID: 2, ReplicaID: 4}}, NextReplicaID: 5, Generation: 2}
	for _, e := range []error{
		&KeyLockedError{Lock: LockInfo{Key: Key("k"), Primary: Key("p"), StartTs: 4, TTL: 3000, Op: OpPut}},
		&WriteConflictError{Key: Key("k"), StartTs: 1, ConflictStartTs: 2, ConflictCommitTs: 3},
		&OnePCUnavailableError{RangeID: 1, Reason: "locks"},
		&DeadlockError{Key: Key("k"), HolderStartTs: 9},
		&LockWaitTimeoutError{Key: Key("k")},
		&KeyExistsError{Key: Key("k")},
		&TxnAbortedError{Key: Key("k"), StartTs: 8},
		&TxnLockNotFoundError{Key: Key("k"), StartTs: 8},
		&ConditionFailedError{Actual: []byte("x"), Exists: true},
		&RangeNotFoundError{RangeID: 7, StoreID: 2},
		&RangeKeyMismatchError{Key: Key("z"), Ranges: []RangeDescriptor{desc}},
		&NotLeaderError{RangeID: 1, Leader: ReplicaDescriptor{NodeID: 3, StoreID: 3, ReplicaID: 2}, LeaderAddr: "127.0.0.1:26359"},
		&BufferTooLargeError{Limit: 64 << 20},
		&DiskFullError{StoreID: 2, Available: 10, Reserve: 64 << 20},
		&StoreFailedError{StoreID: 3, Cause: "write: no space left on device", NoSpace: true},
		&RangeFrozenError{RangeID: 3},
		&RemoteError{Message: "store stopped"},
	} {
		got := DecodeError(EncodeError(e))
		if !reflect.DeepEqual(got, e) {
			t.Errorf("%T: got %#v, want %#v", e, got, e)
		}
		// Wrapped, the type is still found.
		if got := DecodeError(EncodeError(fmt.Errorf("ctx: %w", e))); reflect.TypeOf(got) != reflect.TypeOf(e) {
			t.Errorf("wrapped %T decoded as %T", e, got)
		}
	}
	if got := DecodeError(EncodeError(fmt.Errorf("op: %w", context.Canceled))); !errors.Is(got, context.Canceled) {
		t.Errorf("canceled: %v", got)
	}
	if got := DecodeError(EncodeError(context.DeadlineExceeded)); !errors.Is(got, context.DeadlineExceeded) {
		t.Errorf("deadline: %v", got)
	}
	if got := DecodeError(EncodeError(errors.New("boom"))); got.Error() != "boom" {
		t.Errorf("other: %v", got)
	}
}

// FuzzDecodeRPC feeds arbitrary bytes to the response and error decoders:
// neither panics, DecodeError never returns nil, and decoded responses
// re-encode to what decodes the same.
func FuzzDecodeRPC(f *testing.F) {
	f.Add(EncodeResponses([]Response{&ScanResponse{Rows: []KeyValue{{Key: Key("a")}}}}), false)
	f.Add(EncodeError(&NotLeaderError{RangeID: 1}), true)
	f.Fuzz(func(t *testing.T, b []byte, isErr bool) {
		if isErr {
			if DecodeError(b) == nil {
				t.Fatal("nil error")
			}
			return
		}
		resps, err := DecodeResponses(b)
		if err != nil {
			return
		}
		again, err := DecodeResponses(EncodeResponses(resps))
		if err != nil || !reflect.DeepEqual(again, resps) {
			t.Fatalf("responses do not round-trip: %v", err)
		}
	})
}
