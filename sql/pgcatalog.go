package sql

import (
	"context"
	"strconv"
	"strings"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file serves pg_catalog: the PostgreSQL system catalogs psql's
// describe commands (\dt, \d, \di, \dv, \ds, \dn) read, as virtual tables
// computed from the session's database when a statement is planned
// (plan.VirtualResolver). Only the columns those queries touch carry
// values; catalogs rangedb has nothing for (policies, triggers,
// publications, …) are empty tables with PostgreSQL's columns.
//
// Object identifiers: a table's, view's or sequence's pg_class oid is its
// descriptor id (what RowDescription reports as the table OID); an index
// or a constraint lives in its table's descriptor and gets an oid derived
// from the table's id (indexOID, constraintOID). Schemas have PostgreSQL's
// oids. rangedb has one role, oid 10, named after the session's user: it
// owns everything. oid columns are bigint, name and "char" columns text.

// The fixed oids of pg_catalog.
const (
	oidPgCatalog         = 11
	oidPgToast           = 99
	oidPublic            = 2200
	oidInformationSchema = 13179
	oidSuperuser         = 10
	oidPgDatabaseOwner   = 6171
	oidHeapAM            = 2
	oidBtreeAM           = 403
	oidDefaultCollation  = 100
	oidPgClass           = 1259
)

// catalogOIDs are the oids of the catalogs 'pg_catalog.x'::regclass
// names, PostgreSQL's.
var catalogOIDs = map[string]int64{"pg_class": oidPgClass, "pg_type": 1247, "pg_attribute": 1249, "pg_namespace": 2615,
	"pg_constraint": 2606, "pg_index": 2610, "pg_database": 1262, "pg_proc": 1255}

// Derived oids of indexes and constraints: a kind tag above bit 40, the
// table's id, and the object's number within the table in the low 16 bits.
const (
	oidTagIndex      = 1 << 40
	oidTagConstraint = 2 << 40
	oidTagAttrdef    = 3 << 40
	oidTagMask       = 0xff << 40
)

// The kinds of constraint numbers (constraintOID).
const (
	conPrimary = 1 + iota
	conUnique
	conCheck
	conForeign
)

func indexOID(table uint64, id catalog.IndexID) int64 {
	return int64(oidTagIndex | table<<16 | uint64(id))
}

func constraintOID(table uint64, kind, n int) int64 {
	return int64(oidTagConstraint | table<<16 | uint64(kind<<12|n))
}

// splitOID reads a derived oid back: its tag, table id and low bits.
func splitOID(oid int64) (tag int64, table uint64, low int) {
	return oid & oidTagMask, uint64(oid&^oidTagMask) >> 16, int(oid & 0xffff)
}

// pgColumns builds a catalog's columns from "name:type" pairs, the types
// being "oid", "name", "char", "text", "bool", "int2", "int4", "int8" and
// "float4".
func pgColumns(spec string) []plan.Column {
	var out []plan.Column
	for _, f := range strings.Fields(spec) {
		name, typ, _ := strings.Cut(f, ":")
		t := types.Text
		switch typ {
		case "oid", "int8":
			t = types.Int8
		case "bool":
			t = types.Bool
		case "int2":
			t = types.Int2
		case "int4":
			t = types.Int4
		case "float4":
			t = types.Float4
		}
		out = append(out, plan.Column{Name: name, Typ: t})
	}
	return out
}

// pgCatalogColumns are the columns of the catalogs served, in PostgreSQL
// 15's order.
var pgCatalogColumns = map[string][]plan.Column{
	"pg_namespace": pgColumns("oid:oid nspname:name nspowner:oid nspacl:text"),
	"pg_class": pgColumns(`oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid
		relfilenode:oid reltablespace:oid relpages:int4 reltuples:float4 relallvisible:int4 reltoastrelid:oid
		relhasindex:bool relisshared:bool relpersistence:char relkind:char relnatts:int2 relchecks:int2
		relhasrules:bool relhastriggers:bool relhassubclass:bool relrowsecurity:bool relforcerowsecurity:bool
		relispopulated:bool relreplident:char relispartition:bool relrewrite:oid relfrozenxid:text relminmxid:text
		relacl:text reloptions:text relpartbound:text`),
	"pg_attribute": pgColumns(`attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2
		attndims:int4 attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char attstorage:char attcompression:char
		attnotnull:bool atthasdef:bool atthasmissing:bool attidentity:char attgenerated:char attisdropped:bool
		attislocal:bool attinhcount:int4 attcollation:oid attacl:text attoptions:text attfdwoptions:text
		attmissingval:text`),
	"pg_attrdef": pgColumns("oid:oid adrelid:oid adnum:int2 adbin:text"),
	"pg_type": pgColumns(`oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char
		typcategory:char typispreferred:bool typisdefined:bool typdelim:char typrelid:oid typsubscript:text
		typelem:oid typarray:oid typinput:text typoutput:text typreceive:text typsend:text typmodin:text
		typmodout:text typanalyze:text typalign:char typstorage:char typnotnull:bool typbasetype:oid
		typtypmod:int4 typndims:int4 typcollation:oid typdefaultbin:text typdefault:text typacl:text`),
	"pg_index": pgColumns(`indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool
		indnullsnotdistinct:bool indisprimary:bool indisexclusion:bool indimmediate:bool indisclustered:bool
		indisvalid:bool indcheckxmin:bool indisready:bool indislive:bool indisreplident:bool indkey:text
		indcollation:text indclass:text indoption:text indexprs:text indpred:text`),
	"pg_constraint": pgColumns(`oid:oid conname:name connamespace:oid contype:char condeferrable:bool
		condeferred:bool convalidated:bool conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid
		confupdtype:char confdeltype:char confmatchtype:char conislocal:bool coninhcount:int4 connoinherit:bool
		conkey:text confkey:text conpfeqop:text conppeqop:text conffeqop:text confdelsetcols:text
		conexclop:text conbin:text`),
	"pg_am":          pgColumns("oid:oid amname:name amhandler:text amtype:char"),
	"pg_description": pgColumns("objoid:oid classoid:oid objsubid:int4 description:text"),
	"pg_inherits":    pgColumns("inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool"),
	"pg_roles": pgColumns(`rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool
		rolcanlogin:bool rolreplication:bool rolconnlimit:int4 rolpassword:text rolvaliduntil:text
		rolbypassrls:bool rolconfig:text oid:oid`),
	"pg_user": pgColumns(`usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool
		passwd:text valuntil:text useconfig:text`),
	"pg_database": pgColumns(`oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char
		datistemplate:bool datallowconn:bool datconnlimit:int4 datfrozenxid:text datminmxid:text
		dattablespace:oid datcollate:text datctype:text daticulocale:text datcollversion:text datacl:text`),
	"pg_settings": pgColumns(`name:text setting:text unit:text category:text short_desc:text extra_desc:text
		context:text vartype:text source:text min_val:text max_val:text enumvals:text boot_val:text reset_val:text
		sourcefile:text sourceline:int4 pending_restart:bool`),
	"pg_collation": pgColumns(`oid:oid collname:name collnamespace:oid collowner:oid collprovider:char
		collisdeterministic:bool collencoding:int4 collcollate:text collctype:text colliculocale:text
		collversion:text`),
	"pg_policy": pgColumns(`oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:text
		polqual:text polwithcheck:text`),
	"pg_statistic_ext": pgColumns(`oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid
		stxstattarget:int4 stxkeys:text stxkind:text stxexprs:text`),
	"pg_publication": pgColumns(`oid:oid pubname:name pubowner:oid puballtables:bool pubinsert:bool
		pubupdate:bool pubdelete:bool pubtruncate:bool pubviaroot:bool`),
	"pg_publication_namespace": pgColumns("oid:oid pnpubid:oid pnnspid:oid"),
	"pg_publication_rel":       pgColumns("oid:oid prpubid:oid prrelid:oid prqual:text prattrs:text"),
	"pg_trigger": pgColumns(`oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:int2
		tgenabled:char tgisinternal:bool tgconstrrelid:oid tgconstrindid:oid tgconstraint:oid tgdeferrable:bool
		tginitdeferred:bool tgnargs:int2 tgattr:text tgargs:text tgqual:text tgoldtable:name tgnewtable:name`),
	"pg_rewrite": pgColumns(`oid:oid rulename:name ev_class:oid ev_type:char ev_enabled:char is_instead:bool
		ev_qual:text ev_action:text`),
	"pg_tablespace": pgColumns("oid:oid spcname:name spcowner:oid spcacl:text spcoptions:text"),
	"pg_sequence": pgColumns(`seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8
		seqcache:int8 seqcycle:bool`),
	"pg_depend": pgColumns(`classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4
		deptype:char`),
}

// pgCatalogTable serves pg_catalog's tables, qualified or not (pg_catalog
// is implicitly first on the search path).
func (r *resolver) pgCatalogTable(schema, name string) ([]plan.Column, []types.Datums, bool) {
	if schema != "" && schema != "pg_catalog" {
		return nil, nil, false
	}
	cols, ok := pgCatalogColumns[name]
	if !ok {
		return nil, nil, false
	}
	rows, err := r.pgCatalogRows(name)
	if err != nil {
		return cols, nil, true
	}
	return cols, rows, true
}

func (r *resolver) context() context.Context {
	if r.ctx != nil {
		return r.ctx
	}
	return context.Background()
}

// pgRow converts Go values to a row: string → text, int/int64/uint64 →
// integer, bool → bool, nil → NULL.
func pgRow(vals ...any) types.Datums {
	row := make(types.Datums, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case nil:
			row[i] = types.DNull
		case string:
			row[i] = types.DString(x)
		case int:
			row[i] = types.DInt(x)
		case int64:
			row[i] = types.DInt(x)
		case int16:
			row[i] = types.DInt(x)
		case int32:
			row[i] = types.DInt(x)
		case uint32:
			row[i] = types.DInt(x)
		case uint64:
			row[i] = types.DInt(int64(x))
		case bool:
			row[i] = types.DBool(x)
		case float32:
			row[i] = types.DFloat(x)
		default:
			panic("pgRow: unexpected value type") // a bug in this file's tables
		}
	}
	return row
}

