package tests

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"go.uber.org/goleak"

	"github.com/rangedb/rangedb/server"
)

// startupBytes is a v3 StartupMessage for user root, database defaultdb.
func startupBytes(t *testing.T) []byte {
	t.Helper()
	b, err := (&pgproto3.StartupMessage{
		ProtocolVersion: pgproto3.ProtocolVersionNumber,
		Parameters:      map[string]string{"user": "root", "database": "defaultdb"},
	}).Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readUntilReady reads backend messages until ReadyForQuery.
func readUntilReady(t *testing.T, conn net.Conn) {
	t.Helper()
	fe := pgproto3.NewFrontend(conn, conn)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatalf("waiting for ReadyForQuery: %v", err)
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			return
		}
	}
}

// expectClosed asserts that the server closes conn (after at most an
// ErrorResponse) within a few seconds.
func expectClosed(t *testing.T, conn net.Conn, what string) {
	t.Helper()
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, err := io.Copy(io.Discard, conn)
	if err != nil && !strings.Contains(err.Error(), "reset") {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("%s: server did not close the connection", what)
		}
	}
}

// TestBadInputEndsOnlyThatConnection sends malformed and oversized
// messages and vanishes mid-query; each ends only its own connection, the
// node keeps serving, and no goroutine leaks.
func TestBadInputEndsOnlyThatConnection(t *testing.T) {
	s := startNode(t, server.Config{})
	good := connect(t, s.URL())
	mustExec(t, good, "CREATE TABLE big (id INT PRIMARY KEY, pad TEXT)")
	var sb strings.Builder
	sb.WriteString("INSERT INTO big VALUES ")
	for i := 0; i < 3000; i++ {
		if i > 0 {
			sb.WriteString(", ")
		}
		fmt.Fprintf(&sb, "(%d, '%s')", i, strings.Repeat("x", 100))
	}
	mustExec(t, good, sb.String())

	dial := func() net.Conn {
		c, err := net.DialTimeout("tcp", s.SQLAddr(), 5*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	cases := []struct {
		name string
		run  func(c net.Conn)
	}{
		{"garbage before startup", func(c net.Conn) {
			_, _ = c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"))
		}},
		{"startup length too small", func(c net.Conn) {
			_, _ = c.Write([]byte{0, 0, 0, 2})
		}},
		{"startup length huge", func(c net.Conn) {
			_, _ = c.Write([]byte{0x7f, 0xff, 0xff, 0xff, 0, 3, 0, 0})
		}},
		{"oversized query", func(c net.Conn) {
			_, _ = c.Write(startupBytes(t))
			readUntilReady(t, c)
			msg := []byte{'Q'}
			msg = binary.BigEndian.AppendUint32(msg, 512<<20)
			_, _ = c.Write(msg)
			_, _ = c.Write(make([]byte, 4096))
		}},
		{"bad message length", func(c net.Conn) {
			_, _ = c.Write(startupBytes(t))
			readUntilReady(t, c)
			_, _ = c.Write([]byte{'Q', 0, 0, 0, 1})
		}},
		{"unknown message type", func(c net.Conn) {
			_, _ = c.Write(startupBytes(t))
			readUntilReady(t, c)
			_, _ = c.Write([]byte{'~', 0, 0, 0, 4})
		}},
		{"query without terminator", func(c net.Conn) {
			_, _ = c.Write(startupBytes(t))
			readUntilReady(t, c)
			_, _ = c.Write([]byte{'Q', 0, 0, 0, 7, 'a', 'b', 'c'})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dial()
			defer c.Close()
			tc.run(c)
			expectClosed(t, c, tc.name)
			checkRows(t, good, "SELECT id FROM big WHERE id = 7", [][]string{{"7"}})
		})
	}

	// A client that vanishes mid-query: send a big SELECT and close at once,
	// several times over.
	for i := 0; i < 5; i++ {
		c := dial()
		_, _ = c.Write(startupBytes(t))
		readUntilReady(t, c)
		q, _ := (&pgproto3.Query{String: "SELECT * FROM big"}).Encode(nil)
		_, _ = c.Write(q)
		buf := make([]byte, 100)
		_, _ = c.Read(buf)
		_ = c.Close()
	}
	checkRows(t, good, "SELECT id FROM big WHERE id = 2999", [][]string{{"2999"}})
	_ = good.Close(context.Background())

	// Stop the node: every goroutine it started must be gone.
	s.Stop()
	goleak.VerifyNone(t)
}
