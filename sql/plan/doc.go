// Package plan binds sql/ast statements against the catalog and builds
// plans whose leaves are kv spans.
//
// Build follows a statement through these steps:
//
//  1. resolve: table names through a Resolver (the session's catalog view
//     inside the statement's transaction); unknown → 42P01 with position;
//  2. bind and type-check: column references become ordinals of the
//     table's row (42703 with position), literals take the type their
//     context wants as in PostgreSQL (a string literal is "unknown" until
//     compared with or assigned to a typed value), operators are checked
//     (42883 "operator does not exist"), and assignments to columns apply
//     PostgreSQL's assignment casts (typed.go, bind.go);
//  3. access path: the WHERE conjuncts that constrain primary key columns
//     become spans (spans.go): equality on every key column is one point
//     key, equality on a key prefix and/or a range on the next key column
//     is one span, anything else the whole table's span. The complete
//     predicate always stays as the scan's filter, so spans only ever
//     narrow what is read and never change the answer.
//
// A plan is a tree of Nodes: Scan (the leaf: spans + filter), Values,
// Project, and the mutations Insert, Update and Delete over a Scan. Explain
// renders it with its spans. Joins, aggregation, ordering, secondary index
// scans and EXPLAIN itself will add Nodes and paths here; execution lives
// in sql/exec.
package plan
