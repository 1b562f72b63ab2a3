package parser

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// The cluster-setting statements are CockroachDB's, and neither
// PostgreSQL's grammar nor TiDB's has them, so they are read straight
// from PostgreSQL's scanner tokens of their piece of the string (routed
// as admin statements are, admin.go):
//
//	SET CLUSTER SETTING name { = | TO } { 'string' | number | TRUE | FALSE | ON | OFF | DEFAULT }
//	RESET CLUSTER SETTING name
//	SHOW CLUSTER SETTING name
//	SHOW [ALL] CLUSTER SETTINGS
//
// Keywords are case-insensitive; name is one or more identifiers joined
// by dots, each folded as PostgreSQL folds names ("quoted" kept as
// written), so server.time_until_store_dead and "range_max_bytes" both
// work. Whether the name is known is the executor's business (42704).

// isClusterSetting reports whether code (tokens without comments) starts
// a cluster-setting statement: SET/RESET/SHOW [ALL] CLUSTER SETTING(S).
func isClusterSetting(piece string, code []*pg_query.ScanToken) bool {
	if len(code) < 3 {
		return false
	}
	i := 1
	switch code[0].Token {
	case pg_query.Token_SET, pg_query.Token_RESET:
	case pg_query.Token_SHOW:
		if code[1].Token == pg_query.Token_ALL {
			i = 2
		}
	default:
		return false
	}
	if len(code) < i+2 || code[i].Token != pg_query.Token_CLUSTER {
		return false
	}
	w := tokText(piece, code[i+1])
	return strings.EqualFold(w, "setting") || strings.EqualFold(w, "settings")
}

// isPlacementDecisions reports whether code is SHOW PLACEMENT DECISIONS.
func isPlacementDecisions(piece string, code []*pg_query.ScanToken) bool {
	return len(code) == 3 && code[0].Token == pg_query.Token_SHOW &&
		strings.EqualFold(tokText(piece, code[1]), "placement") && strings.EqualFold(tokText(piece, code[2]), "decisions")
}

// clusterSetting parses the cluster-setting statement of a.code, which
// isClusterSetting accepted.
func (a *adminParser) clusterSetting() (ast.Statement, error) {
	c := a.code
	word := func(i int) string { return strings.ToLower(tokText(a.piece, c[i])) }
	switch c[0].Token {
	case pg_query.Token_SHOW:
		all := c[1].Token == pg_query.Token_ALL
		i := 2
		if all {
			i = 3
		}
		if word(i) == "settings" {
			if err := a.endAt(i + 1); err != nil {
				return nil, err
			}
			return &ast.ShowClusterSettings{All: all}, nil
		}
		if all {
			return nil, a.tokenError(i)
		}
		name, pos, next, err := a.settingName(3)
		if err != nil {
			return nil, err
		}
		if err := a.endAt(next); err != nil {
			return nil, err
		}
		return &ast.ShowClusterSetting{Name: name, Pos: pos}, nil
	case pg_query.Token_RESET:
		if word(2) != "setting" {
			return nil, a.tokenError(2)
		}
		name, pos, next, err := a.settingName(3)
		if err != nil {
			return nil, err
		}
		if err := a.endAt(next); err != nil {
			return nil, err
		}
		return &ast.SetClusterSetting{Name: name, Default: true, Reset: true, Pos: pos}, nil
	}
	if word(2) != "setting" {
		return nil, a.tokenError(2)
	}
	name, pos, i, err := a.settingName(3)
	if err != nil {
		return nil, err
	}
	if i >= len(c) || (c[i].Token != pg_query.Token_ASCII_61 && c[i].Token != pg_query.Token_TO) {
		return nil, a.tokenError(i)
	}
	i++
	st := &ast.SetClusterSetting{Name: name, Pos: pos}
	if i >= len(c) {
		return nil, a.tokenError(i)
	}
	switch t := c[i]; t.Token {
	case pg_query.Token_DEFAULT:
		st.Default = true
	case pg_query.Token_SCONST:
		text := tokText(a.piece, t)
		if !strings.HasPrefix(text, "'") || !strings.HasSuffix(text, "'") || len(text) < 2 {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported,
				"only standard string literals are supported in SET CLUSTER SETTING").WithPosition(a.pos(int(t.Start)))
		}
		st.Value = strings.ReplaceAll(text[1:len(text)-1], "''", "'")
	case pg_query.Token_ICONST, pg_query.Token_FCONST:
		st.Value = tokText(a.piece, t)
	case pg_query.Token_ASCII_45, pg_query.Token_ASCII_43: // a signed number
		if i+1 >= len(c) || (c[i+1].Token != pg_query.Token_ICONST && c[i+1].Token != pg_query.Token_FCONST) {
			return nil, a.tokenError(i + 1)
		}
		st.Value = tokText(a.piece, t) + tokText(a.piece, c[i+1])
		i++
	case pg_query.Token_PARAM:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported,
			"parameters are not supported in SET CLUSTER SETTING").WithPosition(a.pos(int(t.Start)))
	default:
		// TRUE, FALSE, ON, OFF and other bare words, as PostgreSQL's SET
		// takes them; a "quoted" name is no value.
		text := tokText(a.piece, t)
		if !isNameToken(t) || strings.HasPrefix(text, `"`) {
			return nil, a.tokenError(i)
		}
		st.Value = strings.ToLower(text)
	}
	if err := a.endAt(i + 1); err != nil {
		return nil, err
	}
	return st, nil
}

// settingName reads the dotted name starting at token i: its folded
// spelling, its position, and the index of the token after it.
func (a *adminParser) settingName(i int) (string, int, int, error) {
	c := a.code
	var parts []string
	pos := 0
	for {
		if i >= len(c) || !isNameToken(c[i]) {
			return "", 0, 0, a.tokenError(i)
		}
		if pos == 0 {
			pos = a.pos(int(c[i].Start))
		}
		parts = append(parts, foldIdent(tokText(a.piece, c[i])))
		i++
		if i < len(c) && c[i].Token == pg_query.Token_ASCII_46 {
			i++
			continue
		}
		return strings.Join(parts, "."), pos, i, nil
	}
}

// isNameToken reports whether t can be part of a setting's name: an
// identifier or any keyword (server, placement, … are keywords).
func isNameToken(t *pg_query.ScanToken) bool {
	return t.Token == pg_query.Token_IDENT || t.KeywordKind != pg_query.KeywordKind_NO_KEYWORD
}

// endAt fails unless token i is past the statement's last token.
func (a *adminParser) endAt(i int) error {
	if i < len(a.code) {
		return a.tokenError(i)
	}
	return nil
}

// tokenError is the syntax error at code token i, or at the end of the
// input when i is past the last token.
func (a *adminParser) tokenError(i int) error {
	if i >= len(a.code) {
		return pgerror.New(pgerror.CodeSyntaxError, "syntax error at end of input").
			WithPosition(a.pos(len(strings.TrimRight(a.piece, " \t\r\n"))))
	}
	t := a.code[i]
	return pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"%s\"", tokText(a.piece, t)).WithPosition(a.pos(int(t.Start)))
}
