// Package plan binds sql/ast statements against the catalog and builds
// plans whose leaves are kv spans: "planning queries into range
// operations" is literal.
//
// BuildWithParams follows a statement through these steps:
//
//  1. resolve: table names through a Resolver (the session's catalog view
//     inside the statement's transaction); unknown → 42P01 with position;
//  2. FROM (join.go): each table (or LEFT JOIN, planned as a whole) is a
//     unit; all FROM columns form the level's canonical layout, which every
//     expression of the level is bound against;
//  3. bind and type-check (bind.go, typing.go, funcs.go): column references
//     become ordinals of the canonical layout, or OuterRefs to an enclosing
//     level (a correlated subquery); literals and $n parameters take the
//     type their context wants, as in PostgreSQL (`k = $1` → k's type,
//     `$1 + 1` → integer, LIMIT $1 → bigint, else text); operators, casts
//     and function overloads resolve with sql/types and PostgreSQL's rules
//     (42883 "function foo(integer) does not exist"); funcs_more.go binds
//     the session and "any"-argument functions, ops_more.go ^ and interval
//     scaling, agg_more.go FILTER, aggregate ORDER BY and string_agg, and
//     srf.go generate_series in FROM (a FuncScan unit); funcs_json.go
//     the json operators, functions, aggregates and jsonb_each & co.;
//     funcs_catalog.go the pg_catalog functions psql's describe queries
//     call, casts to oid/regclass/regtype/regnamespace (bigint oids; a
//     name read back as its oid at planning), ARRAY(SELECT …), a[i] and
//     x = ANY (a) over arrays kept as their text form, and
//     pg_partition_ancestors (no rows: rangedb has no partitions);
//  4. join ordering (join.go): WHERE and inner ON conjuncts are split into
//     single-table filters and join predicates; the most constrained unit
//     goes first, then greedily the unit an equality connects to the joined
//     set — a LookupJoin when the equalities bind its whole primary key,
//     else a HashJoin; a cross join only when nothing connects. Each step
//     is linear, so 64-table comma joins plan instantly;
//  5. access path (spans.go): a table's conjuncts over its primary key
//     columns become spans — equality on every key column (or IN lists) is
//     a set of point keys, a key prefix and/or a range on the next column
//     is a span, anything else the whole table. The complete predicate
//     stays as the scan's filter, so spans only narrow what is read.
//     Spans that depend on parameters are computed when the plan opens.
//     Secondary indexes (index.go) compete by a fixed ranking: primary key
//     point > unique index point > primary key span > index span > full
//     scan; an index scan fetches rows by primary key (index join) unless
//     the projection or aggregation above reads only columns its entries
//     hold (index-only);
//  6. aggregation (build.go): a grouped query's select list, HAVING and
//     ORDER BY are rewritten onto the Aggregate's output (group values,
//     then aggregate results); a remaining column is 42803;
//  7. projection, DISTINCT, Sort (by position, output name or expression;
//     PostgreSQL's NULLS defaults) and Limit on top.
//
// Views (view.go) are expanded where they are used: in FROM as a
// subquery unit whose single-unit filters are pushed down to its scans
// (so a view's spans narrow as a table's do), and as the target of INSERT,
// UPDATE or DELETE by flattening an automatically updatable view onto its
// base table (other views: 55000 with PostgreSQL's reason). BuildView
// validates CREATE VIEW's query and returns its columns and dependencies.
// A derived table, (SELECT …) AS alias [(col, …)] in FROM (derived.go), is
// planned as an inline, unnamed view: the same composite unit with the
// same filter push-down; it sees enclosing query levels but not its
// sibling FROM items (LATERAL is not supported). A WITH clause's CTEs
// (cte.go) are planned the same way at each reference. A CTE of WITH
// RECURSIVE that references itself (recursive.go) becomes a RecursiveCTE
// node over its non-recursive and recursive terms, the self-reference a
// WorkTableScan; PostgreSQL's rules on where the self-reference may stand
// are checked while the terms are planned.
//
// Window functions (window.go) become one Window node over the FROM/WHERE
// rows, before the projection; SELECT … FOR UPDATE a LockRows node over a
// single-table plan; JOIN … USING / NATURAL (using.go) an ON join whose
// column pairs are merged for * and unqualified names.
//
// A plan is a tree of Nodes (plan.go) — Scan, Values, Filter, Project,
// HashJoin, LookupJoin, Aggregate, Window, Sort, Distinct, DistinctOn,
// Limit, LockRows, Insert (with OnConflict), Update, Delete, Explain — each describing its output Columns. ExplainLines renders
// it for EXPLAIN with decoded key spans (pretty.go); sql/exec runs it.
package plan
