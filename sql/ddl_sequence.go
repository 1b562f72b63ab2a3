package sql

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file runs sequences: CREATE/ALTER/DROP SEQUENCE, the sequences of
// serial and identity columns, column DEFAULTs at CREATE TABLE, and the
// sequence functions.
//
// A sequence's options are a descriptor (catalog/sequence.go), written in
// the DDL transaction. Its value is a raw kv counter
// (catalog.SequenceKey) holding the last value handed out: nextval adds
// INCREMENT with DB.Increment, a single raft command outside every
// transaction, so values are unique across sessions and nodes, durable,
// and never handed out twice even when the transaction that asked rolls
// back (as in PostgreSQL). CREATE, ALTER … RESTART and setval write the
// counter at once, outside the transaction too (PostgreSQL's setval is
// not transactional either; its ALTER … RESTART is, ours is not). CACHE
// is stored and shown but treated as 1: every nextval is one raft
// command, so values from concurrent sessions interleave, never skip.
// currval and lastval are the session's (sequenceState).

// sequenceState is a session's memory of the sequences it used.
type sequenceState struct {
	// curr holds the last value nextval (or setval with is_called)
	// returned for each sequence, by descriptor id.
	curr map[uint64]int64
	// last is lastval's value, valid when hasLast.
	last    int64
	hasLast bool
}

// seqTypeName maps AS's type name (pg_query's internal one) to the
// sequence type's SQL name.
func seqTypeName(n string) (string, bool) {
	switch n {
	case "int2", "smallint":
		return "smallint", true
	case "int4", "int", "integer":
		return "integer", true
	case "int8", "bigint":
		return "bigint", true
	}
	return "", false
}

func seqParamError(format string, args ...any) error {
	return pgerror.New(pgerror.CodeInvalidParameterValue, format, args...)
}

// applySeqOptions sets d's options from o as PostgreSQL's init_params
// does, with its checks in its order; create is false for ALTER. It
// returns the value the counter restarts at (nil: unchanged).
func applySeqOptions(d *catalog.SequenceDescriptor, o *ast.SeqOptions, create bool) (*int64, error) {
	oldType := d.TypeName
	if create {
		d.TypeName, d.Increment, d.Cache = "bigint", 1, 1
	}
	if o.As != "" {
		tn, ok := seqTypeName(o.As)
		if !ok {
			return nil, seqParamError("sequence type must be smallint, integer, or bigint")
		}
		d.TypeName = tn
	}
	if o.Increment != nil {
		d.Increment = *o.Increment
	}
	if d.Increment == 0 {
		return nil, seqParamError("INCREMENT must not be zero")
	}
	if o.Cycle != nil {
		d.Cycle = *o.Cycle
	}
	lo, hi := catalog.TypeBounds(d.TypeName)
	typeChanged := !create && oldType != d.TypeName
	oldLo, oldHi := catalog.TypeBounds(oldType)
	switch {
	case o.MaxValue != nil:
		d.MaxValue = *o.MaxValue
	case create || o.NoMaxVal || (typeChanged && d.MaxValue == oldHi):
		if d.Increment > 0 {
			d.MaxValue = hi
		} else {
			d.MaxValue = -1
		}
	}
	if d.MaxValue < lo || d.MaxValue > hi {
		return nil, seqParamError("MAXVALUE (%d) is out of range for sequence data type %s", d.MaxValue, d.TypeName)
	}
	switch {
	case o.MinValue != nil:
		d.MinValue = *o.MinValue
	case create || o.NoMinValue || (typeChanged && d.MinValue == oldLo):
		if d.Increment > 0 {
			d.MinValue = 1
		} else {
			d.MinValue = lo
		}
	}
	if d.MinValue < lo || d.MinValue > hi {
		return nil, seqParamError("MINVALUE (%d) is out of range for sequence data type %s", d.MinValue, d.TypeName)
	}
	if d.MinValue >= d.MaxValue {
		return nil, seqParamError("MINVALUE (%d) must be less than MAXVALUE (%d)", d.MinValue, d.MaxValue)
	}
	switch {
	case o.Start != nil:
		d.Start = *o.Start
	case create:
		if d.Increment > 0 {
			d.Start = d.MinValue
		} else {
			d.Start = d.MaxValue
		}
	}
	if d.Start < d.MinValue {
		return nil, seqParamError("START value (%d) cannot be less than MINVALUE (%d)", d.Start, d.MinValue)
	}
	if d.Start > d.MaxValue {
		return nil, seqParamError("START value (%d) cannot be greater than MAXVALUE (%d)", d.Start, d.MaxValue)
	}
	var restart *int64
	if o.Restart {
		v := d.Start
		if o.RestartWith != nil {
			v = *o.RestartWith
		}
		if v < d.MinValue {
			return nil, seqParamError("RESTART value (%d) cannot be less than MINVALUE (%d)", v, d.MinValue)
		}
		if v > d.MaxValue {
			return nil, seqParamError("RESTART value (%d) cannot be greater than MAXVALUE (%d)", v, d.MaxValue)
		}
		restart = &v
	}
	if o.Cache != nil {
		d.Cache = *o.Cache
	}
	if d.Cache <= 0 {
		return nil, seqParamError("CACHE (%d) must be greater than zero", d.Cache)
	}
	return restart, nil
}

