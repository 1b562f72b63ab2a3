package sql

import (
	"context"
	"fmt"
	"strings"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/types"
)

// This file answers the pg_catalog functions that read the catalog
// (exec.CatalogInfo, on the session) and the name-to-oid reads of
// 'name'::regclass and its kin (plan.CatalogResolver, on the resolver).
// Both read the session's transaction, as the statement's other catalog
// reads do.

var _ exec.CatalogInfo = (*Session)(nil)

// UserName implements exec.CatalogInfo: rangedb's one role, oid 10, is
// the session's user; 6171 is PostgreSQL's pg_database_owner, the owner
// of the public schema.
func (s *Session) UserName(id int64) string {
	switch id {
	case oidSuperuser:
		return s.user
	case oidPgDatabaseOwner:
		return "pg_database_owner"
	}
	return fmt.Sprintf("unknown (OID=%d)", id)
}

// namespaceNames are the schemas by oid.
var namespaceNames = map[int64]string{oidPgCatalog: "pg_catalog", oidPgToast: "pg_toast", oidPublic: "public",
	oidInformationSchema: "information_schema"}

// NamespaceName implements exec.CatalogInfo.
func (s *Session) NamespaceName(id int64) (string, bool) {
	n, ok := namespaceNames[id]
	return n, ok
}

// TypeName implements exec.CatalogInfo.
func (s *Session) TypeName(id int64) (string, bool) {
	t := types.ByOID(uint32(id))
	if t == nil || id < 0 || id > 1<<32-1 {
		return "", false
	}
	return t.String(), true
}

// tableByID reads a table descriptor, or nil.
func (s *Session) tableByID(id uint64) *catalog.TableDescriptor {
	rel, err := catalog.GetRelation(context.Background(), s.txn, id)
	if err != nil {
		return nil
	}
	return rel.Table
}

// RelationName implements exec.CatalogInfo.
func (s *Session) RelationName(id int64) (string, bool) {
	if tag, table, low := splitOID(id); tag == oidTagIndex {
		if t := s.tableByID(table); t != nil {
			if ix := t.IndexByID(catalog.IndexID(low)); ix != nil {
				return exec.QuoteIdent(ix.Name), true
			}
		}
		return "", false
	} else if tag != 0 || id <= 0 {
		return "", false
	}
	ctx := context.Background()
	if rel, err := catalog.GetRelation(ctx, s.txn, uint64(id)); err == nil && rel.Exists() {
		return exec.QuoteIdent(rel.Name()), true
	}
	if q, err := catalog.GetSequence(ctx, s.txn, uint64(id)); err == nil && q != nil {
		return exec.QuoteIdent(q.Name), true
	}
	return "", false
}

// columnNames lists the named columns of t, quoted as identifiers.
func columnNames(t *catalog.TableDescriptor, ids []catalog.ColumnID) string {
	var out []string
	for _, id := range ids {
		if o := t.ColumnOrdinal(id); o >= 0 {
			out = append(out, exec.QuoteIdent(t.Columns[o].Name))
		}
	}
	return strings.Join(out, ", ")
}

// IndexDef implements exec.CatalogInfo: PostgreSQL's pg_get_indexdef,
// "CREATE [UNIQUE] INDEX name ON public.table USING btree (cols) [WHERE
// (pred)]", or one key column's name.
func (s *Session) IndexDef(id int64, column int, pretty bool) (string, bool) {
	tag, table, low := splitOID(id)
	if tag != oidTagIndex {
		return "", false
	}
	t := s.tableByID(table)
	if t == nil {
		return "", false
	}
	ix := t.IndexByID(catalog.IndexID(low))
	if ix == nil {
		return "", false
	}
	if column > 0 {
		if column > len(ix.ColumnIDs) {
			return "", false
		}
		return columnNames(t, ix.ColumnIDs[column-1:column]), true
	}
	var b strings.Builder
	b.WriteString("CREATE ")
	if ix.Unique || ix == &t.PrimaryIndex {
		b.WriteString("UNIQUE ")
	}
	fmt.Fprintf(&b, "INDEX %s ON public.%s USING btree (", exec.QuoteIdent(ix.Name), exec.QuoteIdent(t.Name))
	for i, cid := range ix.ColumnIDs {
		if i > 0 {
			b.WriteString(", ")
		}
		if o := t.ColumnOrdinal(cid); o >= 0 {
			b.WriteString(exec.QuoteIdent(t.Columns[o].Name))
		}
		if i < len(ix.Directions) && ix.Directions[i] == catalog.Descending {
			b.WriteString(" DESC")
		}
	}
	b.WriteString(")")
	if ix.Predicate != "" {
		b.WriteString(" WHERE " + wrapExpr(typedExpr(t, ix.Predicate), pretty))
	}
	return b.String(), true
}

