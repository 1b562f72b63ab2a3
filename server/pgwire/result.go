package pgwire

import (
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rangedb/rangedb/sql"
)

// resultWriter implements sql.ResultWriter (and ParameterStatusWriter)
// over a connection, in text format. Its methods run on the connection
// goroutine, inside Session.ExecSimple. An error means the client is gone
// (or a message could not be encoded); the session should stop.
type resultWriter struct {
	c *conn
}

var (
	_ sql.ResultWriter      = (*resultWriter)(nil)
	_ ParameterStatusWriter = (*resultWriter)(nil)
)

// SetColumns sends RowDescription.
func (w *resultWriter) SetColumns(cols []sql.ResultColumn) error {
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, col := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:                 []byte(col.Name),
			TableOID:             col.TableOID,
			TableAttributeNumber: uint16(col.ColumnAttr),
			DataTypeOID:          col.TypeOID,
			DataTypeSize:         col.TypeSize,
			TypeModifier:         col.TypeModifier,
			Format:               0, // text
		}
	}
	return w.c.send(&pgproto3.RowDescription{Fields: fields})
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

// ParameterStatus reports a changed setting to the client.
func (w *resultWriter) ParameterStatus(name, value string) error {
	return w.c.send(&pgproto3.ParameterStatus{Name: name, Value: value})
}