// visibleColumns are a table's columns as pg_attribute numbers them
// (attnum is the position, from 1), without the hidden rowid.
func visibleColumns(t *catalog.TableDescriptor) []*catalog.Column {
	var out []*catalog.Column
	for i := range t.Columns {
		if !t.Columns[i].Hidden {
			out = append(out, &t.Columns[i])
		}
	}
	return out
}

// attnum is the pg_attribute number of column id, or 0 when hidden.
func attnum(t *catalog.TableDescriptor, id catalog.ColumnID) int {
	for i, c := range visibleColumns(t) {
		if c.ID == id {
			return i + 1
		}
	}
	return 0
}

// tableIndexes are the table's indexes as pg_index lists them: the
// primary key unless it is the hidden rowid's, then the others.
func tableIndexes(t *catalog.TableDescriptor) []*catalog.Index {
	var out []*catalog.Index
	if hasPrimaryKey(t) {
		out = append(out, &t.PrimaryIndex)
	}
	for i := range t.Indexes {
		out = append(out, &t.Indexes[i])
	}
	return out
}

func hasPrimaryKey(t *catalog.TableDescriptor) bool {
	for _, id := range t.PrimaryIndex.ColumnIDs {
		if attnum(t, id) == 0 {
			return false
		}
	}
	return true
}

