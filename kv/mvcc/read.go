package mvcc

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// version is a write record with the commit timestamp it is stored at.
type version struct {
	commitTs kvpb.Timestamp
	writeRecord
}

// newKeyIter returns an iterator over every engine key of the user key k.
func newKeyIter(r pebble.Reader, k kvpb.Key) (*pebble.Iterator, error) {
	lower, upper := keyBounds(k, nil)
	return r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
}

// closeIter closes it and folds its error into *errp.
func closeIter(it *pebble.Iterator, errp *error) {
	if err := it.Close(); err != nil && *errp == nil {
		*errp = err
	}
}

// getLock returns the lock on the user key k, if any.
func getLock(r pebble.Reader, k kvpb.Key) (lockRecord, bool, error) {
	v, closer, err := r.Get(EncodeKey(kvpb.LockKey(k), 0))
	if errors.Is(err, pebble.ErrNotFound) {
		return lockRecord{}, false, nil
	}
	if err != nil {
		return lockRecord{}, false, err
	}
	defer closer.Close()
	l, err := decodeLockRecord(v)
	if err != nil {
		return lockRecord{}, false, fmt.Errorf("%w (key %s)", err, k)
	}
	return l, true, nil
}

// versionAt decodes the write record under it if it is a version of k; ok
// is false once the iterator has left k's versions.
func versionAt(it *pebble.Iterator, k kvpb.Key) (v version, ok bool, err error) {
	if !it.Valid() {
		return version{}, false, it.Error()
	}
	uk, ts, err := DecodeKey(it.Key())
	if err != nil {
		return version{}, false, err
	}
	if ts == 0 || !bytes.Equal(uk, k) {
		return version{}, false, nil
	}
	raw, err := it.ValueAndErr()
	if err != nil {
		return version{}, false, err
	}
	rec, err := decodeWriteRecord(raw)
	if err != nil {
		return version{}, false, fmt.Errorf("%w (key %s@%s)", err, k, ts)
	}
	return version{commitTs: ts, writeRecord: rec}, true, nil
}

// visibleVersion positions it at k's newest put or delete committed at or
// before ts and returns it; rollback and lock records are skipped.
func visibleVersion(it *pebble.Iterator, k kvpb.Key, ts kvpb.Timestamp) (version, bool, error) {
	it.SeekGE(EncodeKey(k, ts))
	for ; ; it.Next() {
		v, ok, err := versionAt(it, k)
		if err != nil || !ok {
			return version{}, false, err
		}
		if v.kind.isVersion() {
			return v, true, nil
		}
	}
}

// newestWrite returns k's newest write record of any kind.
func newestWrite(it *pebble.Iterator, k kvpb.Key) (version, bool, error) {
	it.SeekGE(EncodeKey(k, kvpb.MaxTimestamp))
	return versionAt(it, k)
}

// writeOfTxn finds the write record the transaction started at startTs left
// on k: its commit (at some commit_ts > startTs) or its rollback (at
// startTs). It scans k's versions newest first and stops below startTs.
func writeOfTxn(it *pebble.Iterator, k kvpb.Key, startTs kvpb.Timestamp) (version, bool, error) {
	it.SeekGE(EncodeKey(k, kvpb.MaxTimestamp))
	for ; ; it.Next() {
		v, ok, err := versionAt(it, k)
		if err != nil || !ok || v.commitTs < startTs {
			return version{}, false, err
		}
		if v.startTs == startTs {
			return v, true, nil
		}
	}
}

// EvalRead evaluates a read request (Get, Scan, RawGet) against r: a
// *pebble.DB, a snapshot or an indexed batch. It never writes. Reads at a
// timestamp fail with *kvpb.KeyLockedError when they meet a prewrite lock
// of a transaction started at or before that timestamp.
func EvalRead(r pebble.Reader, req kvpb.Request) (kvpb.Response, error) {
	switch req := req.(type) {
	case *kvpb.GetRequest:
		return get(r, req)
	case *kvpb.ScanRequest:
		return scan(r, req)
	case *kvpb.RawGetRequest:
		v, found, err := GetRaw(r, req.Key)
		if err != nil {
			return nil, err
		}
		return &kvpb.RawGetResponse{Value: v, Found: found}, nil
	case *kvpb.RawScanRequest:
		return rawScan(r, req)
	default:
		return nil, fmt.Errorf("mvcc: %s is not a read request", req.Method())
	}
}

func get(r pebble.Reader, req *kvpb.GetRequest) (_ kvpb.Response, err error) {
	if req.Ts == 0 {
		return nil, errors.New("mvcc: get needs a read timestamp")
	}
	l, locked, err := getLock(r, req.Key)
	if err != nil {
		return nil, err
	}
	if locked && l.blocksReadAt(req.Ts) {
		return nil, &kvpb.KeyLockedError{Lock: l.info(req.Key)}
	}
	it, err := newKeyIter(r, req.Key)
	if err != nil {
		return nil, err
	}
	defer closeIter(it, &err)
	v, found, err := visibleVersion(it, req.Key, req.Ts)
	if err != nil {
		return nil, err
	}
	resp := &kvpb.GetResponse{}
	if found && v.kind == writePut {
		resp.Value, resp.Found, resp.Ts = v.value, true, v.commitTs
	}
	return resp, nil
}

