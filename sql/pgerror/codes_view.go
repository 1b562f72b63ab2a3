package pgerror

// SQLSTATE codes of views (PostgreSQL errcodes.txt).
const (
	// CodeObjectNotInPrerequisiteState is 55000: a view that is not
	// automatically updatable is the target of INSERT, UPDATE or DELETE.
	CodeObjectNotInPrerequisiteState = "55000"
	// CodeInvalidRecursion is 42P17: a view whose definition reaches
	// itself.
	CodeInvalidRecursion = "42P17"
)
