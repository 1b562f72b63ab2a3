package plan

import (
	"fmt"
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// withPos sets the position of a pgerror that has none.
func withPos(err error, pos int) error {
	if pe, ok := err.(*pgerror.Error); ok && pe.Position == 0 && pos > 0 {
		pe.Position = pos
	}
	return err
}

// exprStart returns the position PostgreSQL reports for an expression: its
// leftmost token.
func exprStart(e ast.Expr) int {
	p := e.Position()
	var l ast.Expr
	switch x := e.(type) {
	case *ast.BinaryExpr:
		l = x.L
	case *ast.ComparisonExpr:
		l = x.L
	case *ast.AndExpr:
		l = x.L
	case *ast.OrExpr:
		l = x.L
	case *ast.IsNullExpr:
		l = x.E
	case *ast.CastExpr:
		l = x.E
	case *ast.LikeExpr:
		l = x.E
	case *ast.InExpr:
		l = x.E
	case *ast.BetweenExpr:
		l = x.E
	case *ast.DistinctExpr:
		l = x.L
	}
	if l != nil {
		if lp := exprStart(l); lp > 0 && (p == 0 || lp < p) {
			return lp
		}
	}
	return p
}

func isUnknown(t *types.T) bool { return t.Family == types.UnknownFamily }

// bindExpr binds and type-checks e. hint is the type the context wants for
// an untyped literal or parameter (nil: no preference).
func (b *builder) bindExpr(e ast.Expr, s *scope, hint *types.T) (Expr, error) {
	x, err := b.bindExprUnfolded(e, s, hint)
	if err != nil {
		return nil, err
	}
	return fold(x), nil
}

// bindExprUnfolded binds e; bindExpr folds the result (fold.go).
func (b *builder) bindExprUnfolded(e ast.Expr, s *scope, hint *types.T) (Expr, error) {
	switch x := e.(type) {
	case *ast.ColumnRef:
		return b.bindColumn(x, s)
	case *ast.NumVal:
		if !x.IsInt {
			return bindNumericLiteral(x)
		}
		if types.CheckIntWidth(types.Int4, x.Int) == nil {
			return &Const{D: types.DInt(x.Int), Typ: types.Int4}, nil
		}
		return &Const{D: types.DInt(x.Int), Typ: types.Int8}, nil
	case *ast.StrVal:
		if hint == nil || isUnknown(hint) {
			return &Const{D: types.DString(x.Val), Typ: types.Unknown}, nil
		}
		// Read by the input function without a modifier: a length or
		// precision check is an assignment or explicit cast's job.
		d, err := b.parseLiteral(hint.WithoutMod(), x.Val)
		if err != nil {
			return nil, withPos(err, x.Pos)
		}
		return &Const{D: d, Typ: hint.WithoutMod()}, nil
	case *ast.NullVal:
		if hint == nil {
			hint = types.Unknown
		}
		return &Const{D: types.DNull, Typ: hint}, nil
	case *ast.BoolVal:
		return &Const{D: types.DBool(x.Val), Typ: types.Bool}, nil
	case *ast.Placeholder:
		return b.bindParam(x, hint)
	case *ast.BinaryExpr:
		return b.bindBinary(x, s)
	case *ast.UnaryMinus:
		in, err := b.bindExpr(x.E, s, types.Int4)
		if err != nil {
			return nil, err
		}
		t := in.ResultType()
		if t.Family == types.TimeFamily { // time's implicit cast to interval
			in, t = coerce(in, types.Interval), types.Interval
		}
		switch t.Family {
		case types.IntFamily, types.FloatFamily, types.DecimalFamily, types.IntervalFamily:
		default:
			return nil, pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: - %s", t).
				WithHint("No operator matches the given name and argument type. You might need to add an explicit type cast.").
				WithPosition(x.Pos)
		}
		if k, ok := in.(*Const); ok && k.D != types.DNull {
			if d, err := negate(k.D, t); err == nil {
				return &Const{D: d, Typ: t}, nil
			}
		}
		return &Neg{E: in, Typ: t}, nil
	case *ast.UnaryPlus:
		in, err := b.bindExpr(x.E, s, types.Int4)
		if err != nil {
			return nil, err
		}
		if _, ok := types.ResolveUnaryOp("+", in.ResultType()); !ok {
			return nil, pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: + %s", in.ResultType()).
				WithHint("No operator matches the given name and argument type. You might need to add an explicit type cast.").
				WithPosition(x.Pos)
		}
		return in, nil
	case *ast.ComparisonExpr:
		return b.bindCmp(CmpOp(x.Op), x.L, x.R, s, x.Pos)
	case *ast.DistinctExpr:
		op := IsDistinct
		if x.Not {
			op = IsNotDistinct
		}
		return b.bindCmp(op, x.L, x.R, s, x.Pos)
	case *ast.AndExpr:
		l, err := b.bindBool(x.L, s, "AND")
		if err != nil {
			return nil, err
		}
		r, err := b.bindBool(x.R, s, "AND")
		if err != nil {
			return nil, err
		}
		return &And{L: l, R: r}, nil
	case *ast.OrExpr:
		l, err := b.bindBool(x.L, s, "OR")
		if err != nil {
			return nil, err
		}
		r, err := b.bindBool(x.R, s, "OR")
		if err != nil {
			return nil, err
		}
		return &Or{L: l, R: r}, nil
	case *ast.NotExpr:
		in, err := b.bindBool(x.E, s, "NOT")
		if err != nil {
			return nil, err
		}
		return &Not{E: in}, nil
	case *ast.IsNullExpr:
		in, err := b.bindExpr(x.E, s, nil)
		if err != nil {
			return nil, err
		}
		b.defaultParam(in, types.Text)
		return &IsNull{E: in, Not: x.Not}, nil
	case *ast.CastExpr:
		return b.bindCast(x, s)
	case *ast.LikeExpr:
		return b.bindLike(x, s)
	case *ast.InExpr:
		return b.bindIn(x, s)
	case *ast.BetweenExpr:
		return b.bindBetween(x, s)
	case *ast.CaseExpr:
		return b.bindCase(x, s)
	case *ast.CoalesceExpr:
		args, typ, err := b.bindCommon(x.Args, s, "COALESCE")
		if err != nil {
			return nil, err
		}
		return &Coalesce{Args: args, Typ: typ}, nil
	case *ast.MinMaxExpr:
		what := "LEAST"
		if x.Greatest {
			what = "GREATEST"
		}
		args, typ, err := b.bindCommon(x.Args, s, what)
		if err != nil {
			return nil, err
		}
		return &MinMax{Args: args, Typ: typ, Greatest: x.Greatest}, nil
	case *ast.NullIfExpr:
		l, r, err := b.bindPair(x.L, x.R, s)
		if err != nil {
			return nil, err
		}
		if !comparable(l.ResultType(), r.ResultType()) {
			return nil, opError(l.ResultType(), "=", r.ResultType(), x.Pos)
		}
		return &NullIf{L: l, R: r}, nil
	case *ast.FuncExpr:
		if x.Name == arraySubscript || x.Name == arrayAnyEq {
			return b.bindArrayOp(x, s, hint) // funcs_catalog.go
		}
		return b.bindFunc(x, s)
	case *ast.SubqueryExpr:
		return b.bindSubquery(x, s)
	}
	return nil, pgerror.Unsupported(fmt.Sprintf("expression %T", e))
}

func (b *builder) bindParam(x *ast.Placeholder, hint *types.T) (Expr, error) {
	if x.Idx >= 1<<16 {
		return nil, pgerror.New(pgerror.CodeUndefinedParameter, "there is no parameter $%d", x.Idx+1).WithPosition(x.Pos)
	}
	for len(b.params) <= x.Idx {
		b.params = append(b.params, nil)
	}
	t := b.params[x.Idx]
	if t == nil && hint != nil && !isUnknown(hint) {
		t = hint
		b.params[x.Idx] = t
	}
	if t == nil {
		t = types.Unknown
	}
	p := &Param{Idx: x.Idx, Typ: t}
	if b.paramRefs == nil {
		b.paramRefs = map[int][]*Param{}
	}
	b.paramRefs[x.Idx] = append(b.paramRefs[x.Idx], p)
	return p, nil
}

// defaultParam gives an untyped parameter e the type t.
func (b *builder) defaultParam(e Expr, t *types.T) {
	if p, ok := e.(*Param); ok && isUnknown(p.Typ) {
		b.params[p.Idx] = t
		p.Typ = t
	}
}

// finishParams types every parameter no context typed as text and
// updates every Param node.
func (b *builder) finishParams() {
	for i, t := range b.params {
		if t == nil {
			b.params[i] = types.Text
		}
	}
	for idx, refs := range b.paramRefs {
		for _, p := range refs {
			p.Typ = b.params[idx]
		}
	}
}

func (b *builder) bindColumn(x *ast.ColumnRef, s *scope) (Expr, error) {
	depth := 0
	for sc := s; sc != nil; sc = sc.parent {
		if x.Table != "" && sc.findTable(x.Table) == nil {
			depth++
			continue
		}
		ord, err := sc.resolveColumn(x)
		if err != nil {
			return nil, err
		}
		if ord >= 0 {
			c := &sc.cols[ord]
			if depth == 0 {
				return &ColRef{Ordinal: ord, Name: c.qualified(), Typ: c.typ}, nil
			}
			for m := s; m != sc; m = m.parent {
				m.correlated = true
			}
			return &OuterRef{Depth: depth, Ordinal: ord, Name: c.qualified(), Typ: c.typ}, nil
		}
		if x.Table != "" {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column %s.%s does not exist", x.Table, x.Name).WithPosition(x.Pos)
		}
		depth++
	}
	if x.Table != "" {
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "missing FROM-clause entry for table \"%s\"", x.Table).WithPosition(x.Pos)
	}
	return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", x.Name).WithPosition(x.Pos)
}

