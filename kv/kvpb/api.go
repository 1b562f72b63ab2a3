package kvpb

import "fmt"

// Method names a request type.
type Method uint8

// The methods. Values are persisted inside raft commands: append, never
// renumber.
const (
	MethodGet Method = iota + 1
	MethodScan
	MethodPrewrite
	MethodCommit
	MethodRollback
	MethodCheckTxnStatus
	MethodResolveLock
	MethodRawGet
	MethodRawPut
	MethodRawCPut
	MethodIncrement
	MethodRawDelete
	MethodClearRange
	MethodOnePC
	MethodPessimisticLock
	MethodTxnHeartBeat
	MethodRawScan
	MethodAdminSplit
	MethodWaitLock
	MethodAdminSubsume
	MethodAdminMerge
	MethodWaitApplied
	MethodStoreReport
	MethodPlacementOp
)

var methodNames = map[Method]string{
	MethodGet: "Get", MethodScan: "Scan", MethodPrewrite: "Prewrite",
	MethodCommit: "Commit", MethodRollback: "Rollback",
	MethodCheckTxnStatus: "CheckTxnStatus", MethodResolveLock: "ResolveLock",
	MethodRawGet: "RawGet", MethodRawPut: "RawPut", MethodRawCPut: "RawCPut",
	MethodIncrement: "Increment", MethodRawDelete: "RawDelete",
	MethodClearRange: "ClearRange", MethodOnePC: "OnePC",
	MethodPessimisticLock: "PessimisticLock", MethodTxnHeartBeat: "TxnHeartBeat",
	MethodRawScan: "RawScan", MethodAdminSplit: "AdminSplit",
	MethodWaitLock: "WaitLock", MethodAdminSubsume: "AdminSubsume",
	MethodAdminMerge: "AdminMerge", MethodWaitApplied: "WaitApplied",
	MethodStoreReport: "StoreReport", MethodPlacementOp: "PlacementOp",
}

func (m Method) String() string {
	if s, ok := methodNames[m]; ok {
		return s
	}
	return fmt.Sprintf("Method(%d)", uint8(m))
}

// Request is one operation of a BatchRequest. Read requests are evaluated on
// the leaseholder against a consistent snapshot after a ReadIndex; write
// requests travel through raft as part of a command and are evaluated
// deterministically at apply on every replica.
type Request interface {
	Method() Method
	// IsWrite reports whether the request changes replicated state and so
	// must be proposed through raft.
	IsWrite() bool
	// Header returns the key (or first key) the request addresses; it is used
	// to route the request to a range.
	Header() Key
}

// Response is the result of one Request, in the same position.
type Response interface{ Method() Method }

// BatchRequest is a set of requests to one range, evaluated in order. A batch
// is either all reads or all writes; the writes of one batch apply
// atomically.
type BatchRequest struct {
	// RangeID is the range the sender believes holds the batch's keys; zero
	// lets the store route by key.
	RangeID  RangeID
	Requests []Request
}

// IsWrite reports whether the batch holds write requests.
func (b *BatchRequest) IsWrite() bool {
	for _, r := range b.Requests {
		if r.IsWrite() {
			return true
		}
	}
	return false
}

// BatchResponse holds one Response per request of the BatchRequest.
type BatchResponse struct {
	Responses []Response
}

// KeyValue is a key with the value visible at a read timestamp.
type KeyValue struct {
	Key   Key
	Value []byte
	// Ts is the commit timestamp of the version read (zero for raw keys).
	Ts Timestamp
}

// MutationOp is what a prewrite does to one key.
type MutationOp uint8

