// Package types defines SQL types and the values (Datums) that flow through
// the SQL layer.
//
// A *T names a type the way PostgreSQL does (OID, name, width) so pgwire can
// describe result columns and the planner can type-check expressions. A
// Datum is one value of a type; DNull is SQL NULL of any type. Datums are
// immutable and compared with Compare, which defines the order that row keys
// (sql/rowenc) preserve.
//
// Text is the only wire format so far: Format renders a Datum as PostgreSQL's
// text output and ParseText reads PostgreSQL's text input, with PostgreSQL's
// errors (22P02, 22003). New types (numeric over apd, float8, date,
// timestamp, bytea) add a Family, a Datum type, and a case in each of
// Format, ParseText, Compare and the encoders in sql/rowenc.
package types