// bindPair binds the operands of a binary operator: an untyped operand
// takes the other operand's type; two untyped operands are text.
func (b *builder) bindPair(le, re ast.Expr, s *scope) (Expr, Expr, error) {
	l, err := b.bindExpr(le, s, nil)
	if err != nil {
		return nil, nil, err
	}
	r, err := b.bindExpr(re, s, hintOf(l))
	if err != nil {
		return nil, nil, err
	}
	if isUnknown(l.ResultType()) {
		want := r.ResultType()
		if isUnknown(want) {
			want = types.Text
			if r, err = b.bindExpr(re, s, want); err != nil {
				return nil, nil, err
			}
		}
		if l, err = b.bindExpr(le, s, want); err != nil {
			return nil, nil, err
		}
	}
	return l, r, nil
}

// hintOf is the type an untyped operand of an operator next to e should
// take: e's type, except that character varying has no operators of its
// own — PostgreSQL resolves them as text's (texteq, textlt, …), so the
// operand becomes text.
func hintOf(e Expr) *types.T {
	t := e.ResultType()
	if isUnknown(t) {
		return nil
	}
	if t.OID == types.OIDVarchar {
		return types.Text
	}
	return t
}

func opError(lt *types.T, op string, rt *types.T, pos int) error {
	return pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: %s %s %s", lt, op, rt).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.").
		WithPosition(pos)
}

