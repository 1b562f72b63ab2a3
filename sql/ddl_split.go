package sql

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// The range statements (sql/ast ranges.go) ask the cluster's
// kv.RangeAdmin (Config.Ranges) about its ranges:
//
//   - SPLIT TABLE t [INDEX i] BY (v…), … splits at each value list's key;
//     BETWEEN (lo…) AND (hi…) REGIONS n cuts [lo, hi) into n pieces: for
//     one integer value, n-1 split points at lo + i*(hi-lo)/n; otherwise
//     evenly on the 8 bytes after the encoded bounds' common prefix, as
//     TiDB does. Keys are the primary index's /Table/<id>/1/<pk…> or the
//     index's /Table/<id>/<indexID>/<cols…>, values coerced to the key
//     columns' types (a list may give a prefix of them). The result is
//     TiDB's one row: TOTAL_SPLIT_REGION (new ranges) and
//     SCATTER_FINISH_RATIO (the fraction of splits that succeeded; there is
//     no scatter yet).
//   - SHOW TABLE t [INDEX i] REGIONS lists the ranges over the table's (or
//     index's) span in TiDB's columns, keys in TiDB's style clipped to the
//     span: t_<id>_ (table prefix), t_<id>_r_<pk…> (rows),
//     t_<id>_i_<indexID>_<vals…> (index entries).
//   - SHOW RANGES lists every range of the cluster, keys as
//     kvpb.PrettyKey prints them.
//
// None of them is transactional: a split happens when the statement runs,
// whatever becomes of its transaction, as in TiDB. They read the catalog in
// the session's transaction.

// maxSplitRegions bounds REGIONS n, as TiDB's limit does.
const maxSplitRegions = 1000

func textCol(name string) ResultColumn {
	return ResultColumn{Name: name, TypeOID: types.OIDText, TypeSize: -1, TypeModifier: -1}
}

func int8Col(name string) ResultColumn {
	return ResultColumn{Name: name, TypeOID: types.OIDInt8, TypeSize: 8, TypeModifier: -1}
}

func float8Col(name string) ResultColumn {
	return ResultColumn{Name: name, TypeOID: types.OIDFloat8, TypeSize: 8, TypeModifier: -1}
}

func resultTypes(cols []ResultColumn) []*types.T {
	out := make([]*types.T, len(cols))
	for i, c := range cols {
		switch c.TypeOID {
		case types.OIDInt8:
			out[i] = types.Int8
		case types.OIDFloat8:
			out[i] = types.Float8
		default:
			out[i] = types.Text
		}
	}
	return out
}

var (
	splitColumns   = []ResultColumn{int8Col("TOTAL_SPLIT_REGION"), float8Col("SCATTER_FINISH_RATIO")}
	regionsColumns = []ResultColumn{
		int8Col("REGION_ID"), textCol("START_KEY"), textCol("END_KEY"), int8Col("LEADER_ID"),
		int8Col("LEADER_STORE_ID"), textCol("PEERS"), int8Col("SCATTERING"), int8Col("WRITTEN_BYTES"),
		int8Col("READ_BYTES"), int8Col("APPROXIMATE_SIZE(MB)"), int8Col("APPROXIMATE_KEYS"),
	}
	rangesColumns = []ResultColumn{
		textCol("start_key"), textCol("end_key"), int8Col("range_id"), textCol("replicas"), int8Col("lease_holder"),
		textCol("voting_replicas"),
	}
)

// prepareRangeStmt describes a range statement's result; it runs when
// opened.
func (s *Session) prepareRangeStmt(stmt ast.Statement, paramTypes []*types.T) *preparedPlan {
	var cols []ResultColumn
	switch stmt.(type) {
	case *ast.SplitTable:
		cols = splitColumns
	case *ast.ShowTableRegions:
		cols = regionsColumns
	case *ast.ShowRanges:
		cols = rangesColumns
	}
	cols = append([]ResultColumn(nil), cols...)
	return &preparedPlan{Stmt: stmt, ParamTypes: paramTypes, Columns: cols, ColumnTypes: resultTypes(cols), ranges: true}
}