func (r *resolver) pgCatalogRows(name string) ([]types.Datums, error) {
	s := r.s
	switch name {
	case "pg_namespace":
		return []types.Datums{
			pgRow(oidPgCatalog, "pg_catalog", oidSuperuser, nil),
			pgRow(oidPgToast, "pg_toast", oidSuperuser, nil),
			pgRow(oidPublic, "public", oidPgDatabaseOwner, nil),
			pgRow(oidInformationSchema, "information_schema", oidSuperuser, nil),
		}, nil
	case "pg_settings":
		return s.pgSettingsRows(), nil // settings.go
	case "pg_am":
		return []types.Datums{pgRow(oidHeapAM, "heap", "heap_tableam_handler", "t"),
			pgRow(oidBtreeAM, "btree", "bthandler", "i")}, nil
	case "pg_roles":
		return []types.Datums{pgRow(s.user, true, true, true, true, true, true, -1, "********", nil, true, nil, oidSuperuser)}, nil
	case "pg_user":
		return []types.Datums{pgRow(s.user, oidSuperuser, true, true, true, true, "********", nil, nil)}, nil
	case "pg_database":
		if s.db == nil || s.txn == nil {
			return nil, nil
		}
		dbs, err := catalog.ListDatabases(context.Background(), s.txn)
		if err != nil {
			return nil, err
		}
		var rows []types.Datums
		for _, d := range dbs {
			rows = append(rows, pgRow(d.ID, d.Name, oidSuperuser, 6, "c", false, true, -1, nil, nil, 1663,
				"C", "C", nil, nil, nil))
		}
		return rows, nil
	case "pg_type":
		var rows []types.Datums
		for _, oid := range pgTypeOIDs {
			t := types.ByOID(oid)
			if t == nil {
				continue
			}
			coll := 0
			if t.Family == types.StringFamily {
				coll = oidDefaultCollation
			}
			rows = append(rows, pgRow(oid, t.SQLName(), oidPgCatalog, oidSuperuser, t.Size, t.Size > 0 && t.Size <= 8,
				"b", nil, false, true, ",", 0, nil, 0, 0, nil, nil, nil, nil, nil, nil, nil, nil, nil, false, 0, -1, 0,
				coll, nil, nil, nil))
		}
		return rows, nil
	}
	if _, ok := pgCatalogColumns[name]; !ok || s.db == nil {
		return nil, nil
	}
	rels, err := catalog.ListRelations(r.context(), s.txn, s.db.ID)
	if err != nil {
		return nil, err
	}
	var rows []types.Datums
	switch name {
	case "pg_class":
		for _, t := range rels.Tables {
			idx := tableIndexes(t)
			rows = append(rows, pgClassRow(t.ID, t.Name, "r", oidHeapAM, len(visibleColumns(t)), len(t.Checks), len(idx) > 0,
				len(t.ForeignKeys) > 0 || len(t.InboundFKs) > 0))
			for _, ix := range idx {
				rows = append(rows, pgClassRow(indexOID(t.ID, ix.ID), ix.Name, "i", oidBtreeAM, len(ix.ColumnIDs), 0, false, false))
			}
		}
		for _, v := range rels.Views {
			rows = append(rows, pgClassRow(v.ID, v.Name, "v", 0, len(v.Columns), 0, false, false))
		}
		for _, q := range rels.Sequences {
			rows = append(rows, pgClassRow(q.ID, q.Name, "S", 0, 3, 0, false, false))
		}
	case "pg_attribute":
		for _, t := range rels.Tables {
			for i, c := range visibleColumns(t) {
				rows = append(rows, pgAttributeRow(t.ID, c.Name, c.Type, i+1, !c.Nullable, c.Default != "" && c.Identity == 0, c.Identity))
			}
			for _, ix := range tableIndexes(t) { // an index's columns are its key's
				for i, id := range ix.ColumnIDs {
					if o := t.ColumnOrdinal(id); o >= 0 {
						c := &t.Columns[o]
						rows = append(rows, pgAttributeRow(uint64(indexOID(t.ID, ix.ID)), c.Name, c.Type, i+1, false, false, 0))
					}
				}
			}
		}
		for _, v := range rels.Views {
			for i, c := range v.Columns {
				rows = append(rows, pgAttributeRow(v.ID, c.Name, c.Type, i+1, false, false, 0))
			}
		}
	case "pg_attrdef":
		for _, t := range rels.Tables {
			for i, c := range visibleColumns(t) {
				if c.Default != "" && c.Identity == 0 {
					rows = append(rows, pgRow(int64(oidTagAttrdef|t.ID<<16|uint64(i+1)), t.ID, i+1, pgDefaultExpr(c)))
				}
			}
		}
	case "pg_index":
		for _, t := range rels.Tables {
			for _, ix := range tableIndexes(t) {
				var key []string
				for _, id := range ix.ColumnIDs {
					key = append(key, strconv.Itoa(attnum(t, id)))
				}
				var pred any
				if ix.Predicate != "" {
					pred = ix.Predicate
				}
				primary := ix == &t.PrimaryIndex
				rows = append(rows, pgRow(indexOID(t.ID, ix.ID), t.ID, len(key), len(key), primary || ix.Unique, false,
					primary, false, true, false, true, false, true, true, false, strings.Join(key, " "),
					nil, nil, nil, nil, pred))
			}
		}
	case "pg_constraint":
		for _, t := range rels.Tables {
			rows = append(rows, pgConstraintRows(t)...)
		}
	case "pg_sequence":
		for _, q := range rels.Sequences {
			typ, err := types.ResolveTypeName(q.TypeName, nil)
			if err != nil {
				continue
			}
			rows = append(rows, pgRow(q.ID, typ.OID, q.Start, q.Increment, q.MaxValue, q.MinValue, q.Cache, q.Cycle))
		}
	case "pg_depend":
		// A sequence's dependence on the column that owns it: 'a' (auto)
		// for serial and OWNED BY, 'i' (internal) for an identity column.
		byID := map[uint64]*catalog.TableDescriptor{}
		for _, t := range rels.Tables {
			byID[t.ID] = t
		}
		for _, q := range rels.Sequences {
			t := byID[q.OwnerTable]
			if t == nil {
				continue
			}
			kind := "a"
			if o := t.ColumnOrdinal(q.OwnerColumn); o >= 0 && t.Columns[o].Identity != 0 {
				kind = "i"
			}
			rows = append(rows, pgRow(oidPgClass, q.ID, 0, oidPgClass, t.ID, attnum(t, q.OwnerColumn), kind))
		}
	}
	return rows, nil
}

