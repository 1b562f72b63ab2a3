package sql

import (
	"sync"
	"time"
)

// rowIDEpoch is the zero of unique_rowid()'s timestamp part (2020-01-01).
var rowIDEpoch = time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()

const (
	rowIDNodeBits = 10
	rowIDSeqBits  = 12
)

// rowIDGenerator makes unique_rowid() values as CockroachDB does, in 63
// bits: milliseconds since rowIDEpoch (41 bits, until 2089) ‖ node id (10
// bits) ‖ a per-node sequence within the millisecond (12 bits). Values of
// one node strictly increase; two nodes never collide while their ids
// differ modulo 1024. When a millisecond's sequence is exhausted the
// generator borrows the next millisecond, so it stays unique across
// restarts as long as the clock does not step back by more than the
// borrowed time.
type rowIDGenerator struct {
	nodeID uint64
	now    func() time.Time
	mu     struct {
		sync.Mutex
		lastMs int64
		seq    int64
	}
}

func (g *rowIDGenerator) next() int64 {
	ms := g.now().UnixMilli() - rowIDEpoch
	g.mu.Lock()
	defer g.mu.Unlock()
	if ms <= g.mu.lastMs {
		ms = g.mu.lastMs
		g.mu.seq++
		if g.mu.seq >= 1<<rowIDSeqBits {
			ms++
			g.mu.seq = 0
		}
	} else {
		g.mu.seq = 0
	}
	g.mu.lastMs = ms
	node := int64(g.nodeID & (1<<rowIDNodeBits - 1))
	return ms<<(rowIDNodeBits+rowIDSeqBits) | node<<rowIDSeqBits | g.mu.seq
}
