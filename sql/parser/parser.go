package parser

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	pgparser "github.com/pganalyze/pg_query_go/v6/parser"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"google.golang.org/protobuf/proto"
)

// Statement is one parsed statement with its text.
type Statement struct {
	AST ast.Statement
	// SQL is the statement's text as the client wrote it, without the
	// terminating semicolon.
	SQL string
}

// Parse parses a simple-protocol query string into its statements, as
// PostgreSQL does: the whole string at once, so a syntax error anywhere
// runs nothing and its position counts from the start of the string. A
// string with no statements (empty, blanks, comments, lone semicolons)
// returns none. The error, if any, is a *pgerror.Error.
func Parse(sql string) ([]Statement, error) {
	return ParseBudget(sql, DefaultParseBudget)
}

// DefaultParseBudget is the parse memory Parse allows: the default
// work_mem.
const DefaultParseBudget = 64 << 20

// ParseBudget is Parse with budget bytes of parse memory (limits.go): a
// statement too deep is 54001, one too large for the budget 53200.
func ParseBudget(sql string, budget int64) ([]Statement, error) {
	if err := CheckUTF8([]byte(sql)); err != nil {
		return nil, err
	}
	if err := checkLimits(sql, budget); err != nil {
		return nil, err
	}
	pm := newPosMap(sql)
	if stmts, routed, err := parseRouted(sql, pm); routed { // admin.go
		return stmts, err
	}
	return parsePG(sql, 0, pm)
}

// parsePG parses piece, which starts at byte base of the whole string,
// with pg_query.
func parsePG(piece string, base int, pm *posMap) ([]Statement, error) {
	buf, err := pgparser.ParseToProtobuf(piece)
	if err != nil {
		return nil, syntaxError(err, pm, base)
	}
	tree := &pg_query.ParseResult{}
	if err := proto.Unmarshal(buf, tree); err != nil {
		// Only depth can fail the decoder of the parser's own output;
		// its message is the protobuf library's, not the user's business.
		return nil, stackDepthError()
	}
	var out []Statement
	for _, raw := range tree.Stmts {
		tr := &translator{pm: pm, base: base}
		stmt, err := tr.statement(raw.Stmt)
		if err != nil {
			return nil, err
		}
		start, end := int(raw.StmtLocation), len(piece)
		if raw.StmtLen > 0 && int(raw.StmtLocation+raw.StmtLen) <= len(piece) {
			end = int(raw.StmtLocation + raw.StmtLen)
		}
		out = append(out, Statement{AST: stmt, SQL: strings.TrimSpace(piece[start:end])})
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

func syntaxError(err error, pm *posMap, base int) error {
	var pe *pgparser.Error
	if !errors.As(err, &pe) {
		return &pgerror.Error{Code: pgerror.CodeSyntaxError, Message: "syntax error", Cause: err}
	}
	e := &pgerror.Error{Code: pgerror.CodeSyntaxError, Message: pe.Message, Cause: err}
	if strings.HasSuffix(pe.Message, "not yet implemented") {
		// The grammar's ERRCODE_FEATURE_NOT_SUPPORTED (MATCH PARTIAL, …).
		e.Code = pgerror.CodeFeatureNotSupported
	}
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

// CheckUTF8 returns PostgreSQL's 22021 error for text that is not valid
// UTF-8 (or holds a NUL byte), naming the offending bytes as it does: the
// lead byte and the continuation bytes it announces.
func CheckUTF8(b []byte) error {
	for i := 0; i < len(b); {
		c := b[i]
		if c != 0 && c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(b[i:])
		if c != 0 && (r != utf8.RuneError || size > 1) {
			i += size
			continue
		}
		n := 1
		switch {
		case c >= 0xf0 && c <= 0xf7:
			n = 4
		case c >= 0xe0 && c <= 0xef:
			n = 3
		case c >= 0xc0 && c <= 0xdf:
			n = 2
		}
		n = min(n, len(b)-i)
		hex := make([]string, n)
		for k := range n {
			hex[k] = fmt.Sprintf("0x%02x", b[i+k])
		}
		return pgerror.New(pgerror.CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\": %s", strings.Join(hex, " "))
	}
	return nil
}
