package raftstore

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// Disk-full handling.
//
// Pebble treats a failed WAL write as fatal, and a memtable flush that
// cannot get space stalls every later write, so a store must never let its
// engine reach the end of the disk. The disk monitor reads the free space
// of the store's filesystem every Config.DiskCheckInterval and keeps a
// reserve (Config.DiskReserve):
//
//   - Below the reserve the store is "disk full": a batch that adds data —
//     a prewrite, a one-phase commit or a pessimistic lock, i.e. every user
//     write — is refused with *kvpb.DiskFullError before it is proposed, so
//     it never reaches raft or Pebble. Reads are served as usual. Writes
//     that finish or clean up what is already there (commits and rollbacks
//     of prewritten transactions, lock resolution, heartbeats) and the
//     node's small bookkeeping writes (the TSO's high-water mark, counters,
//     ClearRange of dropped data) still pass: they are bytes, and refusing
//     them would leave locks behind and stop the TSO, and with it reads.
//   - Below a quarter of the reserve every write is refused.
//   - Between two readings the monitor charges every proposed command
//     diskWriteAmp times its size against the last reading, so a burst of
//     writes is refused before the next reading rather than after.
//
// The state clears by itself once a reading finds the reserve (plus a
// sixteenth, so it does not flap) free again: no restart is needed. The
// monitor logs one warning when the disk becomes full, repeats it at most
// once per Config.DiskFullLogInterval while it stays full, and logs once
// when space is back.

// diskWriteAmp estimates the bytes of disk a command of n bytes takes before
// the next reading: its raft log entry and its applied effects, each in the
// WAL and again in a flushed table.
const diskWriteAmp = 4

// defaultDiskReserve is the least default reserve; the default is this or 1%
// of the filesystem, whichever is larger.
const defaultDiskReserve = 64 << 20

// diskMonitor tracks the free space of a store's filesystem. Its fields are
// atomics: Send reads them on every write, and only the monitor goroutine
// (run) and Start (the first reading) write the readings.
type diskMonitor struct {
	storeID    kvpb.StoreID
	usage      func() (vfs.DiskUsage, error)
	reserveCfg uint64
	interval   time.Duration
	logEvery   time.Duration
	log        *slog.Logger

	// known is set once a reading succeeded; until then nothing is refused.
	known atomic.Bool
	// avail and reserve are the last reading and the reserve it implies.
	avail   atomic.Uint64
	reserve atomic.Uint64
	// admitted counts the command bytes proposed since the last reading.
	admitted atomic.Uint64
	// full is the state of the last reading (with hysteresis).
	full atomic.Bool

	// Owned by the goroutine taking readings.
	lastWarn    time.Time
	lastErrWarn time.Time
}

// newDiskMonitor returns the monitor for cfg, or nil when cfg has no
// DiskUsage.
func newDiskMonitor(cfg *Config) *diskMonitor {
	if cfg.DiskUsage == nil {
		return nil
	}
	return &diskMonitor{
		storeID:    cfg.StoreID,
		usage:      cfg.DiskUsage,
		reserveCfg: cfg.DiskReserve,
		interval:   cfg.DiskCheckInterval,
		logEvery:   cfg.DiskFullLogInterval,
		log:        cfg.Logger,
	}
}

// reserveFor returns the reserve for a filesystem of total bytes.
func (m *diskMonitor) reserveFor(total uint64) uint64 {
	if m.reserveCfg != 0 {
		return m.reserveCfg
	}
	return max(defaultDiskReserve, total/100)
}

// check takes one reading and updates the state, logging transitions. It
// reports false when the filesystem cannot report its usage at all (the
// monitor then has nothing to do).
func (m *diskMonitor) check(now time.Time) bool {
	u, err := m.usage()
	if err != nil {
		if errors.Is(err, vfs.ErrUnsupported) {
			m.log.Info("raftstore: the store's filesystem reports no free space; disk-full checks are off", "store", m.storeID)
			return false
		}
		if m.lastErrWarn.IsZero() || now.Sub(m.lastErrWarn) >= m.logEvery {
			m.lastErrWarn = now
			m.log.Warn("raftstore: cannot read the free space of the store's filesystem", "store", m.storeID, "err", err)
		}
		return true
	}
	reserve := m.reserveFor(u.TotalBytes)
	m.reserve.Store(reserve)
	m.avail.Store(u.AvailBytes)
	m.admitted.Store(0)
	m.known.Store(true)
	wasFull := m.full.Load()
	full := u.AvailBytes < reserve || (wasFull && u.AvailBytes < reserve+reserve/16)
	m.full.Store(full)
	switch {
	case full && !wasFull:
		m.lastWarn = now
		m.log.Warn("raftstore: disk full: refusing writes until space is freed",
			"store", m.storeID, "available", u.AvailBytes, "reserve", reserve, "total", u.TotalBytes)
	case full && now.Sub(m.lastWarn) >= m.logEvery:
		m.lastWarn = now
		m.log.Warn("raftstore: disk still full: refusing writes until space is freed",
			"store", m.storeID, "available", u.AvailBytes, "reserve", reserve, "total", u.TotalBytes)
	case !full && wasFull:
		m.log.Info("raftstore: disk space recovered: accepting writes again",
			"store", m.storeID, "available", u.AvailBytes, "reserve", reserve)
	}
	return true
}

// run takes a reading every interval until ctx ends.
func (m *diskMonitor) run(ctx context.Context) {
	t := time.NewTicker(m.interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if !m.check(now) {
				return
			}
		}
	}
}

// admit returns *kvpb.DiskFullError when the write batch reqs must be
// refused for lack of space, else nil. A nil monitor admits everything.
func (m *diskMonitor) admit(reqs []kvpb.Request) error {
	if m == nil || !m.known.Load() {
		return nil
	}
	avail, reserve := m.avail.Load(), m.reserve.Load()
	est := avail - min(avail, m.admitted.Load()*diskWriteAmp)
	if est < reserve/4 || ((m.full.Load() || est < reserve) && addsData(reqs)) {
		return &kvpb.DiskFullError{StoreID: m.storeID, Available: est, Reserve: reserve}
	}
	return nil
}

// charge records a proposed command of n bytes.
func (m *diskMonitor) charge(n int) {
	if m != nil {
		m.admitted.Add(uint64(n))
	}
}

// fullError returns *kvpb.DiskFullError while the last reading found the
// disk full, else nil.
func (m *diskMonitor) fullError() error {
	if m == nil || !m.full.Load() {
		return nil
	}
	return &kvpb.DiskFullError{StoreID: m.storeID, Available: m.avail.Load(), Reserve: m.reserve.Load()}
}

// addsData reports whether a write batch holds a request that adds data:
// those are refused first when the disk is full.
func addsData(reqs []kvpb.Request) bool {
	for _, req := range reqs {
		switch req.(type) {
		case *kvpb.PrewriteRequest, *kvpb.OnePCRequest, *kvpb.PessimisticLockRequest:
			return true
		}
	}
	return false
}
