package ast

import "strings"

// Copy is COPY: `COPY table [(columns)] FROM STDIN`, `COPY table
// [(columns)] TO STDOUT` or `COPY (query) TO STDOUT`, with options. The
// translator refuses files, PROGRAM and WHERE; the options are kept as
// written and checked by sql/exec (ParseCopyOptions).
type Copy struct {
	// Table and Columns name the table; Query is set instead for COPY
	// (query) TO.
	Table   TableName
	Columns []Name
	Query   *Select
	// From is COPY … FROM (into the table).
	From    bool
	Options []CopyOption
}

// CopyOption is one COPY option. Value is the argument as text (a
// boolean as "true"/"false", a number in decimal); HasValue is false for
// an option without one (`FREEZE`). Star is `*` (FORCE_QUOTE *), List a
// column list.
type CopyOption struct {
	Name     string
	Value    string
	HasValue bool
	Star     bool
	List     []string
	Pos      int
}

func (*Copy) statement() {}

// StatementTag returns "COPY".
func (*Copy) StatementTag() string { return "COPY" }

func (c *Copy) String() string {
	var b strings.Builder
	b.WriteString("COPY ")
	if c.Query != nil {
		b.WriteString("(" + c.Query.String() + ")")
	} else {
		b.WriteString(c.Table.String())
		if len(c.Columns) > 0 {
			names := make([]string, len(c.Columns))
			for i, n := range c.Columns {
				names[i] = n.Name
			}
			b.WriteString(" (" + strings.Join(names, ", ") + ")")
		}
	}
	if c.From {
		b.WriteString(" FROM STDIN")
	} else {
		b.WriteString(" TO STDOUT")
	}
	if len(c.Options) > 0 {
		opts := make([]string, len(c.Options))
		for i, o := range c.Options {
			switch {
			case o.Star:
				opts[i] = o.Name + " *"
			case o.List != nil:
				opts[i] = o.Name + " (" + strings.Join(o.List, ", ") + ")"
			case o.HasValue:
				opts[i] = o.Name + " '" + strings.ReplaceAll(o.Value, "'", "''") + "'"
			default:
				opts[i] = o.Name
			}
		}
		b.WriteString(" (" + strings.Join(opts, ", ") + ")")
	}
	return b.String()
}
