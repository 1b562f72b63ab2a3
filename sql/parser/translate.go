package parser

import (
	"fmt"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// translator turns one statement's pg_query tree into sql/ast.
type translator struct {
	pm *posMap
	// base is the byte offset of the parsed piece in the whole string;
	// pg_query's locations are relative to the piece.
	base int
}

// pos converts a pg_query location (byte offset in the piece, -1 unknown)
// to a 1-based character position in the whole query.
func (t *translator) pos(loc int32) int {
	if loc < 0 {
		return 0
	}
	return t.pm.chars(t.base+int(loc)) + 1
}

func (t *translator) unsupported(construct string, loc int32) error {
	return pgerror.Unsupported(construct).WithPosition(t.pos(loc))
}

// stmtNames names the statements rangedb does not implement yet.
var stmtNames = map[string]string{
	"IndexStmt": "CREATE INDEX", "AlterTableStmt": "ALTER TABLE", "VariableSetStmt": "SET",
	"VariableShowStmt": "SHOW", "CreatedbStmt": "CREATE DATABASE", "DropdbStmt": "DROP DATABASE",
	"CreateSchemaStmt": "CREATE SCHEMA", "TruncateStmt": "TRUNCATE",
	"CopyStmt": "COPY", "CreateSeqStmt": "CREATE SEQUENCE",
	"PrepareStmt": "PREPARE", "ExecuteStmt": "EXECUTE", "DeallocateStmt": "DEALLOCATE",
	"CreateTableAsStmt": "CREATE TABLE AS", "VacuumStmt": "VACUUM", "GrantStmt": "GRANT",
	"RenameStmt": "ALTER ... RENAME", "CreateFunctionStmt": "CREATE FUNCTION", "DoStmt": "DO",
	"MergeStmt": "MERGE", "CommentStmt": "COMMENT", "LockStmt": "LOCK", "ListenStmt": "LISTEN",
	"NotifyStmt": "NOTIFY", "DiscardStmt": "DISCARD", "CallStmt": "CALL", "CreateRoleStmt": "CREATE ROLE",
	"DeclareCursorStmt": "DECLARE", "FetchStmt": "FETCH", "ClosePortalStmt": "CLOSE",
	"CheckPointStmt": "CHECKPOINT", "VariableResetStmt": "RESET", "CreateExtensionStmt": "CREATE EXTENSION",
}

func nodeTypeName(n *pg_query.Node) string {
	s := fmt.Sprintf("%T", n.GetNode())
	return strings.TrimPrefix(s, "*pg_query.Node_")
}

func (t *translator) statement(n *pg_query.Node) (ast.Statement, error) {
	if st, ok, err := t.sessionStatement(n); ok { // SET, SHOW, BEGIN with modes: translate_session.go
		return st, err
	}
	switch s := n.GetNode().(type) {
	case *pg_query.Node_CreateStmt:
		return t.createTable(s.CreateStmt)
	case *pg_query.Node_TruncateStmt:
		return t.truncate(s.TruncateStmt)
	case *pg_query.Node_DropStmt:
		if s.DropStmt.RemoveType == pg_query.ObjectType_OBJECT_VIEW {
			return t.dropView(s.DropStmt) // translate_view.go
		}
		if s.DropStmt.RemoveType == pg_query.ObjectType_OBJECT_INDEX {
			return t.dropIndex(s.DropStmt) // translate_index.go
		}
		if s.DropStmt.RemoveType == pg_query.ObjectType_OBJECT_SEQUENCE {
			return t.dropSequence(s.DropStmt) // translate_sequence.go
		}
		return t.dropTable(s.DropStmt)
	case *pg_query.Node_ViewStmt:
		return t.createView(s.ViewStmt) // translate_view.go
	case *pg_query.Node_IndexStmt:
		return t.createIndex(s.IndexStmt) // translate_index.go
	case *pg_query.Node_ReindexStmt:
		return t.reindex(s.ReindexStmt) // translate_index.go
	case *pg_query.Node_AlterTableStmt:
		return t.alterTable(s.AlterTableStmt) // translate_alter.go
	case *pg_query.Node_RenameStmt:
		return t.rename(s.RenameStmt) // translate_alter.go
	case *pg_query.Node_InsertStmt:
		return t.insert(s.InsertStmt)
	case *pg_query.Node_CopyStmt:
		return t.copyStmt(s.CopyStmt) // translate_copy.go
	case *pg_query.Node_CreateSeqStmt:
		return t.createSequence(s.CreateSeqStmt) // translate_sequence.go
	case *pg_query.Node_AlterSeqStmt:
		return t.alterSequence(s.AlterSeqStmt)
	case *pg_query.Node_SelectStmt:
		return t.selectStmt(s.SelectStmt)
	case *pg_query.Node_UpdateStmt:
		return t.update(s.UpdateStmt)
	case *pg_query.Node_DeleteStmt:
		return t.delete(s.DeleteStmt)
	case *pg_query.Node_TransactionStmt:
		return t.transaction(s.TransactionStmt)
	case *pg_query.Node_ExplainStmt:
		return t.explain(s.ExplainStmt)
	case *pg_query.Node_VacuumStmt:
		return t.vacuum(s.VacuumStmt) // translate_vacuum.go
	case *pg_query.Node_CommentStmt:
		return t.comment(s.CommentStmt) // translate_comment.go
	case *pg_query.Node_CreatedbStmt:
		return t.createDatabase(s.CreatedbStmt) // translate_database.go
	case *pg_query.Node_DropdbStmt:
		return t.dropDatabase(s.DropdbStmt)
	case *pg_query.Node_ConstraintsSetStmt:
		return t.setConstraints(s.ConstraintsSetStmt) // translate_fk.go
	}
	name := nodeTypeName(n)
	if sn, ok := stmtNames[name]; ok {
		return nil, pgerror.Unsupported(sn)
	}
	return nil, pgerror.Unsupported("statement " + strings.TrimSuffix(name, "Stmt"))
}

func (t *translator) transaction(s *pg_query.TransactionStmt) (ast.Statement, error) {
	switch s.Kind {
	case pg_query.TransactionStmtKind_TRANS_STMT_BEGIN, pg_query.TransactionStmtKind_TRANS_STMT_START:
		if len(s.Options) > 0 {
			return nil, t.unsupported("BEGIN with transaction modes", s.Location)
		}
		return &ast.BeginTxn{}, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_COMMIT:
		if s.Chain {
			return nil, t.unsupported("COMMIT AND CHAIN", s.Location)
		}
		return &ast.CommitTxn{}, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK:
		if s.Chain {
			return nil, t.unsupported("ROLLBACK AND CHAIN", s.Location)
		}
		return &ast.RollbackTxn{}, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_SAVEPOINT:
		return &ast.Savepoint{Name: s.SavepointName}, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_RELEASE:
		return &ast.ReleaseSavepoint{Name: s.SavepointName}, nil
	case pg_query.TransactionStmtKind_TRANS_STMT_ROLLBACK_TO:
		return &ast.RollbackToSavepoint{Name: s.SavepointName}, nil
	}
	return nil, t.unsupported("two-phase commit", s.Location)
}

func (t *translator) tableName(rv *pg_query.RangeVar) (ast.TableName, error) {
	if rv.Catalogname != "" {
		return ast.TableName{}, pgerror.New(pgerror.CodeFeatureNotSupported,
			"cross-database references are not implemented: \"%s.%s.%s\"", rv.Catalogname, rv.Schemaname, rv.Relname).
			WithPosition(t.pos(rv.Location))
	}
	return ast.TableName{Schema: rv.Schemaname, Name: rv.Relname, Pos: t.pos(rv.Location)}, nil
}

func (t *translator) tableRef(rv *pg_query.RangeVar) (ast.TableRef, error) {
	tn, err := t.tableName(rv)
	if err != nil {
		return ast.TableRef{}, err
	}
	ref := ast.TableRef{Table: tn}
	if rv.Alias != nil {
		if len(rv.Alias.Colnames) > 0 {
			return ast.TableRef{}, t.unsupported("column aliases in FROM", rv.Location)
		}
		ref.Alias = rv.Alias.Aliasname
	}
	if rv.Relpersistence == "t" {
		return ast.TableRef{}, t.unsupported("temporary tables", rv.Location)
	}
	return ref, nil
}

func (t *translator) createTable(s *pg_query.CreateStmt) (ast.Statement, error) {
	loc := s.Relation.GetLocation()
	switch {
	case len(s.InhRelations) > 0:
		return nil, t.unsupported("INHERITS", loc)
	case s.Partspec != nil || s.Partbound != nil:
		return nil, t.unsupported("PARTITION", loc)
	case s.OfTypename != nil:
		return nil, t.unsupported("CREATE TABLE OF", loc)
	case s.Oncommit > pg_query.OnCommitAction_ONCOMMIT_NOOP:
		return nil, t.unsupported("ON COMMIT", loc)
	case s.Tablespacename != "":
		return nil, t.unsupported("TABLESPACE", loc)
	case s.AccessMethod != "":
		return nil, t.unsupported("USING (table access method)", loc)
	case s.Relation.GetRelpersistence() == "u":
		return nil, t.unsupported("UNLOGGED", loc)
	}
	if err := t.storageParams(s.Options); err != nil { // translate_storage.go
		return nil, err
	}
	tn, err := t.tableName(s.Relation)
	if err != nil {
		return nil, err
	}
	if s.Relation.Relpersistence == "t" {
		return nil, t.unsupported("temporary tables", loc)
	}
	ct := &ast.CreateTable{Table: tn, IfNotExists: s.IfNotExists}
	var tableCons []*pg_query.Constraint
	for _, elt := range s.TableElts {
		switch e := elt.GetNode().(type) {
		case *pg_query.Node_ColumnDef:
			cd, err := t.columnDef(e.ColumnDef, ct)
			if err != nil {
				return nil, err
			}
			ct.Columns = append(ct.Columns, cd)
		case *pg_query.Node_Constraint:
			tableCons = append(tableCons, e.Constraint)
		case *pg_query.Node_TableLikeClause:
			return nil, t.unsupported("LIKE", e.TableLikeClause.GetRelation().GetLocation())
		default:
			return nil, pgerror.Unsupported("table element " + nodeTypeName(elt))
		}
	}
	for _, c := range s.Constraints {
		if con := c.GetConstraint(); con != nil {
			tableCons = append(tableCons, con)
		}
	}
	for _, con := range tableCons {
		if con.Contype == pg_query.ConstrType_CONSTR_UNIQUE {
			if err := t.uniqueConstraint(con, nil, ct); err != nil { // translate_index.go
				return nil, err
			}
			continue
		}
		if con.Contype == pg_query.ConstrType_CONSTR_CHECK {
			ck, err := t.checkConstraint(con) // translate_alter.go
			if err != nil {
				return nil, err
			}
			ct.Checks = append(ct.Checks, ck)
			continue
		}
		if con.Contype == pg_query.ConstrType_CONSTR_FOREIGN {
			fk, err := t.foreignKey(con, "") // translate_fk.go
			if err != nil {
				return nil, err
			}
			ct.ForeignKeys = append(ct.ForeignKeys, fk)
			continue
		}
		if con.Contype != pg_query.ConstrType_CONSTR_PRIMARY {
			return nil, t.unsupported(constraintName(con.Contype), con.Location)
		}
		if len(con.Including) > 0 || len(con.Options) > 0 || con.Indexspace != "" || con.Deferrable {
			return nil, t.unsupported("PRIMARY KEY options", con.Location)
		}
		if ct.PrimaryKeyPos != 0 {
			return nil, pgerror.New(pgerror.CodeInvalidTableDefinition,
				"multiple primary keys for table \"%s\" are not allowed", tn.Name).WithPosition(t.pos(con.Location))
		}
		ct.PrimaryKeyPos = t.pos(con.Location)
		ct.PrimaryKeyName = con.Conname
		for _, k := range con.Keys {
			ct.PrimaryKey = append(ct.PrimaryKey, k.GetString_().GetSval())
		}
	}
	return ct, nil
}

func constraintName(ct pg_query.ConstrType) string {
	switch ct {
	case pg_query.ConstrType_CONSTR_DEFAULT:
		return "DEFAULT"
	case pg_query.ConstrType_CONSTR_IDENTITY:
		return "identity column"
	case pg_query.ConstrType_CONSTR_GENERATED:
		return "generated column"
	case pg_query.ConstrType_CONSTR_CHECK:
		return "CHECK constraint"
	case pg_query.ConstrType_CONSTR_UNIQUE:
		return "UNIQUE constraint"
	case pg_query.ConstrType_CONSTR_EXCLUSION:
		return "EXCLUDE constraint"
	case pg_query.ConstrType_CONSTR_FOREIGN:
		return "FOREIGN KEY constraint"
	case pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE,
		pg_query.ConstrType_CONSTR_ATTR_DEFERRED, pg_query.ConstrType_CONSTR_ATTR_IMMEDIATE:
		return "constraint deferral"
	}
	return "constraint " + ct.String()
}

func (t *translator) columnDef(c *pg_query.ColumnDef, ct *ast.CreateTable) (ast.ColumnDef, error) {
	if c.CollClause != nil {
		return ast.ColumnDef{}, t.unsupported("COLLATE", c.CollClause.Location)
	}
	if c.Compression != "" {
		return ast.ColumnDef{}, t.unsupported("COMPRESSION", c.Location)
	}
	typ, err := t.typeName(c.TypeName)
	if err != nil {
		return ast.ColumnDef{}, err
	}
	cd := ast.ColumnDef{Name: c.Colname, Type: typ, Pos: t.pos(c.Location)}
	if it, ok := serialTypes[typ.Name]; ok && len(c.TypeName.Names) == 1 { // translate_sequence.go
		cd.Type.Name, cd.Serial = it, true
	}
	explicitNull := false
	// The deferral attributes apply to the constraint before them: a
	// foreign key (lastFK, by position) or another (0A000).
	lastFK, prev := -1, -1
	deferral := map[pg_query.ConstrType]bool{}
	for i, n := range c.Constraints {
		con := n.GetConstraint()
		if con == nil {
			continue
		}
		if !isDeferralAttr(con.Contype) {
			prev = i
			if con.Contype != pg_query.ConstrType_CONSTR_FOREIGN {
				clear(deferral)
			}
		}
		switch con.Contype {
		case pg_query.ConstrType_CONSTR_NOTNULL:
			if explicitNull {
				return cd, pgerror.New(pgerror.CodeSyntaxError,
					"conflicting NULL/NOT NULL declarations for column \"%s\" of table \"%s\"", c.Colname, ct.Table.Name).
					WithPosition(t.pos(con.Location))
			}
			cd.NotNull = true
		case pg_query.ConstrType_CONSTR_NULL:
			if cd.NotNull {
				return cd, pgerror.New(pgerror.CodeSyntaxError,
					"conflicting NULL/NOT NULL declarations for column \"%s\" of table \"%s\"", c.Colname, ct.Table.Name).
					WithPosition(t.pos(con.Location))
			}
			explicitNull = true
		case pg_query.ConstrType_CONSTR_PRIMARY:
			if len(con.Options) > 0 || con.Indexspace != "" {
				return cd, t.unsupported("PRIMARY KEY options", con.Location)
			}
			if ct.PrimaryKeyPos != 0 {
				return cd, pgerror.New(pgerror.CodeInvalidTableDefinition,
					"multiple primary keys for table \"%s\" are not allowed", ct.Table.Name).WithPosition(t.pos(con.Location))
			}
			cd.PrimaryKey = true
			ct.PrimaryKeyPos = t.pos(con.Location)
			ct.PrimaryKeyName = con.Conname
			ct.PrimaryKey = []string{c.Colname}
		case pg_query.ConstrType_CONSTR_UNIQUE:
			if err := t.uniqueConstraint(con, c, ct); err != nil { // translate_index.go
				return cd, err
			}
		case pg_query.ConstrType_CONSTR_DEFAULT:
			if err := t.columnDefault(con, &cd, ct); err != nil { // translate_sequence.go
				return cd, err
			}
		case pg_query.ConstrType_CONSTR_IDENTITY:
			if err := t.columnIdentity(con, &cd, ct); err != nil {
				return cd, err
			}
		case pg_query.ConstrType_CONSTR_CHECK:
			ck, err := t.checkConstraint(con) // translate_alter.go
			if err != nil {
				return cd, err
			}
			ct.Checks = append(ct.Checks, ck)
		case pg_query.ConstrType_CONSTR_GENERATED:
			if err := t.generatedColumn(con, &cd, ct); err != nil { // translate_generated.go
				return cd, err
			}
		case pg_query.ConstrType_CONSTR_FOREIGN:
			fk, err := t.foreignKey(con, c.Colname) // translate_fk.go
			if err != nil {
				return cd, err
			}
			ct.ForeignKeys = append(ct.ForeignKeys, fk)
			lastFK = i
			clear(deferral)
		default:
			var fk *ast.ForeignKeyConstraint
			if lastFK == prev && len(ct.ForeignKeys) > 0 {
				fk = &ct.ForeignKeys[len(ct.ForeignKeys)-1]
			}
			if ok, err := t.deferralAttr(con, fk, deferral); ok { // translate_fk.go
				if err != nil {
					return cd, err
				}
				continue
			}
			return cd, t.unsupported(constraintName(con.Contype), con.Location)
		}
	}
	if cd.Generated != nil {
		switch {
		case cd.Default != nil:
			return cd, pgerror.New(pgerror.CodeSyntaxError, "both default and generation expression specified for column \"%s\" of table \"%s\"", c.Colname, ct.Table.Name).
				WithPosition(cd.GeneratedPos)
		case cd.Identity != 0:
			return cd, pgerror.New(pgerror.CodeSyntaxError, "both identity and generation expression specified for column \"%s\" of table \"%s\"", c.Colname, ct.Table.Name).
				WithPosition(t.pos(c.Location))
		case cd.Serial:
			return cd, pgerror.New(pgerror.CodeSyntaxError, "both default and generation expression specified for column \"%s\" of table \"%s\"", c.Colname, ct.Table.Name).
				WithPosition(t.pos(c.Location))
		}
	}
	return cd, nil
}

func (t *translator) typeName(tn *pg_query.TypeName) (ast.TypeName, error) {
	if tn == nil || len(tn.Names) == 0 {
		return ast.TypeName{}, pgerror.Unsupported("column without a type")
	}
	name := tn.Names[len(tn.Names)-1].GetString_().GetSval()
	if len(tn.ArrayBounds) > 0 {
		return ast.TypeName{}, t.unsupported(fmt.Sprintf("type \"%s[]\"", name), tn.Location)
	}
	if tn.Setof || tn.PctType {
		return ast.TypeName{}, t.unsupported("SETOF/%TYPE", tn.Location)
	}
	out := ast.TypeName{Name: name, Pos: t.pos(tn.Location), Typmods: len(tn.Typmods) > 0}
	for _, m := range tn.Typmods {
		c := m.GetAConst()
		if c == nil || c.GetIval() == nil {
			return ast.TypeName{}, t.unsupported("non-integer type modifier", tn.Location)
		}
		out.Mods = append(out.Mods, c.GetIval().Ival)
	}
	return out, nil
}

func (t *translator) dropTable(s *pg_query.DropStmt) (ast.Statement, error) {
	if s.RemoveType != pg_query.ObjectType_OBJECT_TABLE {
		name := strings.TrimPrefix(s.RemoveType.String(), "OBJECT_")
		return nil, pgerror.Unsupported("DROP " + strings.ReplaceAll(name, "_", " "))
	}
	if s.Concurrent {
		return nil, pgerror.Unsupported("DROP ... CONCURRENTLY")
	}
	dt := &ast.DropTable{IfExists: s.MissingOk, Cascade: s.Behavior == pg_query.DropBehavior_DROP_CASCADE}
	names, err := dropNames(s.Objects)
	if err != nil {
		return nil, err
	}
	dt.Names = names
	return dt, nil
}

// dropNames reads the names of a DROP statement's objects (name or
// schema.name).
func dropNames(objs []*pg_query.Node) ([]ast.TableName, error) {
	var names []ast.TableName
	for _, obj := range objs {
		var parts []string
		for _, it := range obj.GetList().GetItems() {
			parts = append(parts, it.GetString_().GetSval())
		}
		switch len(parts) {
		case 1:
			names = append(names, ast.TableName{Name: parts[0]})
		case 2:
			names = append(names, ast.TableName{Schema: parts[0], Name: parts[1]})
		default:
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported,
				"cross-database references are not implemented: \"%s\"", strings.Join(parts, "."))
		}
	}
	return names, nil
}

