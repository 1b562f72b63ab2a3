package parser

import (
	"fmt"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// The parser runs in C (pg_query) on the calling thread's stack, prints
// its tree as protobuf, and Go unmarshals it; none of the three guards
// its own depth. A left-associative chain of 30,000 `+` builds a tree
// 30,000 deep without growing bison's stack, and printing it overflows
// the C stack: SIGSEGV, the whole process gone. So every statement is
// scanned lexically first (scan, below) and refused before the cgo call
// when the tree it can build would be too deep or too large:
//
//   - depth: an upper bound on the parse tree's depth, counted per
//     statement as the open brackets and CASEs around a token plus, at
//     each bracket level, the operators chained since the last comma,
//     AND, OR, WHEN, THEN or ELSE (the places where PostgreSQL's grammar
//     makes siblings rather than children: AND and OR chains are
//     flattened into one BoolExpr, argument lists are lists). Past
//     MaxDepth the statement is PostgreSQL's 54001 "stack depth limit
//     exceeded", with its HINT;
//   - size: every token becomes at most a few parse nodes, and a node
//     costs about bytesPerToken in C and Go together (measured: a
//     2,000,000-element IN list allocates 600 MB while parsing). A
//     statement whose tokens would cost more than the caller's budget
//     (the session's work_mem) is 53200 "out of memory" before anything
//     is allocated, and one over MaxTokens is 54000 whatever the budget.
//
// The scan is linear, allocates nothing, and knows the lexical rules that
// decide what is a token: quoted strings ('…', E'…' with backslashes,
// $tag$…$tag$), quoted identifiers and nested /* */ comments.

// MaxDepth bounds the estimated depth of a statement's parse tree. Deeper
// trees are 54001. pg_query's printer overflows the C stack at about
// 20,000 nested nodes and Go's protobuf decoder refuses 10,000 nested
// messages (two per expression level), so 2,000 keeps a wide margin;
// PostgreSQL 15 itself refuses a 5,000-term chain of `+`.
const MaxDepth = 2000

// MaxTokens bounds the tokens of one query string, whatever the memory
// budget: 54000 beyond it.
const MaxTokens = 10_000_000

// bytesPerToken is the parse memory charged per token.
const bytesPerToken = 320

// stackDepthError is PostgreSQL's error for a statement nested too deeply.
func stackDepthError() *pgerror.Error {
	return pgerror.New(pgerror.CodeStatementTooComplex, "stack depth limit exceeded").
		WithHint("Increase the configuration parameter \"max_stack_depth\" (currently 2048kB), after ensuring the platform's stack depth limit is adequate.")
}

// checkLimits scans sql and returns the error that refuses it, or nil.
// budget is the bytes parsing may use (0: no budget but MaxTokens).
func checkLimits(sql string, budget int64) error {
	depth, tokens := scan(sql)
	if depth > MaxDepth {
		return stackDepthError()
	}
	if tokens > MaxTokens {
		return pgerror.New(pgerror.CodeProgramLimitExceeded, "statement is too large").
			WithDetail("The query string has %d tokens; at most %d are allowed.", tokens, MaxTokens)
	}
	if need := int64(tokens) * bytesPerToken; budget > 0 && need > budget {
		return pgerror.New(pgerror.CodeOutOfMemory, "out of memory").
			WithDetail("Parsing the statement needs about %s, more than work_mem (%s).", kb(need), kb(budget)).
			WithHint("Send long lists of values as an array parameter or with COPY, or raise work_mem.")
	}
	return nil
}

func kb(n int64) string {
	if n >= 10<<20 {
		return fmt.Sprintf("%dMB", n>>20)
	}
	return fmt.Sprintf("%dkB", n>>10)
}

// frame is one open bracket or CASE during the scan.
type frame struct {
	// ops counts the operators chained at this level since the last
	// sibling separator.
	ops int
	// base is the depth of the enclosing levels, their chains included.
	base int
	// isCase marks a CASE, closed by END.
	isCase bool
}

// maxFrames bounds the scan's own memory; a statement nested deeper is
// refused anyway.
const maxFrames = MaxDepth + 1

// scan returns the deepest estimated tree depth of any statement in sql
// and the number of tokens.
func scan(sql string) (maxDepth, tokens int) {
	var stack [maxFrames]frame
	n := 1 // stack[0] is the statement level
	stack[0] = frame{}
	depthAt := func() int {
		f := &stack[n-1]
		return f.base + 1 + f.ops
	}
	push := func(isCase bool) {
		d := depthAt()
		if n == maxFrames {
			maxDepth = max(maxDepth, MaxDepth+1)
			return
		}
		stack[n] = frame{base: d, isCase: isCase}
		n++
		maxDepth = max(maxDepth, d+1)
	}
	op := func() {
		stack[n-1].ops++
		maxDepth = max(maxDepth, depthAt())
	}
	i := 0
	for i < len(sql) {
		c := sql[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			i++
			continue
		case c == '-' && i+1 < len(sql) && sql[i+1] == '-':
			for i < len(sql) && sql[i] != '\n' {
				i++
			}
			continue
		case c == '/' && i+1 < len(sql) && sql[i+1] == '*':
			i = skipBlockComment(sql, i)
			continue
		}
		tokens++
		switch {
		case c == '\'':
			i = skipQuoted(sql, i+1, '\'', false)
		case (c == 'E' || c == 'e') && i+1 < len(sql) && sql[i+1] == '\'':
			i = skipQuoted(sql, i+2, '\'', true)
		case c == '"':
			i = skipQuoted(sql, i+1, '"', false)
		case c == '$' && i+1 < len(sql) && (sql[i+1] < '0' || sql[i+1] > '9'):
			i = skipDollar(sql, i)
		case c == '(' || c == '[':
			push(false)
			i++
		case c == ')' || c == ']':
			if n > 1 && !stack[n-1].isCase {
				n--
			}
			i++
		case c == ',':
			stack[n-1].ops = 0
			i++
		case c == ';':
			n = 1
			stack[0] = frame{}
			i++
		case c == ':' && i+1 < len(sql) && sql[i+1] == ':':
			op()
			i += 2
		case isOpChar(c):
			for i < len(sql) && isOpChar(sql[i]) {
				if sql[i] == '-' && i+1 < len(sql) && sql[i+1] == '-' || sql[i] == '/' && i+1 < len(sql) && sql[i+1] == '*' {
					break
				}
				i++
			}
			op()
		case isIdentStart(c):
			j := i
			for j < len(sql) && isIdentChar(sql[j]) {
				j++
			}
			switch keyword(sql[i:j]) {
			case kwCase:
				push(true)
			case kwEnd:
				if n > 1 && stack[n-1].isCase {
					n--
				}
			case kwSibling:
				stack[n-1].ops = 0
			case kwOperator:
				op()
			}
			i = j
		default:
			// Numbers, parameters, dots and anything else: one token.
			j := i + 1
			for j < len(sql) && (isIdentChar(sql[j]) || sql[j] == '.') {
				j++
			}
			i = j
		}
	}
	return maxDepth, tokens
}

func isOpChar(c byte) bool {
	switch c {
	case '+', '-', '*', '/', '<', '>', '=', '~', '!', '@', '#', '%', '^', '&', '|', '`', '?':
		return true
	}
	return false
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func isIdentChar(c byte) bool {
	return isIdentStart(c) || c >= '0' && c <= '9' || c == '$'
}

type kwClass uint8

const (
	kwNone kwClass = iota
	kwCase
	kwEnd
	// kwSibling separates siblings: AND, OR, WHEN, THEN, ELSE.
	kwSibling
	// kwOperator nests its operands one level deeper: NOT, IS, LIKE, …,
	// JOIN (joins are left-deep) and the set operations (so are they).
	kwOperator
)

func keyword(w string) kwClass {
	if len(w) < 2 || len(w) > 9 {
		return kwNone
	}
	var buf [9]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(w)]) {
	case "case":
		return kwCase
	case "end":
		return kwEnd
	case "and", "or", "when", "then", "else":
		return kwSibling
	case "not", "is", "isnull", "notnull", "like", "ilike", "similar", "between", "in", "at", "collate",
		"overlaps", "join", "union", "intersect", "except", "any", "some", "all", "exists":
		return kwOperator
	}
	return kwNone
}

