package parser

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file translates the statements the session runs itself: SET,
// RESET, SHOW, SET TRANSACTION and BEGIN / START TRANSACTION with modes.
// translator.statement calls sessionStatement first; ok=false means the
// node is not one of these.

func (t *translator) sessionStatement(n *pg_query.Node) (stmt ast.Statement, ok bool, err error) {
	switch s := n.GetNode().(type) {
	case *pg_query.Node_VariableSetStmt:
		stmt, err = t.setStmt(s.VariableSetStmt)
		return stmt, true, err
	case *pg_query.Node_VariableShowStmt:
		name := strings.ToLower(s.VariableShowStmt.Name)
		if name == "all" {
			return &ast.ShowVar{All: true}, true, nil
		}
		if name == "ranges" {
			// CockroachDB's SHOW RANGES; PostgreSQL has no such setting.
			return &ast.ShowRanges{}, true, nil
		}
		return &ast.ShowVar{Name: name}, true, nil
	case *pg_query.Node_TransactionStmt:
		ts := s.TransactionStmt
		start := ts.Kind == pg_query.TransactionStmtKind_TRANS_STMT_START
		if !start && (ts.Kind != pg_query.TransactionStmtKind_TRANS_STMT_BEGIN || len(ts.Options) == 0) {
			return nil, false, nil
		}
		modes, err := t.txnModes(ts.Options)
		if err != nil {
			return nil, true, err
		}
		return &ast.BeginTxnModes{Modes: modes, Start: start}, true, nil
	}
	return nil, false, nil
}

func (t *translator) setStmt(s *pg_query.VariableSetStmt) (ast.Statement, error) {
	name := strings.ToLower(s.Name)
	switch s.Kind {
	case pg_query.VariableSetKind_VAR_SET_VALUE:
		sv := &ast.SetVar{Name: name, Local: s.IsLocal}
		for _, a := range s.Args {
			c := a.GetAConst()
			if c == nil {
				if tc := a.GetTypeCast(); tc != nil {
					return nil, t.unsupported("SET TIME ZONE INTERVAL", tc.Location)
				}
				return nil, pgerror.Unsupported("SET with a non-constant value")
			}
			switch v := c.Val.(type) {
			case *pg_query.A_Const_Sval:
				sv.Args = append(sv.Args, ast.SetArg{Str: v.Sval.Sval, IsString: true})
			case *pg_query.A_Const_Ival:
				sv.Args = append(sv.Args, ast.SetArg{Str: strconv.FormatInt(int64(v.Ival.Ival), 10)})
			case *pg_query.A_Const_Fval:
				sv.Args = append(sv.Args, ast.SetArg{Str: v.Fval.Fval})
			case *pg_query.A_Const_Boolval:
				sv.Args = append(sv.Args, ast.SetArg{Str: strconv.FormatBool(v.Boolval.Boolval), IsString: true})
			default:
				return nil, t.unsupported("SET with this value", c.Location)
			}
		}
		return sv, nil
	case pg_query.VariableSetKind_VAR_SET_DEFAULT:
		return &ast.SetVar{Name: name, Default: true, Local: s.IsLocal}, nil
	case pg_query.VariableSetKind_VAR_RESET:
		return &ast.SetVar{Name: name, Default: true, Reset: true}, nil
	case pg_query.VariableSetKind_VAR_RESET_ALL:
		return &ast.SetVar{Default: true, Reset: true, ResetAll: true}, nil
	case pg_query.VariableSetKind_VAR_SET_MULTI:
		modes, err := t.txnModes(s.Args)
		if err != nil {
			return nil, err
		}
		switch s.Name {
		case "TRANSACTION":
			return &ast.SetTransaction{Modes: modes}, nil
		case "SESSION CHARACTERISTICS":
			return &ast.SetTransaction{Modes: modes, Session: true}, nil
		}
		return nil, pgerror.Unsupported("SET " + s.Name)
	case pg_query.VariableSetKind_VAR_SET_CURRENT:
		return nil, pgerror.Unsupported("SET FROM CURRENT")
	}
	return nil, pgerror.Unsupported("SET")
}

// txnModes reads the DefElems of BEGIN / SET TRANSACTION.
func (t *translator) txnModes(opts []*pg_query.Node) (ast.TxnModes, error) {
	var m ast.TxnModes
	for _, o := range opts {
		d := o.GetDefElem()
		if d == nil {
			return m, pgerror.Unsupported("transaction mode " + nodeTypeName(o))
		}
		c := d.GetArg().GetAConst()
		switch d.Defname {
		case "transaction_isolation":
			m.Isolation = c.GetSval().GetSval()
		case "transaction_read_only":
			v := c.GetIval().GetIval() != 0
			m.ReadOnly = &v
		case "transaction_deferrable":
			v := c.GetIval().GetIval() != 0
			m.Deferrable = &v
		default:
			return m, t.unsupported("transaction mode "+d.Defname, d.Location)
		}
	}
	return m, nil
}
