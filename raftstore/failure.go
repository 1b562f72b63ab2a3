package raftstore

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Fail-stop.
//
// Any error the scheduler pass gets from the engine — a failed append,
// apply or log truncation, and Pebble's own fatal errors, which it raises
// as a panic in the committing goroutine (mvcc's Pebble logger panics in
// Fatalf) — leaves the store's durable state unknown: a later answer could
// come from a log or an applied state that never reached the disk. So the
// store stops serving at once (fail): the scheduler exits, every waiting
// proposal and read fails with *kvpb.StoreFailedError, every later request
// fails with it before touching a replica, LeaderTerm reports no leadership,
// and Config.OnFatal is called so the node can stop (the binary exits).
// Nothing is ever answered from the failed state.

// Failed returns *kvpb.StoreFailedError once a storage failure stopped the
// store from serving, else nil.
func (s *Store) Failed() error {
	if f := s.failure.Load(); f != nil {
		return f
	}
	return nil
}

// DiskFull returns *kvpb.DiskFullError while the disk monitor finds less
// free space than the reserve (writes that add data are then refused),
// else nil.
func (s *Store) DiskFull() error { return s.disk.fullError() }

// fail records cause as the store's failure, wakes every waiter and calls
// Config.OnFatal. Only the first call has an effect. It takes no replica
// lock: a panic may have left one held.
func (s *Store) fail(cause error, stack []byte) {
	// Pebble's fatal errors arrive as panics with a message, so ENOSPC is
	// recognized by its text too.
	noSpace := errors.Is(cause, syscall.ENOSPC) || strings.Contains(cause.Error(), syscall.ENOSPC.Error())
	f := &kvpb.StoreFailedError{StoreID: s.cfg.StoreID, Cause: cause.Error(), NoSpace: noSpace}
	if !s.failure.CompareAndSwap(nil, f) {
		return
	}
	close(s.failedCh)
	// Reads waiting for a one-phase commit's in-memory locks wake up and
	// see the failure (Replica.read).
	s.mu.RLock()
	for _, r := range s.mu.replicas {
		r.conc.releaseAll()
	}
	s.mu.RUnlock()
	attrs := []any{"store", s.cfg.StoreID, "err", cause}
	if stack != nil {
		attrs = append(attrs, "stack", string(stack))
	}
	s.cfg.Logger.Error("raftstore: storage failure: the store stops serving", attrs...)
	if s.cfg.OnFatal != nil {
		s.cfg.OnFatal(f)
	}
}

// recoverFailure, deferred in the scheduler goroutine, turns a panic into
// the store's failure.
func (s *Store) recoverFailure() {
	if p := recover(); p != nil {
		err, ok := p.(error)
		if !ok {
			err = fmt.Errorf("%v", p)
		}
		s.fail(fmt.Errorf("panic in the scheduler: %w", err), debug.Stack())
	}
}
