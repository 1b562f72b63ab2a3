package parser

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// This file translates CHECK constraints, ALTER TABLE and ALTER … RENAME.
// A CHECK expression is kept twice: translated (to bind it at once) and
// deparsed by pg_query (the text the table descriptor stores, parsed
// again by ParseCheckExpr when a mutation is planned). Subcommands
// rangedb does not run are 0A000 naming them. ONLY changes nothing:
// rangedb has no inheritance.

// checkConstraint translates CHECK (expr).
func (t *translator) checkConstraint(con *pg_query.Constraint) (ast.CheckConstraint, error) {
	switch {
	case con.SkipValidation:
		return ast.CheckConstraint{}, t.unsupported("NOT VALID", con.Location)
	case con.IsNoInherit:
		return ast.CheckConstraint{}, t.unsupported("NO INHERIT", con.Location)
	}
	e, err := t.expr(con.RawExpr)
	if err != nil {
		return ast.CheckConstraint{}, err
	}
	text, err := deparseExpr(con.RawExpr)
	if err != nil {
		return ast.CheckConstraint{}, err
	}
	return ast.CheckConstraint{Name: con.Conname, Expr: e, Text: text, Pos: t.pos(con.Location)}, nil
}

// ParseCheckExpr parses a CHECK constraint's stored text (written by
// deparseExpr, translate_sequence.go).
func ParseCheckExpr(text string) (ast.Expr, error) { return ParseExpr(text) }

// RewriteColumnRefs rewrites the column references of a CHECK
// constraint's stored text: f gets each reference's fields (["a"] or
// ["t", "a"]) and returns them, changed or not.
func RewriteColumnRefs(text string, f func(fields []string) []string) (string, error) {
	tree, err := pg_query.Parse("SELECT " + text)
	if err != nil {
		return "", err
	}
	var walk func(m protoreflect.Message)
	walk = func(m protoreflect.Message) {
		if cr, ok := m.Interface().(*pg_query.ColumnRef); ok {
			var parts []string
			for _, fld := range cr.Fields {
				parts = append(parts, fld.GetString_().GetSval())
			}
			out := f(parts)
			for i := range cr.Fields {
				if s := cr.Fields[i].GetString_(); s != nil && i < len(out) {
					s.Sval = out[i]
				}
			}
			return
		}
		m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
			switch {
			case fd.IsList() && fd.Message() != nil:
				l := v.List()
				for i := 0; i < l.Len(); i++ {
					walk(l.Get(i).Message())
				}
			case fd.Message() != nil && !fd.IsMap():
				walk(v.Message())
			}
			return true
		})
	}
	walk(tree.ProtoReflect())
	s, err := pg_query.Deparse(tree)
	if err != nil {
		return "", err
	}
	return strings.TrimPrefix(s, "SELECT "), nil
}

func (t *translator) alterTable(s *pg_query.AlterTableStmt) (ast.Statement, error) {
	if st, ok, err := t.alterOwner(s); ok { // translate_owner.go
		return st, err
	}
	if s.Objtype != pg_query.ObjectType_OBJECT_TABLE {
		name := strings.TrimPrefix(s.Objtype.String(), "OBJECT_")
		return nil, pgerror.Unsupported("ALTER " + strings.ReplaceAll(name, "_", " "))
	}
	tn, err := t.tableName(s.Relation)
	if err != nil {
		return nil, err
	}
	at := &ast.AlterTable{Table: tn, IfExists: s.MissingOk}
	for _, n := range s.Cmds {
		c := n.GetAlterTableCmd()
		if c == nil {
			return nil, pgerror.Unsupported("ALTER TABLE subcommand " + nodeTypeName(n))
		}
		cmds, err := t.alterTableCmd(c, tn)
		if err != nil {
			return nil, err
		}
		at.Cmds = append(at.Cmds, cmds...)
	}
	return at, nil
}

