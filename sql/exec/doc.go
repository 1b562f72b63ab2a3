// Package exec runs plans from sql/plan against a kv.Txn.
//
// Row-returning plans become a tree of pull-based operators (RowSource):
// the leaf scan reads its spans in batches (Options.ScanBatchSize keys per
// kv Scan, continuing from the returned ResumeSpan, or one Get for a point
// span), decodes rows with sql/rowenc, and applies the plan's filter;
// Project evaluates expressions on top. Rows stream: nothing above a batch
// is held in memory. The context is checked between batches and every
// few hundred rows, so cancelling it stops a statement with 57014.
//
// Mutations (Insert, Update, Delete) write through the transaction's
// buffer: an INSERT checks each key with Txn.Get (23505 at the statement)
// and writes it with Txn.Insert (so a racing insert is still caught at
// commit); NOT NULL is checked per row (23502). An UPDATE that assigns a
// primary key column reads its input completely before writing, so a moved
// row is never seen again by the same scan.
//
// Expression evaluation (eval.go) implements SQL's three-valued logic and
// PostgreSQL's integer overflow errors. Stats counts kv requests and keys
// read, so tests can prove a point query reads one key.
package exec
