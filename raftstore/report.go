package raftstore

import "go.etcd.io/raft/v3"

// ReplicaCounts returns how many initialized replicas the store holds and
// how many of them lead their range (as of each one's last Ready): what a
// node reports in its liveness record. A replica still waiting for its
// first snapshot holds no data yet and is not counted.
func (s *Store) ReplicaCounts() (replicas, leaders int) {
	for _, r := range s.replicaList() {
		r.mu.Lock()
		if !r.mu.destroyed && len(r.mu.desc.EndKey) > 0 {
			replicas++
			if r.mu.raftState == raft.StateLeader {
				leaders++
			}
		}
		r.mu.Unlock()
	}
	return replicas, leaders
}
