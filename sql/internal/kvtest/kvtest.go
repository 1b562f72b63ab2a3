// Package kvtest is a test-only, in-memory kv.Sender and TimestampOracle:
// enough Percolator semantics over a sorted map (versions, locks, write
// conflicts, OpInsert's existence check, raw keys, counters, ClearRange)
// to run SQL sessions end to end without raftstore. It is not a model of
// the real store's performance or failure behaviour.
package kvtest

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"sort"
	"sync"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

type version struct {
	commitTs, startTs kvpb.Timestamp
	value             []byte
	deleted           bool
	// lockOnly is the record a committed OpLock or OpSharedLock leaves:
	// readers skip it, prewrites conflict with it (as kv/mvcc's lock
	// records), except a shared lock's prewrite with a shared record.
	lockOnly, shared bool
}

type lock struct {
	info kvpb.LockInfo
	mut  kvpb.Mutation
}

// Store is the in-memory keyspace. Safe for concurrent use.
type Store struct {
	mu       sync.Mutex
	versions map[string][]version // newest first
	locks    map[string]lock
	raw      map[string][]byte
	// rollbacks records (key, startTs) rolled back.
	rollbacks map[string]map[kvpb.Timestamp]bool
	tso       kvpb.Timestamp
	// Requests counts requests by method.
	Requests map[kvpb.Method]int
	// Intercept, if set, may fail a request before it is evaluated.
	Intercept func(req kvpb.Request) error
}

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{
		versions: map[string][]version{}, locks: map[string]lock{}, raw: map[string][]byte{},
		rollbacks: map[string]map[kvpb.Timestamp]bool{}, Requests: map[kvpb.Method]int{},
	}
}

// NewDB returns a kv.DB over a new Store, and the store.
func NewDB() (*kv.DB, *Store) {
	s := NewStore()
	return kv.NewDB(s, s, kv.DBOptions{}), s
}

// Next implements kv.TimestampOracle.
func (s *Store) Next(ctx context.Context) (kvpb.Timestamp, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tso++
	return s.tso, nil
}

// Send implements kv.Sender.
func (s *Store) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	br := &kvpb.BatchResponse{}
	for _, req := range ba.Requests {
		s.Requests[req.Method()]++
		if s.Intercept != nil {
			if err := s.Intercept(req); err != nil {
				return nil, err
			}
		}
		resp, err := s.eval(req)
		if err != nil {
			return nil, err
		}
		br.Responses = append(br.Responses, resp)
	}
	return br, nil
}

func (s *Store) visible(key string, ts kvpb.Timestamp) (version, bool) {
	for _, v := range s.versions[key] {
		if v.commitTs <= ts && !v.lockOnly {
			return v, !v.deleted
		}
	}
	return version{}, false
}

func (s *Store) lockedErr(key string, ts kvpb.Timestamp) error {
	if l, ok := s.locks[key]; ok && l.info.StartTs <= ts && !l.mut.Op.IsLockOnly() {
		return &kvpb.KeyLockedError{Lock: l.info}
	}
	return nil
}

func (s *Store) sortedKeys(span kvpb.Span) []string {
	var keys []string
	seen := map[string]bool{}
	add := func(k string) {
		if !seen[k] && span.ContainsKey(kvpb.Key(k)) {
			seen[k] = true
			keys = append(keys, k)
		}
	}
	for k := range s.versions {
		add(k)
	}
	for k := range s.locks {
		add(k)
	}
	sort.Strings(keys)
	return keys
}

