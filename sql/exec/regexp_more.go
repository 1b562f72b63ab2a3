package exec

import (
	"regexp"
	"strings"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// PostgreSQL's regular expressions are Spencer's ARE (POSIX extended
// plus Perl-like escapes); Go's are RE2. compileARE translates what the
// two share and refuses with 0A000 what RE2 cannot do or means
// differently: back-references, lookaround, non-greedy quantifiers (ARE
// makes the whole match's preference follow the first quantifier, RE2
// does not), \b (backspace in ARE, a word boundary in RE2), \m and \M.
// Matching is leftmost-longest as in POSIX, and . matches newlines (ARE
// without the n flag).

// compileARE compiles pattern with flags (i: case-insensitive, c: case
// sensitive, q: the pattern is a literal string, s and t: the defaults)
// and reports whether g (every match) was given.
func compileARE(pattern, flags string) (*regexp.Regexp, bool, error) {
	pattern0 := pattern
	global, icase, literal := false, false, false
	for _, f := range flags {
		switch f {
		case 'g':
			global = true
		case 'i':
			icase = true
		case 'c':
			icase = false
		case 'q':
			literal = true
		case 's', 't':
			// Not newline-sensitive, tight syntax: ARE's defaults.
		case 'b', 'e', 'm', 'n', 'p', 'w', 'x':
			return nil, false, pgerror.Unsupported("regular expression option \"" + string(f) + "\"")
		default:
			return nil, false, pgerror.New(pgerror.CodeInvalidParameterValue, "invalid regular expression option: \"%c\"", f)
		}
	}
	var b strings.Builder
	b.WriteString("(?s")
	if icase {
		b.WriteString("i")
	}
	b.WriteString(")")
	if literal {
		pattern = ""
		b.WriteString(regexp.QuoteMeta(pattern0))
	}
	for i := 0; i < len(pattern); i++ {
		ch := pattern[i]
		switch ch {
		case '\\':
			if i+1 >= len(pattern) {
				return nil, false, pgerror.New("2201B", "invalid regular expression: invalid escape \\ sequence")
			}
			i++
			e := pattern[i]
			switch {
			case e >= '1' && e <= '9':
				return nil, false, pgerror.Unsupported("back-references in regular expressions")
			case e == 'y':
				b.WriteString(`\b`)
			case e == 'Y':
				b.WriteString(`\B`)
			case e == 'Z':
				b.WriteString(`\z`)
			case e == 'b' || e == 'm' || e == 'M':
				return nil, false, pgerror.Unsupported("regular expression escape \\" + string(e))
			default:
				b.WriteByte('\\')
				b.WriteByte(e)
			}
			continue
		case '(':
			if strings.HasPrefix(pattern[i:], "(?=") || strings.HasPrefix(pattern[i:], "(?!") ||
				strings.HasPrefix(pattern[i:], "(?<") {
				return nil, false, pgerror.Unsupported("lookaround in regular expressions")
			}
		case '*', '+', '?', '}':
			if i+1 < len(pattern) && pattern[i+1] == '?' {
				return nil, false, pgerror.Unsupported("non-greedy quantifiers in regular expressions")
			}
		}
		b.WriteByte(ch)
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, false, pgerror.New("2201B", "invalid regular expression: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
	}
	re.Longest()
	return re, global, nil
}

// regexpReplace is regexp_replace(s, pattern, replacement [, flags]):
// the first match (every match with g) replaced, \1…\9 in the
// replacement standing for subexpressions, \& for the whole match, \\ for
// a backslash.
func regexpReplace(s, pattern, repl, flags string) (types.Datum, error) {
	re, global, err := compileARE(pattern, flags)
	if err != nil {
		return nil, err
	}
	n := 1
	if global {
		n = -1
	}
	matches := re.FindAllStringSubmatchIndex(s, n)
	if len(matches) == 0 {
		return types.DString(s), nil
	}
	var b strings.Builder
	last := 0
	for _, m := range matches {
		b.WriteString(s[last:m[0]])
		for i := 0; i < len(repl); i++ {
			ch := repl[i]
			if ch != '\\' || i+1 >= len(repl) {
				b.WriteByte(ch)
				continue
			}
			e := repl[i+1]
			switch {
			case e >= '1' && e <= '9':
				k := int(e - '0')
				if 2*k+1 < len(m) && m[2*k] >= 0 {
					b.WriteString(s[m[2*k]:m[2*k+1]])
				}
				i++
			case e == '&':
				b.WriteString(s[m[0]:m[1]])
				i++
			case e == '\\':
				b.WriteByte('\\')
				i++
			default:
				b.WriteByte('\\')
			}
		}
		last = m[1]
	}
	b.WriteString(s[last:])
	return types.DString(b.String()), nil
}