// counterValue encodes a sequence counter as DB.Increment keeps it.
func counterValue(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }

// resetCounter makes the next nextval of d return next; called is
// is_called as SELECT … FROM the sequence shows it (the uncalled marker
// is written first, so a reader never sees a called sequence as fresh).
func (s *Session) resetCounter(ctx context.Context, d *catalog.SequenceDescriptor, next int64, called bool) error {
	db, c := s.e.cfg.DB, counterValue(next-d.Increment)
	marker := c
	if called {
		marker = nil
	}
	if err := db.RawPut(ctx, catalog.SequenceUncalledKey(d.ID), marker); err != nil {
		return err
	}
	return db.RawPut(ctx, catalog.SequenceKey(d.ID), c)
}

// ownedBy resolves OWNED BY table.column into d's owner (updating the
// table's descriptor), or clears it for OWNED BY NONE.
func (s *Session) ownedBy(ctx context.Context, d *catalog.SequenceDescriptor, o *ast.SeqOptions) error {
	if len(o.OwnedBy) == 0 && !o.OwnedByNone {
		return nil
	}
	if d.OwnerTable != 0 { // the old owner forgets it
		old, err := catalog.GetRelation(ctx, s.txn, d.OwnerTable)
		if err != nil {
			return err
		}
		if old.Table != nil {
			catalog.SetOwnedSequence(old.Table, d.OwnerColumn, d.ID, false)
			if err := catalog.WriteTable(ctx, s.txn, old.Table); err != nil {
				return err
			}
		}
		d.OwnerTable, d.OwnerColumn = 0, 0
	}
	if o.OwnedByNone {
		return nil
	}
	parts := o.OwnedBy
	if len(parts) == 3 && parts[0] == "public" {
		parts = parts[1:]
	}
	if len(parts) != 2 {
		return pgerror.New(pgerror.CodeSyntaxError, "invalid OWNED BY option").
			WithHint("Specify OWNED BY table.column or OWNED BY NONE.")
	}
	rel, err := catalog.LookupRelation(ctx, s.txn, s.db.ID, parts[0])
	if err != nil {
		return err
	}
	if !rel.Exists() {
		return pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", parts[0])
	}
	if rel.Table == nil {
		return pgerror.New(pgerror.CodeObjectNotInPrerequisiteState, "sequence cannot be owned by relation \"%s\"", parts[0]).
			WithDetail("This operation is not supported for views.")
	}
	t := rel.Table
	ord := t.FindColumn(parts[1])
	if ord < 0 || t.Columns[ord].Hidden {
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", parts[1], t.Name)
	}
	d.OwnerTable, d.OwnerColumn = t.ID, t.Columns[ord].ID
	catalog.SetOwnedSequence(t, d.OwnerColumn, d.ID, true)
	return catalog.WriteTable(ctx, s.txn, t)
}

