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
//     transaction; DROP TABLE and DROP INDEX clear the span with
//     DB.ClearRange once no open transaction started before the drop
//     committed (gc.go), so an older snapshot never reads a cleared span. CREATE/DROP VIEW (ddl_view.go) keep
//     the view's query text and dependencies; every DROP refuses (2BP01)
//     or with CASCADE drops the views over what it drops. CREATE/DROP
//     INDEX, REINDEX and CREATE TABLE's UNIQUE constraints (ddl_index.go)
//     name indexes as PostgreSQL does, backfill a new index in the
//     transaction and lock the table's schema lock key exclusively
//     (catalog.LockForSchemaChange), so a transaction that wrote the
//     table's rows under the older descriptor cannot also commit (40001).
//     ALTER TABLE and ALTER … RENAME (ddl_alter.go) apply their
//     subcommands to the descriptor and write it once under the same
//     lock, then backfill new UNIQUE indexes and scan the rows for new
//     NOT NULL and CHECK constraints; CHECK constraints (ddl_check.go)
//     are stored as text and bound again by every INSERT and UPDATE. A
//     prepared mutation whose table changed since it was planned is
//     planned again when executed (plan_refresh.go);
//  4. SELECT/INSERT/UPDATE/DELETE/EXPLAIN (session_exec.go): prepare
//     binds the statement with sql/plan against the catalog (read in the
//     same transaction), inferring parameter types; open starts it with
//     sql/exec behind a Cursor whose rows are pulled one at a time (a
//     portal pulls some, suspends, pulls more); runStatement does both for
//     the simple protocol and the ResultWriter receives columns, text rows
//     and the command tag.
//
// Column DEFAULTs, sequences, serial types and identity columns
// (ddl_sequence.go): a DEFAULT is type-checked at CREATE TABLE and kept
// as deparsed text that every INSERT binds again (sql/plan/defaults.go),
// per row; a sequence is a relation-namespace descriptor whose value is
// a raw kv counter moved by DB.Increment outside every transaction, so
// nextval is unique across nodes, durable, and not undone by a rollback;
// CACHE is stored but treated as 1; currval and lastval are the
// session's. Serial and identity columns own a <table>_<column>_seq that
// DROP TABLE drops.
//
// pg_catalog (pgcatalog.go, pgcatalog_funcs.go): the system catalogs
// psql's describe commands read (pg_class, pg_attribute, pg_index,
// pg_constraint, pg_namespace, …) are virtual tables the resolver
// computes from the database's descriptors when a statement is planned
// (plan.VirtualResolver; unqualified names find them too, pg_catalog being
// first on the search path). A table's pg_class oid is its descriptor id;
// indexes and constraints get oids derived from their table's. The
// catalog functions (pg_get_indexdef, pg_get_constraintdef, regclass's
// output, …) read the descriptors through the session
// (exec.CatalogInfo). rangedb has one role, oid 10, named after the
// session's user, owning every object.
//
// SPLIT TABLE, SHOW TABLE … REGIONS and SHOW RANGES (ddl_split.go) are
// prepared without a plan and ask Config.Ranges (a kv.RangeAdmin) to split
// or list ranges; a committed CREATE TABLE asks it to split at the new
// table's prefix, retrying in the background if that fails
// (table_split.go; Engine.Close stops the retries).
//
// SET, SHOW, RESET, SET TRANSACTION and BEGIN's modes never reach the
// planner: execStmt (session.go) runs them against the settings
// (settings.go).
//
// The extended protocol (prepared.go) shares the state machine: Parse
// parses one statement and, unless the session runs it itself, prepares
// it (parameter types inferred as PostgreSQL does); Bind decodes the
// parameter values (text with types.ParseTextCtx, binary with
// types.DecodeBinary) and fixes the result formats; Execute opens a
// Cursor and pulls up to the row limit, encoding rows in the portal's
// formats (format.go: FormatText under the session's FormatContext, or
// EncodeBinary). Messages between Syncs outside BEGIN share one implicit
// transaction that Sync commits and an error rolls back; portals end with
// their transaction, statements with Close or the session.
//
// Isolation: inside an explicit block READ COMMITTED (PostgreSQL's
// default) reads each statement at a fresh snapshot and REPEATABLE READ
// keeps its first statement's snapshot (statementSnapshot); SERIALIZABLE
// is refused with 0A000 until it truly holds. READ ONLY transactions
// refuse writes with 25006. Writes are buffered in the kv.Txn; inside a
// block each INSERT/UPDATE/DELETE (and SELECT … FOR UPDATE) locks its
// rows pessimistically before it returns, waiting for other holders, so a
// conflict surfaces at the statement: READ COMMITTED runs it again on a
// newer snapshot, REPEATABLE READ fails it with 40001, a deadlock is
// 40P01. Savepoints (savepoint.go) undo part of a block.
//
// Settings (settings.go) behave as PostgreSQL's GUCs: validated and
// canonicalized with its errors, settable from the startup message, SET,
// SET LOCAL and RESET, undone by the rollback of the transaction that set
// them, reported through ParameterChanges when they are GUC_REPORT ones,
// and applied: TimeZone, DateStyle, IntervalStyle and extra_float_digits
// through the FormatContext, statement_timeout as a deadline (57014).
//
// COPY FROM STDIN and TO STDOUT (copy.go) run through the ResultWriter's
// CopyWriter: COPY FROM parses the client's data as it arrives
// (exec.CopyIn) and writes it in batches through the planned INSERT, in
// the statement's transaction; COPY TO sends a Cursor's rows as CopyData.
//
// Cluster settings (ddl_settings.go) are kv/settings' shared values: SET,
// RESET and SHOW CLUSTER SETTING(S), refused inside a block (25001).
//
// Every error returned by ExecSimple and the extended-protocol methods is
// a *pgerror.Error. Cancelling ctx stops a running statement with 57014.
package sql
