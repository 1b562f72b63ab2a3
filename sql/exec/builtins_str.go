package exec

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// The string functions of PostgreSQL's catalog that applications call
// most and rangedb lacked: repeat, reverse, initcap, translate, lpad,
// rpad, chr, ascii, to_hex, bit_length, quote_ident, quote_literal and
// quote_nullable, with PostgreSQL 15's results (our own code, after the
// documented behaviour of each).

// maxStringBytes is PostgreSQL's limit on one value (1 GB): a result
// longer is 54000.
const maxStringBytes = 1<<30 - 1

var errTooLarge = pgerror.New("54000", "requested length too large")

// callStringBuiltin evaluates the functions above; it reports false for
// any other name. quote_nullable is called with NULL; the others are
// strict.
func callStringBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	name := f.Name
	switch name {
	case "repeat", "reverse", "initcap", "translate", "lpad", "rpad", "chr", "ascii", "to_hex",
		"bit_length", "quote_ident", "quote_literal", "overlay", "regexp_like", "gcd", "lcm":
	case "quote_nullable":
		if args[0] == types.DNull {
			return types.DString("NULL"), true, nil
		}
		s, _ := types.AsString(args[0])
		return types.DString(quoteLiteral(s)), true, nil
	default:
		return nil, false, nil
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, true, nil
		}
	}
	str := func(i int) string { s, _ := types.AsString(args[i]); return s }
	num := func(i int) int64 { n, _ := args[i].(types.DInt); return int64(n) }
	switch name {
	case "repeat":
		s, n := str(0), num(1)
		if n <= 0 || s == "" {
			return types.DString(""), true, nil
		}
		if int64(len(s))*n > maxStringBytes {
			return nil, true, errTooLarge
		}
		return types.DString(strings.Repeat(s, int(n))), true, nil
	case "reverse":
		r := []rune(str(0))
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return types.DString(string(r)), true, nil
	case "initcap":
		var b strings.Builder
		inWord := false
		for _, ch := range str(0) {
			if inWord {
				b.WriteRune(unicode.ToLower(ch))
			} else {
				b.WriteRune(unicode.ToUpper(ch))
			}
			inWord = unicode.IsLetter(ch) || unicode.IsDigit(ch)
		}
		return types.DString(b.String()), true, nil
	case "translate":
		from, to := []rune(str(1)), []rune(str(2))
		var b strings.Builder
		for _, ch := range str(0) {
			i := -1
			for k, f := range from {
				if f == ch {
					i = k
					break
				}
			}
			switch {
			case i < 0:
				b.WriteRune(ch)
			case i < len(to):
				b.WriteRune(to[i])
			}
		}
		return types.DString(b.String()), true, nil
	case "lpad", "rpad":
		fill := " "
		if len(args) == 3 {
			fill = str(2)
		}
		d, err := pad(str(0), num(1), fill, name == "lpad")
		return d, true, err
	case "chr":
		n := num(0)
		switch {
		case n == 0:
			return nil, true, pgerror.New("54000", "null character not permitted")
		case n < 0:
			return nil, true, pgerror.New("22023", "character number must be positive")
		case n > utf8.MaxRune:
			return nil, true, pgerror.New("54000", "requested character too large for encoding: %d", n)
		case n >= 0xD800 && n <= 0xDFFF:
			return nil, true, pgerror.New("54000", "requested character not valid for encoding: %d", n)
		}
		return types.DString(string(rune(n))), true, nil
	case "ascii":
		s := str(0)
		if s == "" {
			return types.DInt(0), true, nil
		}
		r, _ := utf8.DecodeRuneInString(s)
		return types.DInt(r), true, nil
	case "to_hex":
		n := num(0)
		if f.Args[0].ResultType().OID == types.OIDInt8 {
			return types.DString(strconv.FormatUint(uint64(n), 16)), true, nil
		}
		return types.DString(strconv.FormatUint(uint64(uint32(int32(n))), 16)), true, nil
	case "bit_length":
		return types.DInt(8 * len(str(0))), true, nil
	case "quote_ident":
		return types.DString(quoteIdent(str(0))), true, nil
	case "quote_literal":
		return types.DString(quoteLiteral(str(0))), true, nil
	case "overlay":
		// overlay(s placing r from start [for count]): s's first
		// start-1 characters, r, then s from start+count.
		s, r := []rune(str(0)), str(1)
		start := num(2)
		count := int64(utf8.RuneCountInString(r))
		if len(args) == 4 {
			count = num(3)
		}
		if start < 1 || count < 0 {
			return nil, true, pgerror.New("22011", "negative substring length not allowed")
		}
		head := s[:min(int64(len(s)), start-1)]
		tail := []rune{}
		if from := start - 1 + count; from < int64(len(s)) {
			tail = s[from:]
		}
		return types.DString(string(head) + r + string(tail)), true, nil
	case "regexp_like":
		flags := ""
		if len(args) == 3 {
			flags = str(2)
		}
		re, global, err := compileARE(str(1), flags)
		if err != nil {
			return nil, true, err
		}
		if global {
			return nil, true, pgerror.New("22023", "regexp_like() does not support the \"global\" option")
		}
		return types.DBool(re.MatchString(str(0))), true, nil
	case "gcd", "lcm":
		d, err := gcdLcm(f.Name, num(0), num(1), f.Typ.OID == types.OIDInt8)
		return d, true, err
	}
	return nil, false, nil
}

// pad is lpad/rpad: s cut or filled with fill (repeated) to n characters;
// an empty fill leaves s as it is, cut to n.
func pad(s string, n int64, fill string, left bool) (types.Datum, error) {
	if n <= 0 {
		return types.DString(""), nil
	}
	if n > maxStringBytes/utf8.UTFMax {
		return nil, errTooLarge
	}
	r := []rune(s)
	if int64(len(r)) >= n {
		return types.DString(string(r[:n])), nil
	}
	f := []rune(fill)
	if len(f) == 0 {
		return types.DString(s), nil
	}
	need := int(n) - len(r)
	padding := make([]rune, 0, need)
	for len(padding) < need {
		padding = append(padding, f[len(padding)%len(f)])
	}
	if left {
		return types.DString(string(padding) + s), nil
	}
	return types.DString(s + string(padding)), nil
}

// gcdLcm is gcd and lcm of integers, as PostgreSQL computes them: never
// negative, 22003 when the result does not fit the type.
func gcdLcm(name string, a, b int64, wide bool) (types.Datum, error) {
	limit := int64(math.MaxInt32)
	if wide {
		limit = math.MaxInt64
	}
	outOfRange := pgerror.New("22003", "integer out of range")
	abs := func(x int64) (uint64, bool) {
		if x < 0 {
			return uint64(-(x + 1)) + 1, true
		}
		return uint64(x), false
	}
	ua, _ := abs(a)
	ub, _ := abs(b)
	g := ua
	for x := ub; x != 0; {
		g, x = x, g%x
	}
	if name == "gcd" {
		if g > uint64(limit) {
			return nil, outOfRange
		}
		return types.DInt(g), nil
	}
	if ua == 0 || ub == 0 {
		return types.DInt(0), nil
	}
	q := ua / g
	if q != 0 && ub > uint64(limit)/q {
		return nil, outOfRange
	}
	return types.DInt(q * ub), nil
}
