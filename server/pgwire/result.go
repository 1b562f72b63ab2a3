package pgwire

import (
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rangedb/rangedb/sql"
)

// resultWriter implements sql.ResultWriter (and sql.NoticeWriter) over a
// connection. Its methods run on the connection goroutine, inside a
// Session call. An error means the client is gone (or a message could not
// be encoded); the session should stop.
type resultWriter struct {
	c *conn
	// extended: the writer of an Execute, which sends no RowDescription
	// (the client learns the columns from Describe).
	extended bool
}

var (
	_ sql.ResultWriter = (*resultWriter)(nil)
	_ sql.NoticeWriter = (*resultWriter)(nil)
)

// rowDescription builds the RowDescription of cols.
func rowDescription(cols []sql.ResultColumn) *pgproto3.RowDescription {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: uint16(col.ColumnAttr),
			DataTypeOID:          col.TypeOID,
			DataTypeSize:         col.TypeSize,
			TypeModifier:         col.TypeModifier,
			Format:               col.Format,
		}
	}
	return &pgproto3.RowDescription{Fields: fields}
}

// SetColumns sends RowDescription (simple protocol only).
func (w *resultWriter) SetColumns(cols []sql.ResultColumn) error {
	if w.extended {
		return nil
	}
	return w.c.send(rowDescription(cols))
}

// AddRow sends DataRow, flushing when enough output is pending so that a
// large result streams to the client in bounded memory.
func (w *resultWriter) AddRow(values [][]byte) error {
	if err := w.c.send(&pgproto3.DataRow{Values: values}); err != nil {
		return err
	}
	if len(w.c.wbuf) >= flushThreshold {
		return w.c.flush()
	}
	return nil
}

// Complete sends CommandComplete.
func (w *resultWriter) Complete(tag string) error {
	return w.c.send(&pgproto3.CommandComplete{CommandTag: []byte(tag)})
}

// EmptyQuery sends EmptyQueryResponse.
func (w *resultWriter) EmptyQuery() error {
	return w.c.send(&pgproto3.EmptyQueryResponse{})
}

// NoticeDetail sends a NoticeResponse with a DETAIL.
func (w *resultWriter) NoticeDetail(severity, code, message, detail string) error {
	return w.c.send(&pgproto3.NoticeResponse{
		Severity: severity, SeverityUnlocalized: severity, Code: code, Message: message, Detail: detail,
	})
}

// Notice sends a NoticeResponse.
func (w *resultWriter) Notice(severity, code, message string) error {
	return w.c.send(&pgproto3.NoticeResponse{
		Severity: severity, SeverityUnlocalized: severity, Code: code, Message: message,
	})
}
