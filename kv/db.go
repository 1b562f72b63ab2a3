package kv

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Sender sends a batch to the replica that can serve it and returns its
// responses, or the typed kvpb error the batch failed with. Implementations
// honour ctx's deadline.
type Sender interface {
	Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error)
}

// TimestampOracle hands out unique, strictly increasing timestamps.
type TimestampOracle interface {
	Next(ctx context.Context) (kvpb.Timestamp, error)
}

// DBOptions tunes a DB. The zero value takes the defaults.
type DBOptions struct {
	// MaxTxnBytes bounds a transaction's write buffer (keys plus values).
	// Default 64 MiB.
	MaxTxnBytes int64
	// LockTTLMillis is the TTL of a transaction's locks, in TSO
	// milliseconds after its start. Default 3000.
	LockTTLMillis uint64
	// MaxRetries bounds how often DB.Txn restarts a transaction after a
	// retryable conflict. Default 10.
	MaxRetries int
	// DisableOnePC makes every commit use Percolator's two phases, even
	// when all of a transaction's keys lie in one range (tests).
	DisableOnePC bool
	// Memory, if set, is the node-wide pool transactions' write buffers
	// reserve from, beside their own MaxTxnBytes bound.
	Memory MemoryPool
	// Deadlock, if set, is the cluster's deadlock detector (deadlock.go);
	// by default the DB keeps a waits-for graph of its own transactions,
	// enough on a single node.
	Deadlock DeadlockDetector
	// AsyncSecondaries commits a transaction's secondary keys after
	// Commit returned (DESIGN.md §4), at most MaxAsyncCommits at a time
	// (beyond that, before returning). Its owner calls Close.
	AsyncSecondaries bool
}

// MaxAsyncCommits bounds the secondary commits in flight per DB.
const MaxAsyncCommits = 256

// MemoryPool is a node-wide memory budget shared with SQL's operators.
type MemoryPool interface {
	// Reserve takes n bytes, or fails (SQL's 53200) when the pool is
	// exhausted.
	Reserve(n int64) error
	// Release returns n bytes.
	Release(n int64)
}

func (o DBOptions) withDefaults() DBOptions {
	if o.MaxTxnBytes <= 0 {
		o.MaxTxnBytes = 64 << 20
	}
	if o.LockTTLMillis == 0 {
		o.LockTTLMillis = 3000
	}
	if o.MaxRetries <= 0 {
		o.MaxRetries = 10
	}
	return o
}

// DB is the entry point of the kv client. It is safe for concurrent use.
type DB struct {
	sender   Sender
	tso      TimestampOracle
	opts     DBOptions
	deadlock DeadlockDetector
	// async holds a token per secondary commit in flight; asyncWG waits
	// for them; closed (under asyncMu) makes later ones synchronous.
	async   chan struct{}
	asyncWG sync.WaitGroup
	asyncMu sync.Mutex
	closed  bool
}

// Close waits for the secondary commits in flight (AsyncSecondaries) and
// makes later ones run before Commit returns.
func (db *DB) Close() {
	db.asyncMu.Lock()
	db.closed = true
	db.asyncMu.Unlock()
	db.asyncWG.Wait()
}

// commitSecondaries commits keys, a committed transaction's secondaries:
// in the background when the DB allows it and has room, else at once.
// Errors are dropped: the transaction is committed (its primary is), and
// a reader that meets a leftover lock resolves it through the primary.
func (db *DB) commitSecondaries(ctx context.Context, startTs, commitTs kvpb.Timestamp, keys []kvpb.Key) {
	if len(keys) > maxChunkKeys {
		// A large transaction's secondaries, in pieces (chunk.go).
		for _, c := range chunkKeys(keys) {
			db.commitSecondaries(ctx, startTs, commitTs, c)
		}
		return
	}
	req := &kvpb.CommitRequest{StartTs: startTs, CommitTs: commitTs, Keys: keys}
	if db.opts.AsyncSecondaries {
		db.asyncMu.Lock()
		ok := !db.closed
		if ok {
			select {
			case db.async <- struct{}{}:
				db.asyncWG.Add(1)
			default:
				ok = false
			}
		}
		db.asyncMu.Unlock()
		if ok {
			go func() {
				defer db.asyncWG.Done()
				defer func() { <-db.async }()
				actx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
				defer cancel()
				_, _ = db.Send(actx, req)
			}()
			return
		}
	}
	_, _ = db.Send(ctx, req)
}

