package types

import (
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file is the JSON value model shared by the json and jsonb types,
// and their text I/O as PostgreSQL 15's json_in, json_out, jsonb_in and
// jsonb_out behave.
//
// A value is a small tree of *JSON nodes. A json datum (DJSON) is the
// input text itself, validated; operators parse it again with raw spans
// (JSON.Raw) so that what they return is the input's own text, duplicate
// keys and whitespace included. A jsonb datum (DJSONB) holds a normalised
// tree: object keys sorted as PostgreSQL stores them (shorter keys first,
// then bytewise), a duplicate key keeping its last value, numbers as
// numerics.

// JSONKind is the kind of a JSON node. The order is jsonb's order across
// kinds (PostgreSQL's jbvType): null < string < number < boolean < array
// < object.
type JSONKind uint8

// The kinds.
const (
	JSONNull JSONKind = iota
	JSONString
	JSONNumber
	JSONBool
	JSONArray
	JSONObject
)

// JSON is one JSON value. Nodes are immutable once built.
type JSON struct {
	Kind JSONKind
	// Str is a string's decoded text.
	Str string
	// Num is a number of a jsonb value (nil in a json value, whose number
	// is its Raw text).
	Num  *DDecimal
	Bool bool
	// Elems are an array's elements.
	Elems []*JSON
	// Keys and Vals are an object's pairs: in jsonb order without
	// duplicates for jsonb, in input order for json.
	Keys []string
	Vals []*JSON
	// Raw is the value's input text (json only).
	Raw string
	// textErr is the error de-escaping a json string met (\u0000, an
	// unpaired surrogate), raised when its text is needed.
	textErr error
}

// DJSON is a json value: its input text, verbatim.
type DJSON string

// DJSONB is a jsonb value. Use it by value; its tree is shared and never
// mutated.
type DJSONB struct {
	V *JSON
}

// ResolvedType implements Datum.
func (DJSON) ResolvedType() *T { return JSONType }

// ResolvedType implements Datum.
func (DJSONB) ResolvedType() *T { return JSONB }
func (DJSON) datum()            {}
func (DJSONB) datum()           {}

// TypeName returns PostgreSQL's name of a node's kind as
// json_typeof/jsonb_typeof report it.
func (j *JSON) TypeName() string {
	switch j.Kind {
	case JSONString:
		return "string"
	case JSONNumber:
		return "number"
	case JSONBool:
		return "boolean"
	case JSONArray:
		return "array"
	case JSONObject:
		return "object"
	}
	return "null"
}

// Scalar reports whether j is neither an array nor an object.
func (j *JSON) Scalar() bool { return j.Kind != JSONArray && j.Kind != JSONObject }

// Lookup returns an object's value for key (the last one of duplicates in
// a json object), or nil.
func (j *JSON) Lookup(key string) *JSON {
	if j.Kind != JSONObject {
		return nil
	}
	var v *JSON
	for i, k := range j.Keys {
		if k == key {
			v = j.Vals[i]
		}
	}
	return v
}

// jsonSyntaxError returns 22P02 `invalid input syntax for type json` with
// detail (PostgreSQL says "json" for jsonb input as well).
func jsonSyntaxError(detail string, args ...any) error {
	return pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type json").
		WithDetail(detail, args...)
}

// ParseJSON validates s as json_in does and returns it as a json datum.
func ParseJSON(s string) (DJSON, error) {
	if _, err := parseJSONTree(s, false); err != nil {
		return "", err
	}
	return DJSON(s), nil
}

// ParseJSONB reads s as jsonb_in does.
func ParseJSONB(s string) (DJSONB, error) {
	j, err := parseJSONTree(s, true)
	if err != nil {
		return DJSONB{}, err
	}
	return DJSONB{V: j}, nil
}

// Tree returns the parsed form of a json datum, with Raw spans, for its
// operators. Like PostgreSQL's, they de-escape every string as they
// parse, so a string without a text form (\u0000, an unpaired
// surrogate) anywhere in the value is an error here.
func (d DJSON) Tree() (*JSON, error) {
	p := &jsonParser{s: string(d), decode: true}
	return p.parse()
}

// ParseJSONTree parses s: as jsonb (normalised) when jsonb is set, else
// as json (input order and Raw spans kept).
func ParseJSONTree(s string, jsonb bool) (*JSON, error) { return parseJSONTree(s, jsonb) }

// maxJSONDepth bounds nesting, standing in for PostgreSQL's stack depth
// check (54001).
const maxJSONDepth = 10000

type jsonTok uint8

const (
	tokEnd jsonTok = iota
	tokObjStart
	tokObjEnd
	tokArrStart
	tokArrEnd
	tokComma
	tokColon
	tokString
	tokNumber
	tokTrue
	tokFalse
	tokNull
)

type jsonParser struct {
	s          string
	pos        int // next byte to lex
	tok        jsonTok
	start, end int // the current token's span
	str        string
	textErr    error
	jsonb      bool
	// decode makes de-escaping errors immediate (jsonb input, json
	// operators); json_in defers them (JSON.textErr).
	decode bool
	depth  int
}

func jsonAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// lex reads the next token as PostgreSQL's json_lex does, with its
// errors.
func (p *jsonParser) lex() error {
	s := p.s
	for p.pos < len(s) && (s[p.pos] == ' ' || s[p.pos] == '\t' || s[p.pos] == '\n' || s[p.pos] == '\r') {
		p.pos++
	}
	p.start = p.pos
	if p.pos >= len(s) {
		p.tok, p.end = tokEnd, p.pos
		return nil
	}
	single := func(t jsonTok) error {
		p.tok = t
		p.pos++
		p.end = p.pos
		return nil
	}
	switch c := s[p.pos]; c {
	case '{':
		return single(tokObjStart)
	case '}':
		return single(tokObjEnd)
	case '[':
		return single(tokArrStart)
	case ']':
		return single(tokArrEnd)
	case ',':
		return single(tokComma)
	case ':':
		return single(tokColon)
	case '"':
		return p.lexString()
	case '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		return p.lexNumber()
	default:
		e := p.pos
		for e < len(s) && jsonAlnum(s[e]) {
			e++
		}
		if e == p.pos {
			_, n := utf8.DecodeRuneInString(s[p.pos:])
			return jsonSyntaxError("Token \"%s\" is invalid.", s[p.pos:p.pos+n])
		}
		p.end, p.pos = e, e
		switch s[p.start:e] {
		case "true":
			p.tok = tokTrue
		case "false":
			p.tok = tokFalse
		case "null":
			p.tok = tokNull
		default:
			return jsonSyntaxError("Token \"%s\" is invalid.", s[p.start:e])
		}
		return nil
	}
}

func (p *jsonParser) lexNumber() error {
	s := p.s
	i := p.pos
	bad := false
	if s[i] == '-' {
		i++
	}
	digits := func() int {
		n := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if i < len(s) && s[i] == '0' {
		i++
	} else if digits() == 0 {
		bad = true
	}
	if !bad && i < len(s) && s[i] == '.' {
		i++
		if digits() == 0 {
			bad = true
		}
	}
	if !bad && i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if digits() == 0 {
			bad = true
		}
	}
	for i < len(s) && jsonAlnum(s[i]) {
		i++
		bad = true
	}
	if bad {
		if i == p.pos+1 && s[p.pos] == '-' && i < len(s) {
			// A lone '-' followed by punctuation.
			return jsonSyntaxError("Token \"%s\" is invalid.", s[p.pos:i])
		}
		return jsonSyntaxError("Token \"%s\" is invalid.", s[p.pos:i])
	}
	p.tok, p.end, p.pos = tokNumber, i, i
	return nil
}

func isHexRune(c rune) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func unhexRune(s string) (rune, bool) {
	var r rune
	for i := 0; i < 4; i++ {
		c := s[i]
		var v byte
		switch {
		case c >= '0' && c <= '9':
			v = c - '0'
		case c >= 'a' && c <= 'f':
			v = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			v = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	return r, true
}

func (p *jsonParser) lexString() error {
	s := p.s
	i := p.pos + 1
	var b strings.Builder
	p.textErr = nil
	hi := rune(-1)
	// fail reports a de-escaping error: at once for jsonb; for json,
	// whose input function only validates, when the text is needed.
	fail := func(err error) error {
		if p.decode {
			return err
		}
		if p.textErr == nil {
			p.textErr = err
		}
		return nil
	}
	lowWanted := func() error {
		hi = -1
		return fail(jsonSyntaxError("Unicode low surrogate must follow a high surrogate."))
	}
	// A string the input ends inside is an invalid token: the rest.
	ended := func() error { return jsonSyntaxError("Token \"%s\" is invalid.", s[p.pos:]) }
	for {
		if i >= len(s) {
			return ended()
		}
		c := s[i]
		if hi != -1 && !(c == '\\' && i+1 < len(s) && s[i+1] == 'u') {
			if err := lowWanted(); err != nil {
				return err
			}
		}
		switch {
		case c == '"':
			p.str = b.String()
			p.tok = tokString
			p.pos = i + 1
			p.end = p.pos
			return nil
		case c < 0x20:
			return jsonSyntaxError("Character with value 0x%02x must be escaped.", c)
		case c == '\\':
			i++
			if i >= len(s) {
				return ended()
			}
			e := s[i]
			if e == 'u' {
				r, ok := rune(0), false
				if i+5 <= len(s) {
					r, ok = unhexRune(s[i+1 : i+5])
				} else if strings.IndexFunc(s[i+1:], func(c rune) bool { return !isHexRune(c) }) < 0 {
					return ended() // only hex digits before the end
				}
				if !ok {
					return jsonSyntaxError("\"\\u\" must be followed by four hexadecimal digits.")
				}
				i += 5
				switch {
				case r >= 0xd800 && r <= 0xdbff:
					if hi != -1 {
						hi = -1
						if err := fail(jsonSyntaxError("Unicode high surrogate must not follow a high surrogate.")); err != nil {
							return err
						}
						continue
					}
					hi = r
					continue
				case r >= 0xdc00 && r <= 0xdfff:
					if hi == -1 {
						if err := lowWanted(); err != nil {
							return err
						}
						continue
					}
					r = (hi-0xd800)<<10 + (r - 0xdc00) + 0x10000
					hi = -1
				default:
					if hi != -1 {
						if err := lowWanted(); err != nil {
							return err
						}
					}
				}
				if r == 0 {
					if err := fail(pgerror.New("22P05", "unsupported Unicode escape sequence").
						WithDetail("\\u0000 cannot be converted to text.")); err != nil {
						return err
					}
				}
				b.WriteRune(r)
				continue
			}
			switch e {
			case '"', '\\', '/':
				b.WriteByte(e)
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				_, n := utf8.DecodeRuneInString(s[i:])
				return jsonSyntaxError("Escape sequence \"\\%s\" is invalid.", s[i:i+n])
			}
			i++
		default:
			b.WriteByte(c)
			i++
		}
	}
}

// tokText is the current token as error details quote it.
func (p *jsonParser) tokText() string { return p.s[p.start:p.end] }

func (p *jsonParser) expected(what string) error {
	if p.tok == tokEnd {
		return jsonSyntaxError("The input string ended unexpectedly.")
	}
	return jsonSyntaxError("Expected %s, but found \"%s\".", what, p.tokText())
}

func parseJSONTree(s string, jsonb bool) (*JSON, error) {
	p := &jsonParser{s: s, jsonb: jsonb, decode: jsonb}
	return p.parse()
}

func (p *jsonParser) parse() (*JSON, error) {
	if err := p.lex(); err != nil {
		return nil, err
	}
	v, err := p.value()
	if err != nil {
		return nil, err
	}
	if p.tok != tokEnd {
		return nil, jsonSyntaxError("Expected end of input, but found \"%s\".", p.tokText())
	}
	return v, nil
}

// value parses the value starting at the current token and lexes the
// token after it.
func (p *jsonParser) value() (*JSON, error) {
	start := p.start
	var v *JSON
	switch p.tok {
	case tokObjStart:
		return p.object()
	case tokArrStart:
		return p.array()
	case tokString:
		v = &JSON{Kind: JSONString, Str: p.str, textErr: p.textErr}
	case tokNumber:
		v = &JSON{Kind: JSONNumber}
		if p.jsonb {
			d, err := parseNumeric(p.tokText())
			if err != nil {
				return nil, err
			}
			v.Num = d
		}
	case tokTrue, tokFalse:
		v = &JSON{Kind: JSONBool, Bool: p.tok == tokTrue}
	case tokNull:
		v = &JSON{Kind: JSONNull}
	default:
		return nil, p.expected("JSON value")
	}
	end := p.end
	if !p.jsonb {
		v.Raw = p.s[start:end]
	}
	return v, p.lex()
}

func (p *jsonParser) nest() error {
	p.depth++
	if p.depth > maxJSONDepth {
		return pgerror.New("54001", "stack depth limit exceeded")
	}
	return nil
}

func (p *jsonParser) array() (*JSON, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	start := p.start
	v := &JSON{Kind: JSONArray}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if p.tok == tokArrEnd {
		return p.finish(v, start)
	}
	for {
		e, err := p.value()
		if err != nil {
			return nil, err
		}
		v.Elems = append(v.Elems, e)
		switch p.tok {
		case tokComma:
			if err := p.lex(); err != nil {
				return nil, err
			}
		case tokArrEnd:
			return p.finish(v, start)
		default:
			return nil, p.expected("\",\" or \"]\"")
		}
	}
}

func (p *jsonParser) object() (*JSON, error) {
	if err := p.nest(); err != nil {
		return nil, err
	}
	start := p.start
	v := &JSON{Kind: JSONObject}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if p.tok == tokObjEnd {
		return p.finish(v, start)
	}
	if p.tok != tokString {
		return nil, p.expected("string or \"}\"")
	}
	for {
		key := p.str
		if err := p.lex(); err != nil {
			return nil, err
		}
		if p.tok != tokColon {
			return nil, p.expected("\":\"")
		}
		if err := p.lex(); err != nil {
			return nil, err
		}
		e, err := p.value()
		if err != nil {
			return nil, err
		}
		v.Keys = append(v.Keys, key)
		v.Vals = append(v.Vals, e)
		switch p.tok {
		case tokComma:
			if err := p.lex(); err != nil {
				return nil, err
			}
			if p.tok != tokString {
				return nil, p.expected("string")
			}
		case tokObjEnd:
			return p.finish(v, start)
		default:
			return nil, p.expected("\",\" or \"}\"")
		}
	}
}

// finish closes a container whose closing token is current.
func (p *jsonParser) finish(v *JSON, start int) (*JSON, error) {
	p.depth--
	if p.jsonb {
		if v.Kind == JSONObject {
			v = NormalizeJSONObject(v.Keys, v.Vals)
		}
	} else {
		v.Raw = p.s[start:p.end]
	}
	return v, p.lex()
}

// jsonbKeyLess is PostgreSQL's order of jsonb object keys: shorter
// first, then bytewise.
func jsonbKeyLess(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// NormalizeJSONObject builds a jsonb object from pairs in input order: a
// later duplicate key replaces an earlier one, and keys are sorted.
func NormalizeJSONObject(keys []string, vals []*JSON) *JSON {
	idx := make([]int, len(keys))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return jsonbKeyLess(keys[idx[a]], keys[idx[b]]) })
	out := &JSON{Kind: JSONObject}
	for n, i := range idx {
		if n+1 < len(idx) && keys[idx[n+1]] == keys[i] {
			continue // a later duplicate (stable sort keeps input order) wins
		}
		out.Keys = append(out.Keys, keys[i])
		out.Vals = append(out.Vals, vals[i])
	}
	return out
}

// AppendJSONString appends s as a JSON string literal, escaped as
// PostgreSQL's escape_json does.
func AppendJSONString(b []byte, s string) []byte {
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"':
			b = append(b, `\"`...)
		case '\\':
			b = append(b, `\\`...)
		case '\b':
			b = append(b, `\b`...)
		case '\f':
			b = append(b, `\f`...)
		case '\n':
			b = append(b, `\n`...)
		case '\r':
			b = append(b, `\r`...)
		case '\t':
			b = append(b, `\t`...)
		default:
			if c < 0x20 {
				b = append(b, `\u00`...)
				b = append(b, "0123456789abcdef"[c>>4], "0123456789abcdef"[c&0xf])
			} else {
				b = append(b, c)
			}
		}
	}
	return append(b, '"')
}

