package pgerror

// SQLSTATE codes raised by sql/types (PostgreSQL errcodes.txt), kept
// apart from pgerror.go and codes.go, which other teams own.
const (
	CodeInvalidDatetimeFormat       = "22007"
	CodeDatetimeValueOutOfRange     = "22008"
	CodeInvalidBinaryRepresentation = "22P03"
	CodeCharacterNotInRepertoire    = "22021"
	CodeIntervalFieldOverflow       = "22015"
	CodeInvalidEscapeSequence       = "22025"
	CodeUndefinedTypeName           = "42704"
	CodeInvalidTimeZoneDisplacement = "22009"
)
