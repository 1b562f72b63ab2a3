package raftstore

import (
	"context"
	"fmt"
	"log/slog"

	"go.etcd.io/raft/v3"
)

// raftLogger adapts slog to raft.Logger. Panic and Fatal panic: raft calls
// them on broken invariants, and a panic lets the owner of the process
// decide (a test sees the stack).
type raftLogger struct{ l *slog.Logger }

var _ raft.Logger = raftLogger{}

func newRaftLogger(l *slog.Logger) raft.Logger { return raftLogger{l: l.With("component", "raft")} }

func (r raftLogger) log(level slog.Level, msg string) {
	r.l.Log(context.Background(), level, msg)
}

func (r raftLogger) Debug(v ...any) { r.log(slog.LevelDebug, fmt.Sprint(v...)) }
func (r raftLogger) Debugf(format string, v ...any) {
	r.log(slog.LevelDebug, fmt.Sprintf(format, v...))
}
func (r raftLogger) Info(v ...any)                 { r.log(slog.LevelInfo, fmt.Sprint(v...)) }
func (r raftLogger) Infof(format string, v ...any) { r.log(slog.LevelInfo, fmt.Sprintf(format, v...)) }
func (r raftLogger) Warning(v ...any)              { r.log(slog.LevelWarn, fmt.Sprint(v...)) }
func (r raftLogger) Warningf(format string, v ...any) {
	r.log(slog.LevelWarn, fmt.Sprintf(format, v...))
}
func (r raftLogger) Error(v ...any) { r.log(slog.LevelError, fmt.Sprint(v...)) }
func (r raftLogger) Errorf(format string, v ...any) {
	r.log(slog.LevelError, fmt.Sprintf(format, v...))
}
func (r raftLogger) Fatal(v ...any)                 { r.fatal(fmt.Sprint(v...)) }
func (r raftLogger) Fatalf(format string, v ...any) { r.fatal(fmt.Sprintf(format, v...)) }
func (r raftLogger) Panic(v ...any)                 { r.fatal(fmt.Sprint(v...)) }
func (r raftLogger) Panicf(format string, v ...any) { r.fatal(fmt.Sprintf(format, v...)) }

func (r raftLogger) fatal(msg string) {
	r.log(slog.LevelError, msg)
	panic("raft: " + msg)
}