// The mutation ops. Values are persisted in locks: append, never renumber.
const (
	// OpPut writes the value.
	OpPut MutationOp = iota + 1
	// OpDelete deletes the key.
	OpDelete
	// OpInsert writes the value and fails with KeyExistsError if a committed
	// version of the key exists (PostgreSQL's INSERT into a unique key).
	OpInsert
	// OpLock takes a lock and writes nothing (SELECT … FOR UPDATE, and keys
	// a transaction read and must keep stable).
	OpLock
	// OpSharedLock takes a shared lock and writes nothing: it conflicts
	// with any other write of the key committed after the transaction
	// started, except other shared locks, and every write but a shared
	// lock conflicts with it. Writers of a table take it on the table's
	// schema lock key, which a schema change locks with OpLock: writers do
	// not conflict with each other, each of them does with the change.
	OpSharedLock
	// OpPessimistic is the op of a pessimistic lock (PessimisticLockRequest):
	// taken by a DML statement of an explicit transaction on each key it
	// writes, it carries no value, readers ignore it, and the
	// transaction's prewrite (or one-phase commit) replaces it. It is never
	// a mutation's op.
	OpPessimistic
)

// IsLockOnly reports whether the op writes nothing readers see.
func (o MutationOp) IsLockOnly() bool {
	return o == OpLock || o == OpSharedLock || o == OpPessimistic
}

func (o MutationOp) String() string {
	switch o {
	case OpPut:
		return "put"
	case OpDelete:
		return "delete"
	case OpInsert:
		return "insert"
	case OpLock:
		return "lock"
	case OpSharedLock:
		return "shared-lock"
	case OpPessimistic:
		return "pessimistic"
	}
	return fmt.Sprintf("op(%d)", uint8(o))
}

// Mutation is one key of a prewrite.
type Mutation struct {
	Op    MutationOp
	Key   Key
	Value []byte
}

// GetRequest reads the newest version of Key committed at or before Ts. A
// lock of another transaction with start_ts <= Ts yields KeyLockedError.
type GetRequest struct {
	Key Key
	Ts  Timestamp
}

// GetResponse holds the value read; Found is false when no visible version
// exists or the newest visible version is a delete.
type GetResponse struct {
	Value []byte
	Found bool
	Ts    Timestamp
}

// ScanRequest reads the versions of keys in Span visible at Ts, in key
// order (or reverse), at most MaxKeys of them (0 = no limit). When
// MaxBytes is set the scan also stops once the keys and values it has read
// reach that many bytes (it always returns at least one row), so a batch of
// wide rows stays as small as a batch of narrow ones.
type ScanRequest struct {
	Span     Span
	Ts       Timestamp
	MaxKeys  int64
	MaxBytes int64
	Reverse  bool
}

// ScanResponse holds the rows read. ResumeSpan, when set, is what remains of
// the span after the MaxKeys or MaxBytes limit stopped the scan.
type ScanResponse struct {
	Rows       []KeyValue
	ResumeSpan *Span
}

// PrewriteRequest is Percolator's first phase: lock every mutation's key for
// the transaction started at StartTs, with Primary as the primary lock.
type PrewriteRequest struct {
	Primary   Key
	StartTs   Timestamp
	LockTTL   uint64 // milliseconds of TSO time after StartTs
	Mutations []Mutation
}

// PrewriteResponse is empty: success means every key is locked.
type PrewriteResponse struct{}

// OnePCRequest commits a transaction whose every key lies in one range in
// a single raft command (DESIGN.md §4, "1PC"): the checks of a prewrite
// (no lock, no write at or after StartTs, OpInsert's key absent), then a
// committed version of every mutation at CommitTs, with no lock ever
// written. The sender leaves CommitTs zero: the range's leader fills it in
// when it proposes the command, above every timestamp it has served a read
// at (see OnePCCommitTs), so no reader can have missed the write.
type OnePCRequest struct {
	StartTs Timestamp
	// MinCommitTs, when set, is a timestamp the commit_ts must exceed:
	// the largest for_update_ts of the transaction's pessimistic locks.
	MinCommitTs Timestamp
	CommitTs    Timestamp
	Mutations   []Mutation
}

// OnePCResponse carries the commit timestamp the range chose.
type OnePCResponse struct {
	CommitTs Timestamp
}