func (b *builder) bindCmp(op CmpOp, le, re ast.Expr, s *scope, pos int) (Expr, error) {
	e, err := b.bindCmpUnfolded(op, le, re, s, pos)
	if err != nil {
		return nil, err
	}
	return fold(e), nil
}

func (b *builder) bindCmpUnfolded(op CmpOp, le, re ast.Expr, s *scope, pos int) (Expr, error) {
	l, r, err := b.bindPair(le, re, s)
	if err != nil {
		return nil, err
	}
	lt, rt := l.ResultType(), r.ResultType()
	if !comparable(lt, rt) {
		sym := string(op)
		if op == IsDistinct || op == IsNotDistinct {
			sym = "="
		}
		return nil, opError(lt, sym, rt, pos)
	}
	return &Cmp{Op: op, L: l, R: r}, nil
}

func (b *builder) bindBinary(x *ast.BinaryExpr, s *scope) (Expr, error) {
	// The json operators (funcs_json.go); for - and || over other
	// types it hands back the operands it bound (nil hint), so that
	// none is bound twice.
	e, ok, l, r0, err := b.bindJSONBinary(x, s)
	if ok {
		return e, err
	}
	if x.Op == ast.Concat {
		return b.bindConcat(x, s, l, r0)
	}
	if l == nil {
		if l, err = b.bindExpr(x.L, s, nil); err != nil {
			return nil, err
		}
	}
	r, err := b.bindExpr(x.R, s, hintOf(l))
	if err != nil {
		return nil, err
	}
	if isUnknown(l.ResultType()) {
		if isUnknown(r.ResultType()) {
			return nil, pgerror.New(pgerror.CodeAmbiguousFunction, "operator is not unique: unknown %s unknown", x.Op).
				WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.").
				WithPosition(x.Pos)
		}
		if l, err = b.bindExpr(x.L, s, r.ResultType()); err != nil {
			return nil, err
		}
	}
	lt, rt := l.ResultType(), r.ResultType()
	typ, ok := binOpType(x.Op, lt, rt)
	if !ok {
		if e, ok, err := b.moreBinOp(x, s, l, r); ok { // ops_more.go
			return e, err
		}
		if types.AmbiguousTimeOp(string(x.Op), lt, rt) {
			return nil, pgerror.New(pgerror.CodeAmbiguousFunction, "operator is not unique: %s %s %s", lt, x.Op, rt).
				WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.").
				WithPosition(x.Pos)
		}
		return nil, opError(lt, string(x.Op), rt, x.Pos)
	}
	return &BinOp{Op: x.Op, L: l, R: r, Typ: typ}, nil
}

