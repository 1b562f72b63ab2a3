// Package exec runs plans from sql/plan against a kv.Txn.
//
// Open turns a plan into a tree of pull-based operators (RowSource) behind
// a Cursor: rows are produced only as Next is called, so a portal can
// fetch some rows, suspend and fetch more, and a million-row SELECT holds
// one kv batch at a time. The operators:
//
//   - scanOp, the leaf: reads its spans (of the primary or a secondary
//     index) in order — a span without an end
//     key is one point Get, others are kv Scans of ScanBatchSize keys that
//     continue from the returned ResumeSpan — decodes rows with
//     sql/rowenc and applies the scan's filter. Spans that depend on
//     parameters are computed when the plan is opened;
//   - valuesOp, filterOp, projectOp, limitOp (streaming);
//   - hashJoinOp (builds the right input, streams the left; inner and
//     left outer; without keys a nested loop over the built side) and
//     lookupJoinOp (one point Get per left row);
//   - aggOp (hash aggregation; scalar aggregation yields one row even from
//     no input), sortOp, distinctOp: these buffer, and charge what they
//     hold to the statement's memory budget (Context.MemoryBudget, default
//     DefaultMemoryBudget); exceeding it is 53200 "… exceeds memory
//     budget", never an exhausted node;
//   - mutationOp (INSERT, UPDATE, DELETE) runs to completion on the first
//     Next and then returns its RETURNING rows.
//
// Expressions (eval.go) follow SQL's three-valued logic and PostgreSQL's
// errors; arithmetic, casts and comparisons are sql/types' (22003, 22012,
// …). Subqueries are run by the evaluator: uncorrelated ones once per
// statement (cached), correlated ones for each outer row, which they read
// through the environment's stack of outer rows. 21000 is a scalar
// subquery with more than one row.
//
// Stats counts kv requests and keys read across statements; EXPLAIN
// ANALYZE counts them per operator, so a test can prove a point query
// reads one key. The context is checked between batches and every few
// hundred rows: cancelling it stops a statement with 57014.
//
// Mutations write through the transaction's buffer, every row through a
// rowWriter (rowwriter.go), which maintains each secondary index, checks
// the primary key and unique indexes with Txn.Get (23505 at the
// statement) and writes their keys with Txn.Insert (so a racing insert is
// still caught at commit), and takes the table's writer lock once per
// transaction; NOT NULL is checked per row (23502); values are converted
// with assignment casts. An UPDATE that assigns a primary key column, or
// a column of the secondary index it scans, reads its input completely
// before writing, so a moved row is never seen again by the same scan.
//
// A scanOp over a secondary index (index.go) decodes each entry and
// fetches its row by primary key with a point Get, or, index-only,
// returns the entry's columns. BackfillIndex writes a new index's entries
// for CREATE INDEX.
package exec