func (t *translator) insert(s *pg_query.InsertStmt) (ast.Statement, error) {
	if s.WithClause != nil {
		return nil, t.unsupported("WITH", s.WithClause.Location)
	}
	tn, err := t.tableName(s.Relation)
	if err != nil {
		return nil, err
	}
	ins := &ast.Insert{Table: tn}
	switch s.Override {
	case pg_query.OverridingKind_OVERRIDING_SYSTEM_VALUE:
		ins.Overriding = ast.OverridingSystemValue
	case pg_query.OverridingKind_OVERRIDING_USER_VALUE:
		ins.Overriding = ast.OverridingUserValue
	}
	if s.Relation.Alias != nil {
		ins.Alias = s.Relation.Alias.Aliasname
	}
	for _, c := range s.Cols {
		rt := c.GetResTarget()
		if len(rt.Indirection) > 0 {
			return nil, t.unsupported("subscripted or field INSERT targets", rt.Location)
		}
		ins.Columns = append(ins.Columns, ast.Name{Name: rt.Name, Pos: t.pos(rt.Location)})
	}
	if ins.Returning, err = t.targetList(s.ReturningList); err != nil {
		return nil, err
	}
	if ins.OnConflict, err = t.onConflict(s.OnConflictClause); err != nil {
		return nil, err
	}
	if s.SelectStmt == nil { // DEFAULT VALUES: one row of defaults
		ins.Rows = [][]ast.Expr{{}}
		return ins, nil
	}
	sel := s.SelectStmt.GetSelectStmt()
	if sel == nil {
		return nil, pgerror.Unsupported("INSERT source " + nodeTypeName(s.SelectStmt))
	}
	if len(sel.ValuesLists) == 0 {
		q, err := t.query(sel)
		if err != nil {
			return nil, err
		}
		ins.Select = q
		return ins, nil
	}
	if len(sel.SortClause) > 0 || sel.LimitCount != nil || sel.LimitOffset != nil || sel.WithClause != nil {
		return nil, pgerror.Unsupported("ORDER BY/LIMIT/WITH on VALUES")
	}
	for _, vl := range sel.ValuesLists {
		var row []ast.Expr
		for _, item := range vl.GetList().GetItems() {
			if d := item.GetSetToDefault(); d != nil {
				row = append(row, &ast.DefaultExpr{Pos: t.pos(d.Location)})
				continue
			}
			e, err := t.expr(item)
			if err != nil {
				return nil, err
			}
			row = append(row, e)
		}
		ins.Rows = append(ins.Rows, row)
	}
	return ins, nil
}

