// Package sql is rangedb's SQL engine: one Engine per node, one Session per
// client connection (server/pgwire drives it).
//
// A simple-protocol query string goes through:
//
//  1. Session.ExecSimple → sql/parser.Parse: split and parse every
//     statement first (a syntax error anywhere runs nothing, as in
//     PostgreSQL);
//  2. the transaction state machine (session.go): idle, an explicit block
//     (BEGIN … COMMIT/ROLLBACK, status 'T'), or an aborted block (status
//     'E', where everything but COMMIT/ROLLBACK is 25P02). Statements
//     outside a block run in an implicit transaction: the whole query
//     string is one transaction (an error rolls all of it back), and it is
//     restarted transparently on a retryable kv conflict while its output
//     is still buffered (up to implicitTxnBufferBytes), so the client
//     never sees the conflict. A string that mixes BEGIN/COMMIT with
//     other statements runs statement by statement as PostgreSQL does
//     (statements before BEGIN join the block BEGIN opens);
//  3. DDL (ddl.go) writes descriptors through sql/catalog inside the
//     transaction; DROP TABLE clears the table's span with DB.ClearRange
//     after the transaction commits;
//  4. SELECT/INSERT/UPDATE/DELETE: sql/plan binds the statement against
//     the catalog (read in the same transaction) and picks spans;
//     sql/exec runs the plan against the kv.Txn and the ResultWriter
//     receives columns, text rows and the command tag.
//
// Inside an explicit block each statement reads at a fresh snapshot (READ
// COMMITTED, PostgreSQL's default); writes are buffered in the kv.Txn and
// committed with Percolator's two phases at COMMIT, where a write conflict
// surfaces as 40001.
//
// Every error returned by ExecSimple is a *pgerror.Error. Cancelling ctx
// stops a running statement with 57014.
package sql