func (s *Session) createSequence(ctx context.Context, cs *ast.CreateSequence) (string, error) {
	if err := checkSchema(cs.Name); err != nil {
		return "", err
	}
	d := &catalog.SequenceDescriptor{Name: cs.Name.Name, ParentID: s.db.ID, Version: 1}
	if _, err := applySeqOptions(d, &cs.Options, true); err != nil {
		return "", err
	}
	taken, err := catalog.NameTaken(ctx, s.txn, s.db.ID, d.Name)
	if err != nil {
		return "", err
	}
	if taken {
		if cs.IfNotExists {
			s.queueNotice(pgerror.CodeDuplicateTable, "relation \"%s\" already exists, skipping", d.Name)
			return "CREATE SEQUENCE", nil
		}
		return "", pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", d.Name)
	}
	if err := s.newSequence(ctx, d); err != nil {
		return "", err
	}
	if err := s.ownedBy(ctx, d, &cs.Options); err != nil {
		return "", err
	}
	if d.OwnerTable != 0 {
		if err := catalog.WriteSequence(ctx, s.txn, d); err != nil {
			return "", err
		}
	}
	return "CREATE SEQUENCE", nil
}

// newSequence allocates d's id, writes its descriptor and name, and
// starts its counter.
func (s *Session) newSequence(ctx context.Context, d *catalog.SequenceDescriptor) error {
	id, err := catalog.AllocateID(ctx, s.e.cfg.DB)
	if err != nil {
		return err
	}
	d.ID = id
	if err := catalog.CreateSequence(ctx, s.txn, d); err != nil {
		if errors.Is(err, catalog.ErrNameExists) {
			return pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", d.Name)
		}
		return err
	}
	if s.createdNames == nil {
		s.createdNames = map[string]string{}
	}
	s.createdNames[string(kvpb.NamespaceKey(s.db.ID, d.Name))] = d.Name
	return s.resetCounter(ctx, d, d.Start, false)
}

// lookupSequenceDDL finds the sequence ALTER or DROP SEQUENCE names:
// nil, nil when absent; 42809 when the name is another relation's.
func (s *Session) lookupSequenceDDL(ctx context.Context, name ast.TableName) (*catalog.SequenceDescriptor, error) {
	if name.Schema != "" && name.Schema != "public" {
		return nil, nil
	}
	d, err := catalog.LookupSequence(ctx, s.txn, s.db.ID, name.Name)
	if err != nil || d != nil {
		return d, err
	}
	rel, err := catalog.LookupRelation(ctx, s.txn, s.db.ID, name.Name)
	if err != nil {
		return nil, err
	}
	if rel.Exists() {
		hint := "Use DROP TABLE to remove a table."
		if rel.View != nil {
			hint = "Use DROP VIEW to remove a view."
		}
		return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a sequence", name.Name).WithHint("%s", hint)
	}
	if err := s.notAnIndex(ctx, name, "sequence"); err != nil { // ddl_index.go
		return nil, err
	}
	return nil, nil
}

func (s *Session) alterSequence(ctx context.Context, as *ast.AlterSequence) (string, error) {
	d, err := s.lookupSequenceDDL(ctx, as.Name)
	if err != nil {
		return "", err
	}
	if d == nil {
		if as.IfExists {
			s.queueNotice("00000", "relation \"%s\" does not exist, skipping", as.Name.Name)
			return "ALTER SEQUENCE", nil
		}
		return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", as.Name.Name)
	}
	restart, err := applySeqOptions(d, &as.Options, false)
	if err != nil {
		return "", err
	}
	if err := s.ownedBy(ctx, d, &as.Options); err != nil {
		return "", err
	}
	if err := catalog.WriteSequence(ctx, s.txn, d); err != nil {
		return "", err
	}
	if restart != nil {
		if err := s.resetCounter(ctx, d, *restart, false); err != nil {
			return "", err
		}
	}
	return "ALTER SEQUENCE", nil
}

