package raftstore

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"go.etcd.io/raft/v3"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Removing a replica, and the tombstone that keeps it removed.
//
// A removal is a membership change like any other (ChangeReplicas with
// Remove): every replica applies it with its entry. The replica it removes
// (its ReplicaID is not in the new descriptor) is destroyed by its own
// store once the pass that applied the change has committed its apply
// batch and answered its proposers (Store.destroyRemoved, called by the
// scheduler between steps 3 and 4 of the pass, holding no lock):
//
//  1. the replica stops: new work fails with *kvpb.RangeNotFoundError
//     (which the DistSender retries on another node), pending reads too,
//     and pending proposals with ErrAmbiguousResult (the rest of the
//     range may still commit them);
//  2. one synced batch deletes, with range deletions, every key of the
//     replica (snapshotSpans plus the unreplicated raft state), and writes
//     the tombstone: the smallest replica id the store may still create
//     for the range (the removed id + 1, or the descriptor's
//     NextReplicaID if larger: every id below it was given to some
//     replica already);
//  3. it leaves the routing, so the range is unknown to the store.
//
// A message (or snapshot) for an unknown range creates an uninitialized
// replica only for a replica id at or above the tombstone, so a late
// message for the removed replica creates nothing, while a replica added
// to the store again (with a new id) is created as any new one, and
// refuses messages for the old id (HandleRaftMessage). Start
// skips a destroyed range (it has no descriptor left), and finishes a
// destruction a crash interrupted: a range whose descriptor no longer
// lists the store is destroyed there.
//
// Removing the leader. The leader may propose its own removal; it then
// applies it, and is destroyed, as soon as the entry commits (the
// messages announcing the commit are sent before, in step 2 of the same
// pass). The other voters elect a new leader after an election timeout,
// and whatever was pending on the old leader is ambiguous. Callers should
// rather move the leadership first (TransferLeadership) and have the new
// leader remove the old one.
//
// Not handled yet: a replica that never applies its removal (it was cut
// off when the change committed, and the leader no longer talks to it)
// lives on until a replica GC asks the range whether it is still a
// member.

// destroyRemoved destroys the replicas an apply pass removed (the applier's
// removed set), each in its own synced batch.
func (s *Store) destroyRemoved(removed map[*Replica]kvpb.ReplicaID) error {
	for r, next := range removed {
		if err := s.destroyReplica(r, next); err != nil {
			return err
		}
	}
	return nil
}

// destroyReplica stops r, deletes its data, writes its range's tombstone
// (next: the smallest replica id allowed from now on) and removes it from
// the store's routing. It runs on the scheduler goroutine, after the apply
// batch that removed r was committed.
func (s *Store) destroyReplica(r *Replica, next kvpb.ReplicaID) error {
	r.mu.Lock()
	r.takePendingSnapshotLocked(nil) // refused: answers its waiter
	r.destroyLocked()
	desc := r.mu.desc
	r.mu.Unlock()

	if err := s.clearReplicaData(r.rangeID, desc, next); err != nil {
		return err
	}
	// Only now does the range become unknown: a message arriving from here
	// on finds the tombstone (uninitializedReplica).
	s.mu.Lock()
	if s.mu.replicas[r.rangeID] == r {
		delete(s.mu.replicas, r.rangeID)
	}
	s.mu.byEnd = slices.DeleteFunc(s.mu.byEnd, func(e routeEntry) bool { return e.r == r })
	s.mu.Unlock()
	s.sched.Lock()
	delete(s.sched.dirty, r)
	s.sched.Unlock()
	s.cfg.Logger.Info("raftstore: destroyed a removed replica", "range", r.rangeID, "replica", r.replicaID, "tombstone", next)
	return nil
}

