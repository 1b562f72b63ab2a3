package sql

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
)

// This file runs CREATE [OR REPLACE] VIEW and DROP VIEW, and the
// dependency rules every DROP follows: a relation that views read cannot
// be dropped without CASCADE, which drops those views (and the views over
// them) in the same transaction.

func (s *Session) createView(ctx context.Context, cv *ast.CreateView) (string, error) {
	if err := checkSchema(cv.Name); err != nil {
		return "", err
	}
	// Validate the query and capture its columns and the relations it
	// reads, in this transaction.
	cols, deps, err := plan.BuildView(ctx, &resolver{s: s}, cv.Select)
	if err != nil {
		return "", err
	}
	if len(cv.Columns) > len(cols) {
		return "", pgerror.New(pgerror.CodeSyntaxError, "CREATE VIEW specifies more column names than columns")
	}
	desc := &catalog.ViewDescriptor{ParentID: s.db.ID, Name: cv.Name.Name, Query: cv.Query, DependsOn: deps, Version: 1}
	seen := map[string]bool{}
	for i, c := range cols {
		name := c.Name
		if i < len(cv.Columns) {
			name = cv.Columns[i]
		}
		if seen[name] {
			return "", pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" specified more than once", name)
		}
		seen[name] = true
		desc.Columns = append(desc.Columns, catalog.ViewColumn{Name: name, Type: c.Typ})
	}
	existing, err := catalog.LookupRelation(ctx, s.txn, s.db.ID, desc.Name)
	if err != nil {
		return "", err
	}
	if existing.Exists() {
		if !cv.Replace {
			return "", pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", desc.Name)
		}
		if existing.View == nil {
			return "", pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", desc.Name)
		}
		if err := checkReplaceColumns(existing.View, desc); err != nil {
			return "", err
		}
		desc.ID = existing.View.ID
		// A view replaced by a query over itself records no dependency on
		// itself (using it fails with 42P17, as in PostgreSQL).
		desc.DependsOn = slices.DeleteFunc(desc.DependsOn, func(id uint64) bool { return id == desc.ID })
		return "CREATE VIEW", catalog.ReplaceView(ctx, s.txn, existing.View, desc)
	}
	if desc.ID, err = catalog.AllocateID(ctx, s.e.cfg.DB); err != nil {
		return "", err
	}
	if err := catalog.CreateView(ctx, s.txn, desc); err != nil {
		if errors.Is(err, catalog.ErrNameExists) {
			return "", pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", desc.Name)
		}
		return "", err
	}
	if s.createdNames == nil {
		s.createdNames = map[string]string{}
	}
	s.createdNames[string(kvpb.NamespaceKey(s.db.ID, desc.Name))] = desc.Name
	return "CREATE VIEW", nil
}

// checkReplaceColumns applies PostgreSQL's rule for CREATE OR REPLACE
// VIEW: the new query may add columns at the end but keeps every old
// column's name and type.
func checkReplaceColumns(old, v *catalog.ViewDescriptor) error {
	if len(v.Columns) < len(old.Columns) {
		return pgerror.New(pgerror.CodeInvalidTableDefinition, "cannot drop columns from view")
	}
	for i, oc := range old.Columns {
		nc := v.Columns[i]
		if nc.Name != oc.Name {
			return pgerror.New(pgerror.CodeInvalidTableDefinition, "cannot change name of view column \"%s\" to \"%s\"", oc.Name, nc.Name).
				WithHint("Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.")
		}
		if !nc.Type.Identical(oc.Type) {
			return pgerror.New(pgerror.CodeInvalidTableDefinition, "cannot change data type of view column \"%s\" from %s to %s", oc.Name, oc.Type, nc.Type)
		}
	}
	return nil
}

func (s *Session) dropView(ctx context.Context, dv *ast.DropView) (string, error) {
	var rels []catalog.Relation
	for _, name := range dv.Names {
		rel, err := s.lookupRelation(ctx, name)
		if err != nil {
			return "", err
		}
		if !rel.Exists() {
			if dv.IfExists {
				s.queueNotice("00000", "view \"%s\" does not exist, skipping", name.Name)
				continue
			}
			return "", pgerror.New(pgerror.CodeUndefinedTable, "view \"%s\" does not exist", name.Name)
		}
		if rel.Table != nil {
			return "", pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", name.Name).
				WithHint("Use DROP TABLE to remove a table.")
		}
		rels = append(rels, rel)
	}
	if err := s.dropRelations(ctx, rels, dv.Cascade); err != nil {
		return "", err
	}
	return "DROP VIEW", nil
}

// dropRelations drops the named relations of one DROP statement. The
// views that depend on them (directly or through other views) and are not
// named themselves are dropped too with cascade, else the statement fails
// with 2BP01 listing them as PostgreSQL does.
func (s *Session) dropRelations(ctx context.Context, rels []catalog.Relation, cascade bool) error {
	named := map[uint64]bool{}
	for _, r := range rels {
		named[r.ID()] = true
	}
	// Walk the dependents depth first, in the order they were created.
	var extra []catalog.Relation
	var details []string
	visited := map[uint64]bool{}
	var firstBlocked catalog.Relation
	var walk func(r catalog.Relation) error
	walk = func(r catalog.Relation) error {
		for _, id := range r.DependedOnBy() {
			if visited[id] {
				continue
			}
			visited[id] = true
			dep, err := catalog.GetRelation(ctx, s.txn, id)
			if err != nil {
				return err
			}
			if !dep.Exists() {
				continue
			}
			if !named[id] {
				extra = append(extra, dep)
				details = append(details, fmt.Sprintf("%s %s depends on %s %s", dep.Kind(), dep.Name(), r.Kind(), r.Name()))
			}
			if err := walk(dep); err != nil {
				return err
			}
		}
		return nil
	}
	for _, r := range rels {
		before := len(extra)
		if err := walk(r); err != nil {
			return err
		}
		if len(extra) > before && !firstBlocked.Exists() {
			firstBlocked = r
		}
	}
	if len(extra) > 0 && !cascade {
		return pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop %s %s because other objects depend on it", firstBlocked.Kind(), firstBlocked.Name()).
			WithDetail("%s", strings.Join(details, "\n")).
			WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	// PostgreSQL sends NOTICE "drop cascades to view …" for each of extra.
	for _, r := range append(extra, rels...) {
		if r.View != nil {
			if err := catalog.DropView(ctx, s.txn, r.View); err != nil {
				return err
			}
			continue
		}
		if err := s.dropTableDesc(ctx, r.Table); err != nil {
			return err
		}
	}
	return nil
}

// ResolveView resolves a view for the planner with its query parsed
// (plan.ViewResolver).
func (r *resolver) ResolveView(ctx context.Context, name ast.TableName) (*plan.View, error) {
	if name.Schema != "" && name.Schema != "public" {
		return nil, nil
	}
	v, err := catalog.LookupView(ctx, r.s.txn, r.s.db.ID, name.Name)
	if err != nil || v == nil {
		return nil, err
	}
	sel, err := parser.ParseSelect(v.Query)
	if err != nil {
		return nil, fmt.Errorf("view %q: %w", v.Name, err)
	}
	return &plan.View{Desc: v, Query: sel}, nil
}