// blockingLock returns the first lock in scan order, among the locks of
// user keys in [start, end), that blocks a read at ts. One iterator walks
// the lock span.
func blockingLock(r pebble.Reader, start, end kvpb.Key, ts kvpb.Timestamp, reverse bool) (_ *kvpb.LockInfo, err error) {
	ls := kvpb.LockSpan(kvpb.Span{Key: start, EndKey: end})
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: EncodeKey(ls.Key, 0), UpperBound: EncodeKey(ls.EndKey, 0)})
	if err != nil {
		return nil, err
	}
	defer closeIter(it, &err)
	valid := it.First()
	if reverse {
		valid = it.Last()
	}
	for ; valid; valid = nextOrPrev(it, reverse) {
		lk, _, err := DecodeKey(it.Key())
		if err != nil {
			return nil, err
		}
		uk, err := kvpb.DecodeLockKey(lk)
		if err != nil {
			return nil, err
		}
		raw, err := it.ValueAndErr()
		if err != nil {
			return nil, err
		}
		l, err := decodeLockRecord(raw)
		if err != nil {
			return nil, fmt.Errorf("%w (key %s)", err, uk)
		}
		if l.blocksReadAt(ts) {
			info := l.info(uk)
			return &info, nil
		}
	}
	return nil, it.Error()
}

func nextOrPrev(it *pebble.Iterator, reverse bool) bool {
	if reverse {
		return it.Prev()
	}
	return it.Next()
}

// scan reads the visible rows of the span in order (or reverse), at most
// MaxKeys of them and, once MaxBytes of keys and values are read, no more.
// A blocking lock inside the part of the span the scan covers fails it
// with KeyLockedError for the first such lock in scan order; a lock beyond
// the limit does not. ResumeSpan is set when a limit stopped the scan
// before the span was exhausted.
func scan(r pebble.Reader, req *kvpb.ScanRequest) (_ kvpb.Response, err error) {
	if req.Ts == 0 {
		return nil, errors.New("mvcc: scan needs a read timestamp")
	}
	start, end := req.Span.Key, req.Span.EndKey
	if len(end) == 0 {
		end = start.Next()
	}
	resp := &kvpb.ScanResponse{}
	if start.Compare(end) >= 0 {
		return resp, nil
	}
	lock, err := blockingLock(r, start, end, req.Ts, req.Reverse)
	if err != nil {
		return nil, err
	}
	// pastLock reports whether uk is at or after the blocking lock in scan
	// order.
	pastLock := func(uk kvpb.Key) bool {
		if lock == nil {
			return false
		}
		c := uk.Compare(lock.Key)
		return c == 0 || (c > 0) != req.Reverse
	}
	var nbytes int64
	full := func() bool {
		return (req.MaxKeys > 0 && int64(len(resp.Rows)) >= req.MaxKeys) ||
			(req.MaxBytes > 0 && nbytes >= req.MaxBytes)
	}
	resume := func() {
		last := resp.Rows[len(resp.Rows)-1].Key
		if req.Reverse {
			resp.ResumeSpan = &kvpb.Span{Key: start, EndKey: last}
		} else {
			resp.ResumeSpan = &kvpb.Span{Key: last.Next(), EndKey: end}
		}
	}

	lower, upper := keyBounds(start, end)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return nil, err
	}
	defer closeIter(it, &err)
	valid := it.First()
	if req.Reverse {
		valid = it.Last()
	}
	for valid {
		k, _, err := DecodeKey(it.Key())
		if err != nil {
			return nil, err
		}
		uk := append(kvpb.Key(nil), k...)
		if pastLock(uk) {
			break
		}
		v, found, err := visibleVersion(it, uk, req.Ts)
		if err != nil {
			return nil, err
		}
		if found && v.kind == writePut {
			if full() {
				resume()
				return resp, nil
			}
			resp.Rows = append(resp.Rows, kvpb.KeyValue{Key: uk, Value: v.value, Ts: v.commitTs})
			nbytes += int64(len(uk) + len(v.value))
		}
		if req.Reverse {
			valid = it.SeekLT(EncodeKey(uk, 0))
		} else {
			valid = it.SeekGE(EncodeKey(uk.Next(), 0))
		}
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if lock != nil {
		if full() {
			resume()
			return resp, nil
		}
		return nil, &kvpb.KeyLockedError{Lock: *lock}
	}
	return resp, nil
}

// rawScan reads the unversioned values of req.Span, skipping versioned
// keys (there are none where raw values live: /Meta, /System counters).
func rawScan(r pebble.Reader, req *kvpb.RawScanRequest) (_ kvpb.Response, err error) {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: EncodeKey(req.Span.Key, 0), UpperBound: EncodeKey(req.Span.EndKey, 0)})
	if err != nil {
		return nil, err
	}
	defer closeIter(it, &err)
	resp := &kvpb.RawScanResponse{}
	for valid := it.First(); valid; valid = it.Next() {
		k, ts, err := DecodeKey(it.Key())
		if err != nil {
			return nil, err
		}
		if ts != 0 {
			continue
		}
		v, err := decodeRawValue(it.Value())
		if err != nil {
			return nil, fmt.Errorf("%w (key %s)", err, k)
		}
		resp.Rows = append(resp.Rows, kvpb.KeyValue{Key: append(kvpb.Key(nil), k...), Value: append([]byte(nil), v...)})
		if req.MaxKeys > 0 && int64(len(resp.Rows)) >= req.MaxKeys {
			break
		}
	}
	return resp, nil
}

// GetRaw reads the unversioned (non-transactional) value at k.
func GetRaw(r pebble.Reader, k kvpb.Key) ([]byte, bool, error) {
	v, closer, err := r.Get(EncodeKey(k, 0))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer closer.Close()
	val, err := decodeRawValue(v)
	if err != nil {
		return nil, false, fmt.Errorf("%w (key %s)", err, k)
	}
	return val, true, nil
}