// onConflict translates ON CONFLICT: a column list or ON CONSTRAINT as
// the conflict target (not expressions or a partial index's WHERE),
// DO NOTHING or DO UPDATE SET … [WHERE …].
func (t *translator) onConflict(oc *pg_query.OnConflictClause) (*ast.OnConflict, error) {
	if oc == nil {
		return nil, nil
	}
	out := &ast.OnConflict{Pos: t.pos(oc.Location), DoUpdate: oc.Action == pg_query.OnConflictAction_ONCONFLICT_UPDATE}
	if in := oc.Infer; in != nil {
		switch {
		case in.Conname != "":
			out.Constraint = in.Conname
		case in.WhereClause != nil:
			return nil, t.unsupported("ON CONFLICT with an index predicate", in.Location)
		}
		for _, n := range in.IndexElems {
			ie := n.GetIndexElem()
			if ie == nil || ie.Name == "" {
				return nil, t.unsupported("ON CONFLICT on an expression", in.Location)
			}
			out.Columns = append(out.Columns, ast.Name{Name: ie.Name, Pos: t.pos(in.Location)})
		}
	}
	var err error
	if out.Set, err = t.setClauses(oc.TargetList); err != nil {
		return nil, err
	}
	if oc.WhereClause != nil {
		w, err := t.expr(oc.WhereClause)
		if err != nil {
			return nil, err
		}
		out.Where = w
	}
	return out, nil
}