// clearReplicaData deletes, in one synced batch, every key a replica of
// desc's range holds on this store (range deletions), and writes the
// tombstone next (which, later in the batch, survives the deletion of its
// span).
func (s *Store) clearReplicaData(id kvpb.RangeID, desc *kvpb.RangeDescriptor, next kvpb.ReplicaID) error {
	var spans []engineSpan
	if len(desc.EndKey) > 0 {
		spans = snapshotSpans(desc)
	} else {
		// Uninitialized: only range-id keys.
		rid := kvpb.RangeIDReplicatedPrefix(id)
		spans = []engineSpan{{start: engineKey(rid), end: engineKey(kvpb.PrefixEnd(rid))}}
	}
	u := kvpb.RangeIDUnreplicatedPrefix(id)
	spans = append(spans, engineSpan{start: engineKey(u), end: engineKey(kvpb.PrefixEnd(u))})
	b := s.cfg.Engine.NewBatch()
	defer b.Close()
	for _, sp := range spans {
		if err := b.DeleteRange(sp.start, sp.end, nil); err != nil {
			return err
		}
	}
	if err := b.Set(engineKey(kvpb.RaftReplicaTombstoneKey(id)), encodeTombstone(next), nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.Sync); err != nil {
		return fmt.Errorf("raftstore: %s: destroying a removed replica: %w", id, err)
	}
	return nil
}

// tombstoneFor returns the tombstone a replica removed by the change to nd
// leaves.
func tombstoneFor(removed kvpb.ReplicaID, nd *kvpb.RangeDescriptor) kvpb.ReplicaID {
	return max(removed+1, nd.NextReplicaID)
}

// removedBy reports whether nd no longer lists replica id.
func removedBy(nd *kvpb.RangeDescriptor, id kvpb.ReplicaID) bool {
	return !slices.ContainsFunc(nd.Replicas, func(rd kvpb.ReplicaDescriptor) bool { return rd.ReplicaID == id })
}

// finishDestroy completes, at Start, the destruction of a replica whose
// removal applied but whose data a crash left behind: desc, loaded from
// the engine, no longer lists this store.
func (s *Store) finishDestroy(desc *kvpb.RangeDescriptor) error {
	next, err := loadTombstone(s.cfg.Engine, desc.RangeID)
	if err != nil {
		return err
	}
	next = max(next, desc.NextReplicaID)
	if err := s.clearReplicaData(desc.RangeID, desc, next); err != nil {
		return err
	}
	s.cfg.Logger.Info("raftstore: destroyed a replica removed before a restart", "range", desc.RangeID, "tombstone", next)
	return nil
}

// tombstoneRefusesLocked reports whether this store destroyed a replica
// of range id whose successor may not have replica id rid. s.mu is held,
// so a destruction is either complete or not yet visible.
func (s *Store) tombstoneRefusesLocked(id kvpb.RangeID, rid kvpb.ReplicaID) (bool, error) {
	next, err := loadTombstone(s.cfg.Engine, id)
	if err != nil {
		return false, err
	}
	return rid < next, nil
}

// TransferLeadership asks range id's leader, on this store, to hand its
// leadership to the voter on store target, and waits until this replica
// sees that voter lead, ctx ends, or two election timeouts pass (raft then
// gives up the transfer). It is how a leader should leave before its own
// removal.
func (s *Store) TransferLeadership(ctx context.Context, id kvpb.RangeID, target kvpb.StoreID) error {
	r, err := s.GetReplica(id)
	if err != nil {
		return err
	}
	r.mu.Lock()
	if r.mu.raftState != raft.StateLeader {
		err := r.notLeaderErrorLocked()
		r.mu.Unlock()
		return err
	}
	rd, ok := r.mu.desc.Replica(target)
	if !ok || rd.Learner {
		r.mu.Unlock()
		return fmt.Errorf("raftstore: %s has no voter on store %s", id, target)
	}
	r.unquiesceLocked()
	r.mu.rawNode.TransferLeader(uint64(rd.ReplicaID))
	r.mu.Unlock()
	s.enqueue(r)
	deadline := time.Now().Add(2 * time.Duration(s.cfg.ElectionTicks) * s.cfg.TickInterval)
	for {
		r.mu.Lock()
		leader := r.mu.leader
		r.mu.Unlock()
		if leader == uint64(rd.ReplicaID) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("raftstore: %s: leadership did not move to store %s", id, target)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}