// bindConcat binds ||: text || anything (PostgreSQL's anynonarray ||
// text), with untyped operands taken as text.
// l and r are the operands already bound without a hint, or nil.
func (b *builder) bindConcat(x *ast.BinaryExpr, s *scope, l, r Expr) (Expr, error) {
	var err error
	if l == nil {
		if l, err = b.bindExpr(x.L, s, nil); err != nil {
			return nil, err
		}
	}
	if r == nil {
		if r, err = b.bindExpr(x.R, s, nil); err != nil {
			return nil, err
		}
	}
	lt, rt := l.ResultType(), r.ResultType()
	if lt.Family == types.BytesFamily && (rt.Family == types.BytesFamily || isUnknown(rt)) ||
		rt.Family == types.BytesFamily && isUnknown(lt) {
		if l, err = b.bindExpr(x.L, s, types.Bytea); err != nil {
			return nil, err
		}
		if r, err = b.bindExpr(x.R, s, types.Bytea); err != nil {
			return nil, err
		}
		return &BinOp{Op: ast.Concat, L: l, R: r, Typ: types.Bytea}, nil
	}
	isText := func(t *types.T) bool { return t.Family == types.StringFamily || isUnknown(t) }
	if !isText(lt) && !isText(rt) {
		return nil, opError(lt, "||", rt, x.Pos)
	}
	if isUnknown(lt) {
		if l, err = b.bindExpr(x.L, s, types.Text); err != nil {
			return nil, err
		}
	}
	if isUnknown(rt) {
		if r, err = b.bindExpr(x.R, s, types.Text); err != nil {
			return nil, err
		}
	}
	return &BinOp{Op: ast.Concat, L: l, R: r, Typ: types.Text}, nil
}