// PessimisticLockRequest takes pessimistic locks on Keys for the
// transaction started at StartTs, whose statement reads at ForUpdateTs
// (DESIGN.md §4; TiDB's pessimistic mode). A key locked by another
// transaction fails it with KeyLockedError (the client waits or resolves);
// a write committed at or after ForUpdateTs with WriteConflictError (READ
// COMMITTED re-runs the statement on a newer snapshot, REPEATABLE READ
// fails with 40001); nothing is locked then. A key already locked by the
// transaction stays locked. Primary is the transaction's primary key; it
// is locked by the transaction's first such request.
type PessimisticLockRequest struct {
	Primary     Key
	StartTs     Timestamp
	ForUpdateTs Timestamp
	LockTTL     uint64
	Keys        []Key
}

// PessimisticLockResponse is empty.
type PessimisticLockResponse struct{}

// TxnHeartBeatRequest extends the TTL of the lock on the transaction's
// primary key to at least TTL (milliseconds of TSO time after StartTs),
// so that a long transaction that is alive is not rolled back by others.
type TxnHeartBeatRequest struct {
	Primary Key
	StartTs Timestamp
	TTL     uint64
}

// TxnHeartBeatResponse returns the lock's TTL.
type TxnHeartBeatResponse struct{ TTL uint64 }

// CommitRequest is Percolator's second phase for Keys: each lock of StartTs
// becomes a committed version at CommitTs.
type CommitRequest struct {
	StartTs  Timestamp
	CommitTs Timestamp
	Keys     []Key
}

// CommitResponse is empty.
type CommitResponse struct{}

// RollbackRequest removes the transaction's locks on Keys and leaves a
// rollback record at each, so a late prewrite cannot resurrect it.
type RollbackRequest struct {
	StartTs Timestamp
	Keys    []Key
}

// RollbackResponse is empty.
type RollbackResponse struct{}

// TxnStatus is the state of a transaction as its primary key tells it.
type TxnStatus uint8

// The transaction states.
const (
	TxnStatusLocked TxnStatus = iota + 1
	TxnStatusCommitted
	TxnStatusRolledBack
)

func (s TxnStatus) String() string {
	switch s {
	case TxnStatusLocked:
		return "locked"
	case TxnStatusCommitted:
		return "committed"
	case TxnStatusRolledBack:
		return "rolled-back"
	}
	return fmt.Sprintf("TxnStatus(%d)", uint8(s))
}

// CheckTxnStatusRequest asks the primary key of the transaction started at
// StartTs for its fate. If the primary lock's TTL has expired at CurrentTs
// (TSO time), the transaction is rolled back here.
type CheckTxnStatusRequest struct {
	Primary   Key
	StartTs   Timestamp
	CurrentTs Timestamp
}

// CheckTxnStatusResponse tells the transaction's state; CommitTs is set when
// it committed, LockTTL while it is still locked.
type CheckTxnStatusResponse struct {
	Status   TxnStatus
	CommitTs Timestamp
	LockTTL  uint64
}

// ResolveLockRequest finishes the transaction started at StartTs on Keys:
// commits its locks at CommitTs, or rolls them back when CommitTs is zero.
type ResolveLockRequest struct {
	StartTs  Timestamp
	CommitTs Timestamp
	Keys     []Key
}

// ResolveLockResponse is empty.
type ResolveLockResponse struct{}

// RawGetRequest reads an unversioned key.
type RawGetRequest struct{ Key Key }

// RawGetResponse holds the unversioned value.
type RawGetResponse struct {
	Value []byte
	Found bool
}

// RawPutRequest writes an unversioned key (non-transactional).
type RawPutRequest struct {
	Key   Key
	Value []byte
}

// RawPutResponse is empty.
type RawPutResponse struct{}