func (s *Session) dropSequence(ctx context.Context, ds *ast.DropSequence) (string, error) {
	var seqs []*catalog.SequenceDescriptor
	for _, name := range ds.Names {
		d, err := s.lookupSequenceDDL(ctx, name)
		if err != nil {
			return "", err
		}
		if d == nil {
			if ds.IfExists {
				s.queueNotice("00000", "sequence \"%s\" does not exist, skipping", name.Name)
				continue
			}
			return "", pgerror.New(pgerror.CodeUndefinedTable, "sequence \"%s\" does not exist", name.Name)
		}
		seqs = append(seqs, d)
	}
	for _, d := range seqs {
		if err := s.dropSequenceDesc(ctx, d, ds.Cascade, true); err != nil {
			return "", err
		}
	}
	return "DROP SEQUENCE", nil
}

// dropSequenceDesc drops d. A default of its owning column that uses it
// forbids the drop (2BP01) unless cascade, which removes the default;
// fixOwner also updates the owning table (not when it is being dropped).
func (s *Session) dropSequenceDesc(ctx context.Context, d *catalog.SequenceDescriptor, cascade, fixOwner bool) error {
	if fixOwner && d.OwnerTable != 0 {
		rel, err := catalog.GetRelation(ctx, s.txn, d.OwnerTable)
		if err != nil {
			return err
		}
		if t := rel.Table; t != nil {
			if ord := t.ColumnOrdinal(d.OwnerColumn); ord >= 0 {
				c := &t.Columns[ord]
				if strings.Contains(c.Default, "'"+d.Name+"'") {
					what := fmt.Sprintf("default value for column %s of table %s", c.Name, t.Name)
					if !cascade {
						return pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop sequence %s because other objects depend on it", d.Name).
							WithDetail("%s depends on sequence %s", what, d.Name).
							WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
					}
					s.queueNotice("00000", "drop cascades to %s", what)
					c.Default, c.Identity = "", 0
				}
			}
			catalog.SetOwnedSequence(t, d.OwnerColumn, d.ID, false)
			if err := catalog.WriteTable(ctx, s.txn, t); err != nil {
				return err
			}
		}
	}
	return catalog.DropSequence(ctx, s.txn, d)
}

