package exec

import (
	"context"
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// This file reads through secondary indexes and builds them.
//
// A scan of a secondary index (plan.Scan.Index) reads index entries from
// its spans; each entry gives the row's index and primary key columns.
// An index-only scan returns those (other columns NULL, which the planner
// guarantees nobody reads); otherwise the row is fetched by primary key
// with one point Get (an index join) in the same snapshot. Either way the
// scan yields the row's primary key, so UPDATE and DELETE run over index
// scans as over primary ones.

// indexRow fills row from the index entry kv (and, unless index-only, the
// row it leads to) and returns the row's primary key.
func (s *scanOp) indexRow(ctx context.Context, kv *kvpb.KeyValue, row types.Datums) (kvpb.Key, error) {
	for i := range row {
		row[i] = types.DNull
	}
	if err := rowenc.DecodeIndexEntry(s.table, s.index, kv.Key, kv.Value, row); err != nil {
		return nil, err
	}
	pk, err := rowenc.EncodePrimaryKey(s.table, row)
	if err != nil {
		return nil, err
	}
	if s.indexOnly {
		return pk, nil
	}
	v, ok, err := s.env.ec.Txn.Get(ctx, pk)
	if err != nil {
		return nil, err
	}
	if !ok {
		s.count(1, 0, 0)
		return nil, fmt.Errorf("exec: entry %s of index %q leads to no row", kv.Key, s.index.Name)
	}
	s.count(1, 0, 1)
	if err := rowenc.DecodeValue(s.table, v, row); err != nil {
		return nil, err
	}
	return pk, nil
}

// updateReadsFirst reports whether an UPDATE must read all its input
// before writing: when it moves rows (a primary key column is assigned)
// or assigns a column of the secondary index it scans, a written row
// could be met again further along the scan.
func updateReadsFirst(n *plan.Update) bool {
	if n.KeyChanged {
		return true
	}
	sc, ok := n.Input.(*plan.Scan)
	if !ok || sc.Index == nil {
		return false
	}
	for _, set := range n.Sets {
		id := n.Table.Columns[set.Ordinal].ID
		for _, c := range sc.Index.ColumnIDs {
			if c == id {
				return true
			}
		}
	}
	return false
}

// BackfillIndex writes the entry of every row of t in idx, a new index,
// in ec.Txn (reading at its snapshot); with pred (a partial index's
// predicate) only of the rows it holds for. A unique index that two rows
// would share fails with PostgreSQL's 23505 "could not create unique
// index".
func BackfillIndex(ctx context.Context, ec *Context, t *catalog.TableDescriptor, idx *catalog.Index, pred plan.Expr) error {
	exists := func(ctx context.Context, k kvpb.Key) (bool, error) { return txnExists(ctx, ec, k) }
	env := &evalEnv{ec: ec, ctx: ctx}
	return forEachRow(ctx, ec, t, func(row types.Datums) error {
		if pred != nil {
			d, err := env.eval(pred, row)
			if err != nil {
				return err
			}
			if v, ok := d.(types.DBool); !ok || !bool(v) {
				return nil // not in the partial index
			}
		}
		return putIndexEntry(ctx, ec, t, idx, row, exists, func() error {
			return pgerror.New(pgerror.CodeUniqueViolation, "could not create unique index \"%s\"", idx.Name).
				WithDetail("Key %s is duplicated.", indexKeyString(t, idx, row))
		})
	})
}

// forEachRow calls fn with every row of t in ec's transaction (read at
// its snapshot through the primary index, decoded with t, so a column t
// adds reads NULL), checking for cancellation as it goes.
func forEachRow(ctx context.Context, ec *Context, t *catalog.TableDescriptor, fn func(row types.Datums) error) error {
	prefix := rowenc.IndexPrefix(t, &t.PrimaryIndex)
	span := &kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	n := 0
	for span != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, resume, err := ec.Txn.Scan(ctx, *span, ec.batchSize(), DefaultScanBatchBytes)
		if err != nil {
			return err
		}
		if ec.Stats != nil {
			ec.Stats.Scans.Add(1)
			ec.Stats.KeysRead.Add(int64(len(rows)))
		}
		for _, kv := range rows {
			if n++; n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			row := make(types.Datums, len(t.Columns))
			if err := rowenc.DecodePrimaryKey(t, kv.Key, row); err != nil {
				return err
			}
			if err := rowenc.DecodeValue(t, kv.Value, row); err != nil {
				return err
			}
			if err := fn(row); err != nil {
				return err
			}
		}
		span = resume
	}
	return nil
}

