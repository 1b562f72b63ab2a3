package types

import (
	"strings"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// ParseTextArray reads a one-dimensional text[] literal as array_in does
// ('{a,"b c",NULL}'), for the jsonb operators and functions that take a
// path or a key list. A nil element is NULL. Bad syntax is 22P02
// `malformed array literal`; a nested array is 0A000 (rangedb has no
// arrays).
func ParseTextArray(s string) ([]*string, error) {
	bad := func(detail string) error {
		return pgerror.New(pgerror.CodeInvalidTextRepresentation, "malformed array literal: \"%s\"", s).WithDetail("%s", detail)
	}
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' }
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i >= len(s) || s[i] != '{' {
		return nil, bad("Array value must start with \"{\" or dimension information.")
	}
	i++
	var out []*string
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if i < len(s) && s[i] == '}' {
		i++
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i != len(s) {
			return nil, bad("Junk after closing right brace.")
		}
		return nil, nil
	}
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return nil, bad("Unexpected end of input.")
		}
		var b strings.Builder
		quoted := false
		switch s[i] {
		case '{':
			return nil, pgerror.Unsupported("a multidimensional array")
		case '"':
			quoted = true
			i++
			for {
				if i >= len(s) {
					return nil, bad("Unexpected end of input.")
				}
				c := s[i]
				if c == '"' {
					i++
					break
				}
				if c == '\\' {
					i++
					if i >= len(s) {
						return nil, bad("Unexpected end of input.")
					}
					c = s[i]
				}
				b.WriteByte(c)
				i++
			}
		case ',', '}':
			return nil, bad("Unexpected \"" + s[i:i+1] + "\" character.")
		default:
			for i < len(s) && s[i] != ',' && s[i] != '}' {
				c := s[i]
				if c == '"' || c == '{' {
					return nil, bad("Unexpected \"" + s[i:i+1] + "\" character.")
				}
				if c == '\\' {
					i++
					if i >= len(s) {
						return nil, bad("Unexpected end of input.")
					}
					c = s[i]
				}
				b.WriteByte(c)
				i++
			}
		}
		v := b.String()
		if !quoted {
			v = strings.TrimRight(v, " \t\n\r\v\f")
		}
		if !quoted && strings.EqualFold(v, "NULL") {
			out = append(out, nil)
		} else {
			out = append(out, &v)
		}
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return nil, bad("Unexpected end of input.")
		}
		if s[i] == ',' {
			i++
			continue
		}
		if s[i] != '}' {
			return nil, bad("Unexpected \"" + s[i:i+1] + "\" character.")
		}
		i++
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i != len(s) {
			return nil, bad("Junk after closing right brace.")
		}
		return out, nil
	}
}
