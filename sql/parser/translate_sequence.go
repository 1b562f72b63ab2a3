package parser

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file translates CREATE/ALTER/DROP SEQUENCE, the sequence options of
// identity columns, column DEFAULTs (kept as deparsed text) and serial
// types.

func (t *translator) createSequence(s *pg_query.CreateSeqStmt) (ast.Statement, error) {
	tn, err := t.tableName(s.Sequence)
	if err != nil {
		return nil, err
	}
	if s.Sequence.Relpersistence == "t" {
		return nil, t.unsupported("temporary sequences", s.Sequence.Location)
	}
	if s.Sequence.Relpersistence == "u" {
		return nil, t.unsupported("UNLOGGED sequences", s.Sequence.Location)
	}
	cs := &ast.CreateSequence{Name: tn, IfNotExists: s.IfNotExists}
	if err := t.seqOptions(s.Options, &cs.Options, false); err != nil {
		return nil, err
	}
	return cs, nil
}

func (t *translator) alterSequence(s *pg_query.AlterSeqStmt) (ast.Statement, error) {
	tn, err := t.tableName(s.Sequence)
	if err != nil {
		return nil, err
	}
	as := &ast.AlterSequence{Name: tn, IfExists: s.MissingOk}
	if err := t.seqOptions(s.Options, &as.Options, true); err != nil {
		return nil, err
	}
	return as, nil
}

func (t *translator) dropSequence(s *pg_query.DropStmt) (ast.Statement, error) {
	ds := &ast.DropSequence{IfExists: s.MissingOk, Cascade: s.Behavior == pg_query.DropBehavior_DROP_CASCADE}
	names, err := dropNames(s.Objects)
	if err != nil {
		return nil, err
	}
	ds.Names = names
	return ds, nil
}