// bindBool binds an expression that must be boolean (an argument of
// AND/OR/NOT, or WHERE).
func (b *builder) bindBool(e ast.Expr, s *scope, what string) (Expr, error) {
	x, err := b.bindExpr(e, s, types.Bool)
	if err != nil {
		return nil, err
	}
	switch x.ResultType().Family {
	case types.BoolFamily:
		switch what {
		case "WHERE", "HAVING", "JOIN/ON":
			return foldFilter(x), nil
		}
		return x, nil
	case types.UnknownFamily:
		if k, ok := x.(*Const); ok {
			d, err := parseLiteral(types.Bool, string(types.Format(k.D)))
			if k.D == types.DNull {
				d, err = types.DNull, nil
			}
			if err != nil {
				return nil, withPos(err, exprStart(e))
			}
			return &Const{D: d, Typ: types.Bool}, nil
		}
		b.defaultParam(x, types.Bool)
		return x, nil
	}
	return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "argument of %s must be type boolean, not type %s", what, x.ResultType()).
		WithPosition(exprStart(e))
}

func (b *builder) resolveType(tn ast.TypeName) (*types.T, error) {
	t, err := ResolveType(tn)
	if err != nil {
		return nil, withPos(err, tn.Pos)
	}
	return t, nil
}

func (b *builder) bindCast(x *ast.CastExpr, s *scope) (Expr, error) {
	if e, ok, err := b.bindCatalogCast(x, s); ok { // funcs_catalog.go
		return e, err
	}
	to, err := b.resolveType(x.Type)
	if err != nil {
		return nil, err
	}
	switch in := x.E.(type) {
	case *ast.StrVal:
		d, err := b.parseLiteral(to, in.Val)
		if err != nil {
			return nil, withPos(err, in.Pos)
		}
		return &Const{D: d, Typ: to}, nil
	case *ast.NullVal:
		return &Const{D: types.DNull, Typ: to}, nil
	case *ast.Placeholder:
		return b.bindParam(in, to)
	}
	in, err := b.bindExpr(x.E, s, nil)
	if err != nil {
		return nil, err
	}
	from := in.ResultType()
	if isUnknown(from) {
		if in, err = b.bindExpr(x.E, s, to); err != nil {
			return nil, err
		}
		from = in.ResultType()
	}
	if !castAllowed(from, to) {
		return nil, pgerror.New(pgerror.CodeCannotCoerce, "cannot cast type %s to %s", from, to).WithPosition(x.Pos)
	}
	if from.Identical(to) {
		return in, nil
	}
	return &Cast{E: in, Typ: to}, nil
}

// coerce converts a bound expression to type t for an implicit context
// (CASE/COALESCE branches, function arguments, IN lists).
func coerce(e Expr, t *types.T) Expr {
	from := e.ResultType()
	if from.Identical(t) {
		return e
	}
	if k, ok := e.(*Const); ok && k.D == types.DNull {
		return &Const{D: types.DNull, Typ: t}
	}
	if from.Equal(t) && from.Family != types.StringFamily && from.Family != types.DecimalFamily {
		return e
	}
	return &Cast{E: e, Typ: t}
}

// bindAssign binds e for assignment to a column of type to named col
// (INSERT values, UPDATE SET), applying PostgreSQL's assignment casts.
func (b *builder) bindAssign(e ast.Expr, s *scope, col string, to *types.T) (Expr, error) {
	x, err := b.bindExpr(e, s, to)
	if err != nil {
		return nil, err
	}
	return b.assign(x, e, col, to)
}

func (b *builder) assign(x Expr, e ast.Expr, col string, to *types.T) (Expr, error) {
	from := x.ResultType()
	switch {
	case from.Identical(to):
		return x, nil
	case isUnknown(from):
		if k, ok := x.(*Const); ok {
			if k.D == types.DNull {
				return &Const{D: types.DNull, Typ: to}, nil
			}
			// The literal is read by the type's input function without the
			// column's modifier (a syntax error points at it); the length
			// or precision check is the assignment cast sql/exec applies
			// when it writes the row, with no position, as in PostgreSQL.
			d, err := b.parseLiteral(to.WithoutMod(), string(types.Format(k.D)))
			if err != nil {
				return nil, withPos(err, exprStart(e))
			}
			return &Const{D: d, Typ: to}, nil
		}
		b.defaultParam(x, to)
		return coerce(x, to), nil
	case assignAllowed(from, to):
		// sql/exec applies the assignment cast (types.AssignCast) when
		// it writes the row.
		return x, nil
	}
	return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" is of type %s but expression is of type %s", col, to, from).
		WithHint("You will need to rewrite or cast the expression.").
		WithPosition(exprStart(e))
}