// truncate translates TRUNCATE [TABLE] [ONLY] names [RESTART | CONTINUE
// IDENTITY] [CASCADE | RESTRICT]: with no sequences or foreign keys the
// options change nothing.
func (t *translator) truncate(s *pg_query.TruncateStmt) (ast.Statement, error) {
	tr := &ast.Truncate{RestartIdentity: s.RestartSeqs, Cascade: s.Behavior == pg_query.DropBehavior_DROP_CASCADE}
	for _, r := range s.Relations {
		rv := r.GetRangeVar()
		if rv == nil {
			return nil, pgerror.Unsupported("TRUNCATE of " + nodeTypeName(r))
		}
		tn, err := t.tableName(rv)
		if err != nil {
			return nil, err
		}
		tr.Tables = append(tr.Tables, tn)
	}
	return tr, nil
}

// setClauses translates the SET list of UPDATE or ON CONFLICT DO UPDATE.
func (t *translator) setClauses(list []*pg_query.Node) ([]ast.SetClause, error) {
	var out []ast.SetClause
	for _, n := range list {
		rt := n.GetResTarget()
		if len(rt.Indirection) > 0 {
			return nil, t.unsupported("subscripted or field UPDATE targets", rt.Location)
		}
		if rt.Val.GetMultiAssignRef() != nil {
			return nil, t.unsupported("multiple-column UPDATE", rt.Location)
		}
		if d := rt.Val.GetSetToDefault(); d != nil {
			return nil, t.unsupported("DEFAULT", d.Location)
		}
		e, err := t.expr(rt.Val)
		if err != nil {
			return nil, err
		}
		out = append(out, ast.SetClause{Column: ast.Name{Name: rt.Name, Pos: t.pos(rt.Location)}, Expr: e})
	}
	return out, nil
}

func (t *translator) explain(s *pg_query.ExplainStmt) (ast.Statement, error) {
	ex := &ast.Explain{}
	for _, o := range s.Options {
		de := o.GetDefElem()
		if de == nil {
			continue
		}
		on := true
		if a := de.Arg; a != nil {
			switch v := a.GetNode().(type) {
			case *pg_query.Node_String_:
				on = v.String_.Sval != "false" && v.String_.Sval != "off"
			case *pg_query.Node_Boolean:
				on = v.Boolean.Boolval
			}
		}
		switch de.Defname {
		case "analyze":
			ex.Analyze = on
		case "costs", "verbose", "timing", "summary", "buffers":
			// Accepted and ignored: rangedb prints no costs.
		default:
			return nil, t.unsupported("EXPLAIN option "+de.Defname, de.Location)
		}
	}
	stmt, err := t.statement(s.Query)
	if err != nil {
		return nil, err
	}
	switch stmt.(type) {
	case *ast.Select, *ast.Insert, *ast.Update, *ast.Delete:
	default:
		return nil, pgerror.Unsupported("EXPLAIN " + stmt.StatementTag())
	}
	ex.Stmt = stmt
	return ex, nil
}

func (t *translator) selectStmt(s *pg_query.SelectStmt) (ast.Statement, error) {
	return t.query(s)
}

// targetList translates a select or RETURNING list.
func (t *translator) targetList(list []*pg_query.Node) ([]ast.SelectExpr, error) {
	var out []ast.SelectExpr
	for _, n := range list {
		rt := n.GetResTarget()
		if cr := rt.Val.GetColumnRef(); cr != nil && len(cr.Fields) > 0 && cr.Fields[len(cr.Fields)-1].GetAStar() != nil {
			if len(cr.Fields) > 2 {
				return nil, t.unsupported("qualified * with a schema", cr.Location)
			}
			se := ast.SelectExpr{Star: true, Pos: t.pos(cr.Location)}
			if len(cr.Fields) == 2 {
				se.Expr = &ast.ColumnRef{Table: cr.Fields[0].GetString_().GetSval(), Name: "*", Pos: t.pos(cr.Location)}
			}
			out = append(out, se)
			continue
		}
		e, err := t.expr(rt.Val)
		if err != nil {
			return nil, err
		}
		out = append(out, ast.SelectExpr{Expr: e, Alias: rt.Name, Pos: t.pos(rt.Location)})
	}
	return out, nil
}

func (t *translator) fromItem(n *pg_query.Node) (ast.FromItem, error) {
	switch f := n.GetNode().(type) {
	case *pg_query.Node_RangeVar:
		ref, err := t.tableRef(f.RangeVar)
		if err != nil {
			return nil, err
		}
		return &ref, nil
	case *pg_query.Node_JoinExpr:
		j := f.JoinExpr
		if j.Alias != nil {
			return nil, pgerror.Unsupported("alias on a JOIN")
		}
		natural := j.IsNatural
		l, err := t.fromItem(j.Larg)
		if err != nil {
			return nil, err
		}
		r, err := t.fromItem(j.Rarg)
		if err != nil {
			return nil, err
		}
		je := &ast.JoinExpr{L: l, R: r, Natural: natural}
		switch j.Jointype {
		case pg_query.JoinType_JOIN_INNER:
			je.Kind = ast.InnerJoin
			if j.Quals == nil && len(j.UsingClause) == 0 && !natural {
				je.Kind = ast.CrossJoin
			}
		case pg_query.JoinType_JOIN_LEFT:
			je.Kind = ast.LeftJoin
		case pg_query.JoinType_JOIN_RIGHT:
			je.Kind = ast.RightJoin
		case pg_query.JoinType_JOIN_FULL:
			je.Kind = ast.FullJoin
		default:
			return nil, pgerror.Unsupported("join type " + j.Jointype.String())
		}
		for _, u := range j.UsingClause {
			je.Using = append(je.Using, u.GetString_().GetSval())
		}
		if j.Quals != nil {
			if je.On, err = t.expr(j.Quals); err != nil {
				return nil, err
			}
		}
		return je, nil
	case *pg_query.Node_RangeSubselect:
		return t.subqueryRef(f.RangeSubselect)
	case *pg_query.Node_RangeFunction:
		return t.funcRef(f.RangeFunction) // translate_func.go
	}
	return nil, pgerror.Unsupported("FROM item " + nodeTypeName(n))
}

