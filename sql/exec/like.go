package exec

import (
	"strings"
	"unicode/utf8"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

func (env *evalEnv) evalLike(x *plan.Like, row types.Datums) (types.Datum, error) {
	v, err := env.eval(x.E, row)
	if err != nil || v == types.DNull {
		return types.DNull, err
	}
	p, err := env.eval(x.Pattern, row)
	if err != nil || p == types.DNull {
		return types.DNull, err
	}
	esc := '\\'
	if x.Escape != nil {
		e, err := env.eval(x.Escape, row)
		if err != nil || e == types.DNull {
			return types.DNull, err
		}
		es, _ := types.AsString(e)
		switch utf8.RuneCountInString(es) {
		case 0:
			esc = -1
		case 1:
			esc, _ = utf8.DecodeRuneInString(es)
		default:
			return nil, pgerror.New(pgerror.CodeInvalidEscapeSeq, "invalid escape string").
				WithHint("Escape string must be empty or one character.")
		}
	}
	s, _ := types.AsString(v)
	pat, _ := types.AsString(p)
	if x.ILike {
		s, pat = strings.ToLower(s), strings.ToLower(pat)
	}
	ok, err := likeMatch([]rune(s), []rune(pat), esc)
	if err != nil {
		return nil, err
	}
	return types.DBool(ok != x.Not), nil
}

// likeMatch matches s against a LIKE pattern: % any sequence, _ any one
// character, esc quotes the next character (-1: no escape).
func likeMatch(s, p []rune, esc rune) (bool, error) {
	// Compile into tokens: literal rune, any-one, any-seq.
	type tok struct {
		kind int // 0 literal, 1 _, 2 %
		r    rune
	}
	var toks []tok
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == esc:
			if i+1 >= len(p) {
				return false, pgerror.New(pgerror.CodeInvalidEscapeSeq, "LIKE pattern must not end with escape character")
			}
			i++
			toks = append(toks, tok{r: p[i]})
		case c == '%':
			if len(toks) == 0 || toks[len(toks)-1].kind != 2 {
				toks = append(toks, tok{kind: 2})
			}
		case c == '_':
			toks = append(toks, tok{kind: 1})
		default:
			toks = append(toks, tok{r: c})
		}
	}
	// Iterative matching with backtracking to the last %.
	si, ti := 0, 0
	starT, starS := -1, 0
	for si < len(s) {
		if ti < len(toks) {
			t := toks[ti]
			switch {
			case t.kind == 2:
				starT, starS = ti, si
				ti++
				continue
			case t.kind == 1 || t.r == s[si]:
				si++
				ti++
				continue
			}
		}
		if starT < 0 {
			return false, nil
		}
		starS++
		si, ti = starS, starT+1
	}
	for ti < len(toks) && toks[ti].kind == 2 {
		ti++
	}
	return ti == len(toks), nil
}