// rowsCursor returns rows computed in advance.
type rowsCursor struct {
	rows []types.Datums
	n    int
}

func (c *rowsCursor) Next(ctx context.Context) (types.Datums, error) {
	if c.n >= len(c.rows) {
		return nil, nil
	}
	c.n++
	return c.rows[c.n-1], nil
}

func (c *rowsCursor) Tag() string { return "SELECT " + strconv.Itoa(len(c.rows)) }
func (c *rowsCursor) Close()      {}

// openRangeStmt runs a range statement and returns its rows.
func (s *Session) openRangeStmt(ctx context.Context, stmt ast.Statement) (Cursor, error) {
	admin := s.e.cfg.Ranges
	if admin == nil {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "%s requires a cluster range admin", rangeStmtName(stmt))
	}
	var rows []types.Datums
	var err error
	switch n := stmt.(type) {
	case *ast.SplitTable:
		rows, err = s.splitTable(ctx, admin, n)
	case *ast.ShowTableRegions:
		rows, err = s.showTableRegions(ctx, admin, n)
	case *ast.ShowRanges:
		rows, err = showRanges(ctx, admin)
	}
	if err != nil {
		return nil, err
	}
	return &rowsCursor{rows: rows}, nil
}

func rangeStmtName(stmt ast.Statement) string {
	switch stmt.(type) {
	case *ast.SplitTable:
		return "SPLIT TABLE"
	case *ast.ShowTableRegions:
		return "SHOW TABLE … REGIONS"
	}
	return "SHOW RANGES"
}

// rangeTarget resolves a range statement's table and index (nil index:
// the primary index). An index named like the primary key's constraint is
// the primary index.
func (s *Session) rangeTarget(ctx context.Context, name ast.TableName, index string) (*catalog.TableDescriptor, *catalog.Index, error) {
	rel, err := s.lookupRelation(ctx, name)
	if err != nil {
		return nil, nil, err
	}
	if !rel.Exists() {
		return nil, nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name.Name).WithPosition(name.Pos)
	}
	if rel.View != nil {
		return nil, nil, pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", name.Name).WithPosition(name.Pos)
	}
	t := rel.Table
	if index == "" {
		return t, nil, nil
	}
	if t.PrimaryIndex.Name == index {
		return t, &t.PrimaryIndex, nil
	}
	for i := range t.Indexes {
		if t.Indexes[i].Name == index {
			return t, &t.Indexes[i], nil
		}
	}
	return nil, nil, pgerror.New(pgerror.CodeUndefinedObject, "index \"%s\" of table \"%s\" does not exist", index, t.Name)
}

// keyColumns returns the types and directions of the key columns idx's
// keys hold in order (a secondary index: its columns, then the primary
// key's others).
func keyColumns(t *catalog.TableDescriptor, idx *catalog.Index) ([]*types.T, []catalog.Direction) {
	ids, dirs := rowenc.IndexKeyColumns(t, idx)
	ts := make([]*types.T, len(ids))
	for i, id := range ids {
		ts[i] = t.Columns[t.ColumnOrdinal(id)].Type
	}
	return ts, dirs
}

// coerceValue turns a constant of a value list into a datum of type t, as
// the literal's text would be read as t.
func (s *Session) coerceValue(e ast.Expr, t *types.T) (types.Datum, error) {
	var text string
	switch v := e.(type) {
	case *ast.NullVal:
		return types.DNull, nil
	case *ast.NumVal:
		if v.IsInt && t.Family == types.IntFamily {
			text = strconv.FormatInt(v.Int, 10)
		} else {
			text = v.Text
		}
	case *ast.StrVal:
		text = v.Val
	case *ast.BoolVal:
		text = strconv.FormatBool(v.Val)
	default:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "only constants are supported in SPLIT TABLE value lists").WithPosition(e.Position())
	}
	d, err := types.ParseTextCtx(t, text, s.FormatContext())
	if err != nil {
		if pe, ok := err.(*pgerror.Error); ok && pe.Position == 0 {
			return nil, pe.WithPosition(e.Position())
		}
		return nil, err
	}
	return d, nil
}

