package pgerror

// More SQLSTATE codes (PostgreSQL errcodes.txt), kept apart from
// pgerror.go, which the server team owns.
const (
	CodeCannotCoerce      = "42846"
	CodeAmbiguousFunction = "42725"
	CodeUndefinedType     = "42704"
)
