package raftstore

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// checksums computes a checksum of range 1 on its leader and returns each
// store's sum once all three computed it at the same index.
func (ts *testStores) checksums() [][]byte {
	ts.t.Helper()
	l := ts.store(ts.leader())
	id, index, err := l.ComputeChecksum(testCtx(ts.t), 1)
	if err != nil {
		ts.t.Fatal(err)
	}
	sums := make([][]byte, len(ts.engs))
	ts.eventually("every replica computed the checksum", func() bool {
		for i := range ts.engs {
			sum, at, ok := ts.store(i).Checksum(1, id)
			if !ok {
				return false
			}
			if at != index {
				ts.t.Fatalf("store %d computed checksum %d at index %d, the leader at %d", i+1, id, at, index)
			}
			sums[i] = sum
		}
		return true
	})
	return sums
}

// TestConsistencyChecksum: three replicas that applied the same commands
// (some of them in one pass with the checksum) agree; a key written
// straight into one replica's engine makes that replica, and only it,
// disagree. A follower cannot start a checksum, and a replica remembers a
// bounded number of them.
func TestConsistencyChecksum(t *testing.T) {
	ts := newThreeVoters(t)
	s1 := ts.store(0)
	for i := range 20 {
		send(t, s1, &kvpb.RawPutRequest{Key: key(fmt.Sprintf("k%02d", i)), Value: []byte{byte(i)}})
	}
	// Writes in flight while the checksum is proposed: some share its pass.
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 20 {
			_, _ = s1.Send(testCtx(t), &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawPutRequest{Key: key(fmt.Sprintf("c%02d", i)), Value: []byte("x")}}})
		}
	}()
	sums := ts.checksums()
	<-done
	if len(sums[0]) != 32 || !bytes.Equal(sums[0], sums[1]) || !bytes.Equal(sums[0], sums[2]) {
		t.Fatalf("replicas disagree: %x", sums)
	}
	again := ts.checksums()
	if !bytes.Equal(again[0], again[1]) || !bytes.Equal(again[0], again[2]) {
		t.Fatalf("replicas disagree: %x", again)
	}

	// Corrupt store 3.
	if err := ts.engs[2].Set(engineKey(key("k05")), []byte("corrupt"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	bad := ts.checksums()
	if !bytes.Equal(bad[0], bad[1]) {
		t.Fatalf("the healthy replicas disagree: %x", bad)
	}
	if bytes.Equal(bad[0], bad[2]) {
		t.Fatal("the corrupted replica agrees")
	}

	// A follower does not start one.
	follower := ts.store((ts.leader() + 1) % 3)
	if _, _, err := follower.ComputeChecksum(testCtx(t), 1); !errors.As(err, new(*kvpb.NotLeaderError)) {
		t.Fatalf("a checksum on a follower: %v", err)
	}

	// Bounded: the oldest are forgotten.
	l := ts.store(ts.leader())
	first, _, err := l.ComputeChecksum(testCtx(t), 1)
	if err != nil {
		t.Fatal(err)
	}
	for range maxChecksums {
		if _, _, err := l.ComputeChecksum(testCtx(t), 1); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, ok := l.Checksum(1, first); ok {
		t.Fatal("a checksum older than the last maxChecksums is still kept")
	}
	r, err := l.GetReplica(1)
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	n := len(r.mu.checksums)
	r.mu.Unlock()
	if n != maxChecksums {
		t.Fatalf("%d checksums kept", n)
	}
}

func TestChecksumCommandCodec(t *testing.T) {
	cmd, err := decodeCommand(encodeChecksumCommand(7, 42))
	if err != nil || cmd.proposalID != 7 || cmd.checksumID != 42 || cmd.requests != nil {
		t.Fatalf("decoded %+v, %v", cmd, err)
	}
	for _, b := range [][]byte{
		encodeChecksumCommand(7, 0),                // no checksum id
		encodeChecksumCommand(7, 42)[:2],           // truncated
		append(encodeChecksumCommand(7, 42), 0x01), // trailing bytes
		{3, 1}, // unknown format
	} {
		if _, err := decodeCommand(b); err == nil {
			t.Errorf("decoded %x", b)
		}
	}
}

// TestChecksumReadsThroughThePassBatch: a checksum computed on the apply
// batch sees the writes the batch holds exactly as the committed engine
// shows them afterwards, and ignores the applied-state record.
func TestChecksumReadsThroughThePassBatch(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer func() { _ = eng.Close() }()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	desc := range1()
	sum := func(r pebble.Reader) []byte {
		t.Helper()
		s, err := replicaChecksum(r, &desc)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	before := sum(eng)
	a := newApplier(eng)
	if _, evalErr, err := a.evalCommand([]kvpb.Request{&kvpb.RawPutRequest{Key: key("a"), Value: []byte("1")}}); err != nil || evalErr != nil {
		t.Fatal(err, evalErr)
	}
	inBatch := sum(a.b)
	if bytes.Equal(inBatch, before) {
		t.Fatal("the checksum does not see the batch's write")
	}
	if err := a.finish(); err != nil {
		t.Fatal(err)
	}
	if after := sum(eng); !bytes.Equal(after, inBatch) {
		t.Fatalf("committed %x, in the batch %x", after, inBatch)
	}
	if err := eng.Set(engineKey(kvpb.RangeAppliedStateKey(1)), encodeLogPosition(appliedFormat, logPosition{Index: 99, Term: 9}), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(sum(eng), inBatch) {
		t.Fatal("the applied state changes the checksum")
	}
}
