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
	// Format is the column's wire format: 0 text, 1 binary. The simple
	// protocol always uses text; the extended protocol the format Bind
	// asked for.
	Format int16
}

// ResultWriter receives a statement's results. server/pgwire implements it
// over the wire; tests implement it in memory. Errors returned by its
// methods are connection errors (the client is gone) and end execution.
type ResultWriter interface {
	// SetColumns announces a row-returning result (RowDescription). It is
	// called once, before any AddRow, for statements that return rows.
	SetColumns(cols []ResultColumn) error
	// AddRow sends one row, each value already encoded in its column's
	// format; a nil value is SQL NULL.
	AddRow(values [][]byte) error
	// Complete ends one statement's result with its command tag
	// ("INSERT 0 3", "SELECT 2", "CREATE TABLE").
	Complete(tag string) error
	// EmptyQuery reports a query string with no statement in it.
	EmptyQuery() error
}

// NoticeWriter is implemented by ResultWriters that can deliver a
// NoticeResponse (a WARNING or NOTICE that does not fail the statement),
// as PostgreSQL sends for `SET LOCAL` outside a transaction block or
// `COMMIT` with no transaction in progress. Sessions type-assert for it and
// drop notices a writer cannot deliver.
type NoticeWriter interface {
	Notice(severity, code, message string) error
}

// NoticeDetailWriter is a NoticeWriter that can also send a notice's
// DETAIL.
type NoticeDetailWriter interface {
	NoticeDetail(severity, code, message, detail string) error
}

// ParameterStatus is one setting reported to the client with the
// ParameterStatus message.
type ParameterStatus struct {
	Name, Value string
}

// TxnStatus is the session's transaction state as ReadyForQuery reports it.
type TxnStatus byte

// The states.
const (
	TxnIdle    TxnStatus = 'I'
	TxnInBlock TxnStatus = 'T'
	TxnFailed  TxnStatus = 'E'
)
