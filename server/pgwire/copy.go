package pgwire

import (
	"io"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rangedb/rangedb/sql"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// COPY's sub-protocols (sql.CopyWriter), run inside the Query or Execute
// that started the COPY:
//
//   - COPY FROM STDIN: CopyInResponse is flushed, then the connection
//     goroutine reads CopyData messages for the session as it asks for
//     input (copyInReader), up to CopyDone (the end of the data) or
//     CopyFail (57014). Flush and Sync are ignored meanwhile, as
//     PostgreSQL does; any other message is a protocol violation. If the
//     COPY fails before CopyDone, the client's remaining CopyData,
//     CopyDone or CopyFail arrive after the error and are ignored
//     (conn.handle, or skipped to Sync in the extended protocol).
//   - COPY TO STDOUT: CopyOutResponse, one CopyData per row (flushed as
//     the output buffer fills, so a large COPY streams), CopyDone.
//
// A COPY makes the extended-protocol unit unreplayable (replay.go): its
// input is consumed and its output sent.

var _ sql.CopyWriter = (*resultWriter)(nil)

func copyFormats(format int16, ncols int) []uint16 {
	f := make([]uint16, ncols)
	for i := range f {
		f[i] = uint16(format)
	}
	return f
}

// CopyIn sends CopyInResponse and returns the reader of the client's
// CopyData.
func (w *resultWriter) CopyIn(format int16, ncols int) (io.Reader, error) {
	w.c.unit.notReplay = true
	if err := w.c.send(&pgproto3.CopyInResponse{OverallFormat: byte(format), ColumnFormatCodes: copyFormats(format, ncols)}); err != nil {
		return nil, err
	}
	if err := w.c.flush(); err != nil {
		return nil, err
	}
	return &copyInReader{c: w.c}, nil
}

// CopyOut sends CopyOutResponse.
func (w *resultWriter) CopyOut(format int16, ncols int) error {
	w.c.unit.notReplay = true
	return w.c.send(&pgproto3.CopyOutResponse{OverallFormat: byte(format), ColumnFormatCodes: copyFormats(format, ncols)})
}

// CopyData sends one CopyData, flushing when enough output is pending.
func (w *resultWriter) CopyData(data []byte) error {
	if err := w.c.send(&pgproto3.CopyData{Data: data}); err != nil {
		return err
	}
	if len(w.c.wbuf) >= flushThreshold {
		return w.c.flush()
	}
	return nil
}

// CopyDone sends CopyDone.
func (w *resultWriter) CopyDone() error {
	return w.c.send(&pgproto3.CopyDone{})
}

// copyInReader is the io.Reader of COPY FROM STDIN's data: the payloads
// of the client's CopyData messages, read from the connection as they are
// asked for. Connection goroutine only.
type copyInReader struct {
	c    *conn
	cur  []byte // unread part of the current CopyData (a copy)
	err  error  // sticky: io.EOF after CopyDone, or the failure
	buf  []byte
	msgs int
}

func (r *copyInReader) Read(p []byte) (int, error) {
	for len(r.cur) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		r.err = r.next()
	}
	n := copy(p, r.cur)
	r.cur = r.cur[n:]
	return n, nil
}

// next receives the next message of the COPY.
func (r *copyInReader) next() error {
	c := r.c
	if c.writeErr != nil {
		return c.writeErr
	}
	c.rd.beginMessage(0, c.s.cfg.StartupTimeout)
	msg, err := c.be.Receive()
	c.rd.endMessage()
	if err != nil {
		return err
	}
	switch m := msg.(type) {
	case *pgproto3.CopyData:
		// The message aliases the receive buffer: keep a copy.
		r.buf = append(r.buf[:0], m.Data...)
		r.cur = r.buf
		r.msgs++
		return nil
	case *pgproto3.CopyDone:
		return io.EOF
	case *pgproto3.CopyFail:
		return pgerror.New(pgerror.CodeQueryCanceled, "COPY from stdin failed: %s", m.Message)
	case *pgproto3.Flush, *pgproto3.Sync:
		return nil
	}
	return pgerror.New(pgerror.CodeProtocolViolation, "unexpected message type 0x%02X during COPY from stdin", messageType(msg))
}

// messageType is a frontend message's type byte.
func messageType(msg pgproto3.FrontendMessage) byte {
	b, err := msg.Encode(nil)
	if err != nil || len(b) == 0 {
		return 0
	}
	return b[0]
}