// pgTypeOIDs are the types pg_type lists.
var pgTypeOIDs = []uint32{types.OIDBool, types.OIDBytea, types.OIDInt8, types.OIDInt2, types.OIDInt4, types.OIDText,
	types.OIDJSON, types.OIDFloat4, types.OIDFloat8, types.OIDBpchar, types.OIDVarchar, types.OIDDate, types.OIDTime,
	types.OIDTimestamp, types.OIDTimestampTZ, types.OIDInterval, types.OIDTimeTZ, types.OIDNumeric, types.OIDUUID,
	types.OIDJSONB}

func pgClassRow(oid any, name, kind string, am, natts, checks int, hasIndex, hasTriggers bool) types.Datums {
	return pgRow(oid, name, oidPublic, 0, 0, oidSuperuser, am, oid, 0, 0, float32(-1), 0, 0,
		hasIndex, false, "p", kind, natts, checks, false, hasTriggers, false, false, false, true, "d", false, 0,
		nil, nil, nil, nil, nil)
}

func pgAttributeRow(rel uint64, name string, t *types.T, num int, notNull, hasDef bool, identity byte) types.Datums {
	coll := 0
	if t.Family == types.StringFamily {
		coll = oidDefaultCollation
	}
	ident := ""
	if identity != 0 {
		ident = string(rune(identity))
	}
	return pgRow(rel, name, int64(t.OID), -1, t.Size, num, 0, -1, int(t.TypeModifier()), t.Size > 0 && t.Size <= 8,
		"i", "p", "", notNull, hasDef, false, ident, "", false, true, 0, coll, nil, nil, nil, nil)
}

