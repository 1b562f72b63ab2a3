package raftstore

import (
	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
)

// The glue to kv/mvcc: engine keys, the raw values descriptors are stored
// as, and command evaluation.

// engineKey returns the unversioned engine key of k; every raftstore record
// lives under one.
func engineKey(k kvpb.Key) []byte { return mvcc.EncodeKey(k, 0) }

// evalRead evaluates a read request (Get, Scan, RawGet) on a consistent view.
func evalRead(r pebble.Reader, req kvpb.Request) (kvpb.Response, error) {
	return mvcc.EvalRead(r, req)
}

// evalWrite evaluates a write request deterministically, reading r and
// writing into w; on error it writes nothing.
func evalWrite(r pebble.Reader, w pebble.Writer, req kvpb.Request) (kvpb.Response, error) {
	return mvcc.EvalWrite(r, w, req)
}

// putDescriptor writes desc as a raw value (readable with RawGet) at k.
func putDescriptor(w pebble.Writer, k kvpb.Key, desc *kvpb.RangeDescriptor) error {
	return mvcc.PutRaw(w, k, desc.Marshal())
}

// getDescriptor reads a descriptor written by putDescriptor.
func getDescriptor(r pebble.Reader, k kvpb.Key) (*kvpb.RangeDescriptor, bool, error) {
	v, ok, err := mvcc.GetRaw(r, k)
	if err != nil || !ok {
		return nil, false, err
	}
	d, err := kvpb.UnmarshalRangeDescriptor(v)
	if err != nil {
		return nil, false, err
	}
	return d, true, nil
}