func (s *Store) eval(req kvpb.Request) (kvpb.Response, error) {
	switch r := req.(type) {
	case *kvpb.GetRequest:
		k := string(r.Key)
		if err := s.lockedErr(k, r.Ts); err != nil {
			return nil, err
		}
		v, ok := s.visible(k, r.Ts)
		return &kvpb.GetResponse{Value: append([]byte(nil), v.value...), Found: ok, Ts: v.commitTs}, nil
	case *kvpb.ScanRequest:
		keys := s.sortedKeys(r.Span)
		if r.Reverse {
			for i, j := 0, len(keys)-1; i < j; i, j = i+1, j-1 {
				keys[i], keys[j] = keys[j], keys[i]
			}
		}
		resp := &kvpb.ScanResponse{}
		for i, k := range keys {
			if err := s.lockedErr(k, r.Ts); err != nil {
				return nil, err
			}
			v, ok := s.visible(k, r.Ts)
			if !ok {
				continue
			}
			if r.MaxKeys > 0 && int64(len(resp.Rows)) == r.MaxKeys {
				rs := r.Span
				if r.Reverse {
					rs.EndKey = kvpb.Key(keys[i-1])
				} else {
					rs.Key = kvpb.Key(k)
				}
				resp.ResumeSpan = &rs
				break
			}
			resp.Rows = append(resp.Rows, kvpb.KeyValue{Key: kvpb.Key(k), Value: append([]byte(nil), v.value...), Ts: v.commitTs})
		}
		return resp, nil
	case *kvpb.OnePCRequest:
		if err := s.checkWrites(r.StartTs, r.Mutations); err != nil {
			return nil, err
		}
		// Reads and commits are serialized under s.mu here, so a fresh
		// timestamp is above every read served so far.
		s.tso = max(s.tso, r.MinCommitTs) + 1
		for _, m := range r.Mutations {
			k := string(m.Key)
			delete(s.locks, k) // our pessimistic lock, if any
			v := version{commitTs: s.tso, startTs: r.StartTs, value: append([]byte(nil), m.Value...),
				deleted: m.Op == kvpb.OpDelete, lockOnly: m.Op.IsLockOnly(), shared: m.Op == kvpb.OpSharedLock}
			s.versions[k] = append([]version{v}, s.versions[k]...)
		}
		return &kvpb.OnePCResponse{CommitTs: s.tso}, nil
	case *kvpb.PrewriteRequest:
		if err := s.checkWrites(r.StartTs, r.Mutations); err != nil {
			return nil, err
		}
		for _, m := range r.Mutations {
			s.locks[string(m.Key)] = lock{
				info: kvpb.LockInfo{Key: m.Key, Primary: r.Primary, StartTs: r.StartTs, TTL: r.LockTTL, Op: m.Op},
				mut:  kvpb.Mutation{Op: m.Op, Key: append(kvpb.Key(nil), m.Key...), Value: append([]byte(nil), m.Value...)},
			}
		}
		return &kvpb.PrewriteResponse{}, nil
	case *kvpb.PessimisticLockRequest:
		for _, key := range r.Keys {
			k := string(key)
			if l, ok := s.locks[k]; ok {
				if l.info.StartTs == r.StartTs {
					continue
				}
				return nil, &kvpb.KeyLockedError{Lock: l.info}
			}
			if s.rollbacks[k][r.StartTs] {
				return nil, &kvpb.TxnAbortedError{Key: key, StartTs: r.StartTs}
			}
			if vs := s.versions[k]; len(vs) > 0 && vs[0].commitTs >= r.ForUpdateTs {
				return nil, &kvpb.WriteConflictError{Key: key, StartTs: r.StartTs, ConflictStartTs: vs[0].startTs, ConflictCommitTs: vs[0].commitTs}
			}
		}
		for _, key := range r.Keys {
			if _, ok := s.locks[string(key)]; !ok {
				s.locks[string(key)] = lock{
					info: kvpb.LockInfo{Key: append(kvpb.Key(nil), key...), Primary: r.Primary, StartTs: r.StartTs, TTL: r.LockTTL, Op: kvpb.OpPessimistic},
					mut:  kvpb.Mutation{Op: kvpb.OpPessimistic, Key: append(kvpb.Key(nil), key...)},
				}
			}
		}
		return &kvpb.PessimisticLockResponse{}, nil
	case *kvpb.TxnHeartBeatRequest:
		l, ok := s.locks[string(r.Primary)]
		if !ok || l.info.StartTs != r.StartTs {
			return nil, &kvpb.TxnLockNotFoundError{Key: r.Primary, StartTs: r.StartTs}
		}
		l.info.TTL = max(l.info.TTL, r.TTL)
		s.locks[string(r.Primary)] = l
		return &kvpb.TxnHeartBeatResponse{TTL: l.info.TTL}, nil
	case *kvpb.CommitRequest:
		for _, key := range r.Keys {
			if err := s.commitKey(key, r.StartTs, r.CommitTs); err != nil {
				return nil, err
			}
		}
		return &kvpb.CommitResponse{}, nil
	case *kvpb.RollbackRequest:
		for _, key := range r.Keys {
			s.rollbackKey(key, r.StartTs)
		}
		return &kvpb.RollbackResponse{}, nil
	case *kvpb.CheckTxnStatusRequest:
		k := string(r.Primary)
		if l, ok := s.locks[k]; ok && l.info.StartTs == r.StartTs {
			if r.CurrentTs.Physical() > r.StartTs.Physical()+int64(l.info.TTL) {
				s.rollbackKey(r.Primary, r.StartTs)
				return &kvpb.CheckTxnStatusResponse{Status: kvpb.TxnStatusRolledBack}, nil
			}
			return &kvpb.CheckTxnStatusResponse{Status: kvpb.TxnStatusLocked, LockTTL: l.info.TTL}, nil
		}
		for _, v := range s.versions[k] {
			if v.startTs == r.StartTs {
				return &kvpb.CheckTxnStatusResponse{Status: kvpb.TxnStatusCommitted, CommitTs: v.commitTs}, nil
			}
		}
		s.rollbackKey(r.Primary, r.StartTs)
		return &kvpb.CheckTxnStatusResponse{Status: kvpb.TxnStatusRolledBack}, nil
	case *kvpb.ResolveLockRequest:
		for _, key := range r.Keys {
			if r.CommitTs.IsEmpty() {
				s.rollbackKey(key, r.StartTs)
			} else if err := s.commitKey(key, r.StartTs, r.CommitTs); err != nil {
				return nil, err
			}
		}
		return &kvpb.ResolveLockResponse{}, nil
	case *kvpb.RawGetRequest:
		v, ok := s.raw[string(r.Key)]
		return &kvpb.RawGetResponse{Value: append([]byte(nil), v...), Found: ok}, nil
	case *kvpb.RawPutRequest:
		s.raw[string(r.Key)] = append([]byte(nil), r.Value...)
		return &kvpb.RawPutResponse{}, nil
	case *kvpb.RawCPutRequest:
		v, ok := s.raw[string(r.Key)]
		if ok != r.ExpectedExists || (ok && !bytes.Equal(v, r.Expected)) {
			return nil, &kvpb.ConditionFailedError{Actual: v, Exists: ok}
		}
		s.raw[string(r.Key)] = append([]byte(nil), r.Value...)
		return &kvpb.RawCPutResponse{}, nil
	case *kvpb.IncrementRequest:
		var cur int64
		if v, ok := s.raw[string(r.Key)]; ok {
			c, err := kv.DecodeCounter(v)
			if err != nil {
				return nil, err
			}
			cur = c
		}
		cur += r.Inc
		s.raw[string(r.Key)] = binary.BigEndian.AppendUint64(nil, uint64(cur))
		return &kvpb.IncrementResponse{NewValue: cur}, nil
	case *kvpb.RawDeleteRequest:
		delete(s.raw, string(r.Key))
		return &kvpb.RawDeleteResponse{}, nil
	case *kvpb.ClearRangeRequest:
		for k := range s.versions {
			if r.Span.ContainsKey(kvpb.Key(k)) {
				delete(s.versions, k)
			}
		}
		for k := range s.locks {
			if r.Span.ContainsKey(kvpb.Key(k)) {
				delete(s.locks, k)
			}
		}
		for k := range s.raw {
			if r.Span.ContainsKey(kvpb.Key(k)) {
				delete(s.raw, k)
			}
		}
		return &kvpb.ClearRangeResponse{}, nil
	}
	return nil, fmt.Errorf("kvtest: unsupported request %s", req.Method())
}