// pgConstraintRows are a table's constraints: its primary key, unique
// constraints, checks and foreign keys.
func pgConstraintRows(t *catalog.TableDescriptor) []types.Datums {
	var rows []types.Datums
	keys := func(t *catalog.TableDescriptor, ids []catalog.ColumnID) string {
		var out []string
		for _, id := range ids {
			out = append(out, strconv.Itoa(attnum(t, id)))
		}
		return "{" + strings.Join(out, ",") + "}"
	}
	row := func(oid int64, name, typ string, deferrable, deferred, valid bool, index int64, fkRel uint64, upd, del, match string, key, fkey, bin any) types.Datums {
		return pgRow(oid, name, oidPublic, typ, deferrable, deferred, valid, t.ID, 0, index, 0, fkRel, upd, del, match,
			true, 0, false, key, fkey, nil, nil, nil, nil, nil, bin)
	}
	if hasPrimaryKey(t) {
		rows = append(rows, row(constraintOID(t.ID, conPrimary, 0), t.PrimaryIndex.Name, "p", false, false, true,
			indexOID(t.ID, t.PrimaryIndex.ID), 0, " ", " ", " ", keys(t, t.PrimaryIndex.ColumnIDs), nil, nil))
	}
	for _, ix := range t.Indexes {
		if ix.Unique && ix.Constraint {
			rows = append(rows, row(constraintOID(t.ID, conUnique, int(ix.ID)), ix.Name, "u", false, false, true,
				indexOID(t.ID, ix.ID), 0, " ", " ", " ", keys(t, ix.ColumnIDs), nil, nil))
		}
	}
	for i, c := range t.Checks {
		rows = append(rows, row(constraintOID(t.ID, conCheck, i), c.Name, "c", false, false, true, 0, 0, " ", " ", " ",
			nil, nil, c.Expr))
	}
	for i, fk := range t.ForeignKeys {
		match := "s"
		if fk.MatchFull {
			match = "f"
		}
		rows = append(rows, row(constraintOID(t.ID, conForeign, i), fk.Name, "f", fk.Deferrable, fk.InitiallyDeferred,
			!fk.NotValid, 0, fk.RefTableID, string(rune(fk.OnUpdate)), string(rune(fk.OnDelete)), match,
			keys(t, fk.ColumnIDs), nil, nil))
	}
	return rows
}

// pgDefaultExpr is a column default as pg_get_expr prints it: a string
// constant carries its cast to the column's type ('x'::text), as
// PostgreSQL stores the coerced constant, and so does a negative number,
// quoted ('-1'::integer).
func pgDefaultExpr(c *catalog.Column) string {
	d := c.Default
	switch {
	case isQuotedLiteral(d):
		return d + "::" + c.Type.WithoutMod().String()
	case isNegativeNumber(d):
		return "'" + d + "'::" + c.Type.WithoutMod().String()
	}
	return d
}

// isNegativeNumber reports whether s is a negative numeric literal.
func isNegativeNumber(s string) bool {
	if len(s) < 2 || s[0] != '-' {
		return false
	}
	dot := false
	for _, r := range s[1:] {
		switch {
		case r == '.' && !dot:
			dot = true
		case r < '0' || r > '9':
			return false
		}
	}
	return true
}

// isQuotedLiteral reports whether s is one single-quoted string literal.
func isQuotedLiteral(s string) bool {
	if len(s) < 2 || s[0] != '\'' || s[len(s)-1] != '\'' {
		return false
	}
	inner := s[1 : len(s)-1]
	return !strings.Contains(strings.ReplaceAll(inner, "''", ""), "'")
}
