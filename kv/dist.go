package kv

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// NodeDialer reaches the cluster's nodes; server implements it (the local
// store in-process, the others over gRPC).
type NodeDialer interface {
	// Dial returns a Sender to the node's store.
	Dial(kvpb.NodeID) (Sender, error)
	// Nodes lists the nodes that may hold replicas, to try when no leader
	// is known.
	Nodes() []kvpb.NodeID
}

// AddressLearner is implemented by NodeDialers that take the leader
// addresses NotLeaderErrors carry.
type AddressLearner interface {
	Learn(id kvpb.NodeID, addr string)
}

// UnreachableError is implemented by the errors of a Sender that did not
// reach its node or got no answer (server/rpc's UnavailableError): a read
// may be retried elsewhere, a write's outcome is unknown.
type UnreachableError interface {
	error
	Unreachable() bool
	// NotSent reports that the request certainly did not leave (no
	// connection): even a write may then be sent elsewhere.
	NotSent() bool
}

// AmbiguousResultError is a write whose node went silent after it was
// sent: it may or may not have applied.
type AmbiguousResultError struct {
	RangeID kvpb.RangeID
	Err     error
}

func (e *AmbiguousResultError) Error() string {
	return fmt.Sprintf("result of a write to range %s is unknown: %v", e.RangeID, e.Err)
}

func (e *AmbiguousResultError) Unwrap() error { return e.Err }

// RangeUnavailableError is a range that answered from no node within
// DistSenderOptions.Timeout.
type RangeUnavailableError struct {
	RangeID kvpb.RangeID
	Tried   time.Duration
	Err     error
}

func (e *RangeUnavailableError) Error() string {
	return fmt.Sprintf("range %s is unavailable: no leader answered within %s (last error: %v)", e.RangeID, e.Tried, e.Err)
}

func (e *RangeUnavailableError) Unwrap() error { return e.Err }

// DistSenderOptions tunes a DistSender.
type DistSenderOptions struct {
	// Timeout bounds the search for a range's leader. Default 10 s.
	Timeout time.Duration
	// SilenceTimeout is how long an attempt may go unanswered before the
	// node is probed, and how long the probe may take before the node is
	// deemed silent (sendWatched). Default 1 s; negative disables it.
	SilenceTimeout time.Duration
}

// DistSender is the Sender of a node in a cluster: it sends each batch to
// the leader of its range, learning leaders from NotLeaderErrors (followed
// in one step when they name the leader) and trying the other nodes when
// none is known. Reads are retried on any node's silence; a write whose
// node went silent is an AmbiguousResultError, never retried blindly.
// Every batch addresses range 1 until ranges split (Cluster 2).
type DistSender struct {
	dialer NodeDialer
	opts   DistSenderOptions

	mu      sync.Mutex
	leaders map[kvpb.RangeID]kvpb.NodeID
}

var _ Sender = (*DistSender)(nil)

// NewDistSender returns a DistSender over dialer.
func NewDistSender(dialer NodeDialer, opts DistSenderOptions) *DistSender {
	if opts.Timeout <= 0 {
		opts.Timeout = 10 * time.Second
	}
	if opts.SilenceTimeout == 0 {
		opts.SilenceTimeout = time.Second
	}
	return &DistSender{dialer: dialer, opts: opts, leaders: map[kvpb.RangeID]kvpb.NodeID{}}
}

// LeaderHint returns the node last known to lead the range.
func (d *DistSender) LeaderHint(id kvpb.RangeID) (kvpb.NodeID, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	n, ok := d.leaders[id]
	return n, ok
}

func (d *DistSender) setLeader(id kvpb.RangeID, n kvpb.NodeID) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n == 0 {
		delete(d.leaders, id)
		return
	}
	d.leaders[id] = n
}