// ResolveType maps a type name as pg_query reports it to a supported type.
func ResolveType(tn ast.TypeName) (*types.T, error) {
	t, err := types.ResolveTypeName(tn.Name, tn.Mods)
	if err != nil {
		return nil, withPos(err, tn.Pos)
	}
	return t, nil
}

// typname is pg_type.typname, which PostgreSQL uses to name a cast's
// result column.
func typname(t *types.T) string {
	switch t.OID {
	case types.OIDInt2:
		return "int2"
	case types.OIDInt4:
		return "int4"
	case types.OIDInt8:
		return "int8"
	case types.OIDBool:
		return "bool"
	case types.OIDFloat4:
		return "float4"
	case types.OIDFloat8:
		return "float8"
	case types.OIDNumeric:
		return "numeric"
	case types.OIDVarchar:
		return "varchar"
	case types.OIDBpchar:
		return "bpchar"
	case types.OIDBytea:
		return "bytea"
	case types.OIDDate:
		return "date"
	case types.OIDTimestamp:
		return "timestamp"
	case types.OIDTimestampTZ:
		return "timestamptz"
	case types.OIDInterval:
		return "interval"
	case types.OIDUUID:
		return "uuid"
	case types.OIDTime:
		return "time"
	case types.OIDTimeTZ:
		return "timetz"
	case types.OIDJSON:
		return "json"
	case types.OIDJSONB:
		return "jsonb"
	}
	return "text"
}

func (b *builder) bindLike(x *ast.LikeExpr, s *scope) (Expr, error) {
	l, err := b.bindExpr(x.E, s, types.Text)
	if err != nil {
		return nil, err
	}
	p, err := b.bindExpr(x.Pattern, s, types.Text)
	if err != nil {
		return nil, err
	}
	op := "~~"
	if x.ILike {
		op = "~~*"
	}
	if x.Not {
		op = "!" + op
	}
	for _, e := range []Expr{l, p} {
		if t := e.ResultType(); t.Family != types.StringFamily {
			return nil, opError(l.ResultType(), op, p.ResultType(), x.Pos)
		}
	}
	out := &Like{E: l, Pattern: p, ILike: x.ILike, Not: x.Not}
	if x.Escape != nil {
		if out.Escape, err = b.bindExpr(x.Escape, s, types.Text); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (b *builder) bindIn(x *ast.InExpr, s *scope) (Expr, error) {
	if x.Sub != nil {
		l, err := b.bindExpr(x.E, s, nil)
		if err != nil {
			return nil, err
		}
		sub, err := b.buildSubquery(x.Sub, s)
		if err != nil {
			return nil, err
		}
		cols := sub.plan.Columns()
		if len(cols) != 1 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "subquery has too many columns").WithPosition(x.Pos)
		}
		if isUnknown(l.ResultType()) {
			if l, err = b.bindExpr(x.E, s, cols[0].Typ); err != nil {
				return nil, err
			}
		}
		if !comparable(l.ResultType(), cols[0].Typ) {
			return nil, opError(l.ResultType(), "=", cols[0].Typ, x.Pos)
		}
		return b.subquery(SubIn, sub, l, x.Not, types.Bool), nil
	}
	l, err := b.bindExpr(x.E, s, nil)
	if err != nil {
		return nil, err
	}
	list := make([]Expr, len(x.List))
	typ := hintOf(l)
	for i, a := range x.List {
		if list[i], err = b.bindExpr(a, s, typ); err != nil {
			return nil, err
		}
	}
	if typ == nil {
		all := append([]Expr{l}, list...)
		if typ, err = commonType(all, "IN"); err != nil {
			return nil, withPos(err, x.Pos)
		}
		if l, err = b.bindExpr(x.E, s, typ); err != nil {
			return nil, err
		}
		for i, a := range x.List {
			if list[i], err = b.bindExpr(a, s, typ); err != nil {
				return nil, err
			}
		}
	}
	for i, e := range list {
		if !comparable(l.ResultType(), e.ResultType()) {
			return nil, opError(l.ResultType(), "=", e.ResultType(), exprStart(x.List[i]))
		}
	}
	return &InList{E: l, List: list, Not: x.Not}, nil
}

