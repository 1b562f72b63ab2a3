package kvpb

import (
	"reflect"
	"testing"
)

func TestRequestsRoundTrip(t *testing.T) {
	reqs := []Request{
		&GetRequest{Key: Key("a"), Ts: 7},
		&PessimisticLockRequest{Primary: Key("p"), StartTs: 4, ForUpdateTs: 6, LockTTL: 3000, Keys: []Key{Key("p"), Key("q")}},
		&TxnHeartBeatRequest{Primary: Key("p"), StartTs: 4, TTL: 9000},
		&OnePCRequest{StartTs: 8, MinCommitTs: 10, CommitTs: 11, Mutations: []Mutation{{Op: OpInsert, Key: Key("a"), Value: []byte("v")}, {Op: OpDelete, Key: Key("b")}}},
		&ScanRequest{Span: Span{Key: Key("a"), EndKey: Key("z")}, Ts: 9, MaxKeys: 10, MaxBytes: 4096, Reverse: true},
		&PrewriteRequest{Primary: Key("p"), StartTs: 5, LockTTL: 3000, Mutations: []Mutation{
			{Op: OpPut, Key: Key("p"), Value: []byte("v")}, {Op: OpDelete, Key: Key("q")}, {Op: OpInsert, Key: Key("r"), Value: []byte{0}},
		}},
		&CommitRequest{StartTs: 5, CommitTs: 6, Keys: []Key{Key("p"), Key("q")}},
		&RollbackRequest{StartTs: 5, Keys: []Key{Key("p")}},
		&CheckTxnStatusRequest{Primary: Key("p"), StartTs: 5, CurrentTs: 100},
		&ResolveLockRequest{StartTs: 5, CommitTs: 0, Keys: []Key{Key("x")}},
		&RawGetRequest{Key: Key("k")},
		&RawPutRequest{Key: Key("k"), Value: []byte("v")},
		&RawCPutRequest{Key: Key("k"), Value: []byte("v2"), Expected: []byte("v"), ExpectedExists: true},
		&IncrementRequest{Key: Key("c"), Inc: -3},
		&RawDeleteRequest{Key: Key("k")},
		&ClearRangeRequest{Span: Span{Key: Key("a"), EndKey: Key("b")}},
		&WaitLockRequest{Key: Key("w"), LockStartTs: 12, WaitMillis: 500},
		&AdminSubsumeRequest{Generation: 4, LeftRangeID: 2},
		&AdminMergeRequest{LeftGeneration: 3, RightDesc: RangeDescriptor{RangeID: 3, StartKey: Key("m"), EndKey: Key("z"),
			Replicas: []ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}}, NextReplicaID: 2, Generation: 4}, SubsumeIndex: 17, RightMaxReadTs: 40},
		&WaitAppliedRequest{RangeID: 3, Index: 17, WaitMillis: 1000},
		&StoreReportRequest{WithSplitKeys: true, SplitBytes: 1 << 20, SplitQPS: 2500},
		&PlacementOpRequest{Op: PlacementOp{Kind: OpMerge, RangeID: 4, Generation: 7, Target: ReplicaDescriptor{NodeID: 2, StoreID: 2, ReplicaID: 3},
			From: 1, SplitKey: Key("k"), Right: 5, RightGeneration: 2, Reason: "both under range_min_bytes"}},
	}
	got, err := DecodeRequests(EncodeRequests(reqs))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, reqs) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", got, reqs)
	}
	// Every truncation of a valid encoding is an error, never a panic.
	enc := EncodeRequests(reqs)
	for i := 0; i < len(enc); i++ {
		if _, err := DecodeRequests(enc[:i]); err == nil {
			t.Fatalf("truncated at %d decoded without error", i)
		}
	}
}

func TestDescriptorRoundTrip(t *testing.T) {
	d := &RangeDescriptor{RangeID: 1, StartKey: KeyMin, EndKey: KeyMax, Replicas: []ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}}, NextReplicaID: 2, Generation: 3}
	got, err := UnmarshalRangeDescriptor(d.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("got %+v want %+v", got, d)
	}
	if !d.ContainsKey(TableKeyPrefix(100)) || d.ContainsKey(LockKey(Key("a"))) {
		t.Fatal("ContainsKey")
	}
}

func FuzzDecodeRequests(f *testing.F) {
	f.Add(EncodeRequests([]Request{&GetRequest{Key: Key("a"), Ts: 1}}))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = DecodeRequests(b)
	})
}
