package kvpb

import (
	"reflect"
	"testing"
)

func TestPlacementDecisionRoundTrip(t *testing.T) {
	d := PlacementDecision{UnixNanos: 1700000000123456789, Op: PlacementOp{Kind: OpAddReplica, RangeID: 9, Generation: 3,
		Target: ReplicaDescriptor{NodeID: 4, StoreID: 4}, From: 1, Reason: "rebalance"}, Outcome: "generation changed"}
	got, err := UnmarshalPlacementDecision(d.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("got %+v, want %+v", got, d)
	}
	if _, err := UnmarshalPlacementDecision([]byte{9}); err == nil {
		t.Fatal("unknown format decoded")
	}
	if PlacementDecisionKey(1).Compare(PlacementDecisionKey(2)) >= 0 {
		t.Fatal("decision keys do not sort by time")
	}
}

func TestIsTableStart(t *testing.T) {
	if !IsTableStart(TableKeyPrefix(52)) || IsTableStart(IndexKeyPrefix(52, 1)) || IsTableStart(SystemKey("x")) {
		t.Fatal("IsTableStart")
	}
	sticky := []Key{Key("b"), Key("d"), Key("f")}
	if !IsStickySplit(sticky, Key("d")) || IsStickySplit(sticky, Key("c")) || IsStickySplit(nil, Key("d")) {
		t.Fatal("IsStickySplit")
	}
}
