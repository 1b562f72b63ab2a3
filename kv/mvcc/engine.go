package mvcc

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/bloom"
	"github.com/cockroachdb/pebble/v2/vfs"
)

// PebbleOptions returns the Pebble options every rangedb store uses:
// EngineComparer, the newest format, fs (nil means vfs.Default) and logger
// (nil means slog.Default()) as Pebble's logger. Callers may adjust tuning
// fields but must not change Comparer.
//
// Durability is the caller's: a write that must survive a crash is
// committed with pebble.Sync (raftstore syncs its log and applied state
// that way); pebble.NoSync writes may be lost.
func PebbleOptions(fs vfs.FS, logger *slog.Logger) *pebble.Options {
	if fs == nil {
		fs = vfs.Default
	}
	if logger == nil {
		logger = slog.Default()
	}
	opts := &pebble.Options{
		Comparer:           EngineComparer,
		FormatMajorVersion: pebble.FormatNewest,
		FS:                 fs,
		LoggerAndTracer:    slogLogger{l: logger.With("component", "pebble")},
		CacheSize:          DefaultCacheSize,
	}
	// Bloom filters over the comparer's prefix (the user key, without its
	// version) let a point lookup skip every table that lacks the key:
	// most lookups are of absent lock records and absent keys an INSERT
	// checks. Lower levels inherit L0's policy.
	opts.Levels[0].FilterPolicy = bloom.FilterPolicy(10)
	return opts
}

// DefaultCacheSize is the size of Pebble's block cache.
const DefaultCacheSize = 64 << 20

// Open opens (creating if needed) the Pebble store in dir on fs with
// PebbleOptions. The caller owns the returned DB and must Close it.
func Open(dir string, fs vfs.FS, logger *slog.Logger) (*pebble.DB, error) {
	db, err := pebble.Open(dir, PebbleOptions(fs, logger))
	if err != nil {
		return nil, fmt.Errorf("mvcc: open %s: %w", dir, err)
	}
	return db, nil
}

// slogLogger adapts *slog.Logger to pebble.LoggerAndTracer. Tracing is off.
type slogLogger struct{ l *slog.Logger }

var _ pebble.LoggerAndTracer = slogLogger{}

func (s slogLogger) Infof(format string, args ...any) {
	s.l.Info(fmt.Sprintf(format, args...))
}

func (s slogLogger) Errorf(format string, args ...any) {
	s.l.Error(fmt.Sprintf(format, args...))
}

// Fatalf logs and panics: Pebble calls it only on unrecoverable store
// corruption, and a library must not exit the process.
func (s slogLogger) Fatalf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.l.Error("pebble fatal: " + msg)
	panic("pebble: " + msg)
}

func (slogLogger) Eventf(context.Context, string, ...any) {}

func (slogLogger) IsTracingEnabled(context.Context) bool { return false }