// readAll drains src into memory (within the statement's budget) and
// returns a source of its rows, for an INSERT whose input reads the
// table it writes.
func (m *mutationOp) readAll(ctx context.Context, src RowSource) (RowSource, error) {
	var rows []types.Datums
	for {
		r, err := src.Next(ctx)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return &bufferedRows{rows: rows}, nil
		}
		if err := m.acct.grow(m.env.ec, rowSize(r), "INSERT"); err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
}

// bufferedRows returns rows read earlier.
type bufferedRows struct{ rows []types.Datums }

func (b *bufferedRows) Next(context.Context) (types.Datums, error) {
	if len(b.rows) == 0 {
		return nil, nil
	}
	r := b.rows[0]
	b.rows = b.rows[1:]
	return r, nil
}

func (b *bufferedRows) Close() { b.rows = nil }

// Conversion is how a table rewrite computes a column of the new layout:
// Expr over the row as stored, assignment-cast to the column's new type.
type Conversion struct {
	Ordinal int // in the new layout
	Expr    plan.Expr
}

// RewriteTable writes every row of old (the table's layout as its rows
// are stored) under t's primary index, a new one, in ec.Txn: the
// columns both have keep their values (by column id), convs compute
// theirs, the others are NULL. For ALTER TABLE … ADD PRIMARY KEY and
// ALTER COLUMN … TYPE: a NULL in a key column is 23502, a key two rows
// share 23505, a value that does not convert its cast's error, worded
// as PostgreSQL words them. The old rows' span is the caller's to
// clear; t's secondary indexes are built afterwards (BackfillIndex).
func RewriteTable(ctx context.Context, ec *Context, old, t *catalog.TableDescriptor, convs []Conversion) error {
	pk := &t.PrimaryIndex
	env := &evalEnv{ec: ec, ctx: ctx}
	return forEachRow(ctx, ec, old, func(orow types.Datums) error {
		row := make(types.Datums, len(t.Columns))
		for i := range t.Columns {
			row[i] = types.DNull
			if o := old.ColumnOrdinal(t.Columns[i].ID); o >= 0 {
				row[i] = orow[o]
			}
		}
		for _, c := range convs {
			v, err := env.eval(c.Expr, orow)
			if err != nil {
				return err
			}
			if v != types.DNull {
				if v, err = types.AssignCast(v, t.Columns[c.Ordinal].Type, ec.fc()); err != nil {
					return err
				}
			}
			row[c.Ordinal] = v
		}
		for _, id := range pk.ColumnIDs {
			if o := t.ColumnOrdinal(id); row[o] == types.DNull {
				return pgerror.New(pgerror.CodeNotNullViolation, "column \"%s\" of relation \"%s\" contains null values",
					t.Columns[o].Name, t.Name)
			}
		}
		key, err := rowenc.EncodePrimaryKey(t, row)
		if err != nil {
			return err
		}
		// The new index's span is fresh: only this rewrite writes there.
		if ec.Txn.HasWrite(key) {
			return pgerror.New(pgerror.CodeUniqueViolation, "could not create unique index \"%s\"", pk.Name).
				WithDetail("Key %s is duplicated.", indexKeyString(t, pk, row))
		}
		val, err := rowenc.EncodeValue(t, row)
		if err != nil {
			return err
		}
		return ec.Txn.Put(key, val)
	})
}
