package ast

// Comment is COMMENT ON { TABLE | VIEW | SEQUENCE | INDEX | COLUMN |
// DATABASE } name IS 'text' (Text "" removes the comment, as NULL does).
type Comment struct {
	Kind   string // TABLE, VIEW, SEQUENCE, INDEX, COLUMN, DATABASE
	Name   TableName
	Column string // COLUMN's column (Name is its table)
	Text   string
}

func (*Comment) statement() {}

// StatementTag is COMMENT.
func (*Comment) StatementTag() string { return "COMMENT" }

func (c *Comment) String() string {
	what := c.Name.String()
	if c.Kind == "COLUMN" {
		what += "." + c.Column
	}
	return "COMMENT ON " + c.Kind + " " + what + " IS '" + c.Text + "'"
}
