package sql

import (
	"context"
	"fmt"
	"slices"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
)

// This file adds CHECK constraints to table descriptors, for CREATE TABLE
// and ALTER TABLE … ADD CONSTRAINT, named as PostgreSQL's
// AddRelationNewConstraints names them: an explicit name must be new
// among the table's constraints (42710), an unnamed one is
// <table>_<column>_check when the expression reads exactly one column,
// else <table>_check, numbered (…_check1, …_check2) past names taken by
// a constraint. The expression is bound once to validate it and stored
// as text (catalog.Check); the planner binds it again for every INSERT
// and UPDATE (sql/plan/check.go).

// ParseCheck parses a stored CHECK expression for the planner
// (plan.CheckParser).
func (r *resolver) ParseCheck(text string) (ast.Expr, error) {
	return parser.ParseCheckExpr(text)
}

// createTableChecks adds CREATE TABLE's CHECK constraints to desc, in
// textual order (the translator lists column constraints first). The
// table's PRIMARY KEY and UNIQUE constraints do not exist yet when
// PostgreSQL names its CHECKs, so their names clash with none.
func (s *Session) createTableChecks(ctx context.Context, ct *ast.CreateTable, desc *catalog.TableDescriptor) error {
	checks := slices.Clone(ct.Checks)
	slices.SortStableFunc(checks, func(a, b ast.CheckConstraint) int { return a.Pos - b.Pos })
	var chosen []string
	creating := &catalog.TableDescriptor{}
	for _, c := range checks {
		if _, err := s.addCheckTo(ctx, desc, creating, c, &chosen); err != nil {
			return err
		}
	}
	return nil
}

// addCheck binds c over t's row, names it and appends it to t.Checks;
// chosen collects the names given by the statement so far. It returns
// the constraint's name.
func (s *Session) addCheck(ctx context.Context, t *catalog.TableDescriptor, c ast.CheckConstraint, chosen *[]string) (string, error) {
	return s.addCheckTo(ctx, t, t, c, chosen)
}

// addCheckTo is addCheck with existing holding the constraints the new
// name must not clash with (t's own, or none while CREATE TABLE makes t).
func (s *Session) addCheckTo(ctx context.Context, t, existing *catalog.TableDescriptor, c ast.CheckConstraint, chosen *[]string) (string, error) {
	_, cols, err := plan.BindCheck(ctx, &resolver{s: s}, t, c.Expr)
	if err != nil {
		return "", err
	}
	name := c.Name
	if name != "" {
		if slices.Contains(*chosen, name) {
			return "", pgerror.New(codeDuplicateObject, "check constraint \"%s\" already exists", name)
		}
		if existing.HasConstraint(name) {
			return "", pgerror.New(codeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", name, t.Name)
		}
	} else {
		col := ""
		if len(cols) == 1 {
			col = t.Columns[cols[0]].Name
		}
		if name, err = s.chooseConstraintName(ctx, existing, t.Name, col, "check", *chosen); err != nil {
			return "", err
		}
	}
	*chosen = append(*chosen, name)
	t.Checks = append(t.Checks, catalog.Check{Name: name, Expr: c.Text})
	return name, nil
}

// chooseConstraintName is PostgreSQL's ChooseConstraintName: name1_name2_label,
// then label1, label2… until neither others nor a constraint has the
// name. A constraint's name is taken when t has it or when it names
// the index of a PRIMARY KEY or UNIQUE constraint of any table
// (PostgreSQL also looks at other tables' CHECK names, which rangedb
// does not).
func (s *Session) chooseConstraintName(ctx context.Context, t *catalog.TableDescriptor, name1, name2, label string, others []string) (string, error) {
	mod := label
	for pass := 1; ; pass++ {
		name := makeObjectName(name1, name2, mod)
		taken := slices.Contains(others, name) || t.HasConstraint(name)
		if !taken {
			_, idx, err := catalog.LookupIndex(ctx, s.txn, s.db.ID, name)
			if err != nil {
				return "", err
			}
			taken = idx != nil && idx.Constraint
		}
		if !taken {
			return name, nil
		}
		mod = fmt.Sprintf("%s%d", label, pass)
	}
}
