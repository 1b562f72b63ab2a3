package parser

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	tidb "github.com/pingcap/tidb/pkg/parser"
	tast "github.com/pingcap/tidb/pkg/parser/ast"
	"github.com/pingcap/tidb/pkg/parser/mysql"
	"github.com/pingcap/tidb/pkg/parser/opcode"
	tdriver "github.com/pingcap/tidb/pkg/parser/test_driver"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Admin statements (DESIGN.md §2): PostgreSQL has no grammar for SPLIT
// TABLE or SHOW TABLE … REGIONS, so a query string holding one is cut into
// statements at the semicolons pg_query.Scan finds (splitStatements), and each
// statement's first tokens (pg_query.Scan, so comments and quoting are
// PostgreSQL's) decide its parser: those go to TiDB's, every other one to
// pg_query as before. Every piece is parsed before anything runs, so a
// syntax error anywhere still runs nothing.
//
// TiDB's grammar supplies the structure; the spelling of names comes from
// PostgreSQL's scanner tokens, so names fold as PostgreSQL folds them
// (unquoted: lower case; "quoted": as written).

// tidbSQLMode is the SQL mode admin statements are parsed in: "x" is an
// identifier and a backslash is an ordinary character in strings, as in
// PostgreSQL with standard_conforming_strings.
const tidbSQLMode = mysql.ModeANSIQuotes | mysql.ModeNoBackslashEscapes

// mayHaveAdmin is a cheap filter: a string without these words holds no
// admin statement, and skips the split.
func mayHaveAdmin(sql string) bool {
	return containsFold(sql, "split") || (containsFold(sql, "show") && containsFold(sql, "table")) ||
		containsFold(sql, "cluster") || containsFold(sql, "placement") // settings_stmt.go
}

// containsFold reports whether s contains the lower-case ASCII word in any
// case, without allocating.
func containsFold(s, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		j := 0
		for ; j < len(word); j++ {
			c := s[i+j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			if c != word[j] {
				break
			}
		}
		if j == len(word) {
			return true
		}
	}
	return false
}

// parseRouted parses sql statement by statement when it holds an admin
// statement; routed is false when it holds none, or when it cannot be cut
// safely (a scanner error, or a BEGIN ATOMIC body whose semicolons do not
// end statements), so pg_query parses it whole and reports the error.
func parseRouted(sql string, pm *posMap) (stmts []Statement, routed bool, err error) {
	if !mayHaveAdmin(sql) {
		return nil, false, nil
	}
	ps, ok := splitStatements(sql)
	if !ok {
		return nil, false, nil
	}
	admin := false
	for _, p := range ps {
		if isAdmin(p.text, p.toks) {
			admin = true
		}
	}
	if !admin {
		return nil, false, nil
	}
	for _, p := range ps {
		if !isAdmin(p.text, p.toks) {
			st, err := parsePG(p.text, p.base, pm)
			if err != nil {
				return nil, true, err
			}
			stmts = append(stmts, st...)
			continue
		}
		a := &adminParser{piece: p.text, base: p.base, pm: pm, toks: p.toks}
		st, err := a.parse()
		if err != nil {
			return nil, true, err
		}
		stmts = append(stmts, Statement{AST: st, SQL: strings.TrimSpace(a.piece)})
	}
	return stmts, true, nil
}

// stmtPiece is one statement's text, at byte base of the whole string,
// with its scanner tokens (offsets relative to the piece).
type stmtPiece struct {
	text string
	base int
	toks []*pg_query.ScanToken
}

// splitStatements cuts sql at its semicolons with PostgreSQL's scanner
// (so semicolons in strings, quoted names and comments do not cut).
// Pieces with no tokens but comments are dropped. (pg_query's
// SplitWithScanner is not used: it drops pieces that do not start with a
// keyword, which would lose a syntax error.)
func splitStatements(sql string) ([]stmtPiece, bool) {
	sc, err := pg_query.Scan(sql)
	if err != nil {
		return nil, false
	}
	var out []stmtPiece
	start := 0
	var cur []*pg_query.ScanToken
	code := false
	flush := func(end int) {
		if code {
			toks := make([]*pg_query.ScanToken, len(cur))
			for i, t := range cur {
				toks[i] = &pg_query.ScanToken{Start: t.Start - int32(start), End: t.End - int32(start), Token: t.Token, KeywordKind: t.KeywordKind}
			}
			out = append(out, stmtPiece{text: sql[start:end], base: start, toks: toks})
		}
		cur, code = nil, false
	}
	for i, t := range sc.Tokens {
		if t.Token == pg_query.Token_ATOMIC && i > 0 && sc.Tokens[i-1].Token == pg_query.Token_BEGIN_P {
			return nil, false
		}
		if t.Token == pg_query.Token_ASCII_59 {
			flush(int(t.Start))
			start = int(t.End)
			continue
		}
		cur = append(cur, t)
		if t.Token != pg_query.Token_SQL_COMMENT && t.Token != pg_query.Token_C_COMMENT {
			code = true
		}
	}
	flush(len(sql))
	return out, true
}

