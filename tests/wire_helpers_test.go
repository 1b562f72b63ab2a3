package tests

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/rangedb/rangedb/server"
	"github.com/rangedb/rangedb/tests/pgtest"
)

// This file holds what the wire tests share: a rangedb node and a real
// PostgreSQL 15 side by side (bothServers), connections in pgx's default
// (extended protocol) mode, and a transcript runner that sends raw
// frontend messages and renders the backend's answers, so that the two
// servers' answers can be compared message by message.

// target is one server under comparison.
type target struct {
	name string // "rangedb" or "postgres"
	url  string
}

// bothServers starts a rangedb node and a PostgreSQL 15 on loopback,
// stopped when the test ends. The PostgreSQL database is a fresh one named
// after the test, so that a test's tables do not meet another's.
func bothServers(t *testing.T) (rdb, pg target) {
	t.Helper()
	s := startNode(t, server.Config{})
	pgs, err := pgtest.Start()
	if err != nil {
		t.Fatalf("starting the reference PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		if err := pgs.Stop(); err != nil {
			t.Logf("stopping PostgreSQL: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := pgs.CreateDatabase(ctx, "wiretest"); err != nil {
		t.Fatal(err)
	}
	return target{"rangedb", s.URL()}, target{"postgres", pgs.URL("wiretest")}
}

// connectExt opens a pgx connection in pgx's default mode (extended
// protocol with a statement cache).
func connectExt(t *testing.T, url string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

// rawSession sends frontend messages over a pgconn connection and
// renders the replies.
type rawSession struct {
	t  *testing.T
	pc *pgconn.PgConn
}

func dialRawSession(t *testing.T, url string) *rawSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pc, err := pgconn.Connect(ctx, url)
	if err != nil {
		t.Fatalf("connect %s: %v", url, err)
	}
	t.Cleanup(func() { _ = pc.Close(context.Background()) })
	return &rawSession{t: t, pc: pc}
}

// run sends msgs, then reads and renders the replies up to ReadyForQuery
// (or, when msgs end without Sync or Query, up to the number of replies
// given by until, 0 meaning ReadyForQuery).
func (r *rawSession) run(msgs ...pgproto3.FrontendMessage) []string {
	r.t.Helper()
	fe := r.pc.Frontend()
	for _, m := range msgs {
		fe.Send(m)
	}
	if err := fe.Flush(); err != nil {
		r.t.Fatalf("flush: %v", err)
	}
	_ = r.pc.Conn().SetReadDeadline(time.Now().Add(30 * time.Second))
	defer func() { _ = r.pc.Conn().SetReadDeadline(time.Time{}) }()
	var out []string
	for {
		m, err := fe.Receive()
		if err != nil {
			r.t.Fatalf("receive: %v (so far %q)", err, out)
		}
		out = append(out, renderBackend(m))
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			return out
		}
	}
}

// renderBackend renders a backend message with the fields the
// comparison cares about.
func renderBackend(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.ParseComplete:
		return "ParseComplete"
	case *pgproto3.BindComplete:
		return "BindComplete"
	case *pgproto3.CloseComplete:
		return "CloseComplete"
	case *pgproto3.NoData:
		return "NoData"
	case *pgproto3.PortalSuspended:
		return "PortalSuspended"
	case *pgproto3.EmptyQueryResponse:
		return "EmptyQueryResponse"
	case *pgproto3.ParameterDescription:
		return fmt.Sprintf("ParameterDescription %v", m.ParameterOIDs)
	case *pgproto3.RowDescription:
		var f []string
		for _, fd := range m.Fields {
			f = append(f, fmt.Sprintf("%s:%d/%d/fmt%d", fd.Name, fd.DataTypeOID, fd.TypeModifier, fd.Format))
		}
		return "RowDescription [" + strings.Join(f, " ") + "]"
	case *pgproto3.DataRow:
		var v []string
		for _, b := range m.Values {
			if b == nil {
				v = append(v, "NULL")
			} else {
				v = append(v, fmt.Sprintf("%q", b))
			}
		}
		return "DataRow [" + strings.Join(v, " ") + "]"
	case *pgproto3.CommandComplete:
		return "CommandComplete " + string(m.CommandTag)
	case *pgproto3.ErrorResponse:
		s := fmt.Sprintf("ErrorResponse %s %s %s", m.Severity, m.Code, m.Message)
		if m.Detail != "" {
			s += " DETAIL " + m.Detail
		}
		if m.Hint != "" {
			s += " HINT " + m.Hint
		}
		if m.Position != 0 {
			s += fmt.Sprintf(" pos=%d", m.Position)
		}
		return s
	case *pgproto3.NoticeResponse:
		return fmt.Sprintf("NoticeResponse %s %s %s", m.Severity, m.Code, m.Message)
	case *pgproto3.ParameterStatus:
		return fmt.Sprintf("ParameterStatus %s=%s", m.Name, m.Value)
	case *pgproto3.ReadyForQuery:
		return fmt.Sprintf("ReadyForQuery %c", m.TxStatus)
	}
	return fmt.Sprintf("%T", m)
}

// diffLines renders two transcripts side by side for a failure message.
func diffLines(got, want []string) string {
	var b strings.Builder
	for i := 0; i < max(len(got), len(want)); i++ {
		g, w := "", ""
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		mark := "  "
		if g != w {
			mark = "! "
		}
		fmt.Fprintf(&b, "%s%-60s | %s\n", mark, g, w)
	}
	return b.String()
}