// AppendJSONB appends jsonb_out's text of j: `{"a": 1, "b": [1, 2]}`.
// A json node (from a json value) prints its Raw text.
func AppendJSONB(b []byte, j *JSON) []byte {
	return appendJSONIndent(b, j, -1)
}

// AppendJSONBPretty appends jsonb_pretty's text of j: four-space
// indentation, one element or pair a line.
func AppendJSONBPretty(b []byte, j *JSON) []byte {
	return appendJSONIndent(b, j, 0)
}

func appendJSONIndent(b []byte, j *JSON, level int) []byte {
	newline := func(b []byte, l int) []byte {
		b = append(b, '\n')
		for i := 0; i < l; i++ {
			b = append(b, "    "...)
		}
		return b
	}
	switch j.Kind {
	case JSONNull:
		return append(b, "null"...)
	case JSONBool:
		if j.Bool {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case JSONString:
		return AppendJSONString(b, j.Str)
	case JSONNumber:
		if j.Num == nil {
			return append(b, j.Raw...)
		}
		return formatDecimal(b, &j.Num.Decimal)
	case JSONArray:
		b = append(b, '[')
		for i, e := range j.Elems {
			if i > 0 {
				b = append(b, ',')
				if level < 0 {
					b = append(b, ' ')
				}
			}
			if level >= 0 {
				b = newline(b, level+1)
				b = appendJSONIndent(b, e, level+1)
			} else {
				b = appendJSONIndent(b, e, -1)
			}
		}
		if level >= 0 {
			b = newline(b, level)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, k := range j.Keys {
		if i > 0 {
			b = append(b, ',')
			if level < 0 {
				b = append(b, ' ')
			}
		}
		next := -1
		if level >= 0 {
			b = newline(b, level+1)
			next = level + 1
		}
		b = AppendJSONString(b, k)
		b = append(b, ": "...)
		b = appendJSONIndent(b, j.Vals[i], next)
	}
	if level >= 0 {
		b = newline(b, level)
	}
	return append(b, '}')
}

// String returns jsonb_out's text of d.
func (d DJSONB) String() string { return string(AppendJSONB(nil, d.V)) }

// JSONText returns the text of a json node as ->> gives it: a string
// unescaped, SQL NULL (false) for null, other values as their text (a
// json node's Raw, else jsonb output).
func JSONText(j *JSON) (string, bool, error) {
	switch j.Kind {
	case JSONNull:
		return "", false, nil
	case JSONString:
		if j.textErr != nil {
			return "", false, j.textErr
		}
		return j.Str, true, nil
	}
	if j.Raw != "" {
		return j.Raw, true, nil
	}
	return string(AppendJSONB(nil, j)), true, nil
}

// ToJSONB converts a json node to a jsonb one (a json value cast to
// jsonb: duplicate keys resolved, numbers read as numerics).
func ToJSONB(j *JSON) (*JSON, error) {
	if j.Raw != "" || (j.Kind == JSONNumber && j.Num == nil) {
		return parseJSONTree(j.Raw, true)
	}
	return j, nil
}

// CompareJSONB orders two jsonb values as PostgreSQL's
// compareJsonbContainers does: an object sorts after an array, which
// sorts after any scalar (a top-level scalar sorts before every array,
// even an empty one); among scalars null < string < number < boolean;
// containers of a kind order by size (number of elements or pairs)
// first, then element by element (an object pair by pair in stored key
// order, key before value). Strings compare bytewise (the C collation)
// and numbers by value.
func CompareJSONB(a, b *JSON) int {
	return cmpJSON(a, b, true)
}

func cmpJSON(a, b *JSON, top bool) int {
	if a.Kind != b.Kind {
		if top && a.Scalar() != b.Scalar() {
			// A raw scalar is a one-element pseudo array: it sorts after
			// an empty array and before any other array (PostgreSQL
			// compares the element counts, then the raw-scalar flag), and
			// (as an array) before any object.
			if a.Kind == JSONArray {
				return -cmpScalarArray(len(a.Elems))
			}
			if b.Kind == JSONArray {
				return cmpScalarArray(len(b.Elems))
			}
			if a.Kind == JSONObject {
				return 1
			}
			return -1
		}
		return cmpOrdered(uint8(a.Kind), uint8(b.Kind))
	}
	switch a.Kind {
	case JSONNull:
		return 0
	case JSONString:
		return strings.Compare(a.Str, b.Str)
	case JSONNumber:
		return cmpDecimal(&jsonNum(a).Decimal, &jsonNum(b).Decimal)
	case JSONBool:
		switch {
		case a.Bool == b.Bool:
			return 0
		case !a.Bool:
			return -1
		}
		return 1
	case JSONArray:
		if len(a.Elems) != len(b.Elems) {
			return cmpOrdered(len(a.Elems), len(b.Elems))
		}
		for i := range a.Elems {
			if c := cmpJSON(a.Elems[i], b.Elems[i], false); c != 0 {
				return c
			}
		}
		return 0
	}
	if len(a.Keys) != len(b.Keys) {
		return cmpOrdered(len(a.Keys), len(b.Keys))
	}
	for i := range a.Keys {
		if c := strings.Compare(a.Keys[i], b.Keys[i]); c != 0 {
			return c
		}
		if c := cmpJSON(a.Vals[i], b.Vals[i], false); c != 0 {
			return c
		}
	}
	return 0
}

// cmpScalarArray orders a top-level scalar against a top-level array of
// n elements.
func cmpScalarArray(n int) int {
	if n == 0 {
		return 1
	}
	return -1
}

// jsonNum returns a number node's numeric.
func jsonNum(j *JSON) *DDecimal {
	if j.Num != nil {
		return j.Num
	}
	d, err := parseNumeric(j.Raw)
	if err != nil {
		return decimalNaN()
	}
	return d
}

// AppendJSONBKey appends a canonical encoding of j for hashing: equal
// values (1 and 1.0 included) encode equally.
func AppendJSONBKey(b []byte, j *JSON) []byte {
	switch j.Kind {
	case JSONNull:
		return append(b, 'n')
	case JSONBool:
		if j.Bool {
			return append(b, 't')
		}
		return append(b, 'f')
	case JSONString:
		b = append(b, 's')
		b = strconv.AppendInt(b, int64(len(j.Str)), 10)
		b = append(b, ':')
		return append(b, j.Str...)
	case JSONNumber:
		var r apd.Decimal
		r.Reduce(&jsonNum(j).Decimal)
		b = append(b, 'd')
		b = append(b, r.Text('e')...)
		return append(b, ';')
	case JSONArray:
		b = append(b, '[')
		for _, e := range j.Elems {
			b = AppendJSONBKey(b, e)
		}
		return append(b, ']')
	}
	b = append(b, '{')
	for i, k := range j.Keys {
		b = strconv.AppendInt(b, int64(len(k)), 10)
		b = append(b, ':')
		b = append(b, k...)
		b = AppendJSONBKey(b, j.Vals[i])
	}
	return append(b, '}')
}

// JSONBContains reports whether a contains b as jsonb's @> does
// (JsonbDeepContains): an object contains an object whose every pair it
// has (a container value containing the other's recursively); an array
// contains an array each of whose scalars it has and each of whose
// containers one of its containers of the same kind contains; at the top
// level an array also contains a scalar it has, and a scalar contains
// only an equal scalar.
func JSONBContains(a, b *JSON) bool {
	if a.Scalar() && b.Scalar() {
		return cmpJSON(a, b, false) == 0
	}
	if a.Kind == JSONArray && b.Scalar() {
		return arrayHasScalar(a, b)
	}
	return deepContains(a, b)
}

func arrayHasScalar(a, s *JSON) bool {
	for _, e := range a.Elems {
		if e.Kind == s.Kind && cmpJSON(e, s, false) == 0 {
			return true
		}
	}
	return false
}

func deepContains(a, b *JSON) bool {
	if a.Kind != b.Kind {
		return false
	}
	switch a.Kind {
	case JSONObject:
		if len(a.Keys) < len(b.Keys) {
			return false
		}
		for i, k := range b.Keys {
			av := a.Lookup(k)
			bv := b.Vals[i]
			if av == nil || av.Kind != bv.Kind {
				return false
			}
			if av.Scalar() {
				if cmpJSON(av, bv, false) != 0 {
					return false
				}
			} else if !deepContains(av, bv) {
				return false
			}
		}
		return true
	case JSONArray:
		for _, bv := range b.Elems {
			if bv.Scalar() {
				if !arrayHasScalar(a, bv) {
					return false
				}
				continue
			}
			found := false
			for _, av := range a.Elems {
				if av.Kind == bv.Kind && deepContains(av, bv) {
					found = true
					break
				}
			}
			if !found {
				return false
			}
		}
		return true
	}
	return cmpJSON(a, b, false) == 0
}

// JSONBExists reports whether key is a top-level key of an object, a
// string element of an array, or the string itself (jsonb's ?).
func JSONBExists(j *JSON, key string) bool {
	switch j.Kind {
	case JSONObject:
		return j.Lookup(key) != nil
	case JSONArray:
		for _, e := range j.Elems {
			if e.Kind == JSONString && e.Str == key {
				return true
			}
		}
		return false
	case JSONString:
		return j.Str == key
	}
	return false
}
