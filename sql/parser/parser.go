package parser

import (
	"errors"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Statement is one parsed statement with its text.
type Statement struct {
	AST ast.Statement
	// SQL is the statement's text as the client wrote it, without the
	// terminating semicolon.
	SQL string
}

// Parse splits a simple-protocol query string into statements and parses
// each one. A string with no statements (empty, blanks, comments, lone
// semicolons) returns none. The error, if any, is a *pgerror.Error.
func Parse(sql string) ([]Statement, error) {
	pm := newPosMap(sql)
	pieces, err := split(sql, pm)
	if err != nil {
		return nil, err
	}
	var out []Statement
	for _, pc := range pieces {
		piece, base := pc.text, pc.base
		tree, err := pg_query.Parse(piece)
		if err != nil {
			return nil, syntaxError(err, pm, base)
		}
		for _, raw := range tree.Stmts {
			tr := &translator{pm: pm, base: base}
			stmt, err := tr.statement(raw.Stmt)
			if err != nil {
				return nil, err
			}
			text := piece
			if raw.StmtLen > 0 && int(raw.StmtLocation+raw.StmtLen) <= len(piece) {
				text = piece[raw.StmtLocation : raw.StmtLocation+raw.StmtLen]
			}
			out = append(out, Statement{AST: stmt, SQL: strings.TrimSpace(text)})
		}
	}
	return out, nil
}

// ParseOne parses a string that must hold exactly one statement.
func ParseOne(sql string) (Statement, error) {
	stmts, err := Parse(sql)
	if err != nil {
		return Statement{}, err
	}
	if len(stmts) != 1 {
		return Statement{}, pgerror.New(pgerror.CodeSyntaxError, "expected 1 statement, found %d", len(stmts))
	}
	return stmts[0], nil
}

type piece struct {
	text string
	base int // byte offset in the whole string
}

// split cuts sql into statement pieces with pg_query.SplitWithScanner.
// The scanner split leaves out text it does not take for a statement (a
// misspelt keyword, for one); such gaps are kept as pieces of their own, cut
// at semicolon tokens, so their syntax error is reported instead of the
// statement vanishing.
func split(sql string, pm *posMap) ([]piece, error) {
	texts, err := pg_query.SplitWithScanner(sql, false)
	if err != nil {
		return nil, syntaxError(err, pm, 0)
	}
	var out []piece
	off := 0
	for _, text := range texts {
		i := strings.Index(sql[off:], text)
		if i < 0 {
			return nil, pgerror.New(pgerror.CodeInternalError, "parser: split lost statement %q", text)
		}
		gap, err := gapPieces(sql[off:off+i], off, pm)
		if err != nil {
			return nil, err
		}
		out = append(out, gap...)
		out = append(out, piece{text: text, base: off + i})
		off += i + len(text)
	}
	gap, err := gapPieces(sql[off:], off, pm)
	if err != nil {
		return nil, err
	}
	return append(out, gap...), nil
}

// gapPieces returns the statements hidden in text between split pieces:
// none when it holds only semicolons, comments and blanks.
func gapPieces(text string, base int, pm *posMap) ([]piece, error) {
	if strings.TrimSpace(text) == "" || strings.Trim(text, " \t\r\n;") == "" {
		return nil, nil
	}
	res, err := pg_query.Scan(text)
	if err != nil {
		return nil, syntaxError(err, pm, base)
	}
	var out []piece
	start := -1
	for _, tok := range res.Tokens {
		switch tok.Token {
		case pg_query.Token_SQL_COMMENT, pg_query.Token_C_COMMENT:
			continue
		case pg_query.Token_ASCII_59:
			if start >= 0 {
				out = append(out, piece{text: text[start:tok.Start], base: base + start})
				start = -1
			}
			continue
		}
		if start < 0 {
			start = int(tok.Start)
		}
	}
	if start >= 0 {
		out = append(out, piece{text: text[start:], base: base + start})
	}
	return out, nil
}

func syntaxError(err error, pm *posMap, base int) error {
	var pe *pgparser.Error
	if !errors.As(err, &pe) {
		return &pgerror.Error{Code: pgerror.CodeSyntaxError, Message: err.Error(), Cause: err}
	}
	e := &pgerror.Error{Code: pgerror.CodeSyntaxError, Message: pe.Message, Cause: err}
	if pe.Cursorpos > 0 {
		// Cursorpos is 1-based in characters of the piece.
		e.Position = pm.chars(base) + pe.Cursorpos
	}
	return e
}

// posMap converts byte offsets of the query string into 1-based character
// positions, as PostgreSQL reports them.
type posMap struct {
	sql   string
	ascii bool
}

func newPosMap(sql string) *posMap {
	ascii := true
	for i := 0; i < len(sql); i++ {
		if sql[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	return &posMap{sql: sql, ascii: ascii}
}

// chars returns the number of characters before byte offset b.
func (p *posMap) chars(b int) int {
	if b > len(p.sql) {
		b = len(p.sql)
	}
	if p.ascii {
		return b
	}
	return utf8.RuneCountInString(p.sql[:b])
}
