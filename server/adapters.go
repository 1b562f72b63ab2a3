package server

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/raftstore"
	"github.com/rangedb/rangedb/server/pgwire"
	"github.com/rangedb/rangedb/sql"
	"github.com/rangedb/rangedb/sql/exec"
)

// tsoStorage is the TSO's view of range 1 on this node's store: leadership
// and ReadIndex from the replica, the high-water mark as a raw key.
type tsoStorage struct {
	store *raftstore.Store
	db    *kv.DB
}

func (t *tsoStorage) LeaderTerm() (uint64, bool) { return t.store.LeaderTerm(1) }

func (t *tsoStorage) ReadIndex(ctx context.Context) (uint64, error) {
	return t.store.ReadIndex(ctx, 1)
}

func (t *tsoStorage) LoadHighWater(ctx context.Context) (kvpb.Timestamp, error) {
	v, found, err := t.db.RawGet(ctx, kvpb.TSOKey)
	if err != nil || !found {
		return 0, err
	}
	if len(v) != 8 {
		return 0, fmt.Errorf("server: TSO high-water mark of %d bytes", len(v))
	}
	return kvpb.Timestamp(binary.BigEndian.Uint64(v)), nil
}

func (t *tsoStorage) SaveHighWater(ctx context.Context, prev, hw kvpb.Timestamp) error {
	var expected []byte
	if prev != 0 {
		expected = binary.BigEndian.AppendUint64(nil, uint64(prev))
	}
	return t.db.RawCPut(ctx, kvpb.TSOKey, binary.BigEndian.AppendUint64(nil, uint64(hw)), expected, prev != 0)
}

// sessionFactory adapts the sql.Engine to pgwire's narrow interface.
type sessionFactory struct{ engine *sql.Engine }

func (f sessionFactory) NewSession(ctx context.Context, user, database string, params map[string]string) (pgwire.Session, error) {
	s, err := f.engine.NewSession(ctx, user, database, params)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// memoryPool is the node-wide SQL memory pool as kv's transactions see
// it. stats is set once, before the node serves.
type memoryPool struct{ stats *exec.Stats }

func (m *memoryPool) Reserve(n int64) error { return m.stats.ReserveNodeMemory(n) }
func (m *memoryPool) Release(n int64)       { m.stats.ReleaseNodeMemory(n) }
