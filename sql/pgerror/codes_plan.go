package pgerror

// SQLSTATE codes the planner and executor use (PostgreSQL errcodes.txt).
const (
	CodeUndefinedParam          = "42P02"
	CodeInvalidRowCountInLimit  = "2201W"
	CodeInvalidRowCountInOffset = "2201X"
	CodeInvalidEscapeSeq        = "22025"
	CodeDuplicateAlias          = "42712"
)
