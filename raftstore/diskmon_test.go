package raftstore

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// diskfullUsage is a filesystem usage a test sets by hand.
type diskfullUsage struct {
	avail atomic.Uint64
	total uint64
}

func (u *diskfullUsage) get() (vfs.DiskUsage, error) {
	a := u.avail.Load()
	return vfs.DiskUsage{AvailBytes: a, TotalBytes: u.total, UsedBytes: u.total - a}, nil
}

// diskfullLog records the messages logged at WARN and above, and INFO
// messages about disk space.
type diskfullLog struct {
	mu   sync.Mutex
	msgs []string
}

func (l *diskfullLog) Enabled(context.Context, slog.Level) bool { return true }
func (l *diskfullLog) Handle(_ context.Context, r slog.Record) error {
	if r.Level >= slog.LevelWarn || strings.Contains(r.Message, "disk") {
		l.mu.Lock()
		l.msgs = append(l.msgs, r.Level.String()+" "+r.Message)
		l.mu.Unlock()
	}
	return nil
}
func (l *diskfullLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *diskfullLog) WithGroup(string) slog.Handler      { return l }

func (l *diskfullLog) count(sub string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, m := range l.msgs {
		if strings.Contains(m, sub) {
			n++
		}
	}
	return n
}

// diskfullStore starts a store on a memory engine with cfg's disk and
// failure settings and a recording logger.
func diskfullStore(t *testing.T, fs vfs.FS, cfg Config) (*Store, *diskfullLog) {
	t.Helper()
	eng := openTestEngine(t, "", fs)
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	logs := &diskfullLog{}
	cfg.NodeID, cfg.StoreID, cfg.Engine = 1, 1, eng
	cfg.TickInterval = 10 * time.Millisecond
	cfg.Logger = slog.New(logs)
	s, err := NewStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		_ = eng.Close()
	})
	waitLeader(t, s, 1)
	return s, logs
}

func diskfullPrewrite(k string, ts kvpb.Timestamp, size int) *kvpb.PrewriteRequest {
	return &kvpb.PrewriteRequest{Primary: key(k), StartTs: ts, LockTTL: 3000,
		Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: key(k), Value: make([]byte, size)}}}
}

func diskfullSend(s *Store, reqs ...kvpb.Request) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := s.Send(ctx, &kvpb.BatchRequest{Requests: reqs})
	return err
}

func diskfullWaitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// TestDiskFullRefusesWritesKeepsReads lowers the free space below the
// reserve: writes that add data are refused with DiskFullError before they
// are proposed, reads, rollbacks and bookkeeping writes go on; below a
// quarter of the reserve every write is refused; once space is back the
// store accepts writes again by itself. The warning is logged once, then
// once per log interval. The test takes the readings itself (the monitor's
// own interval is an hour), with a clock of its own.
func TestDiskFullRefusesWritesKeepsReads(t *testing.T) {
	const reserve = 1 << 20
	u := &diskfullUsage{total: 1 << 30}
	u.avail.Store(100 << 20)
	s, logs := diskfullStore(t, vfs.NewMem(), Config{
		DiskUsage: u.get, DiskReserve: reserve, DiskCheckInterval: time.Hour, DiskFullLogInterval: 10 * time.Second,
	})
	now := time.Now()
	reading := func(avail uint64, after time.Duration) {
		u.avail.Store(avail)
		now = now.Add(after)
		s.disk.check(now)
	}
	if err := diskfullSend(s, diskfullPrewrite("a", 10, 10)); err != nil {
		t.Fatalf("prewrite with space: %v", err)
	}
	send(t, s, &kvpb.RawPutRequest{Key: key("raw"), Value: []byte("1")})

	reading(reserve/2, time.Second)
	var dfe *kvpb.DiskFullError
	if err := s.DiskFull(); !errors.As(err, &dfe) || dfe.Reserve != reserve || dfe.Available != reserve/2 {
		t.Fatalf("DiskFull() = %v", err)
	}
	for _, req := range []kvpb.Request{
		diskfullPrewrite("b", 20, 10),
		&kvpb.PessimisticLockRequest{Primary: key("b"), StartTs: 20, ForUpdateTs: 20, LockTTL: 3000, Keys: []kvpb.Key{key("b")}},
	} {
		if err := diskfullSend(s, req); !errors.As(err, &dfe) {
			t.Fatalf("%v on a full disk: %v, want DiskFullError", req.Method(), err)
		}
	}
	// Reads, cleanup and bookkeeping still work.
	if v, ok := rawGet(t, s, "raw"); !ok || string(v) != "1" {
		t.Fatalf("raw = %q %v", v, ok)
	}
	send(t, s, &kvpb.GetRequest{Key: key("a"), Ts: 5})
	send(t, s, &kvpb.RawPutRequest{Key: key("raw"), Value: []byte("2")})
	send(t, s, &kvpb.RollbackRequest{StartTs: 10, Keys: []kvpb.Key{key("a")}})

	// Below a quarter of the reserve nothing is written.
	reading(reserve/8, time.Second)
	if err := diskfullSend(s, &kvpb.RawPutRequest{Key: key("raw"), Value: []byte("3")}); !errors.As(err, &dfe) {
		t.Fatalf("bookkeeping write below a quarter of the reserve: %v", err)
	}
	if v, _ := rawGet(t, s, "raw"); string(v) != "2" {
		t.Fatalf("raw = %q after a refused write, want 2", v)
	}
	if n := logs.count("disk still full"); n != 0 {
		t.Errorf("repeated warning logged %d times within the log interval", n)
	}
	reading(reserve/8, 10*time.Second)
	reading(reserve/8, time.Second)
	if n := logs.count("disk still full"); n != 1 {
		t.Errorf("repeated warning logged %d times after one log interval, want 1", n)
	}

	// Hysteresis: just above the reserve the store stays full.
	reading(reserve+reserve/32, time.Second)
	if s.DiskFull() == nil {
		t.Fatal("disk-full state cleared inside the hysteresis band")
	}
	reading(100<<20, time.Second)
	if err := s.DiskFull(); err != nil {
		t.Fatalf("DiskFull() = %v after space was freed", err)
	}
	if err := diskfullSend(s, diskfullPrewrite("b", 30, 10)); err != nil {
		t.Fatalf("prewrite after space was freed: %v", err)
	}
	if n := logs.count("disk full: refusing writes"); n != 1 {
		t.Errorf("disk-full warning logged %d times, want 1: %q", n, logs.msgs)
	}
	if n := logs.count("disk space recovered"); n != 1 {
		t.Errorf("recovery logged %d times, want 1", n)
	}
}

// TestDiskFullMonitorReadsByItself checks that the monitor's own
// goroutine notices a full disk and its recovery.
func TestDiskFullMonitorReadsByItself(t *testing.T) {
	const reserve = 1 << 20
	u := &diskfullUsage{total: 1 << 30}
	u.avail.Store(100 << 20)
	s, _ := diskfullStore(t, vfs.NewMem(), Config{DiskUsage: u.get, DiskReserve: reserve, DiskCheckInterval: time.Millisecond})
	u.avail.Store(reserve / 2)
	diskfullWaitFor(t, "the disk to be full", func() bool { return s.DiskFull() != nil })
	u.avail.Store(100 << 20)
	diskfullWaitFor(t, "the disk-full state to clear", func() bool { return s.DiskFull() == nil })
}

// TestDiskFullChargesWritesBetweenReadings never takes a second reading:
// the bytes proposed since the first one are charged against it, so a
// burst of writes is refused before the disk could fill.
func TestDiskFullChargesWritesBetweenReadings(t *testing.T) {
	const reserve = 1 << 20
	u := &diskfullUsage{total: 1 << 30}
	u.avail.Store(reserve + 2<<20)
	s, _ := diskfullStore(t, vfs.NewMem(), Config{DiskUsage: u.get, DiskReserve: reserve, DiskCheckInterval: time.Hour})
	var dfe *kvpb.DiskFullError
	accepted := 0
	for i := 0; i < 100; i++ {
		err := diskfullSend(s, diskfullPrewrite(string(rune('a'+i%26))+string(rune('a'+i/26)), kvpb.Timestamp(10+i), 100<<10))
		if errors.As(err, &dfe) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		accepted++
	}
	// 2 MiB of headroom at diskWriteAmp bytes per byte of 100 KiB commands.
	if want := (2 << 20) / (diskWriteAmp * 100 << 10); accepted < want-1 || accepted > want+1 {
		t.Fatalf("%d writes accepted before refusal, want about %d", accepted, want)
	}
	if s.DiskFull() != nil {
		t.Fatal("DiskFull reports the estimate; it should report readings only")
	}
}