// alterTableCmdNames names the subcommands rangedb does not run.
var alterTableCmdNames = map[pg_query.AlterTableType]string{
	pg_query.AlterTableType_AT_SetStatistics:           "ALTER COLUMN … SET STATISTICS",
	pg_query.AlterTableType_AT_SetStorage:              "ALTER COLUMN … SET STORAGE",
	pg_query.AlterTableType_AT_SetCompression:          "ALTER COLUMN … SET COMPRESSION",
	pg_query.AlterTableType_AT_SetOptions:              "ALTER COLUMN … SET (options)",
	pg_query.AlterTableType_AT_ResetOptions:            "ALTER COLUMN … RESET (options)",
	pg_query.AlterTableType_AT_DropExpression:          "ALTER COLUMN … DROP EXPRESSION",
	pg_query.AlterTableType_AT_SetIdentity:             "ALTER COLUMN … SET GENERATED",
	pg_query.AlterTableType_AT_DropIdentity:            "ALTER COLUMN … DROP IDENTITY",
	pg_query.AlterTableType_AT_AlterConstraint:         "ALTER CONSTRAINT",
	pg_query.AlterTableType_AT_AddIndexConstraint:      "ADD CONSTRAINT … USING INDEX",
	pg_query.AlterTableType_AT_ChangeOwner:             "OWNER TO",
	pg_query.AlterTableType_AT_ClusterOn:               "CLUSTER ON",
	pg_query.AlterTableType_AT_DropCluster:             "SET WITHOUT CLUSTER",
	pg_query.AlterTableType_AT_SetLogged:               "SET LOGGED",
	pg_query.AlterTableType_AT_SetUnLogged:             "SET UNLOGGED",
	pg_query.AlterTableType_AT_SetAccessMethod:         "SET ACCESS METHOD",
	pg_query.AlterTableType_AT_SetTableSpace:           "SET TABLESPACE",
	pg_query.AlterTableType_AT_SetRelOptions:           "SET (storage parameters)",
	pg_query.AlterTableType_AT_ResetRelOptions:         "RESET (storage parameters)",
	pg_query.AlterTableType_AT_AddInherit:              "INHERIT",
	pg_query.AlterTableType_AT_DropInherit:             "NO INHERIT",
	pg_query.AlterTableType_AT_AddOf:                   "OF",
	pg_query.AlterTableType_AT_DropOf:                  "NOT OF",
	pg_query.AlterTableType_AT_ReplicaIdentity:         "REPLICA IDENTITY",
	pg_query.AlterTableType_AT_EnableRowSecurity:       "ENABLE ROW LEVEL SECURITY",
	pg_query.AlterTableType_AT_DisableRowSecurity:      "DISABLE ROW LEVEL SECURITY",
	pg_query.AlterTableType_AT_ForceRowSecurity:        "FORCE ROW LEVEL SECURITY",
	pg_query.AlterTableType_AT_NoForceRowSecurity:      "NO FORCE ROW LEVEL SECURITY",
	pg_query.AlterTableType_AT_AttachPartition:         "ATTACH PARTITION",
	pg_query.AlterTableType_AT_DetachPartition:         "DETACH PARTITION",
	pg_query.AlterTableType_AT_EnableTrig:              "ENABLE TRIGGER",
	pg_query.AlterTableType_AT_DisableTrig:             "DISABLE TRIGGER",
	pg_query.AlterTableType_AT_EnableTrigAll:           "ENABLE TRIGGER ALL",
	pg_query.AlterTableType_AT_DisableTrigAll:          "DISABLE TRIGGER ALL",
	pg_query.AlterTableType_AT_EnableTrigUser:          "ENABLE TRIGGER USER",
	pg_query.AlterTableType_AT_DisableTrigUser:         "DISABLE TRIGGER USER",
	pg_query.AlterTableType_AT_EnableRule:              "ENABLE RULE",
	pg_query.AlterTableType_AT_DisableRule:             "DISABLE RULE",
	pg_query.AlterTableType_AT_EnableAlwaysTrig:        "ENABLE ALWAYS TRIGGER",
	pg_query.AlterTableType_AT_EnableReplicaTrig:       "ENABLE REPLICA TRIGGER",
	pg_query.AlterTableType_AT_EnableAlwaysRule:        "ENABLE ALWAYS RULE",
	pg_query.AlterTableType_AT_EnableReplicaRule:       "ENABLE REPLICA RULE",
	pg_query.AlterTableType_AT_GenericOptions:          "OPTIONS",
	pg_query.AlterTableType_AT_SetExpression:           "ALTER COLUMN … SET EXPRESSION",
	pg_query.AlterTableType_AT_DetachPartitionFinalize: "DETACH PARTITION … FINALIZE",
}

