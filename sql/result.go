package sql

// ResultColumn describes one column of a row-returning statement, as
// PostgreSQL's RowDescription carries it.
type ResultColumn struct {
	Name         string
	TableOID     uint32
	ColumnAttr   int16
	TypeOID      uint32
	TypeSize     int16
	TypeModifier int32
}

// ResultWriter receives a statement's results. server/pgwire implements it
// over the wire; tests implement it in memory. Errors returned by its
// methods are connection errors (the client is gone) and end execution.
type ResultWriter interface {
	// SetColumns announces a row-returning result (RowDescription). It is
	// called once, before any AddRow, for statements that return rows.
	SetColumns(cols []ResultColumn) error
	// AddRow sends one row in text format; a nil value is SQL NULL.
	AddRow(values [][]byte) error
	// Complete ends one statement's result with its command tag
	// ("INSERT 0 3", "SELECT 2", "CREATE TABLE").
	Complete(tag string) error
	// EmptyQuery reports a query string with no statement in it.
	EmptyQuery() error
}

// TxnStatus is the session's transaction state as ReadyForQuery reports it.
type TxnStatus byte

// The states.
const (
	TxnIdle    TxnStatus = 'I'
	TxnInBlock TxnStatus = 'T'
	TxnFailed  TxnStatus = 'E'
)