// RawCPutRequest writes an unversioned key if its current value is Expected
// (ExpectedExists false means "the key must be absent"); otherwise it fails
// with ConditionFailedError carrying the actual value.
type RawCPutRequest struct {
	Key            Key
	Value          []byte
	Expected       []byte
	ExpectedExists bool
}

// RawCPutResponse is empty.
type RawCPutResponse struct{}

// IncrementRequest adds Inc to the unversioned 8-byte big-endian counter at
// Key (absent = 0) and returns the new value.
type IncrementRequest struct {
	Key Key
	Inc int64
}

// IncrementResponse holds the counter's new value.
type IncrementResponse struct{ NewValue int64 }

// RawDeleteRequest deletes an unversioned key.
type RawDeleteRequest struct{ Key Key }

// RawDeleteResponse is empty.
type RawDeleteResponse struct{}

// ClearRangeRequest removes every version, lock and raw value in Span with
// a ranged delete (DROP TABLE, TRUNCATE). It is not transactional.
type ClearRangeRequest struct{ Span Span }

// RawScanRequest reads up to MaxKeys (0: no limit) unversioned values in
// Span, in key order: how the range cache reads /Meta.
type RawScanRequest struct {
	Span    Span
	MaxKeys int64
}

// RawScanResponse holds the values RawScanRequest read.
type RawScanResponse struct{ Rows []KeyValue }

// AdminSplitRequest splits the range holding SplitKey so that a new range,
// RightRangeID, starts at SplitKey (DESIGN.md §5). It is one raft command
// on the left range, alone in its batch; every replica derives both new
// descriptors from its current one at apply. SplitKey must lie strictly
// inside the range and at or above SystemMax; a non-zero Generation must
// match the range's.
type AdminSplitRequest struct {
	SplitKey     Key
	RightRangeID RangeID
	Generation   uint64
}

// AdminSplitResponse holds the two descriptors the split made.
type AdminSplitResponse struct {
	Left, Right RangeDescriptor
}

// ClearRangeResponse is empty.
type ClearRangeResponse struct{}

func (*GetRequest) Method() Method             { return MethodGet }
func (*ScanRequest) Method() Method            { return MethodScan }
func (*PrewriteRequest) Method() Method        { return MethodPrewrite }
func (*CommitRequest) Method() Method          { return MethodCommit }
func (*RollbackRequest) Method() Method        { return MethodRollback }
func (*CheckTxnStatusRequest) Method() Method  { return MethodCheckTxnStatus }
func (*ResolveLockRequest) Method() Method     { return MethodResolveLock }
func (*RawGetRequest) Method() Method          { return MethodRawGet }
func (*RawPutRequest) Method() Method          { return MethodRawPut }
func (*RawCPutRequest) Method() Method         { return MethodRawCPut }
func (*IncrementRequest) Method() Method       { return MethodIncrement }
func (*RawDeleteRequest) Method() Method       { return MethodRawDelete }
func (*ClearRangeRequest) Method() Method      { return MethodClearRange }
func (*OnePCRequest) Method() Method           { return MethodOnePC }
func (*PessimisticLockRequest) Method() Method { return MethodPessimisticLock }
func (*TxnHeartBeatRequest) Method() Method    { return MethodTxnHeartBeat }
func (*RawScanRequest) Method() Method         { return MethodRawScan }
func (*AdminSplitRequest) Method() Method      { return MethodAdminSplit }