// encodeSplitKey encodes a value list as a key of idx.
func (s *Session) encodeSplitKey(t *catalog.TableDescriptor, idx *catalog.Index, vals []ast.Expr) (kvpb.Key, error) {
	ts, dirs := keyColumns(t, idx)
	if len(vals) > len(ts) {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue,
			"SPLIT TABLE \"%s\": a value list has %d values, but index \"%s\" has %d key columns", t.Name, len(vals), idx.Name, len(ts))
	}
	key := append(kvpb.Key(nil), rowenc.IndexPrefix(t, idx)...)
	for i, v := range vals {
		d, err := s.coerceValue(v, ts[i])
		if err != nil {
			return nil, err
		}
		if key, err = rowenc.EncodeKeyDatum(key, d, dirs[i]); err != nil {
			return nil, err
		}
	}
	return key, nil
}

func (s *Session) splitTable(ctx context.Context, admin kv.RangeAdmin, n *ast.SplitTable) ([]types.Datums, error) {
	t, idx, err := s.rangeTarget(ctx, n.Table, n.Index)
	if err != nil {
		return nil, err
	}
	if idx == nil {
		idx = &t.PrimaryIndex
	}
	var keys []kvpb.Key
	if n.By != nil {
		for _, l := range n.By {
			k, err := s.encodeSplitKey(t, idx, l)
			if err != nil {
				return nil, err
			}
			keys = append(keys, k)
		}
	} else {
		if keys, err = s.betweenKeys(t, idx, n); err != nil {
			return nil, err
		}
	}
	keys = sortedUnique(keys)
	split, failed := 0, 0
	var firstErr error
	for _, k := range keys {
		ok, err := admin.SplitAt(ctx, k)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			failed++
			if firstErr == nil {
				firstErr = err
			}
			continue
		}
		if ok {
			split++
		}
	}
	if failed > 0 && failed == len(keys) {
		return nil, firstErr
	}
	ratio := 1.0
	if failed > 0 {
		ratio = float64(len(keys)-failed) / float64(len(keys))
		s.queueNotice("01000", "%d of %d splits failed: %v", failed, len(keys), firstErr)
	}
	return []types.Datums{{types.DInt(split), types.DFloat(ratio)}}, nil
}

// betweenKeys returns the split keys of BETWEEN (lo) AND (hi) REGIONS n.
func (s *Session) betweenKeys(t *catalog.TableDescriptor, idx *catalog.Index, n *ast.SplitTable) ([]kvpb.Key, error) {
	if n.Regions < 1 || n.Regions > maxSplitRegions {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue,
			"SPLIT TABLE \"%s\": REGIONS must be between 1 and %d, not %d", t.Name, maxSplitRegions, n.Regions)
	}
	lo, err := s.encodeSplitKey(t, idx, n.Lower)
	if err != nil {
		return nil, err
	}
	hi, err := s.encodeSplitKey(t, idx, n.Upper)
	if err != nil {
		return nil, err
	}
	if bytes.Compare(lo, hi) >= 0 {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue,
			"SPLIT TABLE \"%s\": the lower value %s must sort before the upper value %s", t.Name, listText(n.Lower), listText(n.Upper))
	}
	ts, dirs := keyColumns(t, idx)
	if len(n.Lower) == 1 && len(n.Upper) == 1 && ts[0].Family == types.IntFamily {
		l, err := s.coerceValue(n.Lower[0], ts[0])
		if err != nil {
			return nil, err
		}
		h, err := s.coerceValue(n.Upper[0], ts[0])
		if err != nil {
			return nil, err
		}
		li, lok := l.(types.DInt)
		hv, hok := h.(types.DInt)
		if lok && hok {
			return intSplitKeys(rowenc.IndexPrefix(t, idx), dirs[0], int64(li), int64(hv), n.Regions)
		}
	}
	return byteSplitKeys(lo, hi, n.Regions), nil
}