func (t *translator) alterTableCmd(c *pg_query.AlterTableCmd, tn ast.TableName) ([]ast.AlterTableCmd, error) {
	cascade := c.Behavior == pg_query.DropBehavior_DROP_CASCADE
	switch c.Subtype {
	case pg_query.AlterTableType_AT_AddColumn:
		return t.addColumn(c, tn)
	case pg_query.AlterTableType_AT_DropColumn:
		return []ast.AlterTableCmd{{Kind: ast.AlterDropColumn, Name: c.Name, IfExists: c.MissingOk, Cascade: cascade}}, nil
	case pg_query.AlterTableType_AT_SetNotNull:
		return []ast.AlterTableCmd{{Kind: ast.AlterSetNotNull, Name: c.Name}}, nil
	case pg_query.AlterTableType_AT_DropNotNull:
		return []ast.AlterTableCmd{{Kind: ast.AlterDropNotNull, Name: c.Name}}, nil
	case pg_query.AlterTableType_AT_ColumnDefault:
		// pg_query gives SET DEFAULT's expression as Def, none for DROP.
		if c.Def == nil {
			return []ast.AlterTableCmd{{Kind: ast.AlterDropDefault, Name: c.Name}}, nil
		}
		e, err := t.expr(c.Def)
		if err != nil {
			return nil, err
		}
		text, err := deparseExpr(c.Def)
		if err != nil {
			return nil, pgerror.New(pgerror.CodeInternalError, "deparsing DEFAULT: %v", err)
		}
		cd := ast.ColumnDef{Name: c.Name, Default: e, DefaultText: text}
		return []ast.AlterTableCmd{{Kind: ast.AlterSetDefault, Name: c.Name, Column: cd}}, nil
	case pg_query.AlterTableType_AT_AlterColumnType:
		return t.alterColumnType(c)
	case pg_query.AlterTableType_AT_AddIdentity:
		con := c.Def.GetConstraint()
		if con == nil {
			return nil, pgerror.Unsupported("ALTER COLUMN … ADD GENERATED of " + nodeTypeName(c.Def))
		}
		cd := ast.ColumnDef{Name: c.Name, Identity: ast.IdentityByDefault}
		if con.GeneratedWhen == "a" {
			cd.Identity = ast.IdentityAlways
		}
		cd.IdentityOptions = &ast.SeqOptions{Pos: t.pos(con.Location)}
		if err := t.seqOptions(con.Options, cd.IdentityOptions, false); err != nil {
			return nil, err
		}
		return []ast.AlterTableCmd{{Kind: ast.AlterAddIdentity, Name: c.Name, Column: cd}}, nil
	case pg_query.AlterTableType_AT_ValidateConstraint:
		return []ast.AlterTableCmd{{Kind: ast.AlterValidateConstraint, Name: c.Name}}, nil
	case pg_query.AlterTableType_AT_DropConstraint:
		return []ast.AlterTableCmd{{Kind: ast.AlterDropConstraint, Name: c.Name, IfExists: c.MissingOk, Cascade: cascade}}, nil
	case pg_query.AlterTableType_AT_AddConstraint:
		con := c.Def.GetConstraint()
		if con == nil {
			return nil, pgerror.Unsupported("ALTER TABLE ADD " + nodeTypeName(c.Def))
		}
		switch con.Contype {
		case pg_query.ConstrType_CONSTR_CHECK:
			ck, err := t.checkConstraint(con)
			if err != nil {
				return nil, err
			}
			return []ast.AlterTableCmd{{Kind: ast.AlterAddCheck, Check: &ck, Pos: ck.Pos}}, nil
		case pg_query.ConstrType_CONSTR_UNIQUE:
			if con.SkipValidation {
				return nil, t.unsupported("NOT VALID", con.Location)
			}
			ct := &ast.CreateTable{Table: tn}
			if err := t.uniqueConstraint(con, nil, ct); err != nil { // translate_index.go
				return nil, err
			}
			u := ct.Uniques[0]
			return []ast.AlterTableCmd{{Kind: ast.AlterAddUnique, Unique: &u, Pos: u.Pos}}, nil
		case pg_query.ConstrType_CONSTR_PRIMARY:
			if con.SkipValidation {
				return nil, t.unsupported("NOT VALID", con.Location)
			}
			ct := &ast.CreateTable{Table: tn}
			if err := t.uniqueConstraint(con, nil, ct); err != nil { // translate_index.go
				return nil, err
			}
			u := ct.Uniques[0]
			return []ast.AlterTableCmd{{Kind: ast.AlterAddPrimaryKey, Unique: &u, Pos: u.Pos}}, nil
		case pg_query.ConstrType_CONSTR_FOREIGN:
			fk, err := t.foreignKey(con, "") // translate_fk.go
			if err != nil {
				return nil, err
			}
			return []ast.AlterTableCmd{{Kind: ast.AlterAddForeignKey, ForeignKey: &fk, Pos: fk.Pos}}, nil
		}
		return nil, t.unsupported("ALTER TABLE ADD "+constraintName(con.Contype), con.Location)
	}
	if name, ok := alterTableCmdNames[c.Subtype]; ok {
		return nil, pgerror.Unsupported("ALTER TABLE " + name)
	}
	return nil, pgerror.Unsupported("ALTER TABLE subcommand " + strings.TrimPrefix(c.Subtype.String(), "AT_"))
}