func (*GetResponse) Method() Method             { return MethodGet }
func (*ScanResponse) Method() Method            { return MethodScan }
func (*PrewriteResponse) Method() Method        { return MethodPrewrite }
func (*CommitResponse) Method() Method          { return MethodCommit }
func (*RollbackResponse) Method() Method        { return MethodRollback }
func (*CheckTxnStatusResponse) Method() Method  { return MethodCheckTxnStatus }
func (*ResolveLockResponse) Method() Method     { return MethodResolveLock }
func (*RawGetResponse) Method() Method          { return MethodRawGet }
func (*RawPutResponse) Method() Method          { return MethodRawPut }
func (*RawCPutResponse) Method() Method         { return MethodRawCPut }
func (*IncrementResponse) Method() Method       { return MethodIncrement }
func (*RawDeleteResponse) Method() Method       { return MethodRawDelete }
func (*ClearRangeResponse) Method() Method      { return MethodClearRange }
func (*OnePCResponse) Method() Method           { return MethodOnePC }
func (*PessimisticLockResponse) Method() Method { return MethodPessimisticLock }
func (*TxnHeartBeatResponse) Method() Method    { return MethodTxnHeartBeat }
func (*RawScanResponse) Method() Method         { return MethodRawScan }
func (*AdminSplitResponse) Method() Method      { return MethodAdminSplit }

func (*GetRequest) IsWrite() bool             { return false }
func (*ScanRequest) IsWrite() bool            { return false }
func (*PrewriteRequest) IsWrite() bool        { return true }
func (*CommitRequest) IsWrite() bool          { return true }
func (*RollbackRequest) IsWrite() bool        { return true }
func (*CheckTxnStatusRequest) IsWrite() bool  { return true }
func (*ResolveLockRequest) IsWrite() bool     { return true }
func (*RawGetRequest) IsWrite() bool          { return false }
func (*RawPutRequest) IsWrite() bool          { return true }
func (*RawCPutRequest) IsWrite() bool         { return true }
func (*IncrementRequest) IsWrite() bool       { return true }
func (*RawDeleteRequest) IsWrite() bool       { return true }
func (*ClearRangeRequest) IsWrite() bool      { return true }
func (*OnePCRequest) IsWrite() bool           { return true }
func (*PessimisticLockRequest) IsWrite() bool { return true }
func (*TxnHeartBeatRequest) IsWrite() bool    { return true }
func (*RawScanRequest) IsWrite() bool         { return false }
func (*AdminSplitRequest) IsWrite() bool      { return true }

func (r *GetRequest) Header() Key      { return r.Key }
func (r *ScanRequest) Header() Key     { return r.Span.Key }
func (r *PrewriteRequest) Header() Key { return firstMutationKey(r.Mutations) }
func (r *CommitRequest) Header() Key   { return firstKey(r.Keys) }
func (r *RollbackRequest) Header() Key { return firstKey(r.Keys) }
func (r *CheckTxnStatusRequest) Header() Key {
	return r.Primary
}
func (r *ResolveLockRequest) Header() Key { return firstKey(r.Keys) }
func (r *RawGetRequest) Header() Key      { return r.Key }
func (r *RawPutRequest) Header() Key      { return r.Key }
func (r *RawCPutRequest) Header() Key     { return r.Key }
func (r *IncrementRequest) Header() Key   { return r.Key }
func (r *RawDeleteRequest) Header() Key   { return r.Key }
func (r *ClearRangeRequest) Header() Key  { return r.Span.Key }
func (r *OnePCRequest) Header() Key       { return firstMutationKey(r.Mutations) }
func (r *PessimisticLockRequest) Header() Key {
	return firstKey(r.Keys)
}
func (r *TxnHeartBeatRequest) Header() Key { return r.Primary }
func (r *RawScanRequest) Header() Key      { return r.Span.Key }
func (r *AdminSplitRequest) Header() Key   { return r.SplitKey }

func firstKey(ks []Key) Key {
	if len(ks) == 0 {
		return nil
	}
	return ks[0]
}

func firstMutationKey(ms []Mutation) Key {
	if len(ms) == 0 {
		return nil
	}
	return ms[0].Key
}

// MaxWaitLockMillis caps WaitLockRequest.WaitMillis.
const MaxWaitLockMillis = 1000