// codeTokens returns toks without comments.
func codeTokens(toks []*pg_query.ScanToken) []*pg_query.ScanToken {
	out := make([]*pg_query.ScanToken, 0, len(toks))
	for _, t := range toks {
		if t.Token == pg_query.Token_SQL_COMMENT || t.Token == pg_query.Token_C_COMMENT {
			continue
		}
		out = append(out, t)
	}
	return out
}

func tokText(piece string, t *pg_query.ScanToken) string {
	if int(t.End) > len(piece) || t.Start < 0 || t.Start > t.End {
		return ""
	}
	return piece[t.Start:t.End]
}

// isAdmin reports whether a statement's first tokens route it to TiDB's
// parser: SPLIT …, SHOW TABLE ….
func isAdmin(piece string, toks []*pg_query.ScanToken) bool {
	code := codeTokens(toks)
	if len(code) == 0 {
		return false
	}
	first := tokText(piece, code[0])
	if strings.EqualFold(first, "split") && code[0].Token == pg_query.Token_IDENT {
		return true
	}
	if isClusterSetting(piece, code) || isPlacementDecisions(piece, code) { // settings_stmt.go
		return true
	}
	return code[0].Token == pg_query.Token_SHOW && len(code) > 1 && code[1].Token == pg_query.Token_TABLE
}

// adminParser parses one admin statement.
type adminParser struct {
	piece string
	base  int
	pm    *posMap
	toks  []*pg_query.ScanToken
	code  []*pg_query.ScanToken
}

// stripComments returns the piece with its comments blanked out (MySQL's
// comment syntax differs: `--x` is not a comment there), keeping every
// byte offset.
func (a *adminParser) stripComments() string {
	b := []byte(a.piece)
	for _, t := range a.toks {
		if t.Token == pg_query.Token_SQL_COMMENT || t.Token == pg_query.Token_C_COMMENT {
			for i := t.Start; i < t.End && int(i) < len(b); i++ {
				if b[i] != '\n' {
					b[i] = ' '
				}
			}
		}
	}
	return string(b)
}

// pos converts a byte offset of the piece to a 1-based character position
// in the whole string.
func (a *adminParser) pos(off int) int { return a.pm.chars(a.base+off) + 1 }

func (a *adminParser) parse() (ast.Statement, error) {
	a.code = codeTokens(a.toks)
	if isClusterSetting(a.piece, a.code) {
		return a.clusterSetting() // settings_stmt.go
	}
	if isPlacementDecisions(a.piece, a.code) {
		return &ast.ShowPlacementDecisions{}, nil
	}
	text := a.stripComments()
	p := tidb.New()
	p.SetSQLMode(tidbSQLMode)
	stmts, _, err := p.ParseSQL(text)
	if err != nil {
		return nil, a.syntaxError(text, err)
	}
	if len(stmts) != 1 {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "syntax error").WithPosition(a.pos(0))
	}
	switch n := stmts[0].(type) {
	case *tast.SplitRegionStmt:
		return a.split(n)
	case *tast.ShowStmt:
		return a.showTable(n)
	}
	return nil, a.unsupported("this statement")
}

func (a *adminParser) unsupported(what string) error {
	return pgerror.New(pgerror.CodeFeatureNotSupported, "%s is not supported", what).WithPosition(a.pos(int(a.code[0].Start)))
}

// tidbNear matches the position in TiDB's syntax errors.
var tidbNear = regexp.MustCompile(`line (\d+) column (\d+) near "((?s).*)"`)

