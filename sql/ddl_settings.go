package sql

import (
	"context"
	"errors"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/settings"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// The cluster-setting statements (sql/ast cluster_setting.go) read and
// change the engine's kv/settings.Values (Config.Settings):
//
//   - SET CLUSTER SETTING name = value stores the value's canonical form
//     durably in /System before it returns, and this node sees it at
//     once; other nodes within their refresh interval. = DEFAULT and
//     RESET CLUSTER SETTING delete it, so the default applies.
//   - SHOW CLUSTER SETTING name is one row of one text column named after
//     the setting; SHOW [ALL] CLUSTER SETTINGS lists every setting:
//     variable, value, setting_type (CockroachDB's letters), description.
//
// They are not transactional: a SET takes effect when it runs, whatever
// becomes of the transaction around it, so inside a BEGIN block it is
// refused with 25001, as CockroachDB refuses it. An unknown name is 42704,
// a bad value 22023. They run without a plan, in both protocols, as the
// range statements do.

// clusterSettingTimeout bounds the kv write of a SET or RESET.
const clusterSettingTimeout = 10 * time.Second

var clusterSettingsColumns = []ResultColumn{
	textCol("variable"), textCol("value"), textCol("setting_type"), textCol("description"),
}

var placementDecisionsColumns = []ResultColumn{
	{Name: "decided_at", TypeOID: types.OIDTimestampTZ, TypeSize: 8, TypeModifier: -1},
	textCol("kind"), int8Col("range_id"), int8Col("target_store"), int8Col("from_store"), textCol("split_key"),
	int8Col("merged_range_id"), textCol("reason"), textCol("outcome"),
}

// maxPlacementDecisions bounds the decisions SHOW PLACEMENT DECISIONS
// reads (the driver keeps about a thousand).
const maxPlacementDecisions = 5000

// showPlacementDecisions reads the placement driver's decision log at
// /System/placement/ (kvpb.PlacementDecision records), newest first.
// outcome is empty for an op that succeeded, else its error.
func (s *Session) showPlacementDecisions(ctx context.Context) (Cursor, error) {
	resp, err := s.e.cfg.DB.Send(ctx, &kvpb.RawScanRequest{
		Span: kvpb.Span{Key: kvpb.PlacementPrefix, EndKey: kvpb.PrefixEnd(kvpb.PlacementPrefix)}, MaxKeys: maxPlacementDecisions})
	if err != nil {
		return nil, err
	}
	kvs := resp.(*kvpb.RawScanResponse).Rows
	rows := make([]types.Datums, 0, len(kvs))
	orNull := func(v uint64) types.Datum {
		if v == 0 {
			return types.DNull
		}
		return types.DInt(v)
	}
	for i := len(kvs) - 1; i >= 0; i-- {
		d, err := kvpb.UnmarshalPlacementDecision(kvs[i].Value)
		if err != nil {
			return nil, pgerror.New(pgerror.CodeInternalError, "decision log: %v", err)
		}
		var split types.Datum = types.DNull
		if len(d.Op.SplitKey) > 0 {
			split = types.DString(kvpb.PrettyKey(d.Op.SplitKey))
		}
		rows = append(rows, types.Datums{
			types.DTimestampTZ(types.TimeToMicros(time.Unix(0, d.UnixNanos))), types.DString(d.Op.Kind.String()), types.DInt(d.Op.RangeID),
			orNull(uint64(d.Op.Target.StoreID)), orNull(uint64(d.Op.From)), split, orNull(uint64(d.Op.Right)),
			types.DString(d.Op.Reason), types.DString(d.Outcome),
		})
	}
	return &rowsCursor{rows: rows}, nil
}

// prepareClusterSettingStmt describes a cluster-setting statement's
// result (an unknown name in SHOW is 42704 already here); it runs when
// opened.
func (s *Session) prepareClusterSettingStmt(stmt ast.Statement, paramTypes []*types.T) (*preparedPlan, error) {
	var cols []ResultColumn
	switch n := stmt.(type) {
	case *ast.ShowClusterSetting:
		st, ok := settings.Lookup(n.Name)
		if !ok {
			return nil, clusterSettingError(&settings.UnknownError{Name: n.Name}, n.Pos)
		}
		cols = []ResultColumn{textCol(st.Name)}
	case *ast.ShowClusterSettings:
		cols = append([]ResultColumn(nil), clusterSettingsColumns...)
	case *ast.ShowPlacementDecisions:
		cols = append([]ResultColumn(nil), placementDecisionsColumns...)
	}
	pp := &preparedPlan{Stmt: stmt, ParamTypes: paramTypes, Columns: cols, clusterSetting: true}
	if cols != nil {
		pp.ColumnTypes = resultTypes(cols)
	}
	return pp, nil
}

// openClusterSettingStmt runs a cluster-setting statement: a SET or
// RESET at once, a SHOW into rows.
func (s *Session) openClusterSettingStmt(ctx context.Context, stmt ast.Statement) (Cursor, error) {
	vals := s.e.clusterSettings
	switch n := stmt.(type) {
	case *ast.SetClusterSetting:
		if s.mode == modeExplicit {
			return nil, pgerror.New(pgerror.CodeActiveSQLTransaction,
				"SET CLUSTER SETTING cannot be used inside a multi-statement transaction")
		}
		ctx, cancel := context.WithTimeout(ctx, clusterSettingTimeout)
		defer cancel()
		var err error
		if n.Default {
			err = vals.Reset(ctx, n.Name)
		} else {
			err = vals.Set(ctx, n.Name, n.Value)
		}
		if err != nil {
			return nil, clusterSettingError(err, n.Pos)
		}
		return &tagCursor{tag: n.StatementTag()}, nil
	case *ast.ShowClusterSetting:
		v, err := vals.String(n.Name)
		if err != nil {
			return nil, clusterSettingError(err, n.Pos)
		}
		return &rowsCursor{rows: []types.Datums{{types.DString(v)}}}, nil
	case *ast.ShowPlacementDecisions:
		return s.showPlacementDecisions(ctx)
	case *ast.ShowClusterSettings:
		var rows []types.Datums
		for _, st := range settings.Known() {
			v, err := vals.String(st.Name)
			if err != nil {
				return nil, err
			}
			rows = append(rows, types.Datums{
				types.DString(st.Name), types.DString(v), types.DString(st.Kind.String()), types.DString(st.Description),
			})
		}
		return &rowsCursor{rows: rows}, nil
	}
	return nil, pgerror.New(pgerror.CodeInternalError, "unexpected cluster-setting statement %T", stmt)
}

// clusterSettingError maps kv/settings' errors to SQLSTATEs: an unknown
// name is 42704, a bad value 22023, both at the name's position pos.
// Other errors (kv's) pass through.
func clusterSettingError(err error, pos int) error {
	var ue *settings.UnknownError
	if errors.As(err, &ue) {
		return pgerror.New(pgerror.CodeUndefinedObject, "%s", ue.Error()).WithPosition(pos)
	}
	var ie *settings.InvalidValueError
	if errors.As(err, &ie) {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "%s", ie.Error()).WithPosition(pos)
	}
	return err
}

// tagCursor is a statement with no rows, only a command tag.
type tagCursor struct{ tag string }

func (c *tagCursor) Next(ctx context.Context) (types.Datums, error) { return nil, nil }
func (c *tagCursor) Tag() string                                    { return c.tag }
func (c *tagCursor) Close()                                         {}