// seqOptions reads a sequence's DefElem options into o, refusing
// duplicates as PostgreSQL does (42601 "conflicting or redundant
// options").
func (t *translator) seqOptions(list []*pg_query.Node, o *ast.SeqOptions, alter bool) error {
	seen := map[string]bool{}
	for _, n := range list {
		d := n.GetDefElem()
		if d == nil {
			continue
		}
		if seen[d.Defname] {
			return pgerror.New(pgerror.CodeSyntaxError, "conflicting or redundant options").WithPosition(t.pos(d.Location))
		}
		seen[d.Defname] = true
		num := func() (*int64, error) {
			if d.Arg == nil {
				return nil, nil
			}
			v, err := defInt(d)
			if err != nil {
				return nil, err
			}
			return &v, nil
		}
		var err error
		switch d.Defname {
		case "as":
			tn := d.Arg.GetTypeName()
			if tn == nil || len(tn.Names) == 0 {
				return t.unsupported("AS", d.Location)
			}
			o.As = tn.Names[len(tn.Names)-1].GetString_().GetSval()
		case "increment":
			o.Increment, err = num()
		case "minvalue":
			o.MinValue, err = num()
			o.NoMinValue = d.Arg == nil
		case "maxvalue":
			o.MaxValue, err = num()
			o.NoMaxVal = d.Arg == nil
		case "start":
			o.Start, err = num()
		case "cache":
			o.Cache, err = num()
		case "cycle":
			c := d.Arg.GetBoolean().GetBoolval()
			o.Cycle = &c
		case "restart":
			if !alter {
				return pgerror.New(pgerror.CodeSyntaxError, "RESTART cannot be used in CREATE SEQUENCE").WithPosition(t.pos(d.Location))
			}
			o.Restart = true
			o.RestartWith, err = num()
		case "owned_by":
			for _, it := range d.Arg.GetList().GetItems() {
				o.OwnedBy = append(o.OwnedBy, it.GetString_().GetSval())
			}
			if len(o.OwnedBy) == 1 && o.OwnedBy[0] == "none" {
				o.OwnedBy, o.OwnedByNone = nil, true
			}
		case "sequence_name":
			items := d.Arg.GetList().GetItems()
			if len(items) == 0 {
				return t.unsupported("SEQUENCE NAME", d.Location)
			}
			if len(items) == 2 && items[0].GetString_().GetSval() != "public" || len(items) > 2 {
				return t.unsupported("SEQUENCE NAME in another schema", d.Location)
			}
			o.SeqName = items[len(items)-1].GetString_().GetSval()
		default:
			return t.unsupported("sequence option "+d.Defname, d.Location)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// defInt reads a DefElem's integer argument (pg_query gives numbers past
// int32 as Float strings).
func defInt(d *pg_query.DefElem) (int64, error) {
	if i := d.Arg.GetInteger(); i != nil {
		return int64(i.Ival), nil
	}
	if f := d.Arg.GetFloat(); f != nil {
		v, err := strconv.ParseInt(f.Fval, 10, 64)
		if err != nil {
			return 0, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value \"%s\" is out of range for type bigint", f.Fval)
		}
		return v, nil
	}
	return 0, pgerror.New(pgerror.CodeSyntaxError, "%s requires a numeric value", d.Defname)
}

// serialTypes maps the serial pseudo-types to their integer types.
var serialTypes = map[string]string{
	"serial": "int4", "serial4": "int4", "bigserial": "int8", "serial8": "int8",
	"smallserial": "int2", "serial2": "int2",
}

// columnDefault translates a column's DEFAULT, keeping its deparsed text.
func (t *translator) columnDefault(con *pg_query.Constraint, cd *ast.ColumnDef, ct *ast.CreateTable) error {
	if cd.Default != nil || cd.Serial || cd.Identity != 0 {
		return t.defaultConflict(cd, con, ct.Table.Name)
	}
	e, err := t.expr(con.RawExpr)
	if err != nil {
		return err
	}
	text, err := deparseExpr(con.RawExpr) // translate_alter.go
	if err != nil {
		return pgerror.New(pgerror.CodeInternalError, "deparsing DEFAULT: %v", err)
	}
	cd.Default, cd.DefaultText = e, text
	return nil
}

func (t *translator) defaultConflict(cd *ast.ColumnDef, con *pg_query.Constraint, table string) error {
	switch {
	case cd.Serial:
		return pgerror.New(pgerror.CodeSyntaxError, "multiple default values specified for column \"%s\" of table \"%s\"", cd.Name, table).
			WithPosition(t.pos(con.Location))
	case cd.Identity != 0 && con.Contype == pg_query.ConstrType_CONSTR_IDENTITY:
		return pgerror.New(pgerror.CodeSyntaxError, "multiple identity specifications for column \"%s\" of table \"%s\"", cd.Name, table).
			WithPosition(t.pos(con.Location))
	case cd.Identity != 0 || con.Contype == pg_query.ConstrType_CONSTR_IDENTITY:
		return pgerror.New(pgerror.CodeSyntaxError, "both default and identity specified for column \"%s\" of table \"%s\"", cd.Name, table).
			WithPosition(t.pos(con.Location))
	}
	return pgerror.New(pgerror.CodeSyntaxError, "multiple default values specified for column \"%s\" of table \"%s\"", cd.Name, table).
		WithPosition(t.pos(con.Location))
}

// columnIdentity translates GENERATED ALWAYS|BY DEFAULT AS IDENTITY.
func (t *translator) columnIdentity(con *pg_query.Constraint, cd *ast.ColumnDef, ct *ast.CreateTable) error {
	if cd.Default != nil || cd.Serial || cd.Identity != 0 {
		return t.defaultConflict(cd, con, ct.Table.Name)
	}
	cd.Identity = ast.IdentityByDefault
	if con.GeneratedWhen == "a" {
		cd.Identity = ast.IdentityAlways
	}
	cd.IdentityOptions = &ast.SeqOptions{Pos: t.pos(con.Location)}
	return t.seqOptions(con.Options, cd.IdentityOptions, false)
}

// deparseExpr renders a raw expression as SQL text that ParseExpr reads
// back (column DEFAULTs, CHECK constraints).
func deparseExpr(e *pg_query.Node) (string, error) {
	sel := &pg_query.Node{Node: &pg_query.Node_SelectStmt{SelectStmt: &pg_query.SelectStmt{
		TargetList: []*pg_query.Node{{Node: &pg_query.Node_ResTarget{ResTarget: &pg_query.ResTarget{Val: e}}}},
	}}}
	s, err := deparse(sel) // translate_view.go
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}

// ParseExpr parses one scalar expression's text (a column's stored
// DEFAULT).
func ParseExpr(text string) (ast.Expr, error) {
	sel, err := ParseSelect("SELECT " + text)
	if err != nil {
		return nil, err
	}
	if len(sel.Exprs) != 1 || sel.Exprs[0].Expr == nil || len(sel.From) > 0 {
		return nil, pgerror.New(pgerror.CodeInternalError, "not one expression: %q", text)
	}
	return sel.Exprs[0].Expr, nil
}