// skipQuoted skips a quoted string or identifier whose body starts at i,
// returning the index after its closing quote (doubled quotes, and with
// backslashes backslash escapes, stay inside).
func skipQuoted(sql string, i int, q byte, backslash bool) int {
	for i < len(sql) {
		c := sql[i]
		switch {
		case backslash && c == '\\':
			i += 2
		case c == q:
			if i+1 < len(sql) && sql[i+1] == q {
				i += 2
				continue
			}
			return i + 1
		default:
			i++
		}
	}
	return len(sql)
}

// skipDollar skips $tag$…$tag$ starting at the first '$', or just the '$'
// and what follows when it does not open a dollar quote.
func skipDollar(sql string, i int) int {
	j := i + 1
	for j < len(sql) && sql[j] != '$' && isIdentChar(sql[j]) {
		j++
	}
	if j >= len(sql) || sql[j] != '$' {
		return j
	}
	tag := sql[i : j+1]
	for k := j + 1; k+len(tag) <= len(sql); k++ {
		if sql[k] == '$' && sql[k:k+len(tag)] == tag {
			return k + len(tag)
		}
	}
	return len(sql)
}

// skipBlockComment skips a /* */ comment starting at i; they nest.
func skipBlockComment(sql string, i int) int {
	depth := 0
	for i < len(sql) {
		switch {
		case sql[i] == '/' && i+1 < len(sql) && sql[i+1] == '*':
			depth++
			i += 2
		case sql[i] == '*' && i+1 < len(sql) && sql[i+1] == '/':
			depth--
			i += 2
			if depth == 0 {
				return i
			}
		default:
			i++
		}
	}
	return len(sql)
}