func (b *builder) bindBetween(x *ast.BetweenExpr, s *scope) (Expr, error) {
	lo1, err := b.bindCmp(GE, x.E, x.Lo, s, x.Pos)
	if err != nil {
		return nil, err
	}
	hi1, err := b.bindCmp(LE, x.E, x.Hi, s, x.Pos)
	if err != nil {
		return nil, err
	}
	var e Expr = fold(&And{L: lo1, R: hi1})
	if x.Symmetric {
		lo2, err := b.bindCmp(GE, x.E, x.Hi, s, x.Pos)
		if err != nil {
			return nil, err
		}
		hi2, err := b.bindCmp(LE, x.E, x.Lo, s, x.Pos)
		if err != nil {
			return nil, err
		}
		e = fold(&Or{L: e, R: fold(&And{L: lo2, R: hi2})})
	}
	if x.Not {
		e = fold(&Not{E: e})
	}
	return e, nil
}

func (b *builder) bindCase(x *ast.CaseExpr, s *scope) (Expr, error) {
	out := &Case{}
	var vals []ast.Expr
	for _, w := range x.Whens {
		var cond Expr
		var err error
		if x.Operand != nil {
			cond, err = b.bindCmp(EQ, x.Operand, w.Cond, s, x.Pos)
		} else {
			cond, err = b.bindBool(w.Cond, s, "CASE/WHEN")
		}
		if err != nil {
			return nil, err
		}
		out.Whens = append(out.Whens, When{Cond: cond})
		vals = append(vals, w.Val)
	}
	if x.Else != nil {
		vals = append(vals, x.Else)
	}
	bound, typ, err := b.bindCommon(vals, s, "CASE")
	if err != nil {
		return nil, err
	}
	for i := range out.Whens {
		out.Whens[i].Val = bound[i]
	}
	if x.Else != nil {
		out.Else = bound[len(bound)-1]
	}
	out.Typ = typ
	return out, nil
}

// bindCommon binds expressions that must share a type (CASE results,
// COALESCE arguments) and converts them to it.
func (b *builder) bindCommon(es []ast.Expr, s *scope, what string) ([]Expr, *types.T, error) {
	out := make([]Expr, len(es))
	for i, e := range es {
		x, err := b.bindExpr(e, s, nil)
		if err != nil {
			return nil, nil, err
		}
		out[i] = x
	}
	typ, err := commonType(out, what)
	if err != nil {
		return nil, nil, withPos(err, exprStart(es[0]))
	}
	for i, e := range es {
		if isUnknown(out[i].ResultType()) {
			x, err := b.bindExpr(e, s, typ)
			if err != nil {
				return nil, nil, err
			}
			b.defaultParam(x, typ)
			out[i] = x
		}
		out[i] = coerce(out[i], typ)
	}
	return out, typ, nil
}

// bindSubquery binds a scalar or EXISTS subquery.
func (b *builder) bindSubquery(x *ast.SubqueryExpr, s *scope) (Expr, error) {
	sub, err := b.buildSubquery(x.Select, s)
	if err != nil {
		if b.inCheck == "index predicate" || b.inCheck == "column generation expression" {
			err = withPos(err, x.Pos)
		}
		return nil, err
	}
	if x.Kind == ast.ExistsSubquery {
		return b.subquery(SubExists, sub, nil, false, types.Bool), nil
	}
	cols := sub.plan.Columns()
	if len(cols) != 1 {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "subquery must return only one column").WithPosition(x.Pos)
	}
	if x.Kind == ast.ArraySubquery {
		return b.subquery(SubArray, sub, nil, false, types.Text), nil
	}
	return b.subquery(SubScalar, sub, nil, false, cols[0].Typ), nil
}

func (b *builder) subquery(kind SubqueryKind, sub *subPlan, e Expr, not bool, typ *types.T) *Subquery {
	b.nSub++
	return &Subquery{Kind: kind, Plan: sub.plan, E: e, Not: not, Correlated: sub.correlated, Typ: typ, ID: b.nSub}
}