// addColumn translates ADD [COLUMN] [IF NOT EXISTS] c type [constraints]:
// the column, then its UNIQUE constraints as ADD CONSTRAINT would.
func (t *translator) addColumn(c *pg_query.AlterTableCmd, tn ast.TableName) ([]ast.AlterTableCmd, error) {
	def := c.Def.GetColumnDef()
	if def == nil {
		return nil, pgerror.Unsupported("ALTER TABLE ADD " + nodeTypeName(c.Def))
	}
	cmd := ast.AlterTableCmd{Kind: ast.AlterAddColumn, IfNotExists: c.MissingOk, Pos: t.pos(def.Location)}
	// The column's constraints go through CREATE TABLE's translation,
	// but PRIMARY KEY and identity are refused here (no change of the
	// primary key, no sequence created for existing rows).
	var rest []*pg_query.Node
	for _, n := range def.Constraints {
		con := n.GetConstraint()
		if con == nil {
			continue
		}
		switch con.Contype {
		case pg_query.ConstrType_CONSTR_PRIMARY:
			return nil, t.unsupported("ALTER TABLE ADD COLUMN … PRIMARY KEY", con.Location)
		case pg_query.ConstrType_CONSTR_IDENTITY:
			return nil, t.unsupported("ALTER TABLE ADD COLUMN … GENERATED AS IDENTITY", con.Location)
		}
		rest = append(rest, n)
	}
	stripped := &pg_query.ColumnDef{Colname: def.Colname, TypeName: def.TypeName, CollClause: def.CollClause,
		Compression: def.Compression, Constraints: rest, Location: def.Location}
	ct := &ast.CreateTable{Table: tn}
	cd, err := t.columnDef(stripped, ct)
	if err != nil {
		return nil, err
	}
	// Existing rows would need the values these generate.
	switch {
	case cd.Serial:
		return nil, t.unsupported("ALTER TABLE ADD COLUMN of a serial type", def.Location)
	case cd.Identity != 0:
		return nil, t.unsupported("ALTER TABLE ADD COLUMN … GENERATED AS IDENTITY", def.Location)
	}
	cmd.Column = cd
	cmd.ColumnChecks = ct.Checks
	out := []ast.AlterTableCmd{cmd}
	for i := range ct.Uniques {
		u := ct.Uniques[i]
		out = append(out, ast.AlterTableCmd{Kind: ast.AlterAddUnique, Unique: &u, Pos: u.Pos})
	}
	for i := range ct.ForeignKeys {
		fk := ct.ForeignKeys[i]
		out = append(out, ast.AlterTableCmd{Kind: ast.AlterAddForeignKey, ForeignKey: &fk, Pos: fk.Pos})
	}
	return out, nil
}