// typedExpr prints a stored expression over t's columns with the casts
// parse analysis gives its constants (parser.TypedExprText).
func typedExpr(t *catalog.TableDescriptor, expr string) string {
	return parser.TypedExprText(expr, func(name string) string {
		if o := t.FindColumn(name); o >= 0 {
			return t.Columns[o].Type.WithoutMod().String()
		}
		return ""
	})
}

// wrapExpr parenthesizes an expression as non-pretty ruleutils output
// does.
func wrapExpr(e string, pretty bool) string {
	if pretty {
		return e
	}
	return "(" + e + ")"
}

// ConstraintDef implements exec.CatalogInfo: PostgreSQL's
// pg_get_constraintdef.
func (s *Session) ConstraintDef(id int64, pretty bool) (string, bool) {
	tag, table, low := splitOID(id)
	if tag != oidTagConstraint {
		return "", false
	}
	t := s.tableByID(table)
	if t == nil {
		return "", false
	}
	kind, n := low>>12, low&0xfff
	switch kind {
	case conPrimary:
		return "PRIMARY KEY (" + columnNames(t, t.PrimaryIndex.ColumnIDs) + ")", true
	case conUnique:
		if ix := t.IndexByID(catalog.IndexID(n)); ix != nil {
			return "UNIQUE (" + columnNames(t, ix.ColumnIDs) + ")", true
		}
	case conCheck:
		if n < len(t.Checks) {
			return "CHECK (" + wrapExpr(typedExpr(t, t.Checks[n].Expr), pretty) + ")", true
		}
	case conForeign:
		if n < len(t.ForeignKeys) {
			return s.foreignKeyDef(t, &t.ForeignKeys[n])
		}
	}
	return "", false
}

// foreignKeyDef prints a FOREIGN KEY as PostgreSQL does: FOREIGN KEY (a)
// REFERENCES t(k) [MATCH FULL] [ON UPDATE x] [ON DELETE y] [DEFERRABLE
// [INITIALLY DEFERRED]] [NOT VALID].
func (s *Session) foreignKeyDef(t *catalog.TableDescriptor, fk *catalog.ForeignKey) (string, bool) {
	ref := t
	if fk.RefTableID != t.ID {
		ref = s.tableByID(fk.RefTableID)
	}
	if ref == nil {
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "FOREIGN KEY (%s) REFERENCES %s(%s)", columnNames(t, fk.ColumnIDs), exec.QuoteIdent(ref.Name),
		columnNames(ref, fk.RefColumnIDs))
	if fk.MatchFull {
		b.WriteString(" MATCH FULL")
	}
	if fk.OnUpdate != 0 && fk.OnUpdate != catalog.FKNoAction {
		b.WriteString(" ON UPDATE " + fk.OnUpdate.String())
	}
	if fk.OnDelete != 0 && fk.OnDelete != catalog.FKNoAction {
		b.WriteString(" ON DELETE " + fk.OnDelete.String())
	}
	if fk.Deferrable {
		b.WriteString(" DEFERRABLE")
		if fk.InitiallyDeferred {
			b.WriteString(" INITIALLY DEFERRED")
		}
	}
	if fk.NotValid {
		b.WriteString(" NOT VALID")
	}
	return b.String(), true
}

// RelationOID implements plan.CatalogResolver: a table's, view's,
// sequence's or index's oid by name, optionally qualified by public.
func (r *resolver) RelationOID(name string) (int64, bool) {
	if c, ok := strings.CutPrefix(name, "pg_catalog."); ok {
		id, ok := catalogOIDs[c]
		return id, ok
	}
	name = strings.TrimPrefix(name, "public.")
	if r.s.db == nil {
		return 0, false
	}
	ctx := r.context()
	if rel, err := catalog.LookupRelation(ctx, r.s.txn, r.s.db.ID, name); err == nil && rel.Exists() {
		return int64(rel.ID()), true
	}
	if q, err := catalog.LookupSequence(ctx, r.s.txn, r.s.db.ID, name); err == nil && q != nil {
		return int64(q.ID), true
	}
	if t, ix, err := catalog.LookupIndex(ctx, r.s.txn, r.s.db.ID, name); err == nil && ix != nil {
		return indexOID(t.ID, ix.ID), true
	}
	return 0, false
}

// TypeOID implements plan.CatalogResolver.
func (r *resolver) TypeOID(name string) (int64, bool) {
	t, err := types.ResolveTypeName(strings.TrimPrefix(name, "pg_catalog."), nil)
	if err != nil {
		return 0, false
	}
	return int64(t.OID), true
}

// NamespaceOID implements plan.CatalogResolver.
func (r *resolver) NamespaceOID(name string) (int64, bool) {
	for id, n := range namespaceNames {
		if n == name {
			return id, true
		}
	}
	return 0, false
}
