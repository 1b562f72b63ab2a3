package mvcc

import (
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Stored records. Every value this package stores starts with a format byte
// naming its layout, distinct per record type so a misplaced record is
// detected on decode. Integers are uvarints; byte strings are
// length-prefixed (kvpb.Writer).
//
//	write record at EncodeKey(userKey, commitTs):
//	  writeRecordFormat, kind, start_ts, [value — put only]
//	  A rollback record sits at EncodeKey(userKey, startTs) of the rolled
//	  back transaction, with kind rollback and start_ts = startTs.
//	lock at EncodeKey(kvpb.LockKey(userKey), 0):
//	  lockRecordFormat, op (kvpb.MutationOp), primary, start_ts, ttl, value
//	raw value at EncodeKey(key, 0):
//	  rawValueFormat, payload (the rest of the record, not length-prefixed)
//
// Format bytes and kinds are persisted: append, never renumber.
const (
	writeRecordFormat byte = 0x01
	lockRecordFormat  byte = 0x02
	rawValueFormat    byte = 0x03
)

// writeKind is what a write record records.
type writeKind byte

// The write kinds. Readers see only put and delete; rollback and lock
// records exist for conflict detection and are skipped.
const (
	writePut      writeKind = 1
	writeDelete   writeKind = 2
	writeRollback writeKind = 3
	writeLock     writeKind = 4
	// writeSharedLock is what an OpSharedLock leaves: other shared locks
	// pass over it, every other write conflicts with it.
	writeSharedLock writeKind = 5
)

func (k writeKind) String() string {
	switch k {
	case writePut:
		return "put"
	case writeDelete:
		return "delete"
	case writeRollback:
		return "rollback"
	case writeLock:
		return "lock"
	case writeSharedLock:
		return "shared-lock"
	}
	return fmt.Sprintf("writeKind(%d)", byte(k))
}

// isVersion reports whether readers see the record (a put or a delete).
func (k writeKind) isVersion() bool { return k == writePut || k == writeDelete }

// writeRecord is a decoded write record.
type writeRecord struct {
	kind    writeKind
	startTs kvpb.Timestamp
	value   []byte
}

func (r writeRecord) encode() []byte {
	var w kvpb.Writer
	w.Byte(writeRecordFormat)
	w.Byte(byte(r.kind))
	w.Uvarint(uint64(r.startTs))
	if r.kind == writePut {
		w.Bytes_(r.value)
	}
	return w.Bytes()
}

func decodeWriteRecord(b []byte) (writeRecord, error) {
	rd := kvpb.NewReader(b)
	if f := rd.Byte(); f != writeRecordFormat {
		return writeRecord{}, fmt.Errorf("mvcc: write record has format byte %#x", f)
	}
	var r writeRecord
	r.kind = writeKind(rd.Byte())
	r.startTs = kvpb.Timestamp(rd.Uvarint())
	switch r.kind {
	case writePut:
		r.value = rd.Bytes()
	case writeDelete, writeRollback, writeLock, writeSharedLock:
	default:
		return writeRecord{}, fmt.Errorf("mvcc: write record has unknown kind %d", r.kind)
	}
	if err := rd.Err(); err != nil {
		return writeRecord{}, fmt.Errorf("mvcc: write record: %w", err)
	}
	if !rd.Done() {
		return writeRecord{}, fmt.Errorf("mvcc: write record has trailing bytes")
	}
	return r, nil
}

// writeKindForOp is the write kind a committed lock of op becomes.
func writeKindForOp(op kvpb.MutationOp) writeKind {
	switch op {
	case kvpb.OpPut, kvpb.OpInsert:
		return writePut
	case kvpb.OpDelete:
		return writeDelete
	case kvpb.OpSharedLock:
		return writeSharedLock
	default:
		return writeLock
	}
}

// lockRecord is a decoded Percolator lock.
type lockRecord struct {
	op      kvpb.MutationOp
	primary kvpb.Key
	startTs kvpb.Timestamp
	ttl     uint64
	value   []byte
}

func (l lockRecord) encode() []byte {
	var w kvpb.Writer
	w.Byte(lockRecordFormat)
	w.Byte(byte(l.op))
	w.Bytes_(l.primary)
	w.Uvarint(uint64(l.startTs))
	w.Uvarint(l.ttl)
	w.Bytes_(l.value)
	return w.Bytes()
}

func decodeLockRecord(b []byte) (lockRecord, error) {
	rd := kvpb.NewReader(b)
	if f := rd.Byte(); f != lockRecordFormat {
		return lockRecord{}, fmt.Errorf("mvcc: lock has format byte %#x", f)
	}
	var l lockRecord
	l.op = kvpb.MutationOp(rd.Byte())
	l.primary = rd.Bytes()
	l.startTs = kvpb.Timestamp(rd.Uvarint())
	l.ttl = rd.Uvarint()
	l.value = rd.Bytes()
	if err := rd.Err(); err != nil {
		return lockRecord{}, fmt.Errorf("mvcc: lock: %w", err)
	}
	if !rd.Done() {
		return lockRecord{}, fmt.Errorf("mvcc: lock has trailing bytes")
	}
	if l.op < kvpb.OpPut || l.op > kvpb.OpPessimistic {
		return lockRecord{}, fmt.Errorf("mvcc: lock has unknown op %d", l.op)
	}
	return l, nil
}

// info describes the lock on userKey for a KeyLockedError.
func (l lockRecord) info(userKey kvpb.Key) kvpb.LockInfo {
	return kvpb.LockInfo{
		Key:     append(kvpb.Key(nil), userKey...),
		Primary: l.primary,
		StartTs: l.startTs,
		TTL:     l.ttl,
		Op:      l.op,
	}
}

// blocksReadAt reports whether the lock hides the key from a reader at ts:
// a prewrite lock of a transaction that started at or before ts may commit
// below ts. Lock-only locks write nothing and never block readers.
func (l lockRecord) blocksReadAt(ts kvpb.Timestamp) bool {
	return !l.op.IsLockOnly() && l.startTs <= ts
}

func encodeRawValue(v []byte) []byte {
	b := make([]byte, 0, 1+len(v))
	b = append(b, rawValueFormat)
	return append(b, v...)
}

func decodeRawValue(b []byte) ([]byte, error) {
	if len(b) == 0 || b[0] != rawValueFormat {
		return nil, fmt.Errorf("mvcc: raw value has bad format byte (%x)", b)
	}
	return append([]byte(nil), b[1:]...), nil
}