// Send implements Sender.
func (d *DistSender) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	rangeID := ba.RangeID
	if rangeID == 0 {
		rangeID = 1
	}
	start := time.Now()
	deadline := start.Add(d.opts.Timeout)
	var lastErr error
	// tried holds the nodes asked since the last leader hint.
	tried := map[kvpb.NodeID]bool{}
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if time.Now().After(deadline) {
			return nil, &RangeUnavailableError{RangeID: rangeID, Tried: time.Since(start).Round(time.Millisecond), Err: lastErr}
		}
		node, ok := d.LeaderHint(rangeID)
		if !ok || tried[node] {
			node = d.untried(tried)
			if node == 0 {
				// Every node was asked: wait a little (an election) and
				// start over.
				clear(tried)
				if !RetryBackoff(ctx, min(attempt, 7)) {
					return nil, ctx.Err()
				}
				continue
			}
		}
		tried[node] = true
		s, err := d.dialer.Dial(node)
		if err != nil {
			lastErr = err
			d.setLeader(rangeID, 0)
			continue
		}
		br, err := d.sendWatched(ctx, s, ba)
		if err == nil {
			d.setLeader(rangeID, node)
			return br, nil
		}
		lastErr = err
		var nl *kvpb.NotLeaderError
		var ue UnreachableError
		switch {
		case errors.As(err, &nl):
			if l, ok := d.dialer.(AddressLearner); ok && nl.LeaderAddr != "" {
				l.Learn(nl.Leader.NodeID, nl.LeaderAddr)
			}
			if nl.Leader.NodeID != 0 && nl.Leader.NodeID != node {
				// Follow the hint at once: it was not tried since.
				d.setLeader(rangeID, nl.Leader.NodeID)
				delete(tried, nl.Leader.NodeID)
			} else {
				d.setLeader(rangeID, 0)
			}
		case errors.As(err, &ue) && ue.Unreachable():
			d.setLeader(rangeID, 0)
			if ba.IsWrite() && !ue.NotSent() {
				return nil, &AmbiguousResultError{RangeID: rangeID, Err: err}
			}
		default:
			var rnf *kvpb.RangeNotFoundError
			if errors.As(err, &rnf) {
				d.setLeader(rangeID, 0)
				continue
			}
			return nil, err
		}
	}
}

// untried returns a node not yet asked, or 0.
func (d *DistSender) untried(tried map[kvpb.NodeID]bool) kvpb.NodeID {
	for _, n := range d.dialer.Nodes() {
		if !tried[n] {
			return n
		}
	}
	return 0
}

// errSilent cancels an attempt whose node answers neither it nor a probe.
var errSilent = errors.New("kv: the node answers nothing (not even a probe)")

// silentError is an attempt given up because its node went silent: a read
// is retried elsewhere, a write is ambiguous (it may have applied).
type silentError struct{ err error }

func (e *silentError) Error() string     { return fmt.Sprintf("%v: %v", errSilent, e.err) }
func (e *silentError) Unwrap() error     { return e.err }
func (e *silentError) Unreachable() bool { return true }
func (e *silentError) NotSent() bool     { return false }

// probeBatch is what a silent node is asked: a read of the cluster id that
// any live node answers at once, with the value or a NotLeaderError.
var probeBatch = &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: kvpb.ClusterIDKey}}}

// sendWatched sends ba to s. An attempt unanswered after SilenceTimeout is
// not given up for being slow (it may wait for a lock, or scan a lot):
// the node is then probed, every SilenceTimeout, and the attempt is given
// up only when a probe gets no answer within SilenceTimeout either. A
// frozen process (SIGSTOP, a stalled VM) keeps its TCP connections open,
// and gRPC's keepalive, whose interval is at least 10 s, would notice it
// only after 15 s, with every request to the node waiting that long.
func (d *DistSender) sendWatched(ctx context.Context, s Sender, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	after := d.opts.SilenceTimeout
	if after < 0 {
		return s.Send(ctx, ba)
	}
	actx, cancel := context.WithCancelCause(ctx)
	stop := make(chan struct{})
	watched := make(chan struct{})
	// The watcher runs on the timer's goroutine, only for a slow attempt;
	// the attempt waits for it before returning.
	timer := time.AfterFunc(after, func() {
		defer close(watched)
		wait := time.NewTimer(after)
		defer wait.Stop()
		for {
			pctx, pcancel := context.WithTimeout(actx, after)
			_, err := s.Send(pctx, probeBatch)
			silent := err != nil && errors.Is(pctx.Err(), context.DeadlineExceeded) && actx.Err() == nil
			pcancel()
			if silent {
				cancel(errSilent)
				return
			}
			wait.Reset(after)
			select {
			case <-wait.C:
			case <-stop:
				return
			}
		}
	})
	br, err := s.Send(actx, ba)
	close(stop)
	cancel(nil)
	if !timer.Stop() {
		<-watched
	}
	if err != nil && ctx.Err() == nil && errors.Is(context.Cause(actx), errSilent) {
		return nil, &silentError{err: err}
	}
	return br, err
}