// subPlan is a planned subquery.
type subPlan struct {
	plan       Node
	correlated bool
}

func (b *builder) buildSubquery(sel *ast.Select, s *scope) (*subPlan, error) {
	if b.inCheck != "" {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use subquery in %s", b.inCheck) // check.go
	}
	defer b.recEnter(recSublink)() // recursive.go
	inner := &scope{parent: s}
	n, err := b.buildSelect(sel, inner)
	if err != nil {
		return nil, err
	}
	return &subPlan{plan: n, correlated: inner.correlated}, nil
}

func isAggregate(name string) bool {
	switch name {
	case "count", "sum", "min", "max", "avg", "bool_and", "bool_or", "every", "string_agg":
		return true
	}
	return isJSONAgg(name) // funcs_json.go
}

func (b *builder) bindAggregate(x *ast.FuncExpr, s *scope) (Expr, error) {
	if s.aggs == nil {
		what := s.noAggs
		if what == "" {
			what = "this context"
		}
		return nil, pgerror.New(pgerror.CodeGroupingError, "aggregate functions are not allowed in %s", what).WithPosition(x.Pos)
	}
	if s.selfRef {
		return nil, errRecursiveAggregate(x.Pos) // recursive.go
	}
	agg := &AggFunc{Name: x.Name, Star: x.Star, Distinct: x.Distinct}
	if x.Star {
		if x.Name != "count" {
			return nil, pgerror.New(pgerror.CodeWrongObjectType, "%s(*) must be used to call a parameterless aggregate function", x.Name).WithPosition(x.Pos)
		}
		agg.Typ = types.Int8
		if err := b.bindAggClauses(x, s, agg); err != nil { // agg_more.go
			return nil, err
		}
		*s.aggs = append(*s.aggs, agg)
		return agg, nil
	}
	if x.Name == "string_agg" {
		return b.bindStringAgg(x, s, agg) // agg_more.go
	}
	if isJSONAgg(x.Name) {
		return b.bindJSONAgg(x, s, agg) // funcs_json.go
	}
	if len(x.Args) != 1 {
		return nil, undefinedFunction(x.Name, nil, x.Pos)
	}
	// Aggregate arguments are bound without aggregates allowed.
	saved, savedWhat := s.aggs, s.noAggs
	s.aggs, s.noAggs = nil, "aggregate function calls"
	arg, err := b.bindExpr(x.Args[0], s, nil)
	s.aggs, s.noAggs = saved, savedWhat
	if err != nil {
		if pe, ok := err.(*pgerror.Error); ok && pe.Code == pgerror.CodeGroupingError {
			return nil, pgerror.New(pgerror.CodeGroupingError, "aggregate function calls cannot be nested").WithPosition(pe.Position)
		}
		return nil, err
	}
	if isUnknown(arg.ResultType()) {
		if arg, err = b.bindExpr(x.Args[0], s, types.Text); err != nil {
			return nil, err
		}
		b.defaultParam(arg, types.Text)
	}
	if arg.ResultType().Family == types.TimeFamily && (x.Name == "sum" || x.Name == "avg") {
		arg = coerce(arg, types.Interval) // time's implicit cast to interval
	}
	typ, ok := aggType(x.Name, arg.ResultType())
	if !ok {
		return nil, undefinedFunction(x.Name, []*types.T{arg.ResultType()}, x.Pos)
	}
	agg.Arg, agg.Typ = arg, typ
	if err := b.bindAggClauses(x, s, agg); err != nil { // agg_more.go
		return nil, err
	}
	*s.aggs = append(*s.aggs, agg)
	return agg, nil
}

func undefinedFunction(name string, args []*types.T, pos int) error {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	return pgerror.New(pgerror.CodeUndefinedFunction, "function %s(%s) does not exist", name, strings.Join(parts, ", ")).
		WithHint("No function matches the given name and argument types. You might need to add explicit type casts.").
		WithPosition(pos)
}