// subqueryRef translates a derived table, (SELECT …) [AS] alias [(col,
// …)]. PostgreSQL 15's grammar requires the alias; pg_query (a later
// grammar) does not, so the error is raised here.
func (t *translator) subqueryRef(r *pg_query.RangeSubselect) (ast.FromItem, error) {
	sel := r.Subquery.GetSelectStmt()
	if r.Alias == nil {
		if sel != nil && len(sel.ValuesLists) > 0 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "VALUES in FROM must have an alias").
				WithHint("For example, FROM (VALUES ...) [AS] foo.")
		}
		return nil, pgerror.New(pgerror.CodeSyntaxError, "subquery in FROM must have an alias").
			WithHint("For example, FROM (SELECT ...) [AS] foo.")
	}
	if r.Lateral {
		return nil, pgerror.Unsupported("LATERAL subquery in FROM")
	}
	if sel == nil {
		return nil, pgerror.Unsupported("FROM item " + nodeTypeName(r.Subquery))
	}
	q, err := t.query(sel)
	if err != nil {
		return nil, err
	}
	ref := &ast.SubqueryRef{Select: q, Alias: r.Alias.Aliasname}
	for _, c := range r.Alias.Colnames {
		ref.Columns = append(ref.Columns, c.GetString_().GetSval())
	}
	return ref, nil
}

// query translates a SELECT (not VALUES).
func (t *translator) query(s *pg_query.SelectStmt) (*ast.Select, error) {
	if s.Op != pg_query.SetOperation_SETOP_NONE {
		return t.setOp(s)
	}
	with, err := t.withClause(s.WithClause)
	if err != nil {
		return nil, err
	}
	if len(s.ValuesLists) > 0 {
		return t.values(s, with)
	}
	switch {
	case s.IntoClause != nil:
		return nil, pgerror.Unsupported("SELECT INTO")
	case len(s.WindowClause) > 0:
		return nil, pgerror.Unsupported("WINDOW")
	case s.LimitOption == pg_query.LimitOption_LIMIT_OPTION_WITH_TIES:
		return nil, pgerror.Unsupported("FETCH ... WITH TIES")
	}
	sel := &ast.Select{}
	if len(s.DistinctClause) > 0 {
		if len(s.DistinctClause) > 1 || s.DistinctClause[0].GetNode() != nil {
			on, err := t.exprs(s.DistinctClause)
			if err != nil {
				return nil, err
			}
			sel.DistinctOn = on
		} else {
			sel.Distinct = true
		}
	}
	for _, f := range s.FromClause {
		fi, err := t.fromItem(f)
		if err != nil {
			return nil, err
		}
		sel.From = append(sel.From, fi)
	}
	if sel.Exprs, err = t.targetList(s.TargetList); err != nil {
		return nil, err
	}
	if s.WhereClause != nil {
		if sel.Where, err = t.expr(s.WhereClause); err != nil {
			return nil, err
		}
	}
	for _, g := range s.GroupClause {
		switch g.GetNode().(type) {
		case *pg_query.Node_GroupingSet:
			return nil, pgerror.Unsupported("GROUPING SETS/ROLLUP/CUBE")
		}
		e, err := t.expr(g)
		if err != nil {
			return nil, err
		}
		sel.GroupBy = append(sel.GroupBy, e)
	}
	if s.HavingClause != nil {
		if sel.Having, err = t.expr(s.HavingClause); err != nil {
			return nil, err
		}
	}
	if err := t.queryTail(s, sel); err != nil {
		return nil, err
	}
	if sel.ForUpdate, err = lockingClause(s.LockingClause); err != nil {
		return nil, err
	}
	sel.With = with
	return sel, nil
}

// values translates a VALUES list. With ORDER BY, LIMIT or OFFSET it is
// SELECT * FROM (VALUES …) AS "*VALUES*" with that tail, as PostgreSQL
// names it.
func (t *translator) values(s *pg_query.SelectStmt, with []*ast.CTE) (*ast.Select, error) {
	vals := &ast.Select{}
	for _, vl := range s.ValuesLists {
		var row []ast.Expr
		for _, item := range vl.GetList().GetItems() {
			if d := item.GetSetToDefault(); d != nil {
				return nil, t.unsupported("DEFAULT", d.Location)
			}
			e, err := t.expr(item)
			if err != nil {
				return nil, err
			}
			row = append(row, e)
		}
		vals.Values = append(vals.Values, row)
	}
	if len(s.SortClause) == 0 && s.LimitCount == nil && s.LimitOffset == nil {
		vals.With = with
		return vals, nil
	}
	sel := &ast.Select{
		Exprs: []ast.SelectExpr{{Star: true}},
		From:  []ast.FromItem{&ast.SubqueryRef{Select: vals, Alias: "*VALUES*"}},
		With:  with,
	}
	if err := t.queryTail(s, sel); err != nil {
		return nil, err
	}
	return sel, nil
}

// withClause translates WITH's common table expressions: SELECTs, not
// data-modifying. Under RECURSIVE every CTE is marked Recursive; which of
// them really recurse, and whether they have the form PostgreSQL allows,
// the planner decides (sql/plan/recursive.go). SEARCH and CYCLE are not
// built.
func (t *translator) withClause(w *pg_query.WithClause) ([]*ast.CTE, error) {
	if w == nil {
		return nil, nil
	}
	var out []*ast.CTE
	for _, n := range w.Ctes {
		c := n.GetCommonTableExpr()
		if sc := c.GetSearchClause(); sc != nil {
			return nil, t.unsupported("SEARCH clause", sc.Location)
		}
		if cc := c.GetCycleClause(); cc != nil {
			return nil, t.unsupported("CYCLE clause", cc.Location)
		}
		sel := c.GetCtequery().GetSelectStmt()
		if sel == nil {
			return nil, t.unsupported("data-modifying statement in WITH", c.Location)
		}
		q, err := t.query(sel)
		if err != nil {
			return nil, err
		}
		cte := &ast.CTE{Name: c.Ctename, Select: q, Pos: t.pos(c.Location), Recursive: w.Recursive}
		for _, a := range c.Aliascolnames {
			cte.Columns = append(cte.Columns, a.GetString_().GetSval())
		}
		out = append(out, cte)
	}
	return out, nil
}

// lockingClause translates FOR UPDATE [NOWAIT] and FOR NO KEY UPDATE (an
// exclusive row lock either way); the shared strengths, OF and SKIP
// LOCKED are not built.
func lockingClause(nodes []*pg_query.Node) (*ast.ForUpdate, error) {
	if len(nodes) == 0 {
		return nil, nil
	}
	if len(nodes) > 1 {
		return nil, pgerror.Unsupported("more than one locking clause")
	}
	lc := nodes[0].GetLockingClause()
	switch lc.GetStrength() {
	case pg_query.LockClauseStrength_LCS_FORUPDATE, pg_query.LockClauseStrength_LCS_FORNOKEYUPDATE:
	case pg_query.LockClauseStrength_LCS_FORSHARE:
		return nil, pgerror.Unsupported("FOR SHARE")
	default:
		return nil, pgerror.Unsupported("FOR KEY SHARE")
	}
	if len(lc.GetLockedRels()) > 0 {
		return nil, pgerror.Unsupported("FOR UPDATE OF")
	}
	switch lc.GetWaitPolicy() {
	case pg_query.LockWaitPolicy_LockWaitSkip:
		return nil, pgerror.Unsupported("SKIP LOCKED")
	case pg_query.LockWaitPolicy_LockWaitError:
		return &ast.ForUpdate{NoWait: true}, nil
	}
	return &ast.ForUpdate{}, nil
}