// syntaxError turns TiDB's syntax error into PostgreSQL's form: "syntax
// error at or near "tok"" (or "at end of input") with its position.
func (a *adminParser) syntaxError(text string, err error) error {
	e := &pgerror.Error{Code: pgerror.CodeSyntaxError, Message: "syntax error", Cause: err}
	m := tidbNear.FindStringSubmatch(err.Error())
	if m == nil {
		return e
	}
	near := m[3]
	off := len(text) - len(near)
	if near == "" || !strings.HasSuffix(text, near) || strings.TrimSpace(near) == "" {
		e.Message = "syntax error at end of input"
		e.Position = a.pos(len(strings.TrimRight(text, " \t\r\n")))
		return e
	}
	for off < len(text) && (text[off] == ' ' || text[off] == '\t' || text[off] == '\n' || text[off] == '\r') {
		off++
	}
	tok := near
	for _, t := range a.code {
		if int(t.Start) <= off && off < int(t.End) {
			tok = tokText(a.piece, t)
			off = int(t.Start)
			break
		}
	}
	e.Message = fmt.Sprintf("syntax error at or near \"%s\"", tok)
	e.Position = a.pos(off)
	return e
}

// nameAfter returns the PostgreSQL spelling of the (possibly qualified)
// name that follows the first token of kind kw at or after token from,
// and the index of the token after it.
func (a *adminParser) nameAfter(kw pg_query.Token, from int) (parts []string, pos int, next int) {
	for i := from; i < len(a.code); i++ {
		if a.code[i].Token != kw {
			continue
		}
		j := i + 1
		for j < len(a.code) {
			parts = append(parts, foldIdent(tokText(a.piece, a.code[j])))
			if pos == 0 {
				pos = a.pos(int(a.code[j].Start))
			}
			j++
			if j < len(a.code) && a.code[j].Token == pg_query.Token_ASCII_46 {
				j++
				continue
			}
			break
		}
		return parts, pos, j
	}
	return nil, 0, len(a.code)
}