func (t *translator) rename(s *pg_query.RenameStmt) (ast.Statement, error) {
	if s.RenameType == pg_query.ObjectType_OBJECT_DATABASE {
		return &ast.RenameDatabase{Name: s.Subname, New: s.Newname}, nil
	}
	r := &ast.Rename{IfExists: s.MissingOk, Old: s.Subname, New: s.Newname}
	switch s.RenameType {
	case pg_query.ObjectType_OBJECT_TABLE:
		r.Kind = ast.RenameTable
	case pg_query.ObjectType_OBJECT_COLUMN:
		if s.RelationType != pg_query.ObjectType_OBJECT_TABLE {
			return nil, pgerror.Unsupported("ALTER " + objectName(s.RelationType) + " RENAME COLUMN")
		}
		r.Kind = ast.RenameColumn
	case pg_query.ObjectType_OBJECT_TABCONSTRAINT:
		r.Kind = ast.RenameConstraint
	case pg_query.ObjectType_OBJECT_INDEX:
		r.Kind = ast.RenameIndex
	default:
		return nil, pgerror.Unsupported("ALTER " + objectName(s.RenameType) + " RENAME")
	}
	if s.Relation == nil {
		return nil, pgerror.Unsupported("ALTER " + objectName(s.RenameType) + " RENAME")
	}
	tn, err := t.tableName(s.Relation)
	if err != nil {
		return nil, err
	}
	r.Table = tn
	return r, nil
}

func objectName(o pg_query.ObjectType) string {
	return strings.ReplaceAll(strings.TrimPrefix(o.String(), "OBJECT_"), "_", " ")
}

// alterColumnType translates ALTER [COLUMN] c [SET DATA] TYPE t [USING e].
func (t *translator) alterColumnType(c *pg_query.AlterTableCmd) ([]ast.AlterTableCmd, error) {
	def := c.Def.GetColumnDef()
	if def == nil {
		return nil, pgerror.Unsupported("ALTER COLUMN … TYPE of " + nodeTypeName(c.Def))
	}
	if def.CollClause != nil {
		return nil, t.unsupported("COLLATE", def.CollClause.Location)
	}
	typ, err := t.typeName(def.TypeName)
	if err != nil {
		return nil, err
	}
	cmd := ast.AlterTableCmd{Kind: ast.AlterColumnType, Name: c.Name, Column: ast.ColumnDef{Name: c.Name, Type: typ}, Pos: t.pos(def.Location)}
	if def.RawDefault != nil {
		if cmd.Using, err = t.expr(def.RawDefault); err != nil {
			return nil, err
		}
		if cmd.UsingText, err = deparseExpr(def.RawDefault); err != nil {
			return nil, pgerror.New(pgerror.CodeInternalError, "deparsing USING: %v", err)
		}
	}
	return []ast.AlterTableCmd{cmd}, nil
}
