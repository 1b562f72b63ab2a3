package placement

import (
	"context"
	"fmt"
	"sync"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// fakeStorage is an in-memory TSOStorage: range 1 as a term, a leadership
// flag and the stored high-water mark. It records every call in order.
type fakeStorage struct {
	mu sync.Mutex
	// term is the current raft term; leader says whether the local replica
	// leads in it.
	term   uint64
	leader bool
	// hw is the value stored at kvpb.TSOKey (0: absent).
	hw kvpb.Timestamp
	// events records "load", "save <prev> -> <hw>" and "readindex <term>".
	events []string
	// readIndexErr, if set, fails every ReadIndex.
	readIndexErr error
	// readIndexTermDelta is added to the term ReadIndex reports, to simulate
	// leadership confirmed in a term other than the one LeaderTerm saw.
	readIndexTermDelta uint64
	// readIndexHook, if set, runs (without mu) at the start of ReadIndex;
	// an error it returns fails the call.
	readIndexHook func(ctx context.Context) error
}

func newFakeStorage() *fakeStorage { return &fakeStorage{term: 1, leader: true} }

func (s *fakeStorage) LeaderTerm() (uint64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.term, s.leader
}

func (s *fakeStorage) ReadIndex(ctx context.Context) (uint64, error) {
	s.mu.Lock()
	hook := s.readIndexHook
	s.mu.Unlock()
	if hook != nil {
		if err := hook(ctx); err != nil {
			return 0, err
		}
	}
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.readIndexErr != nil {
		return 0, s.readIndexErr
	}
	if !s.leader {
		return 0, &kvpb.NotLeaderError{RangeID: 1}
	}
	term := s.term + s.readIndexTermDelta
	s.events = append(s.events, fmt.Sprintf("readindex %d", term))
	return term, nil
}

func (s *fakeStorage) LoadHighWater(ctx context.Context) (kvpb.Timestamp, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, "load")
	return s.hw, nil
}

func (s *fakeStorage) SaveHighWater(ctx context.Context, prev, hw kvpb.Timestamp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.leader {
		return &kvpb.NotLeaderError{RangeID: 1}
	}
	if s.hw != prev {
		return &kvpb.ConditionFailedError{Actual: []byte(s.hw.String()), Exists: s.hw != 0}
	}
	s.hw = hw
	s.events = append(s.events, fmt.Sprintf("save %s -> %s", prev, hw))
	return nil
}

// takeEvents returns the events recorded since the last call.
func (s *fakeStorage) takeEvents() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ev := s.events
	s.events = nil
	return ev
}

func (s *fakeStorage) highWater() kvpb.Timestamp {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.hw
}

func (s *fakeStorage) update(f func(s *fakeStorage)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}