// NewDB returns a DB sending through sender and timestamping with tso.
func NewDB(sender Sender, tso TimestampOracle, opts DBOptions) *DB {
	db := &DB{sender: sender, tso: tso, opts: opts.withDefaults(), deadlock: opts.Deadlock, async: make(chan struct{}, MaxAsyncCommits)}
	if db.deadlock == nil {
		db.deadlock = localDetector{NewDeadlockGraph(0, 0)}
	}
	return db
}

// Now returns a fresh timestamp from the TSO.
func (db *DB) Now(ctx context.Context) (kvpb.Timestamp, error) { return db.tso.Next(ctx) }

// Send sends one request in a batch of its own and returns its response.
func (db *DB) Send(ctx context.Context, req kvpb.Request) (kvpb.Response, error) {
	br, err := db.sender.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{req}})
	if err != nil {
		return nil, err
	}
	if len(br.Responses) != 1 {
		return nil, fmt.Errorf("kv: %s returned %d responses", req.Method(), len(br.Responses))
	}
	return br.Responses[0], nil
}

// SendBatch sends reqs in one batch and returns their responses; requests
// of one range are applied together (a write batch atomically).
func (db *DB) SendBatch(ctx context.Context, reqs []kvpb.Request) ([]kvpb.Response, error) {
	br, err := db.sender.Send(ctx, &kvpb.BatchRequest{Requests: reqs})
	if err != nil {
		return nil, err
	}
	if len(br.Responses) != len(reqs) {
		return nil, fmt.Errorf("kv: a batch of %d requests returned %d responses", len(reqs), len(br.Responses))
	}
	return br.Responses, nil
}

// RawGet reads an unversioned key.
func (db *DB) RawGet(ctx context.Context, key kvpb.Key) ([]byte, bool, error) {
	resp, err := db.Send(ctx, &kvpb.RawGetRequest{Key: key})
	if err != nil {
		return nil, false, err
	}
	r := resp.(*kvpb.RawGetResponse)
	return r.Value, r.Found, nil
}

// RawPut writes an unversioned key through raft.
func (db *DB) RawPut(ctx context.Context, key kvpb.Key, value []byte) error {
	_, err := db.Send(ctx, &kvpb.RawPutRequest{Key: key, Value: value})
	return err
}

// RawCPut writes an unversioned key if its value is expected (absent when
// expectedExists is false); otherwise *kvpb.ConditionFailedError.
func (db *DB) RawCPut(ctx context.Context, key kvpb.Key, value, expected []byte, expectedExists bool) error {
	_, err := db.Send(ctx, &kvpb.RawCPutRequest{Key: key, Value: value, Expected: expected, ExpectedExists: expectedExists})
	return err
}

// Increment adds inc to the counter at key and returns its new value.
func (db *DB) Increment(ctx context.Context, key kvpb.Key, inc int64) (int64, error) {
	resp, err := db.Send(ctx, &kvpb.IncrementRequest{Key: key, Inc: inc})
	if err != nil {
		return 0, err
	}
	return resp.(*kvpb.IncrementResponse).NewValue, nil
}

// ClearRange removes everything in span with a ranged delete. It is not
// transactional: callers make the span unreachable first (DROP TABLE
// removes the descriptor in a committed transaction, then clears).
func (db *DB) ClearRange(ctx context.Context, span kvpb.Span) error {
	_, err := db.Send(ctx, &kvpb.ClearRangeRequest{Span: span})
	return err
}

// DecodeCounter decodes a counter value as Increment stores it.
func DecodeCounter(b []byte) (int64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("kv: counter of %d bytes", len(b))
	}
	return int64(binary.BigEndian.Uint64(b)), nil
}
