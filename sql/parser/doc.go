// Package parser turns query text into sql/ast statements. It is the only
// package that imports pg_query and TiDB's parser (for the admin
// statements PostgreSQL has no grammar for; DESIGN.md §2).
//
// Parse follows one simple-protocol query string through two steps:
//
//  1. parse: the whole string goes through pg_query.Parse (PostgreSQL's
//     own lexer and grammar), as PostgreSQL parses a simple query: semicolons
//     inside strings, comments and dollar quotes are handled as PostgreSQL
//     handles them, and a syntax error anywhere becomes 42601 with
//     PostgreSQL's message ("syntax error at or near \"X\"") and position,
//     before anything executes. Each statement keeps its text (from the
//     statement locations the grammar reports);
//  2. translate: the protobuf tree becomes sql/ast. Locations become
//     1-based character positions in the whole string. A construct that
//     PostgreSQL accepts but rangedb does not implement becomes 0A000 naming
//     it, never a silently different meaning. $n becomes ast.Placeholder;
//     SQL-standard forms become functions (SUBSTRING … FROM … FOR,
//     POSITION … IN, TRIM, EXTRACT, CURRENT_DATE). CREATE VIEW keeps its
//     SELECT also as text, pg_query's deparse of the tree
//     (translate_view.go), which ParseSelect reads back when the view is
//     used. The syntax of psql's catalog queries (translate_catalog.go):
//     ~, ~*, !~, !~* become regexp_like; OPERATOR(pg_catalog.op) is op;
//     COLLATE "default", "C" or "POSIX" is dropped (rangedb compares
//     bytes); x = ANY (a), a[i] and casts to array types become the
//     functions sql/plan binds over arrays kept as their text form.
//
// Routing by first token (admin.go, DESIGN.md §2): a string that holds a
// statement starting with SPLIT or SHOW TABLE is cut at its semicolons with
// pg_query's scanner, and those statements go to TiDB's parser (a fresh one
// per statement, in ANSI_QUOTES and NO_BACKSLASH_ESCAPES mode, so "x" is an
// identifier and strings read as PostgreSQL's), the others to pg_query one
// by one; every statement is parsed before any runs, positions count in the
// whole string, and TiDB's syntax errors become 42601 "syntax error at or
// near …". Names are spelled from the scanner's tokens, folded as
// PostgreSQL folds them. The result is sql/ast's SplitTable and
// ShowTableRegions; SHOW RANGES (CockroachDB's) is pg_query's SHOW of the
// name "ranges", turned into ast.ShowRanges. BACKUP and RESTORE are not
// routed yet (pg_query's syntax error).
package parser
