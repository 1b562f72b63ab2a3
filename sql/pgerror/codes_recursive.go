package pgerror

const (
	// CodeInvalidRecursionForm is 42P19 (invalid_recursion): a WITH
	// RECURSIVE query without the form non-recursive-term UNION [ALL]
	// recursive-term, or with its self-reference where PostgreSQL does
	// not allow one.
	CodeInvalidRecursionForm = "42P19"
)