// dropOwnedSequences drops the sequences t's columns own (DROP TABLE).
func (s *Session) dropOwnedSequences(ctx context.Context, t *catalog.TableDescriptor) error {
	for _, c := range t.Columns {
		for _, id := range c.OwnedSequences {
			d, err := catalog.GetSequence(ctx, s.txn, id)
			if err != nil {
				return err
			}
			if d != nil {
				if err := s.dropSequenceDesc(ctx, d, true, false); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// notASequenceTable refuses DROP TABLE of a sequence's name (42809).
func (s *Session) notASequenceTable(ctx context.Context, name ast.TableName) error {
	if name.Schema != "" && name.Schema != "public" {
		return nil
	}
	d, err := catalog.LookupSequence(ctx, s.txn, s.db.ID, name.Name)
	if err != nil || d == nil {
		return err
	}
	return pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", name.Name).
		WithHint("Use DROP SEQUENCE to remove a sequence.")
}

// bindColumnDefaults type-checks CREATE TABLE's column DEFAULTs and sets
// the descriptor's defaults, identity kinds and the NOT NULL of serial
// and identity columns (before anything is written).
func (s *Session) bindColumnDefaults(ctx context.Context, ct *ast.CreateTable, t *catalog.TableDescriptor) error {
	for _, cd := range ct.Columns {
		ord := t.FindColumn(cd.Name)
		if ord < 0 {
			continue
		}
		c := &t.Columns[ord]
		switch {
		case cd.Default != nil:
			if _, err := plan.BindDefault(ctx, &resolver{s: s}, t, ord, cd.Default); err != nil {
				return err
			}
			c.Default = cd.DefaultText
		case cd.Serial || cd.Identity != 0:
			if _, ok := seqTypeName(c.Type.SQLName()); !ok {
				return pgerror.New(pgerror.CodeInvalidParameterValue, "identity column type must be smallint, integer, or bigint")
			}
			c.Nullable = false
			c.Identity = cd.Identity
		}
	}
	return nil
}

// createColumnSequences creates the sequences of CREATE TABLE's serial
// and identity columns, named <table>_<column>_seq (with a number when
// taken) and owned by their columns, and rewrites the table's
// descriptor with the defaults that use them.
func (s *Session) createColumnSequences(ctx context.Context, ct *ast.CreateTable, t *catalog.TableDescriptor) error {
	changed := false
	for _, cd := range ct.Columns {
		if !cd.Serial && cd.Identity == 0 {
			continue
		}
		ord := t.FindColumn(cd.Name)
		c := &t.Columns[ord]
		base := fmt.Sprintf("%s_%s_seq", t.Name, c.Name)
		name := base
		custom := cd.IdentityOptions != nil && cd.IdentityOptions.SeqName != ""
		if custom {
			// SEQUENCE NAME, as pg_dump writes it: taken is 42P07.
			name = cd.IdentityOptions.SeqName
			taken, err := catalog.NameTaken(ctx, s.txn, s.db.ID, name)
			if err != nil {
				return err
			}
			if taken {
				return pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", name)
			}
		}
		for i := 1; !custom; i++ {
			taken, err := catalog.NameTaken(ctx, s.txn, s.db.ID, name)
			if err != nil {
				return err
			}
			if !taken {
				break
			}
			name = fmt.Sprintf("%s%d", base, i)
		}
		d := &catalog.SequenceDescriptor{Name: name, ParentID: s.db.ID, Version: 1}
		opts := &ast.SeqOptions{}
		if cd.IdentityOptions != nil {
			opts = cd.IdentityOptions
		}
		if opts.As == "" {
			opts.As = c.Type.SQLName()
		}
		if _, err := applySeqOptions(d, opts, true); err != nil {
			return err
		}
		d.OwnerTable, d.OwnerColumn = t.ID, c.ID
		if err := s.newSequence(ctx, d); err != nil {
			return err
		}
		c.Default = fmt.Sprintf("nextval('%s'::regclass)", strings.ReplaceAll(regclassName(name), "'", "''"))
		c.OwnedSequences = append(c.OwnedSequences, d.ID)
		changed = true
	}
	if !changed {
		return nil
	}
	return catalog.WriteTable(ctx, s.txn, t)
}

// ParseDefault parses a stored column DEFAULT for the planner.
func (r *resolver) ParseDefault(text string) (ast.Expr, error) { return parser.ParseExpr(text) }

// seqRunner runs the sequence functions for one session (exec.Sequences).
type seqRunner struct{ s *Session }

// seqName reads a sequence name as regclass's input does: an identifier,
// optionally schema-qualified, downcased unless double-quoted.
func seqName(text string) (schema, name string) {
	var parts []string
	var cur strings.Builder
	quoted := false
	for i := 0; i < len(text); i++ {
		ch := text[i]
		switch {
		case ch == '"':
			if quoted && i+1 < len(text) && text[i+1] == '"' {
				cur.WriteByte('"')
				i++
				continue
			}
			quoted = !quoted
		case ch == '.' && !quoted:
			parts = append(parts, cur.String())
			cur.Reset()
		case !quoted:
			cur.WriteString(strings.ToLower(string(ch)))
		default:
			cur.WriteByte(ch)
		}
	}
	parts = append(parts, cur.String())
	if len(parts) == 1 {
		return "", strings.TrimSpace(parts[0])
	}
	return strings.TrimSpace(parts[len(parts)-2]), strings.TrimSpace(parts[len(parts)-1])
}

// lookup resolves a sequence function's argument: 42P01 when no relation
// has the name, 42809 when it is not a sequence.
func (r seqRunner) lookup(ctx context.Context, text string) (*catalog.SequenceDescriptor, error) {
	schema, name := seqName(text)
	missing := func() error {
		full := name
		if schema != "" {
			full = schema + "." + name
		}
		return pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", full)
	}
	if schema != "" && schema != "public" {
		return nil, missing()
	}
	s := r.s
	d, err := catalog.LookupSequence(ctx, s.txn, s.db.ID, name)
	if err != nil || d != nil {
		return d, err
	}
	taken, err := catalog.NameTaken(ctx, s.txn, s.db.ID, name)
	if err != nil {
		return nil, err
	}
	if taken {
		return nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a sequence", name)
	}
	return nil, missing()
}

// NextVal advances the sequence and returns its new value.
func (r seqRunner) NextVal(ctx context.Context, text string) (int64, error) {
	d, err := r.lookup(ctx, text)
	if err != nil {
		return 0, err
	}
	if r.s.txnModes.readOnly {
		return 0, pgerror.New("25006", "cannot execute nextval() in a read-only transaction")
	}
	db, key := r.s.e.cfg.DB, catalog.SequenceKey(d.ID)
	for {
		v, err := db.Increment(ctx, key, d.Increment)
		if err != nil {
			return 0, err
		}
		prev := v - d.Increment
		var past bool
		var wrapTo int64
		if d.Increment > 0 {
			past, wrapTo = prev > d.MaxValue-d.Increment, d.MinValue
		} else {
			past, wrapTo = prev < d.MinValue-d.Increment, d.MaxValue
		}
		if past {
			if !d.Cycle {
				// Undo this call's step where no other call moved the
				// counter since, so a later ALTER … MAXVALUE continues
				// where PostgreSQL would.
				_ = db.RawCPut(ctx, key, counterValue(prev), counterValue(v), true)
				bound, which := d.MaxValue, "maximum"
				if d.Increment < 0 {
					bound, which = d.MinValue, "minimum"
				}
				return 0, pgerror.New("2200H", "nextval: reached %s value of sequence \"%s\" (%d)", which, d.Name, bound)
			}
			err := db.RawCPut(ctx, key, counterValue(wrapTo), counterValue(v), true)
			var cf *kvpb.ConditionFailedError
			if errors.As(err, &cf) {
				continue // another caller moved the counter: step again
			}
			if err != nil {
				return 0, err
			}
			v = wrapTo
		}
		r.remember(d.ID, v)
		r.s.seqState.last, r.s.seqState.hasLast = v, true
		return v, nil
	}
}

func (r seqRunner) remember(id uint64, v int64) {
	if r.s.seqState.curr == nil {
		r.s.seqState.curr = map[uint64]int64{}
	}
	r.s.seqState.curr[id] = v
}

// CurrVal returns the value nextval last returned for the sequence in
// this session.
func (r seqRunner) CurrVal(ctx context.Context, text string) (int64, error) {
	d, err := r.lookup(ctx, text)
	if err != nil {
		return 0, err
	}
	v, ok := r.s.seqState.curr[d.ID]
	if !ok {
		return 0, pgerror.New(pgerror.CodeObjectNotInPrerequisiteState, "currval of sequence \"%s\" is not yet defined in this session", d.Name)
	}
	return v, nil
}

// SetVal moves the sequence so that the next nextval returns v (isCalled
// false) or the value after v.
func (r seqRunner) SetVal(ctx context.Context, text string, v int64, isCalled bool) (int64, error) {
	d, err := r.lookup(ctx, text)
	if err != nil {
		return 0, err
	}
	if v < d.MinValue || v > d.MaxValue {
		return 0, pgerror.New(pgerror.CodeNumericValueOutOfRange, "setval: value %d is out of bounds for sequence \"%s\" (%d..%d)",
			v, d.Name, d.MinValue, d.MaxValue)
	}
	next := v
	if isCalled {
		next = v + d.Increment
		r.remember(d.ID, v)
	}
	if err := r.s.resetCounter(ctx, d, next, isCalled); err != nil {
		return 0, err
	}
	return v, nil
}

// LastVal returns the value nextval last returned in this session.
func (r seqRunner) LastVal(context.Context) (int64, error) {
	if !r.s.seqState.hasLast {
		return 0, pgerror.New(pgerror.CodeObjectNotInPrerequisiteState, "lastval is not yet defined in this session")
	}
	return r.s.seqState.last, nil
}

// refuseSequence is the planner's answer for a sequence's name where a
// table is wanted: SELECT * FROM s is not implemented yet (0A000, never
// "does not exist"). nil when the name is no sequence's.
func (r *resolver) refuseSequence(ctx context.Context, name ast.TableName) error {
	seq, err := catalog.LookupSequence(ctx, r.s.txn, r.s.db.ID, name.Name)
	if err != nil || seq == nil {
		return err
	}
	return pgerror.Unsupported("reading or writing sequence \"" + seq.Name + "\" as a table").WithPosition(name.Pos)
}

// restartOwnedSequences restarts the sequences the tables' columns own
// (TRUNCATE … RESTART IDENTITY). Like every counter write it is not
// undone if the transaction rolls back (PostgreSQL's is).
func (s *Session) restartOwnedSequences(ctx context.Context, tables []*catalog.TableDescriptor) error {
	for _, t := range tables {
		for _, c := range t.Columns {
			for _, id := range c.OwnedSequences {
				d, err := catalog.GetSequence(ctx, s.txn, id)
				if err != nil {
					return err
				}
				if d != nil {
					if err := s.resetCounter(ctx, d, d.Start, false); err != nil {
						return err
					}
				}
			}
		}
	}
	return nil
}

// sequenceColumns are the columns of SELECT … FROM a sequence.
var sequenceColumns = []plan.Column{
	{Name: "last_value", Typ: types.Int8}, {Name: "log_cnt", Typ: types.Int8}, {Name: "is_called", Typ: types.Bool},
}

// sequenceTable reads a sequence as the one-row relation PostgreSQL shows
// (plan.VirtualResolver): last_value and is_called from its counters;
// log_cnt, the values PostgreSQL's WAL logged ahead, is always 0 here
// (there is no WAL ahead-logging: every value is one raft command).
func (r *resolver) sequenceTable(schema, name string) ([]plan.Column, []types.Datums, bool) {
	if schema != "" && schema != "public" {
		return nil, nil, false
	}
	ctx := r.ctx
	if ctx == nil {
		ctx = context.Background()
	}
	d, err := catalog.LookupSequence(ctx, r.s.txn, r.s.db.ID, name)
	if err != nil || d == nil {
		return nil, nil, false
	}
	db := r.s.e.cfg.DB
	cur, ok, err := db.RawGet(ctx, catalog.SequenceKey(d.ID))
	if err != nil || !ok || len(cur) != 8 {
		return nil, nil, false
	}
	mark, _, err := db.RawGet(ctx, catalog.SequenceUncalledKey(d.ID))
	if err != nil {
		return nil, nil, false
	}
	last := int64(binary.BigEndian.Uint64(cur))
	called := !bytes.Equal(mark, cur)
	if !called {
		last += d.Increment
	}
	return sequenceColumns, []types.Datums{{types.DInt(last), types.DInt(0), types.DBool(called)}}, true
}

// regclassName quotes a relation name as regclass's output does: bare
// when it reads back as itself, else in double quotes.
func regclassName(name string) string {
	plain := name != ""
	for i, r := range name {
		if !(r == '_' || (r >= 'a' && r <= 'z') || (i > 0 && (r >= '0' && r <= '9' || r == '$'))) {
			plain = false
		}
	}
	if plain {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}