// TestDiskFullUnsupportedFS runs a store on a filesystem that cannot report
// its usage: nothing is refused.
func TestDiskFullUnsupportedFS(t *testing.T) {
	fs := vfs.NewMem()
	s, logs := diskfullStore(t, fs, Config{DiskUsage: func() (vfs.DiskUsage, error) { return fs.GetDiskUsage("") }})
	if err := diskfullSend(s, diskfullPrewrite("a", 10, 10)); err != nil {
		t.Fatal(err)
	}
	if logs.count("disk-full checks are off") != 1 {
		t.Errorf("logs: %q", logs.msgs)
	}
}

// TestDiskFullFailStopOnIOError injects a write error into the WAL through
// errorfs: Pebble's fatal commit error stops the store, which fails the
// write in flight and every later request with StoreFailedError, reports no
// leadership, and calls OnFatal once. It never answers from the failed
// state. A disk that runs out of space under Pebble (ENOSPC) fails the
// store the same way, marked NoSpace.
func TestDiskFullFailStopOnIOError(t *testing.T) {
	for _, tc := range []struct {
		name    string
		err     func(path string) error
		cause   string
		noSpace bool
	}{
		{"EIO", func(string) error { return errorfs.ErrInjected }, "injected error", false},
		{"ENOSPC", func(p string) error { return &os.PathError{Op: "write", Path: p, Err: syscall.ENOSPC} }, "no space left on device", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var on atomic.Bool
			inj := errorfs.InjectorFunc(func(op errorfs.Op) error {
				if on.Load() && op.Kind.ReadOrWrite() == errorfs.OpIsWrite && strings.HasSuffix(op.Path, ".log") {
					return tc.err(op.Path)
				}
				return nil
			})
			var fatal atomic.Int32
			fatalErr := make(chan error, 1)
			s, logs := diskfullStore(t, errorfs.Wrap(vfs.NewMem(), inj), Config{OnFatal: func(err error) {
				if fatal.Add(1) == 1 {
					fatalErr <- err
				}
			}})
			send(t, s, &kvpb.RawPutRequest{Key: key("k"), Value: []byte("before")})

			on.Store(true)
			var sfe *kvpb.StoreFailedError
			if err := diskfullSend(s, &kvpb.RawPutRequest{Key: key("k"), Value: []byte("after")}); !errors.As(err, &sfe) {
				t.Fatalf("write meeting an I/O error: %v, want StoreFailedError", err)
			}
			select {
			case err := <-fatalErr:
				if !errors.As(err, &sfe) || !strings.Contains(sfe.Cause, tc.cause) || sfe.NoSpace != tc.noSpace {
					t.Fatalf("OnFatal(%#v)", err)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("OnFatal was not called")
			}
			for _, req := range []kvpb.Request{&kvpb.RawGetRequest{Key: key("k")}, &kvpb.RawPutRequest{Key: key("k"), Value: []byte("x")}} {
				if err := diskfullSend(s, req); !errors.As(err, &sfe) {
					t.Fatalf("%v after the failure: %v, want StoreFailedError", req.Method(), err)
				}
			}
			if _, err := s.ReadIndex(testCtx(t), 1); !errors.As(err, &sfe) {
				t.Fatalf("ReadIndex after the failure: %v", err)
			}
			if _, ok := s.LeaderTerm(1); ok {
				t.Fatal("a failed store reports leadership")
			}
			if fatal.Load() != 1 {
				t.Fatalf("OnFatal called %d times", fatal.Load())
			}
			if logs.count("storage failure: the store stops serving") != 1 {
				t.Fatalf("logs: %q", logs.msgs)
			}
			on.Store(false)
		})
	}
}
