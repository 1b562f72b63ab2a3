package mvcc

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// ErrAlreadyCommitted is returned by a rollback (Rollback, or ResolveLock
// with a zero CommitTs) of a key that the transaction already committed: the
// caller's idea of the transaction's fate is wrong.
var ErrAlreadyCommitted = errors.New("mvcc: transaction already committed")

// plan collects the writes of one request. Requests read and validate
// everything first, recording their writes here; EvalWrite hands the plan
// to the pebble.Writer only when evaluation succeeded, so a failed request
// writes nothing.
type plan struct{ ops []planOp }

type planOp struct {
	del        bool
	key, value []byte // value is the end key of a ranged delete
	ranged     bool
}

func (p *plan) set(k, v []byte) { p.ops = append(p.ops, planOp{key: k, value: v}) }
func (p *plan) delete(k []byte) { p.ops = append(p.ops, planOp{del: true, key: k}) }
func (p *plan) deleteRange(s, e []byte) {
	p.ops = append(p.ops, planOp{del: true, ranged: true, key: s, value: e})
}

func (p *plan) apply(w pebble.Writer) error {
	for _, op := range p.ops {
		var err error
		switch {
		case op.ranged:
			err = w.DeleteRange(op.key, op.value, nil)
		case op.del:
			err = w.Delete(op.key, nil)
		default:
			err = w.Set(op.key, op.value, nil)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// EvalWrite evaluates a write request deterministically: it reads through r
// and writes through w. It is called at raft apply time on every replica,
// so its result depends only on r's contents and req (no clocks, no
// randomness). It writes NOTHING to w when it returns an error: every key
// is validated before the first write. r does not observe w's writes.
func EvalWrite(r pebble.Reader, w pebble.Writer, req kvpb.Request) (kvpb.Response, error) {
	var p plan
	resp, err := evalWrite(r, &p, req)
	if err != nil {
		return nil, err
	}
	if err := p.apply(w); err != nil {
		return nil, fmt.Errorf("mvcc: %s: %w", req.Method(), err)
	}
	return resp, nil
}

func evalWrite(r pebble.Reader, p *plan, req kvpb.Request) (kvpb.Response, error) {
	switch req := req.(type) {
	case *kvpb.PrewriteRequest:
		return &kvpb.PrewriteResponse{}, prewrite(r, p, req)
	case *kvpb.OnePCRequest:
		return onePhaseCommit(r, p, req)
	case *kvpb.PessimisticLockRequest:
		return &kvpb.PessimisticLockResponse{}, pessimisticLock(r, p, req)
	case *kvpb.TxnHeartBeatRequest:
		return txnHeartBeat(r, p, req)
	case *kvpb.CommitRequest:
		if req.StartTs == 0 || req.CommitTs <= req.StartTs {
			return nil, fmt.Errorf("mvcc: commit_ts %s must be greater than start_ts %s", req.CommitTs, req.StartTs)
		}
		return &kvpb.CommitResponse{}, commitKeys(r, p, req.StartTs, req.CommitTs, req.Keys, false)
	case *kvpb.RollbackRequest:
		return &kvpb.RollbackResponse{}, rollbackKeys(r, p, req.StartTs, req.Keys)
	case *kvpb.ResolveLockRequest:
		if req.CommitTs == 0 {
			return &kvpb.ResolveLockResponse{}, rollbackKeys(r, p, req.StartTs, req.Keys)
		}
		if req.StartTs == 0 || req.CommitTs <= req.StartTs {
			return nil, fmt.Errorf("mvcc: commit_ts %s must be greater than start_ts %s", req.CommitTs, req.StartTs)
		}
		return &kvpb.ResolveLockResponse{}, commitKeys(r, p, req.StartTs, req.CommitTs, req.Keys, true)
	case *kvpb.CheckTxnStatusRequest:
		return checkTxnStatus(r, p, req)
	case *kvpb.RawPutRequest:
		p.set(EncodeKey(req.Key, 0), encodeRawValue(req.Value))
		return &kvpb.RawPutResponse{}, nil
	case *kvpb.RawCPutRequest:
		return rawCPut(r, p, req)
	case *kvpb.IncrementRequest:
		return increment(r, p, req)
	case *kvpb.RawDeleteRequest:
		p.delete(EncodeKey(req.Key, 0))
		return &kvpb.RawDeleteResponse{}, nil
	case *kvpb.ClearRangeRequest:
		lower, upper := keyBounds(req.Span.Key, req.Span.EndKey)
		p.deleteRange(lower, upper)
		ls := kvpb.LockSpan(req.Span)
		p.deleteRange(EncodeKey(ls.Key, 0), EncodeKey(ls.EndKey, 0))
		return &kvpb.ClearRangeResponse{}, nil
	default:
		return nil, fmt.Errorf("mvcc: %s is not a write request", req.Method())
	}
}

// PutRaw writes the unversioned (non-transactional) value v at k.
func PutRaw(w pebble.Writer, k kvpb.Key, v []byte) error {
	return w.Set(EncodeKey(k, 0), encodeRawValue(v), nil)
}

// withKeyIter runs f with an iterator over k's engine keys.
func withKeyIter(r pebble.Reader, k kvpb.Key, f func(it *pebble.Iterator) error) (err error) {
	it, err := newKeyIter(r, k)
	if err != nil {
		return err
	}
	defer closeIter(it, &err)
	return f(it)
}

// prewrite locks every mutation's key for the transaction, after checking
// all of them: a lock of another transaction (KeyLockedError), our own
// rollback (TxnAbortedError), a write at or after start_ts
// (WriteConflictError), an existing key for OpInsert (KeyExistsError). A
// key already locked by this transaction is left as is (retried prewrite).
func prewrite(r pebble.Reader, p *plan, req *kvpb.PrewriteRequest) error {
	if req.StartTs == 0 {
		return errors.New("mvcc: prewrite needs a start_ts")
	}
	var locks []planOp
	for _, m := range req.Mutations {
		ownLock, _, err := checkMutation(r, m, req.StartTs)
		if err != nil {
			return err
		}
		if ownLock {
			continue // a retried prewrite
		}
		lr := lockRecord{op: m.Op, primary: req.Primary, startTs: req.StartTs, ttl: req.LockTTL}
		if m.Op == kvpb.OpPut || m.Op == kvpb.OpInsert {
			lr.value = m.Value
		}
		lk := EncodeKey(kvpb.LockKey(m.Key), 0)
		if m.Op == kvpb.OpSharedLock {
			lk = sharedLockKey(m.Key, req.StartTs) // shared.go
		}
		locks = append(locks, planOp{key: lk, value: lr.encode()})
	}
	p.ops = append(p.ops, locks...)
	return nil
}

// checkMutation runs a prewrite's checks of one mutation for the
// transaction started at startTs: a lock of another transaction
// (KeyLockedError), our own rollback (TxnAbortedError), a write at or
// after startTs (WriteConflictError), an existing key for OpInsert
// (KeyExistsError). A key holding our own prewrite lock is reported by
// ownLock and not checked further. A key holding our pessimistic lock is
// checked only for OpInsert's existence: the lock has kept every other
// writer out since the statement that took it read the key.
func checkMutation(r pebble.Reader, m kvpb.Mutation, startTs kvpb.Timestamp) (ownLock, ownPessimistic bool, err error) {
	if m.Op < kvpb.OpPut || m.Op > kvpb.OpSharedLock {
		return false, false, fmt.Errorf("mvcc: write of key %s has unknown op %s", m.Key, m.Op)
	}
	l, locked, err := getLock(r, m.Key)
	if err != nil {
		return false, false, err
	}
	if locked {
		if l.startTs != startTs {
			return false, false, &kvpb.KeyLockedError{Lock: l.info(m.Key)}
		}
		if l.op != kvpb.OpPessimistic {
			return true, false, nil
		}
		ownPessimistic = true
	}
	switch m.Op {
	case kvpb.OpSharedLock:
		if _, own, err := getSharedLock(r, m.Key, startTs); err != nil || own {
			return own, false, err
		}
	case kvpb.OpLock:
		if o, err := otherSharedLock(r, m.Key, startTs); err != nil {
			return false, false, err
		} else if o != nil {
			return false, false, &kvpb.KeyLockedError{Lock: o.info(m.Key)}
		}
	}
	return false, ownPessimistic, withKeyIter(r, m.Key, func(it *pebble.Iterator) error {
		nw, ok, err := newestWrite(it, m.Key)
		if err != nil {
			return err
		}
		// Another transaction's rollback record wrote nothing, and shared
		// locks committed since we started do not conflict with ours.
		for ok && nw.commitTs >= startTs &&
			((nw.kind == writeRollback && nw.startTs != startTs) || (m.Op == kvpb.OpSharedLock && nw.kind == writeSharedLock)) {
			it.Next()
			if nw, ok, err = versionAt(it, m.Key); err != nil {
				return err
			}
		}
		if ok && nw.commitTs >= startTs && !ownPessimistic {
			if own, found, err := writeOfTxn(it, m.Key, startTs); err != nil {
				return err
			} else if found && own.kind == writeRollback {
				return &kvpb.TxnAbortedError{Key: m.Key, StartTs: startTs}
			}
			return &kvpb.WriteConflictError{
				Key: m.Key, StartTs: startTs,
				ConflictStartTs: nw.startTs, ConflictCommitTs: nw.commitTs,
			}
		}
		if m.Op == kvpb.OpInsert {
			v, found, err := visibleVersion(it, m.Key, kvpb.MaxTimestamp)
			if err != nil {
				return err
			}
			if found && v.kind == writePut {
				return &kvpb.KeyExistsError{Key: m.Key}
			}
		}
		return nil
	})
}

// onePhaseCommit checks every mutation as a prewrite would and then writes
// each as a committed version at CommitTs, without locks. A lock of our own
// cannot exist (a one-phase transaction never prewrites); finding one is an
// error rather than a silent overwrite.
func onePhaseCommit(r pebble.Reader, p *plan, req *kvpb.OnePCRequest) (kvpb.Response, error) {
	if req.StartTs == 0 || req.CommitTs <= req.StartTs {
		return nil, fmt.Errorf("mvcc: one-phase commit_ts %s must be greater than start_ts %s", req.CommitTs, req.StartTs)
	}
	var ops plan
	for _, m := range req.Mutations {
		ownLock, ownPessimistic, err := checkMutation(r, m, req.StartTs)
		if err != nil {
			return nil, err
		}
		if ownLock {
			return nil, fmt.Errorf("mvcc: one-phase commit of %s meets its own prewrite lock", m.Key)
		}
		if ownPessimistic {
			ops.delete(EncodeKey(kvpb.LockKey(m.Key), 0))
		}
		rec := writeRecord{kind: writeKindForOp(m.Op), startTs: req.StartTs}
		if m.Op == kvpb.OpPut || m.Op == kvpb.OpInsert {
			rec.value = m.Value
		}
		ops.set(EncodeKey(m.Key, req.CommitTs), rec.encode())
	}
	p.ops = append(p.ops, ops.ops...)
	return &kvpb.OnePCResponse{CommitTs: req.CommitTs}, nil
}

// pessimisticLock locks every key for the transaction after checking all
// of them: a lock of another transaction (KeyLockedError), our own
// rollback (TxnAbortedError), a write committed at or after ForUpdateTs
// (WriteConflictError). A key we already lock is left as is.
func pessimisticLock(r pebble.Reader, p *plan, req *kvpb.PessimisticLockRequest) error {
	if req.StartTs == 0 || req.ForUpdateTs < req.StartTs {
		return fmt.Errorf("mvcc: pessimistic lock with start_ts %s and for_update_ts %s", req.StartTs, req.ForUpdateTs)
	}
	var ops plan
	for _, k := range req.Keys {
		l, locked, err := getLock(r, k)
		if err != nil {
			return err
		}
		if locked {
			if l.startTs == req.StartTs {
				continue
			}
			return &kvpb.KeyLockedError{Lock: l.info(k)}
		}
		err = withKeyIter(r, k, func(it *pebble.Iterator) error {
			if own, found, err := writeOfTxn(it, k, req.StartTs); err != nil {
				return err
			} else if found && own.kind == writeRollback {
				return &kvpb.TxnAbortedError{Key: k, StartTs: req.StartTs}
			}
			// The newest write record that is not another transaction's
			// rollback: a rollback record above a newer write must not
			// hide it.
			nw, ok, err := newestWrite(it, k)
			for ; err == nil && ok && nw.kind == writeRollback && nw.commitTs >= req.ForUpdateTs; nw, ok, err = versionAt(it, k) {
				it.Next()
			}
			if err != nil {
				return err
			}
			if ok && nw.kind != writeRollback && nw.commitTs >= req.ForUpdateTs {
				return &kvpb.WriteConflictError{
					Key: k, StartTs: req.StartTs,
					ConflictStartTs: nw.startTs, ConflictCommitTs: nw.commitTs,
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		lr := lockRecord{op: kvpb.OpPessimistic, primary: req.Primary, startTs: req.StartTs, ttl: req.LockTTL}
		ops.set(EncodeKey(kvpb.LockKey(k), 0), lr.encode())
	}
	p.ops = append(p.ops, ops.ops...)
	return nil
}

// txnHeartBeat raises the TTL of the transaction's primary lock.
func txnHeartBeat(r pebble.Reader, p *plan, req *kvpb.TxnHeartBeatRequest) (kvpb.Response, error) {
	l, locked, err := getLock(r, req.Primary)
	if err != nil {
		return nil, err
	}
	if !locked || l.startTs != req.StartTs {
		return nil, &kvpb.TxnLockNotFoundError{Key: req.Primary, StartTs: req.StartTs}
	}
	if req.TTL > l.ttl {
		l.ttl = req.TTL
		p.set(EncodeKey(kvpb.LockKey(req.Primary), 0), l.encode())
	}
	return &kvpb.TxnHeartBeatResponse{TTL: l.ttl}, nil
}

// txnFate is what a key says about a transaction that holds no lock on it.
type txnFate int

const (
	fateUnknown txnFate = iota
	fateCommitted
	fateRolledBack
)

// fateOf looks for the commit or rollback record startTs left on k.
func fateOf(r pebble.Reader, k kvpb.Key, startTs kvpb.Timestamp) (fate txnFate, commitTs kvpb.Timestamp, err error) {
	err = withKeyIter(r, k, func(it *pebble.Iterator) error {
		v, found, err := writeOfTxn(it, k, startTs)
		switch {
		case err != nil:
			return err
		case !found:
			fate = fateUnknown
		case v.kind == writeRollback:
			fate = fateRolledBack
		default:
			fate, commitTs = fateCommitted, v.commitTs
		}
		return nil
	})
	return fate, commitTs, err
}

// commitKeys turns the transaction's locks on keys into versions at
// commitTs. A key without our lock is fine if we already committed it;
// otherwise it is TxnAbortedError (rolled back) or TxnLockNotFoundError.
// resolving (ResolveLock) also accepts a key already rolled back.
func commitKeys(r pebble.Reader, p *plan, startTs, commitTs kvpb.Timestamp, keys []kvpb.Key, resolving bool) error {
	var ops plan
	for _, k := range keys {
		l, locked, err := getLock(r, k)
		if err != nil {
			return err
		}
		if locked && l.startTs == startTs && l.op == kvpb.OpPessimistic {
			// Locked but never prewritten: there is nothing to commit.
			ops.delete(EncodeKey(kvpb.LockKey(k), 0))
			continue
		}
		if locked && l.startTs == startTs {
			rec := writeRecord{kind: writeKindForOp(l.op), startTs: startTs, value: l.value}
			ops.set(EncodeKey(k, commitTs), rec.encode())
			ops.delete(EncodeKey(kvpb.LockKey(k), 0))
			continue
		}
		if sl, ok, err := getSharedLock(r, k, startTs); err != nil {
			return err
		} else if ok {
			rec := writeRecord{kind: writeKindForOp(sl.op), startTs: startTs}
			ops.set(EncodeKey(k, commitTs), rec.encode())
			ops.delete(sharedLockKey(k, startTs))
			continue
		}
		fate, _, err := fateOf(r, k, startTs)
		if err != nil {
			return err
		}
		switch {
		case fate == fateCommitted:
		case fate == fateRolledBack && resolving:
		case fate == fateRolledBack:
			return &kvpb.TxnAbortedError{Key: k, StartTs: startTs}
		default:
			return &kvpb.TxnLockNotFoundError{Key: k, StartTs: startTs}
		}
	}
	p.ops = append(p.ops, ops.ops...)
	return nil
}

// rollbackKeys removes the transaction's locks on keys and leaves a
// rollback record at startTs on each, so a late prewrite fails. A key the
// transaction already committed fails the whole request with
// ErrAlreadyCommitted; a key already rolled back is left as is.
func rollbackKeys(r pebble.Reader, p *plan, startTs kvpb.Timestamp, keys []kvpb.Key) error {
	if startTs == 0 {
		return errors.New("mvcc: rollback needs a start_ts")
	}
	var ops plan
	for _, k := range keys {
		l, locked, err := getLock(r, k)
		if err != nil {
			return err
		}
		if locked && l.startTs == startTs {
			ops.delete(EncodeKey(kvpb.LockKey(k), 0))
			if err := planRollbackRecord(r, &ops, k, startTs); err != nil {
				return err
			}
			continue
		}
		if _, ok, err := getSharedLock(r, k, startTs); err != nil {
			return err
		} else if ok {
			ops.delete(sharedLockKey(k, startTs))
			if err := planRollbackRecord(r, &ops, k, startTs); err != nil {
				return err
			}
			continue
		}
		fate, _, err := fateOf(r, k, startTs)
		if err != nil {
			return err
		}
		switch fate {
		case fateCommitted:
			return fmt.Errorf("%w (start_ts %s, key %s)", ErrAlreadyCommitted, startTs, k)
		case fateRolledBack:
		default:
			if err := planRollbackRecord(r, &ops, k, startTs); err != nil {
				return err
			}
		}
	}
	p.ops = append(p.ops, ops.ops...)
	return nil
}

// planRollbackRecord writes a rollback record at EncodeKey(k, startTs)
// unless a version of another transaction occupies that engine key (its
// commit_ts equals our start_ts, which a unique TSO never hands out); that
// version then blocks a late prewrite as a write conflict anyway.
func planRollbackRecord(r pebble.Reader, p *plan, k kvpb.Key, startTs kvpb.Timestamp) error {
	ek := EncodeKey(k, startTs)
	_, closer, err := r.Get(ek)
	switch {
	case errors.Is(err, pebble.ErrNotFound):
	case err != nil:
		return err
	default:
		return closer.Close()
	}
	p.set(ek, writeRecord{kind: writeRollback, startTs: startTs}.encode())
	return nil
}

// checkTxnStatus reports the fate of the transaction started at StartTs as
// its primary key tells it, rolling it back if its lock expired at
// CurrentTs or if it left no trace at all (so a late prewrite fails).
func checkTxnStatus(r pebble.Reader, p *plan, req *kvpb.CheckTxnStatusRequest) (kvpb.Response, error) {
	if req.StartTs == 0 {
		return nil, errors.New("mvcc: check txn status needs a start_ts")
	}
	l, locked, err := getLock(r, req.Primary)
	if err != nil {
		return nil, err
	}
	if locked && l.startTs == req.StartTs {
		if lockExpired(l, req.CurrentTs) {
			p.delete(EncodeKey(kvpb.LockKey(req.Primary), 0))
			if err := planRollbackRecord(r, p, req.Primary, req.StartTs); err != nil {
				return nil, err
			}
			return &kvpb.CheckTxnStatusResponse{Status: kvpb.TxnStatusRolledBack}, nil
		}
		return &kvpb.CheckTxnStatusResponse{Status: kvpb.TxnStatusLocked, LockTTL: l.ttl}, nil
	}
	fate, commitTs, err := fateOf(r, req.Primary, req.StartTs)
	if err != nil {
		return nil, err
	}
	switch fate {
	case fateCommitted:
		return &kvpb.CheckTxnStatusResponse{Status: kvpb.TxnStatusCommitted, CommitTs: commitTs}, nil
	case fateRolledBack:
	default:
		if err := planRollbackRecord(r, p, req.Primary, req.StartTs); err != nil {
			return nil, err
		}
	}
	return &kvpb.CheckTxnStatusResponse{Status: kvpb.TxnStatusRolledBack}, nil
}

func rawCPut(r pebble.Reader, p *plan, req *kvpb.RawCPutRequest) (kvpb.Response, error) {
	cur, exists, err := GetRaw(r, req.Key)
	if err != nil {
		return nil, err
	}
	if exists != req.ExpectedExists || (exists && !bytes.Equal(cur, req.Expected)) {
		return nil, &kvpb.ConditionFailedError{Actual: cur, Exists: exists}
	}
	p.set(EncodeKey(req.Key, 0), encodeRawValue(req.Value))
	return &kvpb.RawCPutResponse{}, nil
}

func increment(r pebble.Reader, p *plan, req *kvpb.IncrementRequest) (kvpb.Response, error) {
	cur, exists, err := GetRaw(r, req.Key)
	if err != nil {
		return nil, err
	}
	var n int64
	if exists {
		if len(cur) != 8 {
			return nil, fmt.Errorf("mvcc: key %s does not hold an 8-byte counter (%d bytes)", req.Key, len(cur))
		}
		n = int64(binary.BigEndian.Uint64(cur))
	}
	n += req.Inc
	p.set(EncodeKey(req.Key, 0), encodeRawValue(binary.BigEndian.AppendUint64(nil, uint64(n))))
	return &kvpb.IncrementResponse{NewValue: n}, nil
}

// lockExpired reports whether the lock's TTL (milliseconds of TSO time after
// its start_ts) has run out at now.
func lockExpired(l lockRecord, now kvpb.Timestamp) bool {
	start, cur := l.startTs.Physical(), now.Physical()
	return cur >= start && uint64(cur-start) >= l.ttl
}