func listText(l []ast.Expr) string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = e.String()
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// intSplitKeys returns the keys of lo + i*(hi-lo)/n for i in 1..n-1 (exact,
// without overflow).
func intSplitKeys(prefix kvpb.Key, dir catalog.Direction, lo, hi, n int64) ([]kvpb.Key, error) {
	var keys []kvpb.Key
	bl, width := big.NewInt(lo), new(big.Int).Sub(big.NewInt(hi), big.NewInt(lo))
	for i := int64(1); i < n; i++ {
		v := new(big.Int).Mul(width, big.NewInt(i))
		v.Quo(v, big.NewInt(n))
		v.Add(v, bl)
		if v.Int64() == lo {
			continue
		}
		k, err := rowenc.EncodeKeyDatum(append(kvpb.Key(nil), prefix...), types.DInt(v.Int64()), dir)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	return keys, nil
}

// byteSplitKeys cuts [lo, hi) evenly on the encoded bytes, as TiDB does
// for keys that are not one integer: after the bounds' common prefix, the
// next 8 bytes of each (zero-padded) are read as big-endian integers and
// the n-1 points between them, appended to the prefix, are the keys.
func byteSplitKeys(lo, hi kvpb.Key, n int64) []kvpb.Key {
	p := 0
	for p < len(lo) && p < len(hi) && lo[p] == hi[p] {
		p++
	}
	word := func(k kvpb.Key) uint64 {
		var b [8]byte
		copy(b[:], k[p:])
		return binary.BigEndian.Uint64(b[:])
	}
	l, h := word(lo), word(hi)
	width := new(big.Int).Sub(new(big.Int).SetUint64(h), new(big.Int).SetUint64(l))
	var keys []kvpb.Key
	for i := int64(1); i < n; i++ {
		v := new(big.Int).Mul(width, big.NewInt(i))
		v.Quo(v, big.NewInt(n))
		v.Add(v, new(big.Int).SetUint64(l))
		var b [8]byte
		binary.BigEndian.PutUint64(b[:], v.Uint64())
		k := append(append(kvpb.Key(nil), lo[:p]...), bytes.TrimRight(b[:], "\x00")...)
		if bytes.Compare(k, lo) <= 0 || bytes.Compare(k, hi) >= 0 {
			continue
		}
		keys = append(keys, k)
	}
	return keys
}

func sortedUnique(keys []kvpb.Key) []kvpb.Key {
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	out := keys[:0]
	for i, k := range keys {
		if i > 0 && bytes.Equal(k, keys[i-1]) {
			continue
		}
		out = append(out, k)
	}
	return out
}

func (s *Session) showTableRegions(ctx context.Context, admin kv.RangeAdmin, n *ast.ShowTableRegions) ([]types.Datums, error) {
	t, idx, err := s.rangeTarget(ctx, n.Table, n.Index)
	if err != nil {
		return nil, err
	}
	span := catalog.TableSpan(t.ID)
	if idx != nil {
		p := rowenc.IndexPrefix(t, idx)
		span = kvpb.Span{Key: p, EndKey: kvpb.PrefixEnd(p)}
	}
	infos, err := admin.Ranges(ctx, span)
	if err != nil {
		return nil, err
	}
	kf := &tidbKeyFormatter{t: t, span: span, idx: idx, fc: s.FormatContext()}
	rows := make([]types.Datums, 0, len(infos))
	for _, ri := range infos {
		d := ri.Desc
		var leaderReplica int64
		peers := make([]string, len(d.Replicas))
		for i, r := range d.Replicas {
			peers[i] = strconv.FormatUint(uint64(r.NodeID), 10)
			if ri.LeaderNode != 0 && r.NodeID == ri.LeaderNode {
				leaderReplica = int64(r.ReplicaID)
			}
		}
		rows = append(rows, types.Datums{
			types.DInt(d.RangeID),
			types.DString(kf.start(d.StartKey)),
			types.DString(kf.end(d.EndKey)),
			types.DInt(leaderReplica),
			types.DInt(ri.LeaderNode),
			types.DString(strings.Join(peers, ",")),
			types.DInt(0),
			types.DInt(ri.WrittenBytes),
			types.DInt(ri.ReadBytes),
			types.DInt((ri.ApproxBytes + (1<<20 - 1)) >> 20),
			types.DInt(ri.ApproxKeys),
		})
	}
	return rows, nil
}

// tidbKeyFormatter prints keys of a table's span as TiDB does.
type tidbKeyFormatter struct {
	t    *catalog.TableDescriptor
	idx  *catalog.Index // nil: the whole table's span
	span kvpb.Span
	fc   *types.FormatContext
}

// start prints a range's start key, clipped to the span.
func (f *tidbKeyFormatter) start(k kvpb.Key) string {
	if bytes.Compare(k, f.span.Key) < 0 {
		k = f.span.Key
	}
	return f.format(k)
}

// end prints a range's end key, clipped to the span: the span's end is
// the next table's (or index's) prefix.
func (f *tidbKeyFormatter) end(k kvpb.Key) string {
	if len(k) == 0 || bytes.Compare(k, f.span.EndKey) >= 0 {
		if f.idx != nil {
			return fmt.Sprintf("t_%d_i_%d_", f.t.ID, f.idx.ID+1)
		}
		return fmt.Sprintf("t_%d_", f.t.ID+1)
	}
	return f.format(k)
}

// format prints a key of the table: t_<id>_, t_<id>_r[_<pk…>],
// t_<id>_i_<indexID>_[<vals…>]; bytes it cannot decode follow in hex.
func (f *tidbKeyFormatter) format(k kvpb.Key) string {
	tp := kvpb.TableKeyPrefix(f.t.ID)
	if !bytes.HasPrefix(k, tp) {
		return hex.EncodeToString(k)
	}
	out := fmt.Sprintf("t_%d_", f.t.ID)
	rest := k[len(tp):]
	if len(rest) == 0 {
		return out
	}
	after, iid, err := kvpb.DecodeUvarintAscending(rest)
	if err != nil {
		return out + hex.EncodeToString(rest)
	}
	idx := f.t.IndexByID(catalog.IndexID(iid))
	if catalog.IndexID(iid) == f.t.PrimaryIndex.ID {
		out += "r"
	} else {
		out += fmt.Sprintf("i_%d_", iid)
	}
	if len(after) == 0 || idx == nil {
		if len(after) > 0 {
			out += hex.EncodeToString(after)
		}
		return out
	}
	ts, dirs := keyColumns(f.t, idx)
	var vals []string
	b := []byte(after)
	for i := range ts {
		if len(b) == 0 {
			break
		}
		next, d, err := rowenc.DecodeKeyDatum(b, ts[i], dirs[i])
		if err != nil {
			break
		}
		b = next
		if d == types.DNull {
			vals = append(vals, "NULL")
		} else {
			vals = append(vals, string(types.FormatText(d, ts[i], f.fc)))
		}
	}
	if len(b) > 0 {
		vals = append(vals, hex.EncodeToString(b))
	}
	if catalog.IndexID(iid) == f.t.PrimaryIndex.ID {
		return out + "_" + strings.Join(vals, "_")
	}
	return out + strings.Join(vals, "_")
}

func showRanges(ctx context.Context, admin kv.RangeAdmin) ([]types.Datums, error) {
	infos, err := admin.Ranges(ctx, kvpb.Span{Key: kvpb.KeyMin, EndKey: kvpb.KeyMax})
	if err != nil {
		return nil, err
	}
	rows := make([]types.Datums, 0, len(infos))
	for _, ri := range infos {
		d := ri.Desc
		reps := make([]string, len(d.Replicas))
		var voters []string
		for i, r := range d.Replicas {
			reps[i] = strconv.FormatUint(uint64(r.NodeID), 10)
			if !r.Learner {
				voters = append(voters, reps[i])
			}
		}
		var leader types.Datum = types.DNull
		if ri.LeaderNode != 0 {
			leader = types.DInt(ri.LeaderNode)
		}
		rows = append(rows, types.Datums{
			types.DString(kvpb.PrettyKey(d.StartKey)),
			types.DString(kvpb.PrettyKey(d.EndKey)),
			types.DInt(d.RangeID),
			types.DString("{" + strings.Join(reps, ",") + "}"),
			leader,
			types.DString("{" + strings.Join(voters, ",") + "}"),
		})
	}
	return rows, nil
}
