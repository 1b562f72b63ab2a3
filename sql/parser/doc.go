// Package parser turns query text into sql/ast statements. It is the only
// package that imports pg_query (and, later, TiDB's parser for the admin
// statements PostgreSQL has no grammar for; DESIGN.md §2).
//
// Parse follows one simple-protocol query string through three steps:
//
//  1. split: pg_query.SplitWithScanner cuts the string into statements
//     using PostgreSQL's own lexer, so semicolons inside strings, comments
//     and dollar quotes are handled as PostgreSQL handles them; each piece
//     keeps its byte offset in the whole string;
//  2. parse: each piece goes through pg_query.Parse (PostgreSQL's grammar);
//     a syntax error becomes 42601 with PostgreSQL's message ("syntax error
//     at or near \"X\"") and its cursor position moved from the piece to
//     the whole string, as PostgreSQL reports it for a multi-statement
//     query. Parsing stops at the first error, before anything executes;
//  3. translate: the protobuf tree becomes sql/ast. Locations become
//     1-based character positions in the whole string. A construct that
//     PostgreSQL accepts but rangedb does not implement becomes 0A000 naming
//     it ("UNION is not supported"), never a silently different meaning.
//     $n becomes ast.Placeholder; SQL-standard forms become functions
//     (SUBSTRING … FROM … FOR, POSITION … IN, TRIM, EXTRACT, CURRENT_DATE).
//
// Routing by first token (BACKUP, RESTORE, SPLIT, SHOW … REGIONS to TiDB's
// parser) will sit between steps 1 and 2.
package parser