// WaitLockRequest waits, at the leader of Key's range, until the lock of
// the transaction started at LockStartTs on Key is released or replaced
// (its transaction committed, rolled back or was resolved), or WaitMillis
// (at most MaxWaitLockMillis) pass: how a transaction that met the lock
// waits for it (TiKV's waiter manager). It is a read (never proposed) and
// must be alone in its batch. A lock already gone, or held by another
// transaction, is answered at once.
type WaitLockRequest struct {
	Key         Key
	LockStartTs Timestamp
	WaitMillis  uint64
}

// WaitLockResponse tells whether the lock is gone (Released); false means
// the wait ended without seeing it go (time out, or no room for another
// waiter): the caller looks again.
type WaitLockResponse struct{ Released bool }

func (*WaitLockRequest) Method() Method  { return MethodWaitLock }
func (*WaitLockResponse) Method() Method { return MethodWaitLock }
func (*WaitLockRequest) IsWrite() bool   { return false }
func (r *WaitLockRequest) Header() Key   { return r.Key }

// AdminSubsumeRequest freezes the right-hand range of a merge (raftstore's
// merge.go): a raft command on that range, alone in its batch, proposed by
// raftstore.Store.MergeRanges only (a Store refuses it from Send). Once it
// applies, every replica of the range refuses every read and write with
// RangeFrozenError, persistently, until the merge into LeftRangeID removes
// the range. Generation must match the range's.
type AdminSubsumeRequest struct {
	Generation  uint64
	LeftRangeID RangeID
}

// AdminSubsumeResponse holds the frozen range's descriptor, the index of
// the subsume entry, and the largest timestamp its leader served a read at.
type AdminSubsumeResponse struct {
	Desc      RangeDescriptor
	Index     uint64
	MaxReadTs Timestamp
}

// AdminMergeRequest merges the frozen range RightDesc into the range it
// is proposed to (its left neighbour): a raft command on the left range,
// alone in its batch, proposed by raftstore.Store.MergeRanges only. It
// applies only when the left range's generation is LeftGeneration; every
// replica must hold a replica of RightDesc's range that applied
// SubsumeIndex. RightMaxReadTs is inherited by the left's leader.
type AdminMergeRequest struct {
	LeftGeneration uint64
	RightDesc      RangeDescriptor
	SubsumeIndex   uint64
	RightMaxReadTs Timestamp
}

// AdminMergeResponse holds the merged descriptor.
type AdminMergeResponse struct{ Merged RangeDescriptor }

// MaxWaitAppliedMillis caps WaitAppliedRequest.WaitMillis.
const MaxWaitAppliedMillis = 2000

// WaitAppliedRequest asks one store, not the leader, to answer once its
// replica of RangeID has applied Index (durably), or after WaitMillis (at
// most MaxWaitAppliedMillis): how a merge waits for every replica of the
// frozen range. It is a read, alone in its batch, sent with the batch's
// RangeID set to RangeID to one node. A store whose replica was merged
// away answers Applied = Index.
type WaitAppliedRequest struct {
	RangeID    RangeID
	Index      uint64
	WaitMillis uint64
}

// WaitAppliedResponse holds the replica's applied index when the wait
// ended.
type WaitAppliedResponse struct{ Applied uint64 }

func (*AdminSubsumeRequest) Method() Method  { return MethodAdminSubsume }
func (*AdminSubsumeResponse) Method() Method { return MethodAdminSubsume }
func (*AdminSubsumeRequest) IsWrite() bool   { return true }
func (*AdminSubsumeRequest) Header() Key     { return nil }
func (*AdminMergeRequest) Method() Method    { return MethodAdminMerge }
func (*AdminMergeResponse) Method() Method   { return MethodAdminMerge }
func (*AdminMergeRequest) IsWrite() bool     { return true }
func (r *AdminMergeRequest) Header() Key     { return r.RightDesc.StartKey }
func (*WaitAppliedRequest) Method() Method   { return MethodWaitApplied }
func (*WaitAppliedResponse) Method() Method  { return MethodWaitApplied }
func (*WaitAppliedRequest) IsWrite() bool    { return false }
func (*WaitAppliedRequest) Header() Key      { return nil }
