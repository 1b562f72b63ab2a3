package plan

import (
	"context"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file binds column DEFAULTs and the sequence functions. A column's
// default is stored as text (catalog.Column.Default); an INSERT parses it
// again through the Resolver (DefaultParser) and binds it, with no row in
// scope, wherever the column gets no value: a column left out of the
// target list (appended to the VALUES rows or the SELECT's projection), a
// DEFAULT item in VALUES, DEFAULT VALUES. The bound expression is part of
// the plan's input, so it is evaluated once per row: volatile defaults
// (nextval, now(), random arithmetic) give each row its own value.
// Identity columns follow PostgreSQL: GENERATED ALWAYS refuses a value
// unless OVERRIDING SYSTEM VALUE; OVERRIDING USER VALUE replaces the
// values given for identity columns with their defaults.

// DefaultParser is implemented by Resolvers that can parse a stored
// DEFAULT expression (sql/parser is not the planner's to import).
type DefaultParser interface {
	ParseDefault(text string) (ast.Expr, error)
}

// BindDefault type-checks a column DEFAULT of t's column at ord as
// PostgreSQL's cookDefault does (CREATE TABLE): no column references
// (0A000), no subqueries (0A000), no aggregates (42803), a type that
// assigns to the column's (42804). It returns the default bound and
// coerced to the column's type (ALTER TABLE … ADD COLUMN evaluates it).
func BindDefault(ctx context.Context, r Resolver, t *catalog.TableDescriptor, ord int, e ast.Expr) (Expr, error) {
	b := &builder{ctx: ctx, r: r}
	s := tableScope(t, "")
	s.noAggs = "DEFAULT expressions"
	x, err := b.bindExpr(e, s, t.Columns[ord].Type)
	if err != nil {
		return nil, err
	}
	var bad error
	Walk(x, func(e Expr) bool {
		switch e.(type) {
		case *ColRef:
			bad = pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use column reference in DEFAULT expression")
		case *Subquery:
			bad = pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use subquery in DEFAULT expression")
		}
		return bad == nil
	})
	if bad != nil {
		return nil, bad
	}
	return b.assignDefault(x, e, &t.Columns[ord])
}

// volatileFuncs are the functions whose value may change from one call
// to the next (PostgreSQL's provolatile 'v'), besides the sequence
// functions.
var volatileFuncs = map[string]bool{
	"random": true, "clock_timestamp": true, "timeofday": true, "gen_random_uuid": true, "set_config": true,
	"pg_sleep": true,
}

// Volatile reports whether e calls a volatile function: ALTER TABLE …
// ADD COLUMN then evaluates its DEFAULT for each existing row rather
// than once (PostgreSQL's table rewrite versus its "fast default").
func Volatile(e Expr) bool {
	v := false
	Walk(e, func(e Expr) bool {
		if f, ok := e.(*Func); ok && (sequenceFuncs[f.Name] || volatileFuncs[f.Name]) {
			v = true
		}
		return !v
	})
	return v
}

// assignDefault coerces a bound default to its column's type, with
// PostgreSQL's message for a default of the wrong type.
func (b *builder) assignDefault(x Expr, e ast.Expr, c *catalog.Column) (Expr, error) {
	from := x.ResultType()
	if !isUnknown(from) && !from.Identical(c.Type) && !assignAllowed(from, c.Type) {
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" is of type %s but default expression is of type %s", c.Name, c.Type, from).
			WithHint("You will need to rewrite or cast the expression.")
	}
	return b.assign(x, e, c.Name, c.Type)
}

// columnDefault binds the default of t's column at ord: its DEFAULT, or
// the NULL constant.
func (b *builder) columnDefault(t *catalog.TableDescriptor, ord int) (Expr, error) {
	c := &t.Columns[ord]
	if c.Default == "" {
		return &Const{D: types.DNull, Typ: c.Type}, nil
	}
	dp, ok := b.r.(DefaultParser)
	if !ok {
		return nil, pgerror.Unsupported("column DEFAULT here")
	}
	e, err := dp.ParseDefault(c.Default)
	if err != nil {
		return nil, err
	}
	x, err := b.bindExpr(e, &scope{noAggs: "DEFAULT expressions"}, c.Type)
	if err != nil {
		return nil, err
	}
	return b.assignDefault(x, e, c)
}

// identityAlwaysError is PostgreSQL's refusal of a value for a GENERATED
// ALWAYS identity column.
func identityAlwaysError(c *catalog.Column) error {
	return pgerror.New("428C9", "cannot insert a non-DEFAULT value into column \"%s\"", c.Name).
		WithDetail("Column \"%s\" is an identity column defined as GENERATED ALWAYS.", c.Name).
		WithHint("Use OVERRIDING SYSTEM VALUE to override.")
}

