package kvpb

import (
	"testing"
	"time"
)

func TestLivenessRoundTrip(t *testing.T) {
	l := Liveness{NodeID: 7, Address: "127.0.0.1:26357", Epoch: 3, Expiration: time.Now().UnixNano(),
		Membership: MembershipDecommissioning, Ranges: 2, Leaders: 1, UsedBytes: 1 << 33}
	got, err := UnmarshalLiveness(l.Marshal())
	if err != nil || got != l {
		t.Fatalf("round trip: %+v, %v; want %+v", got, err, l)
	}
	b := l.Marshal()
	for i := range len(b) - 1 {
		if _, err := UnmarshalLiveness(b[:i]); err == nil {
			t.Fatalf("a record cut to %d bytes decoded", i)
		}
	}
	b[0] = 9
	if _, err := UnmarshalLiveness(b); err == nil {
		t.Fatal("an unknown format decoded")
	}
}

func TestNodeLivenessKey(t *testing.T) {
	k := NodeLivenessKey(42)
	if id, err := DecodeNodeLivenessKey(k); err != nil || id != 42 {
		t.Fatalf("decode: %d, %v", id, err)
	}
	if NodeLivenessKey(2).Compare(NodeLivenessKey(10)) >= 0 {
		t.Fatal("liveness keys do not sort by node id")
	}
	if k.Compare(SystemPrefix) <= 0 || k.Compare(SystemMax) >= 0 {
		t.Fatalf("%s is not under /System", k)
	}
	if _, err := DecodeNodeLivenessKey(NodeAddressKey(1)); err == nil {
		t.Fatal("an address key decoded as a liveness key")
	}
}