// checkWrites makes a prewrite's checks of muts for the transaction
// started at startTs.
func (s *Store) checkWrites(startTs kvpb.Timestamp, muts []kvpb.Mutation) error {
	for _, m := range muts {
		k := string(m.Key)
		l, locked := s.locks[k]
		if locked && l.info.StartTs != startTs {
			return &kvpb.KeyLockedError{Lock: l.info}
		}
		if s.rollbacks[k][startTs] {
			return &kvpb.TxnAbortedError{Key: m.Key, StartTs: startTs}
		}
		// Our pessimistic lock kept other writers out since it was taken.
		ownPessimistic := locked && l.info.Op == kvpb.OpPessimistic
		vs := s.versions[k]
		for m.Op == kvpb.OpSharedLock && len(vs) > 0 && vs[0].shared && vs[0].commitTs >= startTs {
			vs = vs[1:] // shared locks do not conflict with each other
		}
		if len(vs) > 0 && vs[0].commitTs >= startTs && !ownPessimistic {
			return &kvpb.WriteConflictError{Key: m.Key, StartTs: startTs, ConflictStartTs: vs[0].startTs, ConflictCommitTs: vs[0].commitTs}
		}
		if m.Op == kvpb.OpInsert {
			if _, ok := s.visible(k, kvpb.MaxTimestamp); ok {
				return &kvpb.KeyExistsError{Key: m.Key}
			}
		}
	}
	return nil
}

func (s *Store) commitKey(key kvpb.Key, startTs, commitTs kvpb.Timestamp) error {
	k := string(key)
	l, ok := s.locks[k]
	if !ok || l.info.StartTs != startTs {
		for _, v := range s.versions[k] {
			if v.startTs == startTs {
				return nil // already committed
			}
		}
		if s.rollbacks[k][startTs] {
			return &kvpb.TxnAbortedError{Key: key, StartTs: startTs}
		}
		return &kvpb.TxnLockNotFoundError{Key: key, StartTs: startTs}
	}
	delete(s.locks, k)
	v := version{commitTs: commitTs, startTs: startTs, value: l.mut.Value, deleted: l.mut.Op == kvpb.OpDelete,
		lockOnly: l.mut.Op.IsLockOnly(), shared: l.mut.Op == kvpb.OpSharedLock}
	s.versions[k] = append([]version{v}, s.versions[k]...)
	return nil
}

func (s *Store) rollbackKey(key kvpb.Key, startTs kvpb.Timestamp) {
	k := string(key)
	if l, ok := s.locks[k]; ok && l.info.StartTs == startTs {
		delete(s.locks, k)
	}
	if s.rollbacks[k] == nil {
		s.rollbacks[k] = map[kvpb.Timestamp]bool{}
	}
	s.rollbacks[k][startTs] = true
}

// KeyCount returns how many keys in span have a live newest version.
func (s *Store) KeyCount(span kvpb.Span) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, k := range s.sortedKeys(span) {
		if _, ok := s.visible(k, kvpb.MaxTimestamp); ok {
			n++
		}
	}
	return n
}