// generatedInsertError is PostgreSQL's refusal of a value for a
// generated column.
func generatedInsertError(c *catalog.Column) error {
	return pgerror.New("428C9", "cannot insert a non-DEFAULT value into column \"%s\"", c.Name).
		WithDetail("Column \"%s\" is a generated column.", c.Name)
}

// BindGenerated binds a generated column's expression over t's row, as
// PostgreSQL's EXPR_KIND_GENERATED_COLUMN: no subqueries (0A000),
// aggregates (42803), other generated columns or volatile functions
// (42P17), assignable to the column's type (42804).
func BindGenerated(ctx context.Context, r Resolver, t *catalog.TableDescriptor, ord int, e ast.Expr) (Expr, error) {
	b := &builder{ctx: ctx, r: r}
	s := rowScope(t, "column generation expressions") // check.go
	for i := range s.cols {
		if c := &t.Columns[i]; i < len(t.Columns) && c.Computed != "" && !c.Hidden {
			s.cols[i].generated = true
		}
	}
	c := &t.Columns[ord]
	x, err := b.inRowExpr("column generation expression", func() (Expr, error) { return b.bindExpr(e, s, c.Type) })
	if err != nil {
		return nil, err
	}
	if !immutable(x) {
		return nil, pgerror.New("42P17", "generation expression is not immutable")
	}
	from := x.ResultType()
	if !from.Identical(c.Type) && !assignAllowed(from, c.Type) && !isUnknown(from) {
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" is of type %s but default expression is of type %s", c.Name, c.Type, from).
			WithHint("You will need to rewrite or cast the expression.")
	}
	if isUnknown(from) {
		x = coerce(x, c.Type)
	}
	return x, nil
}

// bindInsertValue binds one item of an INSERT's VALUES row for t's column
// at ord: DEFAULT is the column's default; a value for an identity column
// is refused (ALWAYS) or replaced (OVERRIDING USER VALUE).
func (b *builder) bindInsertValue(ins *ast.Insert, t *catalog.TableDescriptor, ord int, e ast.Expr, s *scope) (Expr, error) {
	c := &t.Columns[ord]
	if _, ok := e.(*ast.DefaultExpr); ok {
		return b.columnDefault(t, ord)
	}
	if c.Computed != "" {
		return nil, generatedInsertError(c)
	}
	if c.Identity != 0 {
		if ins.Overriding == ast.OverridingUserValue {
			return b.columnDefault(t, ord)
		}
		if c.Identity == catalog.IdentityAlways && ins.Overriding != ast.OverridingSystemValue {
			return nil, identityAlwaysError(c)
		}
	}
	return b.bindAssign(e, s, c.Name, c.Type)
}

// fillDefaults completes an INSERT's input once it is planned: the
// columns it leaves out get their defaults (appended to every VALUES row,
// or to the SELECT's projection), and identity columns fed by a SELECT
// are checked or overridden.
func (b *builder) fillDefaults(ins *ast.Insert, n *Insert) error {
	t := n.Table
	given := map[int]bool{}
	for _, ord := range n.Targets {
		given[ord] = true
	}
	var missing []int
	for i := range t.Columns {
		if !given[i] && t.Columns[i].Default != "" {
			missing = append(missing, i)
		}
	}
	switch in := n.Input.(type) {
	case *Values:
		for _, ord := range missing {
			for r := range in.Rows {
				d, err := b.columnDefault(t, ord)
				if err != nil {
					return err
				}
				in.Rows[r] = append(in.Rows[r], d)
			}
			in.Cols = append(in.Cols, Column{Name: t.Columns[ord].Name, Typ: t.Columns[ord].Type})
			n.Targets = append(n.Targets, ord)
		}
	case *Project:
		for i, ord := range n.Targets {
			c := &t.Columns[ord]
			if c.Computed != "" {
				return generatedInsertError(c)
			}
			if c.Identity == 0 {
				continue
			}
			switch {
			case ins.Overriding == ast.OverridingUserValue:
				d, err := b.columnDefault(t, ord)
				if err != nil {
					return err
				}
				in.Exprs[i] = d
			case c.Identity == catalog.IdentityAlways && ins.Overriding != ast.OverridingSystemValue:
				return identityAlwaysError(c)
			}
		}
		for _, ord := range missing {
			d, err := b.columnDefault(t, ord)
			if err != nil {
				return err
			}
			in.Exprs = append(in.Exprs, d)
			in.Cols = append(in.Cols, Column{Name: t.Columns[ord].Name, Typ: t.Columns[ord].Type})
			n.Targets = append(n.Targets, ord)
		}
	default:
		if len(missing) > 0 {
			return pgerror.Unsupported("column DEFAULT in this INSERT")
		}
	}
	return nil
}