// setOp translates UNION/INTERSECT/EXCEPT with its ORDER BY and LIMIT.
func (t *translator) setOp(s *pg_query.SelectStmt) (*ast.Select, error) {
	with, err := t.withClause(s.WithClause)
	if err != nil {
		return nil, err
	}
	sel, err := t.setOpBody(s)
	if err != nil {
		return nil, err
	}
	sel.With = with
	return sel, nil
}

func (t *translator) setOpBody(s *pg_query.SelectStmt) (*ast.Select, error) {
	if len(s.LockingClause) > 0 {
		return nil, pgerror.Unsupported("FOR UPDATE/SHARE")
	}
	op := &ast.SetOp{Op: strings.TrimPrefix(s.Op.String(), "SETOP_"), All: s.All}
	var err error
	if op.L, err = t.setOperand(s.Larg); err != nil {
		return nil, err
	}
	if op.R, err = t.setOperand(s.Rarg); err != nil {
		return nil, err
	}
	sel := &ast.Select{SetOp: op}
	if err := t.queryTail(s, sel); err != nil {
		return nil, err
	}
	return sel, nil
}

func (t *translator) setOperand(s *pg_query.SelectStmt) (*ast.Select, error) {
	return t.query(s)
}

// queryTail translates ORDER BY, LIMIT and OFFSET.
// sortClause translates ORDER BY items.
func (t *translator) sortClause(nodes []*pg_query.Node) ([]ast.OrderItem, error) {
	var out []ast.OrderItem
	for _, n := range nodes {
		sb := n.GetSortBy()
		if sb == nil {
			return nil, pgerror.Unsupported("ORDER BY item " + nodeTypeName(n))
		}
		if sb.SortbyDir == pg_query.SortByDir_SORTBY_USING {
			return nil, pgerror.Unsupported("ORDER BY ... USING")
		}
		e, err := t.expr(sb.Node)
		if err != nil {
			return nil, err
		}
		oi := ast.OrderItem{Expr: e, Desc: sb.SortbyDir == pg_query.SortByDir_SORTBY_DESC}
		switch sb.SortbyNulls {
		case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
			v := true
			oi.NullsFirst = &v
		case pg_query.SortByNulls_SORTBY_NULLS_LAST:
			v := false
			oi.NullsFirst = &v
		}
		out = append(out, oi)
	}
	return out, nil
}

func (t *translator) queryTail(s *pg_query.SelectStmt, sel *ast.Select) error {
	if s.LimitOption == pg_query.LimitOption_LIMIT_OPTION_WITH_TIES {
		return pgerror.Unsupported("FETCH ... WITH TIES")
	}
	var err error
	if sel.OrderBy, err = t.sortClause(s.SortClause); err != nil {
		return err
	}
	if s.LimitCount != nil {
		if c := s.LimitCount.GetAConst(); c == nil || !c.Isnull {
			if sel.Limit, err = t.expr(s.LimitCount); err != nil {
				return err
			}
		}
	}
	if s.LimitOffset != nil {
		if sel.Offset, err = t.expr(s.LimitOffset); err != nil {
			return err
		}
	}
	return nil
}

func (t *translator) update(s *pg_query.UpdateStmt) (ast.Statement, error) {
	switch {
	case s.WithClause != nil:
		return nil, t.unsupported("WITH", s.WithClause.Location)
	case len(s.FromClause) > 0:
		return nil, pgerror.Unsupported("UPDATE ... FROM")
	}
	ref, err := t.tableRef(s.Relation)
	if err != nil {
		return nil, err
	}
	up := &ast.Update{Table: ref}
	if up.Returning, err = t.targetList(s.ReturningList); err != nil {
		return nil, err
	}
	if up.Set, err = t.setClauses(s.TargetList); err != nil {
		return nil, err
	}
	if up.Where, err = t.mutationWhere(s.WhereClause); err != nil {
		return nil, err
	}
	return up, nil
}

func (t *translator) delete(s *pg_query.DeleteStmt) (ast.Statement, error) {
	switch {
	case s.WithClause != nil:
		return nil, t.unsupported("WITH", s.WithClause.Location)
	case len(s.UsingClause) > 0:
		return nil, pgerror.Unsupported("DELETE ... USING")
	}
	ref, err := t.tableRef(s.Relation)
	if err != nil {
		return nil, err
	}
	del := &ast.Delete{Table: ref}
	if del.Returning, err = t.targetList(s.ReturningList); err != nil {
		return nil, err
	}
	if del.Where, err = t.mutationWhere(s.WhereClause); err != nil {
		return nil, err
	}
	return del, nil
}

// mutationWhere translates UPDATE's or DELETE's WHERE (nil: none).
func (t *translator) mutationWhere(w *pg_query.Node) (ast.Expr, error) {
	if w == nil {
		return nil, nil
	}
	if w.GetCurrentOfExpr() != nil {
		return nil, pgerror.Unsupported("WHERE CURRENT OF")
	}
	return t.expr(w)
}

func (t *translator) expr(n *pg_query.Node) (ast.Expr, error) {
	switch e := n.GetNode().(type) {
	case *pg_query.Node_ColumnRef:
		return t.columnRef(e.ColumnRef)
	case *pg_query.Node_AConst:
		return t.constant(e.AConst)
	case *pg_query.Node_AExpr:
		return t.aExpr(e.AExpr)
	case *pg_query.Node_BoolExpr:
		return t.boolExpr(e.BoolExpr)
	case *pg_query.Node_NullTest:
		if e.NullTest.Argisrow {
			return nil, t.unsupported("row IS NULL", e.NullTest.Location)
		}
		arg, err := t.expr(e.NullTest.Arg)
		if err != nil {
			return nil, err
		}
		return &ast.IsNullExpr{E: arg, Not: e.NullTest.Nulltesttype == pg_query.NullTestType_IS_NOT_NULL, Pos: t.pos(e.NullTest.Location)}, nil
	case *pg_query.Node_TypeCast:
		arg, err := t.expr(e.TypeCast.Arg)
		if err != nil {
			return nil, err
		}
		if tn := e.TypeCast.TypeName; tn != nil && len(tn.ArrayBounds) > 0 {
			return arrayCast(arg, t.pos(e.TypeCast.Location)), nil // translate_catalog.go
		}
		typ, err := t.typeName(e.TypeCast.TypeName)
		if err != nil {
			return nil, err
		}
		return &ast.CastExpr{E: arg, Type: typ, Pos: t.pos(e.TypeCast.Location)}, nil
	case *pg_query.Node_FuncCall:
		return t.funcCall(e.FuncCall)
	case *pg_query.Node_SubLink:
		return t.subLink(e.SubLink)
	case *pg_query.Node_CaseExpr:
		return t.caseExpr(e.CaseExpr)
	case *pg_query.Node_ParamRef:
		if e.ParamRef.Number < 1 {
			return nil, t.unsupported("positional parameter $0", e.ParamRef.Location)
		}
		return &ast.Placeholder{Idx: int(e.ParamRef.Number) - 1, Pos: t.pos(e.ParamRef.Location)}, nil
	case *pg_query.Node_SqlvalueFunction:
		return t.sqlValueFunction(e.SqlvalueFunction)
	case *pg_query.Node_CoalesceExpr:
		args, err := t.exprs(e.CoalesceExpr.Args)
		if err != nil {
			return nil, err
		}
		return &ast.CoalesceExpr{Args: args, Pos: t.pos(e.CoalesceExpr.Location)}, nil
	case *pg_query.Node_MinMaxExpr:
		args, err := t.exprs(e.MinMaxExpr.Args)
		if err != nil {
			return nil, err
		}
		return &ast.MinMaxExpr{Args: args, Greatest: e.MinMaxExpr.Op == pg_query.MinMaxOp_IS_GREATEST,
			Pos: t.pos(e.MinMaxExpr.Location)}, nil
	case *pg_query.Node_RowExpr:
		return nil, t.unsupported("row constructors", e.RowExpr.Location)
	case *pg_query.Node_AArrayExpr:
		return nil, t.unsupported("arrays", e.AArrayExpr.Location)
	case *pg_query.Node_AIndirection:
		return t.subscriptExpr(e.AIndirection) // translate_catalog.go
	case *pg_query.Node_CollateClause:
		return t.collateExpr(e.CollateClause) // translate_catalog.go
	case *pg_query.Node_BooleanTest:
		return nil, t.unsupported("IS TRUE/FALSE/UNKNOWN", e.BooleanTest.Location)
	}
	return nil, pgerror.Unsupported("expression " + nodeTypeName(n))
}

