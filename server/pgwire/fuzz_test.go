package pgwire

import (
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// newFuzzServer returns a server (not listening) whose connections are fed
// through ServeConn over net.Pipe.
func newFuzzServer(f *testing.F) *Server {
	ff := newFakeFactory()
	close(ff.release)
	s, err := New(Config{
		Sessions:       ff,
		Logger:         slog.New(slog.DiscardHandler),
		MaxMessageSize: 64 << 10,
		StartupTimeout: 200 * time.Millisecond,
	})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { _ = s.Close() })
	return s
}

// feed writes input to a fresh connection, hangs up, and requires the
// connection goroutine to finish in bounded time.
func feed(t *testing.T, s *Server, input []byte) {
	client, server := net.Pipe()
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.ServeConn(server)
	}()
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		_, _ = io.Copy(io.Discard, client)
	}()
	_ = client.SetWriteDeadline(time.Now().Add(5 * time.Second))
	_, _ = client.Write(input) // fails early if the server hangs up first
	_ = client.Close()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatalf("connection did not finish for input %q", input)
	}
	<-drained
}

func startupBytes(params map[string]string) []byte {
	b, err := (&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params}).Encode(nil)
	if err != nil {
		panic(err)
	}
	return b
}

func msgBytes(msgs ...pgproto3.FrontendMessage) []byte {
	var b []byte
	for _, m := range msgs {
		var err error
		if b, err = m.Encode(b); err != nil {
			panic(err)
		}
	}
	return b
}

// FuzzStartup feeds arbitrary bytes as the first thing on a connection.
func FuzzStartup(f *testing.F) {
	s := newFuzzServer(f)
	root := startupBytes(map[string]string{"user": "root"})
	f.Add([]byte{})
	f.Add([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f})
	f.Add(append([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f}, root...))
	f.Add(append([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30}, root...))
	f.Add(root)
	f.Add(startupBytes(map[string]string{"user": "alice", "database": "x"}))
	f.Add(startupBytes(map[string]string{"database": "x"}))
	f.Add(startupBytes(map[string]string{"user": "root", "database": "nodb"}))
	f.Add(cancelRequestBytes(1, []byte{1, 2, 3, 4}))
	f.Add(startupBytes(map[string]string{"user": "root", "TimeZone": "Europe/Paris", "DateStyle": "ISO", "extra_float_digits": "3", "options": "-c search_path=x"}))
	f.Add(startupBytes(map[string]string{"user": "root", "client_encoding": "LATIN1"}))
	f.Add([]byte{0, 0, 0, 2})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Add(binary.BigEndian.AppendUint32([]byte{0, 0, 0, 8}, 0x00020000))
	f.Fuzz(func(t *testing.T, input []byte) {
		feed(t, s, input)
	})
}

// FuzzMessages feeds arbitrary bytes after a valid startup.
func FuzzMessages(f *testing.F) {
	s := newFuzzServer(f)
	root := startupBytes(map[string]string{"user": "root"})
	f.Add([]byte{})
	f.Add(msgBytes(&pgproto3.Query{String: "SELECT 1"}, &pgproto3.Terminate{}))
	f.Add(msgBytes(&pgproto3.Query{String: "SELECT error; SELECT 1"}))
	f.Add(msgBytes(&pgproto3.Query{String: "BEGIN"}, &pgproto3.Query{String: "SELECT rows 10"}, &pgproto3.Query{String: "COMMIT"}))
	f.Add(msgBytes(&pgproto3.Query{String: "SELECT sleep"}))
	f.Add(msgBytes(&pgproto3.Query{String: "SELECT slow"}, &pgproto3.Query{String: "SELECT stream"}))
	f.Add(msgBytes(&pgproto3.Query{String: "SELECT fatal"}))
	f.Add(msgBytes(&pgproto3.Parse{Query: "SELECT 1"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}, &pgproto3.Query{String: "SELECT 1"}))
	f.Add(msgBytes(&pgproto3.Flush{}, &pgproto3.CopyData{Data: []byte("x")}, &pgproto3.CopyDone{}, &pgproto3.Sync{}))
	// The extended protocol: named and unnamed statements and portals,
	// row limits, formats, Describe and Close of each kind (and bad
	// kinds), errors followed by skipped messages, and bodies cut short.
	f.Add(msgBytes(
		&pgproto3.Parse{Name: "s", Query: "SELECT rows 7", ParameterOIDs: []uint32{23, 0}},
		&pgproto3.Describe{ObjectType: 'S', Name: "s"},
		&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s", ParameterFormatCodes: []int16{1, 0},
			Parameters: [][]byte{{0, 0, 0, 1}, nil}, ResultFormatCodes: []int16{1}},
		&pgproto3.Describe{ObjectType: 'P', Name: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 3}, &pgproto3.Execute{Portal: "p", MaxRows: 3},
		&pgproto3.Flush{},
		&pgproto3.Execute{Portal: "p"},
		&pgproto3.Close{ObjectType: 'P', Name: "p"}, &pgproto3.Close{ObjectType: 'S', Name: "s"},
		&pgproto3.Sync{}))
	f.Add(msgBytes(&pgproto3.Bind{PreparedStatement: "nosuch"}, &pgproto3.Execute{}, &pgproto3.Query{String: "SELECT 1"}, &pgproto3.Sync{}))
	f.Add(msgBytes(&pgproto3.Parse{Query: "BEGIN"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Parse{Query: "SELECT error"},
		&pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}, &pgproto3.Query{String: "ROLLBACK"}))
	f.Add(msgBytes(&pgproto3.Describe{ObjectType: 'X'}, &pgproto3.Close{ObjectType: 'Y'}, &pgproto3.Sync{}))
	f.Add(msgBytes(&pgproto3.Parse{Query: "SELECT sleep"}, &pgproto3.Bind{}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	f.Add(msgBytes(&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, &pgproto3.Sync{}))
	f.Add([]byte{'P', 0, 0, 0, 6, 0, 0})                    // Parse without its parameter count
	f.Add([]byte{'B', 0, 0, 0, 12, 0, 0, 0, 1, 0, 0, 0, 5}) // Bind claiming more formats than it has
	f.Add([]byte{'E', 0, 0, 0, 5, 0})                       // Execute without max rows
	f.Add([]byte{'D', 0, 0, 0, 4})
	f.Add([]byte{'C', 0, 0, 0, 5, 'S'})
	f.Add([]byte{'Q', 0, 0, 0, 2})
	f.Add([]byte{'z', 0, 0, 0, 4})
	f.Add([]byte{'Q', 0x7f, 0xff, 0xff, 0xff})
	f.Add([]byte{'F', 0, 0, 0, 4})
	f.Fuzz(func(t *testing.T, input []byte) {
		feed(t, s, append(append([]byte(nil), root...), input...))
	})
}