// sequenceFuncs are the sequence functions, evaluated by sql/exec through
// its Sequences. They are volatile: never folded.
var sequenceFuncs = map[string]bool{"nextval": true, "currval": true, "setval": true, "lastval": true}

// IsSequenceFunc reports whether name is a sequence function.
func IsSequenceFunc(name string) bool { return sequenceFuncs[name] }

// bindSequenceFunc binds nextval(regclass), currval(regclass),
// setval(regclass, bigint [, boolean]) and lastval(); ok is false for any
// other function. The sequence argument is taken as text (a regclass
// literal's cast is dropped) and resolved by name when the call runs.
func (b *builder) bindSequenceFunc(x *ast.FuncExpr, s *scope) (Expr, bool, error) {
	if !sequenceFuncs[x.Name] || x.Over != nil || x.Star || x.Distinct {
		return nil, false, nil
	}
	want := map[string][]*types.T{
		"nextval": {types.Text}, "currval": {types.Text}, "lastval": {},
		"setval": {types.Text, types.Int8},
	}[x.Name]
	argTypes := make([]*types.T, len(x.Args))
	args := make([]Expr, len(x.Args))
	for i, a := range x.Args {
		if i == 0 && x.Name != "lastval" {
			if c, ok := a.(*ast.CastExpr); ok && (c.Type.Name == "regclass" || c.Type.Name == "text") {
				a = c.E
			}
		}
		var hint *types.T
		switch {
		case i < len(want):
			hint = want[i]
		case i == 2:
			hint = types.Bool
		}
		e, err := b.bindExpr(a, s, hint)
		if err != nil {
			return nil, true, err
		}
		args[i], argTypes[i] = e, e.ResultType()
	}
	okArity := len(args) == len(want) || (x.Name == "setval" && len(args) == 3)
	if !okArity {
		return nil, true, undefinedFunction(x.Name, argTypes, x.Pos)
	}
	for i := range args {
		to := types.Bool
		if i < len(want) {
			to = want[i]
		}
		from := argTypes[i]
		if !isUnknown(from) && !from.Identical(to) && !implicitAllowed(from, to) &&
			!(to == types.Text && from.Family == types.StringFamily) {
			return nil, true, undefinedFunction(x.Name, argTypes, x.Pos)
		}
		b.defaultParam(args[i], to)
		args[i] = coerce(args[i], to)
	}
	return &Func{Name: x.Name, Args: args, Typ: types.Int8}, true, nil
}

// identityUpdate refuses UPDATE … SET of a GENERATED ALWAYS identity
// column (SET … = DEFAULT is not implemented: the parser refuses it).
func identityUpdate(c *catalog.Column) error {
	if c.Identity != catalog.IdentityAlways {
		return nil
	}
	return pgerror.New("428C9", "column \"%s\" can only be updated to DEFAULT", c.Name).
		WithDetail("Column \"%s\" is an identity column defined as GENERATED ALWAYS.", c.Name)
}

// BindAlterType binds the value ALTER TABLE … ALTER COLUMN … TYPE gives
// the column at ord of t (as the rows are stored) in type to: using
// evaluated over the row, or the column itself, assignment-cast to the
// new type as PostgreSQL's ATPrepAlterColumnType requires (42804 when no
// such cast exists).
func BindAlterType(ctx context.Context, r Resolver, t *catalog.TableDescriptor, ord int, using ast.Expr, to *types.T) (Expr, error) {
	b := &builder{ctx: ctx, r: r}
	c := &t.Columns[ord]
	var x Expr = &ColRef{Ordinal: ord, Typ: c.Type, Name: c.Name}
	if using != nil {
		s := tableScope(t, "")
		s.noAggs = "transform expressions"
		var err error
		if x, err = b.bindExpr(using, s, to); err != nil {
			return nil, err
		}
	}
	from := x.ResultType()
	if from.Identical(to) || assignAllowed(from, to) {
		return x, nil
	}
	if isUnknown(from) {
		return coerce(x, to), nil
	}
	if using != nil {
		return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "result of USING clause for column \"%s\" cannot be cast automatically to type %s", c.Name, to.WithoutMod()).
			WithHint("You might need to add an explicit cast.")
	}
	return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" cannot be cast automatically to type %s", c.Name, to.WithoutMod()).
		WithHint("You might need to specify \"USING %s::%s\".", c.Name, to)
}
