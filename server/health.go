package server

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// Health, disk-full and fail-stop handling of a node.
//
// The store refuses writes while its disk is full (raftstore's disk
// monitor, Config.DiskReserve) and stops serving after a storage failure
// (raftstore's fail-stop). The node reflects both:
//
//   - /health is liveness: 200 "ok" while the store has not failed (and,
//     on a single node, range 1 has a leader here); /health?ready=1 is
//     readiness: also 503, with the reason, while the disk is full, and on
//     a cluster node while range 1 does not answer it.
//   - When the store fails, Config.OnFatal is called (the binary exits
//     there), and otherwise the node closes every SQL connection and stops
//     accepting new ones: nothing may be answered from a store whose state
//     is no longer known.

// failDrainTimeout is how long statements in flight get to report a store
// failure before their connections are closed.
const failDrainTimeout = time.Second

// failState is what a Server knows of its store's failure.
type failState struct {
	mu sync.Mutex
	// stopping is set when Stop begins: Stop closes the connections itself.
	stopping bool
	// closing tracks the goroutine that closes SQL connections after a
	// failure.
	closing sync.WaitGroup
}

// diskUsage returns the function the store's disk monitor reads.
func (s *Server) diskUsage() func() (vfs.DiskUsage, error) {
	fs, dir := s.cfg.FS, s.cfg.StoreDir
	if fs == nil {
		fs = vfs.Default
	}
	return func() (vfs.DiskUsage, error) { return fs.GetDiskUsage(dir) }
}

// onStoreFailure is the store's OnFatal hook; it runs on the store's
// scheduler goroutine once, and must not wait for the store.
func (s *Server) onStoreFailure(err error) {
	if s.cfg.OnFatal != nil {
		s.cfg.OnFatal(err)
	}
	s.fail.mu.Lock()
	defer s.fail.mu.Unlock()
	if s.fail.stopping {
		return
	}
	s.log.Error("the node stops serving SQL: its store failed", "err", err)
	s.fail.closing.Add(1)
	go func() {
		defer s.fail.closing.Done()
		// Drain rather than Close: statements in flight fail at once with
		// the store's error (58030) and get a second to report it before
		// their connections are closed; idle connections close now.
		ctx, cancel := context.WithTimeout(context.Background(), failDrainTimeout)
		defer cancel()
		_ = s.pgwire.Drain(ctx)
	}()
}

// beginStop marks the node as stopping and waits for a failure's
// connection closing to finish.
func (s *Server) beginStop() {
	s.fail.mu.Lock()
	s.fail.stopping = true
	s.fail.mu.Unlock()
	s.fail.closing.Wait()
}

// stopStore stops the store, giving its scheduler DrainTimeout to finish
// the pass it is in. It reports false if the scheduler did not stop (it is
// stuck in the engine): the engine must then not be closed, and the
// process should exit.
func (s *Server) stopStore() bool {
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.store.Stop()
	}()
	t := time.NewTimer(s.cfg.DrainTimeout)
	defer t.Stop()
	select {
	case <-done:
		return true
	case <-t.C:
		s.log.Error("the store did not stop within the drain timeout; leaving its engine open", "timeout", s.cfg.DrainTimeout)
		return false
	}
}

// serveHealth answers /health (liveness) and /health?ready=1 (readiness).
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if err := s.store.Failed(); err != nil {
		http.Error(w, fmt.Sprintf("not ready: %v", err), http.StatusServiceUnavailable)
		return
	}
	ready := r.URL.Query().Get("ready")
	wantReady := ready != "" && ready != "0" && ready != "false"
	if s.cfg.SingleNode {
		if _, ok := s.store.LeaderTerm(1); !ok {
			http.Error(w, "range 1 has no leader here", http.StatusServiceUnavailable)
			return
		}
	} else if wantReady {
		// A cluster node serves SQL when range 1 answers it, wherever
		// its leader is.
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		_, _, err := kv.NewDB(s.dist, nil, kv.DBOptions{}).RawGet(ctx, kvpb.ClusterIDKey)
		cancel()
		if err != nil {
			http.Error(w, fmt.Sprintf("not ready: range 1 does not answer: %v", err), http.StatusServiceUnavailable)
			return
		}
	}
	if wantReady {
		if err := s.store.DiskFull(); err != nil {
			http.Error(w, fmt.Sprintf("not ready: %v", err), http.StatusServiceUnavailable)
			return
		}
	}
	fmt.Fprintln(w, "ok")
}