func (t *translator) columnRef(c *pg_query.ColumnRef) (ast.Expr, error) {
	var parts []string
	for _, f := range c.Fields {
		if f.GetAStar() != nil {
			return nil, t.unsupported("* in an expression", c.Location)
		}
		parts = append(parts, f.GetString_().GetSval())
	}
	switch len(parts) {
	case 1:
		return &ast.ColumnRef{Name: parts[0], Pos: t.pos(c.Location)}, nil
	case 2:
		return &ast.ColumnRef{Table: parts[0], Name: parts[1], Pos: t.pos(c.Location)}, nil
	}
	return nil, t.unsupported("schema-qualified column references", c.Location)
}

func (t *translator) constant(c *pg_query.A_Const) (ast.Expr, error) {
	p := t.pos(c.Location)
	if c.Isnull {
		return &ast.NullVal{Pos: p}, nil
	}
	switch v := c.Val.(type) {
	case *pg_query.A_Const_Ival:
		i := int64(v.Ival.Ival)
		return &ast.NumVal{Text: strconv.FormatInt(i, 10), Int: i, IsInt: true, Pos: p}, nil
	case *pg_query.A_Const_Fval:
		s := v.Fval.Fval
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return &ast.NumVal{Text: s, Int: i, IsInt: true, Pos: p}, nil
		}
		return &ast.NumVal{Text: s, Pos: p}, nil
	case *pg_query.A_Const_Sval:
		return &ast.StrVal{Val: v.Sval.Sval, Pos: p}, nil
	case *pg_query.A_Const_Boolval:
		return &ast.BoolVal{Val: v.Boolval.Boolval, Pos: p}, nil
	case *pg_query.A_Const_Bsval:
		return nil, t.unsupported("bit string literals", c.Location)
	}
	return nil, t.unsupported("constant", c.Location)
}

func (t *translator) aExpr(a *pg_query.A_Expr) (ast.Expr, error) {
	p := t.pos(a.Location)
	if a.Kind != pg_query.A_Expr_Kind_AEXPR_OP {
		return t.specialAExpr(a)
	}
	op, ok := operatorName(a.Name) // translate_catalog.go
	if !ok {
		return nil, t.unsupported("OPERATOR()", a.Location)
	}
	if a.Lexpr == nil {
		r, err := t.expr(a.Rexpr)
		if err != nil {
			return nil, err
		}
		switch op {
		case "-":
			return &ast.UnaryMinus{E: r, Pos: p}, nil
		case "+":
			return &ast.UnaryPlus{E: r, Pos: p}, nil
		}
		return nil, t.unsupported(fmt.Sprintf("prefix operator \"%s\"", op), a.Location)
	}
	if a.Rexpr == nil {
		return nil, t.unsupported(fmt.Sprintf("postfix operator \"%s\"", op), a.Location)
	}
	l, err := t.expr(a.Lexpr)
	if err != nil {
		return nil, err
	}
	r, err := t.expr(a.Rexpr)
	if err != nil {
		return nil, err
	}
	switch op {
	case "=", "<", "<=", ">", ">=":
		return &ast.ComparisonExpr{Op: ast.CmpOp(op), L: l, R: r, Pos: p}, nil
	case "<>", "!=":
		return &ast.ComparisonExpr{Op: ast.NE, L: l, R: r, Pos: p}, nil
	case "+", "-", "*", "/", "%", "^", "||":
		return &ast.BinaryExpr{Op: ast.BinaryOp(op), L: l, R: r, Pos: p}, nil
	case "~~", "!~~", "~~*", "!~~*":
		return likeExpr(l, r, op, p), nil
	case "~", "!~", "~*", "!~*":
		return regexMatchExpr(l, r, op, p), nil // translate_catalog.go
	case "->", "->>", "#>", "#>>", "@>", "<@", "?", "?|", "?&", "#-":
		// The json operators; sql/plan binds them (funcs_json.go).
		return &ast.BinaryExpr{Op: ast.BinaryOp(op), L: l, R: r, Pos: p}, nil
	}
	return nil, t.unsupported(fmt.Sprintf("operator \"%s\"", op), a.Location)
}

func (t *translator) boolExpr(b *pg_query.BoolExpr) (ast.Expr, error) {
	args := make([]ast.Expr, len(b.Args))
	for i, a := range b.Args {
		e, err := t.expr(a)
		if err != nil {
			return nil, err
		}
		args[i] = e
	}
	p := t.pos(b.Location)
	switch b.Boolop {
	case pg_query.BoolExprType_NOT_EXPR:
		return &ast.NotExpr{E: args[0], Pos: p}, nil
	case pg_query.BoolExprType_AND_EXPR:
		e := args[0]
		for _, a := range args[1:] {
			e = &ast.AndExpr{L: e, R: a, Pos: p}
		}
		return e, nil
	case pg_query.BoolExprType_OR_EXPR:
		e := args[0]
		for _, a := range args[1:] {
			e = &ast.OrExpr{L: e, R: a, Pos: p}
		}
		return e, nil
	}
	return nil, t.unsupported("boolean operator", b.Location)
}

func (t *translator) exprs(ns []*pg_query.Node) ([]ast.Expr, error) {
	out := make([]ast.Expr, len(ns))
	for i, n := range ns {
		e, err := t.expr(n)
		if err != nil {
			return nil, err
		}
		out[i] = e
	}
	return out, nil
}

// likeExpr builds LIKE/ILIKE from its operator name; a pattern of
// like_escape(p, e) carries the ESCAPE clause.
func likeExpr(l, r ast.Expr, op string, p int) ast.Expr {
	le := &ast.LikeExpr{E: l, Pattern: r, ILike: strings.Contains(op, "*"), Not: strings.HasPrefix(op, "!"), Pos: p}
	if f, ok := r.(*ast.FuncExpr); ok && f.Name == "like_escape" && len(f.Args) == 2 {
		le.Pattern, le.Escape = f.Args[0], f.Args[1]
	}
	return le
}

