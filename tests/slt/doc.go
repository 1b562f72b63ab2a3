// Package slt runs the SQLite project's SQL logic tests (the corpus in
// ../shared/sqllogictest, format in its FORMAT.md) against any server that
// speaks the PostgreSQL wire protocol: rangedb, or PostgreSQL itself.
//
// The runner parses a file into records (Parse), runs each file in a fresh
// database of a Target, honours skipif/onlyif with the engine label
// `postgresql`, halt, hash-threshold, the sort modes, labels and result
// hashing as the format defines them, and reports per file: records
// runnable, passed, failed by reason, skipped, seconds — and, record by
// record, an Outcome ("pass", or "fail:" and the SQLSTATE or the reason).
//
// What "correct" means for a PostgreSQL-compatible engine is what
// PostgreSQL 15 does with each record, so the tests run the same files on a
// PostgreSQL started on loopback (tests/pgtest) and compare outcomes record
// by record. Records where rangedb still differs are listed, with
// PostgreSQL's outcome and the reason, in KNOWN_DIFFERENCES; the test fails
// on any other difference and when that list grows.
//
// The corpus is read from ../shared/sqllogictest/test (RANGEDB_SLT_DIR
// points elsewhere); when it is absent the suite says so loudly and skips.
package slt
