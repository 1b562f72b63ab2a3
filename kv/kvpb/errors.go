package kvpb

import "fmt"

// LockInfo describes a Percolator lock as a reader or writer meets it.
type LockInfo struct {
	Key     Key
	Primary Key
	StartTs Timestamp
	TTL     uint64 // milliseconds of TSO time after StartTs
	Op      MutationOp
}

// KeyLockedError is returned when a read or prewrite meets a lock of another
// transaction. The client resolves it (CheckTxnStatus on the primary, then
// ResolveLock) or waits, and retries.
type KeyLockedError struct{ Lock LockInfo }

func (e *KeyLockedError) Error() string {
	return fmt.Sprintf("key %s is locked by transaction %s (primary %s)", e.Lock.Key, e.Lock.StartTs, e.Lock.Primary)
}

// WriteConflictError is returned by a prewrite that finds a version of Key
// committed after the transaction's start (at ConflictCommitTs, by the
// transaction started at ConflictStartTs). The transaction must restart.
type WriteConflictError struct {
	Key              Key
	StartTs          Timestamp
	ConflictStartTs  Timestamp
	ConflictCommitTs Timestamp
}

func (e *WriteConflictError) Error() string {
	return fmt.Sprintf("write conflict on key %s: transaction %s meets a version committed at %s", e.Key, e.StartTs, e.ConflictCommitTs)
}

// OnePCUnavailableError is returned for a one-phase commit the range cannot
// take now (Reason says why); nothing was written, and the transaction
// commits with two phases instead.
type OnePCUnavailableError struct {
	RangeID RangeID
	Reason  string
}

func (e *OnePCUnavailableError) Error() string {
	return fmt.Sprintf("range %s cannot take a one-phase commit: %s", e.RangeID, e.Reason)
}

// DeadlockError is returned to a transaction whose wait for the lock of
// the transaction started at HolderStartTs would close a cycle of
// transactions waiting for each other; it must roll back (PostgreSQL's
// 40P01).
type DeadlockError struct {
	Key           Key
	HolderStartTs Timestamp
}

func (e *DeadlockError) Error() string {
	return fmt.Sprintf("deadlock: waiting for transaction %s on key %s closes a cycle", e.HolderStartTs, e.Key)
}

// LockWaitTimeoutError is returned when a request waited longer than the
// transaction's lock timeout for the lock on Key (PostgreSQL's 55P03).
type LockWaitTimeoutError struct{ Key Key }

func (e *LockWaitTimeoutError) Error() string {
	return fmt.Sprintf("lock wait timeout on key %s", e.Key)
}

// KeyExistsError is returned by an OpInsert mutation whose key already has a
// committed value.
type KeyExistsError struct{ Key Key }

func (e *KeyExistsError) Error() string { return fmt.Sprintf("key %s already exists", e.Key) }

// TxnAbortedError is returned when a transaction's lock is gone and a
// rollback record stands in its place: another transaction rolled it back.
type TxnAbortedError struct {
	Key     Key
	StartTs Timestamp
}

func (e *TxnAbortedError) Error() string {
	return fmt.Sprintf("transaction %s was rolled back (key %s)", e.StartTs, e.Key)
}

// TxnLockNotFoundError is returned by a commit that finds neither its lock
// nor a record of its own commit or rollback.
type TxnLockNotFoundError struct {
	Key     Key
	StartTs Timestamp
}

func (e *TxnLockNotFoundError) Error() string {
	return fmt.Sprintf("lock of transaction %s on key %s not found", e.StartTs, e.Key)
}

// ConditionFailedError is returned by RawCPut when the current value differs
// from the expected one.
type ConditionFailedError struct {
	Actual []byte
	Exists bool
}

func (e *ConditionFailedError) Error() string {
	if !e.Exists {
		return "unexpected value: key is absent"
	}
	return fmt.Sprintf("unexpected value: %x", e.Actual)
}

// RangeNotFoundError is returned when a store has no replica of the range.
type RangeNotFoundError struct {
	RangeID RangeID
	StoreID StoreID
}

func (e *RangeNotFoundError) Error() string {
	return fmt.Sprintf("range %s not found on store %s", e.RangeID, e.StoreID)
}

// RangeKeyMismatchError is returned when a request's keys are not inside the
// addressed range; it carries the current descriptors so the client can
// re-route in one step.
type RangeKeyMismatchError struct {
	Key    Key
	Ranges []RangeDescriptor
}

func (e *RangeKeyMismatchError) Error() string {
	return fmt.Sprintf("key %s is outside the addressed range", e.Key)
}

// NotLeaderError is returned by a replica that cannot serve because it is
// not the raft leader (or has not yet committed an entry of its term). Leader
// is the hint, zero when unknown.
type NotLeaderError struct {
	RangeID RangeID
	Leader  ReplicaDescriptor
	// LeaderAddr is the leader's node-to-node address, when the answering
	// node knows it (filled in by the node RPC layer).
	LeaderAddr string
}

func (e *NotLeaderError) Error() string {
	return fmt.Sprintf("replica of range %s is not the leader (hint: %+v)", e.RangeID, e.Leader)
}

// BufferTooLargeError is returned when a transaction's write buffer exceeds
// its bound; SQL reports it as 54000.
type BufferTooLargeError struct{ Limit int64 }

func (e *BufferTooLargeError) Error() string {
	return fmt.Sprintf("transaction write buffer exceeds %d bytes", e.Limit)
}

// DiskFullError is returned for a write a store refuses before proposing
// it because its disk is (nearly) full: Available bytes are free on the
// store's filesystem, below the Reserve the store keeps. Nothing was
// written; the write may succeed once space is freed. SQL reports it as
// 53100.
type DiskFullError struct {
	StoreID   StoreID
	Available uint64
	Reserve   uint64
}

func (e *DiskFullError) Error() string {
	return fmt.Sprintf("store %s is out of disk space: %d bytes available, below the reserve of %d bytes", e.StoreID, e.Available, e.Reserve)
}

// StoreFailedError is returned by a store that stopped serving after a
// storage failure (an I/O error from its engine): it fails every request
// rather than risk an answer from a state it can no longer trust. Cause
// describes the failure; NoSpace is set when it was the disk running out
// of space (ENOSPC). SQL reports it as 58030, or 53100 when NoSpace.
type StoreFailedError struct {
	StoreID StoreID
	Cause   string
	NoSpace bool
}

func (e *StoreFailedError) Error() string {
	return fmt.Sprintf("store %s failed and stopped serving: %s", e.StoreID, e.Cause)
}

// RangeFrozenError is returned for a read or write on a range being merged
// into its left neighbour (its AdminSubsumeRequest was proposed or
// applied): nothing was evaluated. The range's keys move to the left
// range shortly; the client backs off and retries, and is then sent on by
// a RangeKeyMismatchError carrying the merged descriptor.
type RangeFrozenError struct{ RangeID RangeID }

func (e *RangeFrozenError) Error() string {
	return fmt.Sprintf("range %s is frozen for a merge; retry", e.RangeID)
}