func (t *translator) specialAExpr(a *pg_query.A_Expr) (ast.Expr, error) {
	if a.Kind == pg_query.A_Expr_Kind_AEXPR_OP_ANY {
		return t.anyExpr(a) // translate_catalog.go
	}
	p := t.pos(a.Location)
	op := ""
	if len(a.Name) == 1 {
		op = a.Name[0].GetString_().GetSval()
	}
	l, err := t.expr(a.Lexpr)
	if err != nil {
		return nil, err
	}
	switch a.Kind {
	case pg_query.A_Expr_Kind_AEXPR_IN:
		list, err := t.exprs(a.Rexpr.GetList().GetItems())
		if err != nil {
			return nil, err
		}
		return &ast.InExpr{E: l, List: list, Not: op == "<>", Pos: p}, nil
	case pg_query.A_Expr_Kind_AEXPR_LIKE, pg_query.A_Expr_Kind_AEXPR_ILIKE:
		r, err := t.expr(a.Rexpr)
		if err != nil {
			return nil, err
		}
		return likeExpr(l, r, op, p), nil
	case pg_query.A_Expr_Kind_AEXPR_BETWEEN, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN,
		pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM, pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM:
		bounds, err := t.exprs(a.Rexpr.GetList().GetItems())
		if err != nil {
			return nil, err
		}
		if len(bounds) != 2 {
			return nil, t.unsupported("BETWEEN", a.Location)
		}
		return &ast.BetweenExpr{E: l, Lo: bounds[0], Hi: bounds[1],
			Not:       a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN || a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM,
			Symmetric: a.Kind == pg_query.A_Expr_Kind_AEXPR_BETWEEN_SYM || a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_BETWEEN_SYM,
			Pos:       p}, nil
	case pg_query.A_Expr_Kind_AEXPR_DISTINCT, pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT:
		r, err := t.expr(a.Rexpr)
		if err != nil {
			return nil, err
		}
		return &ast.DistinctExpr{L: l, R: r, Not: a.Kind == pg_query.A_Expr_Kind_AEXPR_NOT_DISTINCT, Pos: p}, nil
	case pg_query.A_Expr_Kind_AEXPR_NULLIF:
		r, err := t.expr(a.Rexpr)
		if err != nil {
			return nil, err
		}
		return &ast.NullIfExpr{L: l, R: r, Pos: p}, nil
	}
	name := strings.TrimPrefix(a.Kind.String(), "AEXPR_")
	return nil, t.unsupported(strings.ReplaceAll(name, "_", " "), a.Location)
}

func (t *translator) funcCall(f *pg_query.FuncCall) (ast.Expr, error) {
	var parts []string
	for _, p := range f.Funcname {
		parts = append(parts, p.GetString_().GetSval())
	}
	switch {
	case f.AggWithinGroup:
		return nil, t.unsupported("WITHIN GROUP", f.Location)
	case f.FuncVariadic:
		return nil, t.unsupported("VARIADIC", f.Location)
	}
	if len(parts) == 2 && parts[0] == "pg_catalog" {
		parts = parts[1:]
	}
	if len(parts) != 1 {
		return nil, t.unsupported("function "+strings.Join(parts, ".")+"()", f.Location)
	}
	args, err := t.exprs(f.Args)
	if err != nil {
		return nil, err
	}
	fe := &ast.FuncExpr{Name: parts[0], Args: args, Star: f.AggStar, Distinct: f.AggDistinct, Pos: t.pos(f.Location)}
	if err := t.aggClauses(f, fe); err != nil { // translate_func.go
		return nil, err
	}
	if w := f.Over; w != nil {
		// The frame is the default one (RANGE UNBOUNDED PRECEDING to the
		// current row and its peers) unless a frame clause is written.
		const frameNonDefault = 0x1
		switch {
		case w.Name != "" || w.Refname != "":
			return nil, t.unsupported("named windows", f.Location)
		case w.FrameOptions&frameNonDefault != 0:
			return nil, t.unsupported("window frame clauses", int32(w.Location))
		}
		spec := &ast.WindowSpec{}
		if spec.PartitionBy, err = t.exprs(w.PartitionClause); err != nil {
			return nil, err
		}
		if spec.OrderBy, err = t.sortClause(w.OrderClause); err != nil {
			return nil, err
		}
		fe.Over = spec
	}
	return fe, nil
}

func (t *translator) subLink(s *pg_query.SubLink) (ast.Expr, error) {
	sel := s.Subselect.GetSelectStmt()
	if sel == nil {
		return nil, t.unsupported("subquery", s.Location)
	}
	q, err := t.query(sel)
	if err != nil {
		return nil, err
	}
	p := t.pos(s.Location)
	switch s.SubLinkType {
	case pg_query.SubLinkType_EXISTS_SUBLINK:
		return &ast.SubqueryExpr{Kind: ast.ExistsSubquery, Select: q, Pos: p}, nil
	case pg_query.SubLinkType_EXPR_SUBLINK:
		return &ast.SubqueryExpr{Kind: ast.ScalarSubquery, Select: q, Pos: p}, nil
	case pg_query.SubLinkType_ARRAY_SUBLINK:
		return &ast.SubqueryExpr{Kind: ast.ArraySubquery, Select: q, Pos: p}, nil
	case pg_query.SubLinkType_ANY_SUBLINK:
		if len(s.OperName) > 0 {
			return nil, t.unsupported("op ANY (subquery)", s.Location)
		}
		l, err := t.expr(s.Testexpr)
		if err != nil {
			return nil, err
		}
		if _, ok := s.Testexpr.GetNode().(*pg_query.Node_RowExpr); ok {
			return nil, t.unsupported("row IN (subquery)", s.Location)
		}
		return &ast.InExpr{E: l, Sub: q, Pos: p}, nil
	}
	return nil, t.unsupported(strings.TrimSuffix(s.SubLinkType.String(), "_SUBLINK")+" subquery", s.Location)
}

func (t *translator) caseExpr(c *pg_query.CaseExpr) (ast.Expr, error) {
	ce := &ast.CaseExpr{Pos: t.pos(c.Location)}
	var err error
	if c.Arg != nil {
		if ce.Operand, err = t.expr(c.Arg); err != nil {
			return nil, err
		}
	}
	for _, w := range c.Args {
		cw := w.GetCaseWhen()
		cond, err := t.expr(cw.Expr)
		if err != nil {
			return nil, err
		}
		val, err := t.expr(cw.Result)
		if err != nil {
			return nil, err
		}
		ce.Whens = append(ce.Whens, ast.When{Cond: cond, Val: val})
	}
	if c.Defresult != nil {
		if ce.Else, err = t.expr(c.Defresult); err != nil {
			return nil, err
		}
	}
	return ce, nil
}

func (t *translator) sqlValueFunction(f *pg_query.SQLValueFunction) (ast.Expr, error) {
	p := t.pos(f.Location)
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_DATE:
		return &ast.FuncExpr{Name: "current_date", Pos: p}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP:
		return &ast.FuncExpr{Name: "current_timestamp", Pos: p}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP:
		return &ast.FuncExpr{Name: "localtimestamp", Pos: p}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME:
		return &ast.FuncExpr{Name: "current_time", Pos: p}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME:
		return &ast.FuncExpr{Name: "localtime", Pos: p}, nil
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIME_N, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIME_N,
		pg_query.SQLValueFunctionOp_SVFOP_CURRENT_TIMESTAMP_N, pg_query.SQLValueFunctionOp_SVFOP_LOCALTIMESTAMP_N:
		// The precision travels as an argument; the planner rounds to it
		// (funcs_more.go).
		name := strings.TrimSuffix(strings.ToLower(strings.TrimPrefix(f.Op.String(), "SVFOP_")), "_n")
		arg := &ast.NumVal{Text: fmt.Sprint(f.Typmod), Int: int64(f.Typmod), IsInt: true, Pos: p}
		return &ast.FuncExpr{Name: name, Args: []ast.Expr{arg}, Pos: p}, nil
	}
	name := strings.ToLower(strings.TrimPrefix(f.Op.String(), "SVFOP_"))
	switch f.Op {
	case pg_query.SQLValueFunctionOp_SVFOP_CURRENT_USER, pg_query.SQLValueFunctionOp_SVFOP_USER,
		pg_query.SQLValueFunctionOp_SVFOP_SESSION_USER, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_ROLE,
		pg_query.SQLValueFunctionOp_SVFOP_CURRENT_SCHEMA, pg_query.SQLValueFunctionOp_SVFOP_CURRENT_CATALOG:
		// Each keeps its own name as a column name; the planner binds them
		// (funcs_more.go).
		return &ast.FuncExpr{Name: name, Pos: p}, nil
	}
	return nil, t.unsupported(name, f.Location)
}
