// Package ast is rangedb's own SQL syntax tree: what sql/parser produces
// from pg_query's parse tree (and, later, from TiDB's parser for admin
// statements), and what sql/plan binds. Nothing above sql/parser sees either
// parser library.
//
// The tree is purely syntactic: names are folded as PostgreSQL folds them
// but not resolved, literals keep their source text (an integer literal too
// large for int8 stays a numeric literal), and types are named, not looked
// up. Every node that an error can point at carries Pos, the 1-based
// character offset into the whole query string, as PostgreSQL's error
// "position" field reports it (0 = unknown).
//
// String renders a statement as a compact, fully parenthesized dump used by
// the parser's golden tests; it is not meant to be re-parsed.
package ast