// foldIdent folds an identifier as PostgreSQL does: a quoted one keeps its
// spelling (doubled quotes undone), an unquoted one is lower-cased (ASCII
// letters only, as PostgreSQL's downcase_identifier in UTF-8).
func foldIdent(s string) string {
	if len(s) >= 2 && s[0] == '"' && s[len(s)-1] == '"' {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// tableName returns the table (and index) names of the statement, from the
// scanner's tokens, checked against TiDB's reading of them.
func (a *adminParser) tableName(tn *tast.TableName, index tast.CIStr) (ast.TableName, string, error) {
	parts, pos, next := a.nameAfter(pg_query.Token_TABLE, 0)
	var name ast.TableName
	switch len(parts) {
	case 1:
		name = ast.TableName{Name: parts[0], Pos: pos}
	case 2:
		name = ast.TableName{Schema: parts[0], Name: parts[1], Pos: pos}
	default:
		return ast.TableName{}, "", pgerror.New(pgerror.CodeSyntaxError, "syntax error: expected a table name").WithPosition(pos)
	}
	if !strings.EqualFold(name.Name, tn.Name.O) || !strings.EqualFold(name.Schema, tn.Schema.O) {
		// The scanners disagree (MySQL's `backquoted` names, say):
		// refuse rather than guess.
		return ast.TableName{}, "", a.nameError(pos)
	}
	idx := ""
	if index.O != "" {
		ip, ipos, _ := a.nameAfter(pg_query.Token_INDEX, next)
		if len(ip) != 1 || !strings.EqualFold(ip[0], index.O) {
			return ast.TableName{}, "", a.nameError(ipos)
		}
		idx = ip[0]
	}
	return name, idx, nil
}

// nameError is the syntax error at the name token at pos.
func (a *adminParser) nameError(pos int) error {
	tok := ""
	for _, t := range a.code {
		if a.pos(int(t.Start)) == pos {
			tok = tokText(a.piece, t)
			break
		}
	}
	return pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"%s\"", tok).WithPosition(pos)
}

func (a *adminParser) split(n *tast.SplitRegionStmt) (ast.Statement, error) {
	if n.SplitSyntaxOpt != nil && n.SplitSyntaxOpt.HasPartition {
		return nil, a.unsupported("SPLIT PARTITION TABLE")
	}
	if len(n.PartitionNames) > 0 {
		return nil, a.unsupported("SPLIT TABLE … PARTITION")
	}
	name, idx, err := a.tableName(n.Table, n.IndexName)
	if err != nil {
		return nil, err
	}
	st := &ast.SplitTable{Table: name, Index: idx}
	o := n.SplitOpt
	if o == nil {
		return nil, a.unsupported("SPLIT TABLE without BETWEEN or BY")
	}
	if o.ValueLists != nil {
		st.By = make([][]ast.Expr, 0, len(o.ValueLists))
		for _, l := range o.ValueLists {
			vals, err := a.values(l)
			if err != nil {
				return nil, err
			}
			st.By = append(st.By, vals)
		}
		return st, nil
	}
	if st.Lower, err = a.values(o.Lower); err != nil {
		return nil, err
	}
	if st.Upper, err = a.values(o.Upper); err != nil {
		return nil, err
	}
	st.Regions = o.Num
	return st, nil
}

func (a *adminParser) showTable(n *tast.ShowStmt) (ast.Statement, error) {
	switch n.Tp {
	case tast.ShowRegions:
	case tast.ShowTableNextRowId:
		return nil, a.unsupported("SHOW TABLE … NEXT_ROW_ID")
	case tast.ShowDistributions:
		return nil, a.unsupported("SHOW TABLE … DISTRIBUTIONS")
	default:
		return nil, a.unsupported("this SHOW TABLE statement")
	}
	if len(n.Table.PartitionNames) > 0 {
		return nil, a.unsupported("SHOW TABLE … PARTITION … REGIONS")
	}
	if n.Where != nil {
		return nil, a.unsupported("SHOW TABLE … REGIONS WHERE")
	}
	name, idx, err := a.tableName(n.Table, n.IndexName)
	if err != nil {
		return nil, err
	}
	return &ast.ShowTableRegions{Table: name, Index: idx}, nil
}

func (a *adminParser) values(l []tast.ExprNode) ([]ast.Expr, error) {
	out := make([]ast.Expr, 0, len(l))
	for _, e := range l {
		v, err := a.value(e)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// tokenAt returns the code token starting at byte off of the piece.
func (a *adminParser) tokenAt(off int) *pg_query.ScanToken {
	for _, t := range a.code {
		if int(t.Start) == off {
			return t
		}
	}
	return nil
}

// value translates a constant of a value list: numbers (a leading minus
// folded in, as PostgreSQL's grammar does), strings, booleans, NULL.
func (a *adminParser) value(e tast.ExprNode) (ast.Expr, error) {
	off := e.OriginTextPosition()
	pos := a.pos(off)
	switch x := e.(type) {
	case *tdriver.ValueExpr:
		if t := a.tokenAt(off); t != nil && (t.Token == pg_query.Token_TRUE_P || t.Token == pg_query.Token_FALSE_P) {
			return &ast.BoolVal{Val: t.Token == pg_query.Token_TRUE_P, Pos: pos}, nil
		}
		switch v := x.GetValue().(type) {
		case nil:
			return &ast.NullVal{Pos: pos}, nil
		case int64:
			return &ast.NumVal{Text: strconv.FormatInt(v, 10), Int: v, IsInt: true, Pos: pos}, nil
		case uint64:
			return &ast.NumVal{Text: strconv.FormatUint(v, 10), Pos: pos}, nil
		case float64:
			return &ast.NumVal{Text: strconv.FormatFloat(v, 'g', -1, 64), Pos: pos}, nil
		case *tdriver.MyDecimal:
			return &ast.NumVal{Text: v.String(), Pos: pos}, nil
		case string:
			return &ast.StrVal{Val: v, Pos: pos}, nil
		}
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "this literal is not supported in SPLIT TABLE").WithPosition(pos)
	case *tast.UnaryOperationExpr:
		if x.Op == opcode.Plus {
			return a.value(x.V)
		}
		if x.Op == opcode.Minus {
			v, err := a.value(x.V)
			if err != nil {
				return nil, err
			}
			if nv, ok := v.(*ast.NumVal); ok {
				return negate(nv, pos), nil
			}
		}
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "only constants are supported in SPLIT TABLE value lists").WithPosition(pos)
}

// negate returns -nv at pos.
func negate(nv *ast.NumVal, pos int) *ast.NumVal {
	text := "-" + nv.Text
	if strings.HasPrefix(nv.Text, "-") {
		text = nv.Text[1:]
	}
	out := &ast.NumVal{Text: text, Pos: pos}
	if i, err := strconv.ParseInt(text, 10, 64); err == nil {
		out.Int, out.IsInt = i, true
	}
	return out
}
