package exec

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// CopyIn parses COPY FROM input into rows of datums. It reads its
// io.Reader as it goes (one line, or one binary tuple, at a time), so a
// COPY of any size holds one row. Errors are PostgreSQL's, with the
// ErrorResponse's Where field ("COPY t, line 3, column a: \"x\"") set as
// PostgreSQL's CONTEXT line reads.
type CopyIn struct {
	opts  *CopyOptions
	r     *bufio.Reader
	table string
	names []string
	typs  []*types.T
	fc    *types.FormatContext
	// forceNotNull and forceNull are per column (CSV).
	forceNotNull, forceNull []bool

	// line is the number of the line (tuple, in binary) last read; raw its
	// text without the line ending, for CONTEXT.
	line    int
	raw     []byte
	started bool
	done    bool
	// endAfter: the line last read ended with the text format's end
	// marker; the data ends after its row.
	endAfter bool
	// eol is the first line's ending, which every line must share.
	eol    int
	fields []copyField
}

type copyField struct {
	val    []byte
	null   bool
	quoted bool
}

// NewCopyIn returns a parser of r for the columns names of types typs of
// table. The option's FORCE_* lists must name columns of names (the
// caller checked them with CopyColumnFlags).
func NewCopyIn(r io.Reader, opts *CopyOptions, table string, names []string, typs []*types.T, fc *types.FormatContext) (*CopyIn, error) {
	c := &CopyIn{opts: opts, r: bufio.NewReaderSize(r, 64<<10), table: table, names: names, typs: typs, fc: fc}
	var err error
	if c.forceNotNull, err = CopyColumnFlags("FORCE_NOT_NULL", opts.ForceNotNull, false, names); err != nil {
		return nil, err
	}
	if c.forceNull, err = CopyColumnFlags("FORCE_NULL", opts.ForceNull, false, names); err != nil {
		return nil, err
	}
	return c, nil
}

// CopyColumnFlags marks the columns of names a FORCE_* option lists (all
// of them for all), failing with 42P10 for a column the COPY does not
// name.
func CopyColumnFlags(option string, list []string, all bool, names []string) ([]bool, error) {
	flags := make([]bool, len(names))
	for i := range flags {
		flags[i] = all
	}
	for _, n := range list {
		found := false
		for i, c := range names {
			if c == n {
				flags[i], found = true, true
			}
		}
		if !found {
			return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "%s column \"%s\" not referenced by COPY", option, n)
		}
	}
	return flags, nil
}

// Line is the number of the line last read (the tuple, in binary).
func (c *CopyIn) Line() int { return c.line }

// LineText is the text of the line last read (nil in binary); valid
// until the next call of Next.
func (c *CopyIn) LineText() []byte {
	if c.opts.Format == CopyBinary {
		return nil
	}
	return c.raw
}

// RowContext is the CONTEXT of an error about a row of line line whose
// text was text: with the text (as for NOT NULL and CHECK, found while the
// line is at hand) or without (as for a unique violation, which
// PostgreSQL finds when it writes a batch).
func (c *CopyIn) RowContext(line int, text []byte, withText bool) string {
	if !withText || c.opts.Format == CopyBinary {
		return fmt.Sprintf("COPY %s, line %d", c.table, line)
	}
	return fmt.Sprintf("COPY %s, line %d: \"%s\"", c.table, line, limitPrintout(text))
}

// LineContext is the CONTEXT of an error about the row last read: `COPY
// t, line 3: "…"` (without the text in binary).
func (c *CopyIn) LineContext() string {
	if c.opts.Format == CopyBinary {
		return fmt.Sprintf("COPY %s, line %d", c.table, c.line)
	}
	return fmt.Sprintf("COPY %s, line %d: \"%s\"", c.table, c.line, limitPrintout(c.raw))
}

// limitPrintout shortens a value shown in CONTEXT as PostgreSQL's
// limit_printout_length does: at most 100 bytes (on a character
// boundary), then "...".
func limitPrintout(b []byte) string {
	const max = 100
	if len(b) <= max {
		return string(b)
	}
	n := max
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]) + "..."
}

func badCopyFormat(format string, args ...any) *pgerror.Error {
	return pgerror.New("22P04", format, args...)
}

// withWhere returns err with its CONTEXT set unless it has one (a copy:
// the error may be a shared value).
func withWhere(err error, where string) error {
	pe := pgerror.Flatten(err)
	if pe.Where != "" {
		return pe
	}
	cp := *pe
	cp.Where = where
	return &cp
}

// Next returns the next row, with one datum per column; nil, nil at the
// end of the data (the end of the input or the `\.` marker; the input is
// then read to its end).
func (c *CopyIn) Next() (types.Datums, error) {
	if c.done {
		return nil, nil
	}
	if c.endAfter {
		return nil, c.finish()
	}
	if c.opts.Format == CopyBinary {
		return c.nextBinary()
	}
	if !c.started {
		c.started = true
		if c.opts.Header {
			ok, err := c.readLine()
			if err != nil || !ok {
				return nil, err
			}
			if c.opts.HeaderMatch {
				if err := c.matchHeader(); err != nil {
					return nil, withWhere(err, c.LineContext())
				}
			}
		}
	}
	ok, err := c.readLine()
	if err != nil || !ok {
		return nil, err
	}
	if err := c.split(); err != nil {
		return nil, withWhere(err, c.LineContext())
	}
	if len(c.fields) > len(c.names) {
		return nil, withWhere(badCopyFormat("extra data after last expected column"), c.LineContext())
	}
	row := make(types.Datums, len(c.names))
	for i := range c.names {
		// Columns convert in order: a missing one is found after the
		// ones before it converted, as PostgreSQL finds it.
		if i >= len(c.fields) {
			return nil, withWhere(badCopyFormat("missing data for column \"%s\"", c.names[i]), c.LineContext())
		}
		f := c.fields[i]
		if f.null {
			row[i] = types.DNull
			continue
		}
		if !utf8.Valid(f.val) || bytes.IndexByte(f.val, 0) >= 0 {
			return nil, withWhere(invalidUTF8(f.val), c.LineContext())
		}
		d, err := types.ParseTextCtx(c.typs[i], string(f.val), c.fc)
		if err != nil {
			return nil, withWhere(err, fmt.Sprintf("COPY %s, line %d, column %s: \"%s\"", c.table, c.line, c.names[i], limitPrintout(f.val)))
		}
		row[i] = d
	}
	return row, nil
}

// invalidUTF8 is PostgreSQL's 22021 for the first bad sequence in b.
func invalidUTF8(b []byte) error {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == 0 || (r == utf8.RuneError && n <= 1) {
			// As PostgreSQL shows it: the bytes of the character the
			// lead byte announces.
			l := 1
			switch x := b[i]; {
			case x >= 0xc0 && x < 0xe0:
				l = 2
			case x >= 0xe0 && x < 0xf0:
				l = 3
			case x >= 0xf0 && x < 0xf8:
				l = 4
			}
			end := min(len(b), i+l)
			var parts []string
			for _, x := range b[i:end] {
				parts = append(parts, fmt.Sprintf("0x%02x", x))
			}
			return pgerror.New("22021", "invalid byte sequence for encoding \"UTF8\": %s", strings.Join(parts, " "))
		}
		i += n
	}
	return pgerror.New("22021", "invalid byte sequence for encoding \"UTF8\"")
}

// finish ends the data: the rest of the input (after `\.`) is read and
// dropped, as PostgreSQL does, so the protocol reaches CopyDone.
func (c *CopyIn) finish() error {
	c.done = true
	if _, err := io.Copy(io.Discard, c.r); err != nil {
		return c.readError(err)
	}
	return nil
}

// readLine reads the next logical line into c.raw (a CSV record whose
// quoted field holds line breaks spans several; in text a backslash
// escapes a line break). false at the end of the data.
func (c *CopyIn) readLine() (bool, error) {
	c.raw = c.raw[:0]
	inQuote := false
	for {
		seg, err := c.r.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			c.raw = append(c.raw, seg...)
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return false, c.readError(err)
		}
		eof := err != nil
		start := len(c.raw)
		c.raw = append(c.raw, seg...)
		if eof && len(c.raw) == 0 {
			c.done = true
			return false, nil
		}
		// Does the line end here, or is the line break data?
		if c.opts.Format == CopyCSV {
			inQuote = c.csvQuoteState(c.raw[start:], inQuote)
			if inQuote {
				if eof {
					c.line++
					return false, withWhere(badCopyFormat("unterminated CSV quoted field"), c.LineContext())
				}
				continue
			}
		} else if !eof && textEscapedEOL(c.raw) {
			continue
		}
		c.line++
		if err := c.checkEOL(); err != nil {
			return false, err
		}
		c.trimEOL()
		if !utf8.Valid(c.raw) || bytes.IndexByte(c.raw, 0) >= 0 {
			// Found as the input is converted, before the line is at
			// hand: CONTEXT shows no text.
			return false, withWhere(invalidUTF8(c.raw), fmt.Sprintf("COPY %s, line %d", c.table, c.line))
		}
		if c.opts.Format == CopyText {
			return c.textEndMarker()
		}
		if c.isEndMarker() {
			return false, c.finish()
		}
		return true, nil
	}
}

// checkEOL holds every line to the first line's ending (\n or \r\n), and
// refuses a carriage return in data that is not escaped (text) or quoted
// (CSV), with PostgreSQL's errors.
func (c *CopyIn) checkEOL() error {
	n := len(c.raw)
	eol := copyEOLNone
	switch {
	case n >= 2 && c.raw[n-2] == '\r' && c.raw[n-1] == '\n':
		eol = copyEOLCRLF
	case n >= 1 && c.raw[n-1] == '\n':
		eol = copyEOLLF
	}
	body := c.raw[:n-int(eol)]
	csv := c.opts.Format == CopyCSV
	strayCR := false
	inQuote := false
	// PostgreSQL counts a CSV record's quoted line breaks as lines: those
	// of the line ending known before the record (\r while none is).
	embedded := byte('\r')
	if c.eol == copyEOLLF {
		embedded = '\n'
	}
	for i := 0; i < len(body) && !strayCR; i++ {
		b := body[i]
		switch {
		case csv && inQuote:
			if b == embedded {
				c.line++
			}
			if b == c.opts.Escape && i+1 < len(body) && (body[i+1] == c.opts.Escape || body[i+1] == c.opts.Quote) {
				i++
			} else if b == c.opts.Quote {
				inQuote = false
			}
		case csv && b == c.opts.Quote:
			inQuote = true
		case !csv && b == '\\':
			i++
		case b == '\r':
			strayCR = true
		}
	}
	if c.eol == copyEOLNone {
		c.eol = eol
	}
	where := fmt.Sprintf("COPY %s, line %d", c.table, c.line)
	if strayCR || (c.eol == copyEOLLF && eol == copyEOLCRLF) {
		if csv {
			return withWhere(badCopyFormat("unquoted carriage return found in data").WithHint("Use quoted CSV field to represent carriage return."), where)
		}
		return withWhere(badCopyFormat("literal carriage return found in data").WithHint("Use \"\\r\" to represent carriage return."), where)
	}
	if c.eol == copyEOLCRLF && eol == copyEOLLF {
		if csv {
			return withWhere(badCopyFormat("unquoted newline found in data").WithHint("Use quoted CSV field to represent newline."), where)
		}
		return withWhere(badCopyFormat("literal newline found in data").WithHint("Use \"\\n\" to represent newline."), where)
	}
	return nil
}

// Line endings; the value is the ending's length.
const (
	copyEOLNone = 0
	copyEOLLF   = 1
	copyEOLCRLF = 2
)

// trimEOL drops the line's \n or \r\n.
func (c *CopyIn) trimEOL() {
	c.raw = bytes.TrimSuffix(c.raw, []byte{'\n'})
	c.raw = bytes.TrimSuffix(c.raw, []byte{'\r'})
}

// isEndMarker reports a CSV line that is `\.` alone.
func (c *CopyIn) isEndMarker() bool {
	return string(c.raw) == `\.`
}

// textEndMarker finds the text format's end marker in the line just
// read: as in PostgreSQL 15, an unescaped `\.` ends the data wherever it
// stands (what precedes it on its line is the last row), and must end its
// line. It reports whether the line holds a row.
func (c *CopyIn) textEndMarker() (bool, error) {
	for i := 0; i+1 < len(c.raw); i++ {
		if c.raw[i] != '\\' {
			continue
		}
		if c.raw[i+1] != '.' {
			i++
			continue
		}
		if i+2 < len(c.raw) {
			return false, withWhere(badCopyFormat("end-of-copy marker corrupt"), fmt.Sprintf("COPY %s, line %d", c.table, c.line))
		}
		c.raw = c.raw[:i]
		if i == 0 {
			return false, c.finish()
		}
		c.endAfter = true
		return true, nil
	}
	return true, nil
}

// textEscapedEOL reports whether line (ending in \n) ends with an odd run
// of backslashes, which makes its line break data.
func textEscapedEOL(line []byte) bool {
	n := 0
	for i := len(line) - 2; i >= 0 && line[i] == '\\'; i-- {
		n++
	}
	return n%2 == 1
}

// csvQuoteState scans seg from quote state in and returns the state at
// its end.
func (c *CopyIn) csvQuoteState(seg []byte, in bool) bool {
	q, e := c.opts.Quote, c.opts.Escape
	for i := 0; i < len(seg); i++ {
		b := seg[i]
		if !in {
			if b == q {
				in = true
			}
			continue
		}
		if b == e && i+1 < len(seg) && (seg[i+1] == e || seg[i+1] == q) {
			i++
			continue
		}
		if b == q {
			in = false
		}
	}
	return in
}

// split cuts c.raw into c.fields.
func (c *CopyIn) split() error {
	c.fields = c.fields[:0]
	if c.opts.Format == CopyCSV {
		return c.splitCSV()
	}
	return c.splitText()
}

func (c *CopyIn) splitText() error {
	line, d := c.raw, c.opts.Delimiter
	null := c.opts.Null
	for start := 0; ; {
		end := start
		for end < len(line) && line[end] != d {
			if line[end] == '\\' && end+1 < len(line) {
				end++
			}
			end++
		}
		raw := line[start:min(end, len(line))]
		if string(raw) == null {
			c.fields = append(c.fields, copyField{null: true})
		} else {
			v, err := unescapeText(raw)
			if err != nil {
				return err
			}
			c.fields = append(c.fields, copyField{val: v})
		}
		if end >= len(line) {
			return nil
		}
		start = end + 1
	}
}

// unescapeText decodes a text-format field's backslash escapes.
func unescapeText(raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return raw, nil
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		b := raw[i]
		if b != '\\' || i+1 == len(raw) {
			out = append(out, b)
			continue
		}
		i++
		b = raw[i]
		switch b {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, '\v')
		case '0', '1', '2', '3', '4', '5', '6', '7':
			v := int(b - '0')
			for k := 0; k < 2 && i+1 < len(raw) && raw[i+1] >= '0' && raw[i+1] <= '7'; k++ {
				i++
				v = v*8 + int(raw[i]-'0')
			}
			out = append(out, byte(v))
		case 'x':
			if i+1 < len(raw) && isHex(raw[i+1]) {
				i++
				v := hexVal(raw[i])
				if i+1 < len(raw) && isHex(raw[i+1]) {
					i++
					v = v*16 + hexVal(raw[i])
				}
				out = append(out, byte(v))
			} else {
				out = append(out, 'x')
			}
		default:
			out = append(out, b)
		}
	}
	return out, nil
}

func isHex(b byte) bool {
	return (b >= '0' && b <= '9') || (b >= 'a' && b <= 'f') || (b >= 'A' && b <= 'F')
}

func hexVal(b byte) int {
	switch {
	case b >= 'a':
		return int(b-'a') + 10
	case b >= 'A':
		return int(b-'A') + 10
	}
	return int(b - '0')
}

func (c *CopyIn) splitCSV() error {
	line := c.raw
	d, q, e := c.opts.Delimiter, c.opts.Quote, c.opts.Escape
	for i := 0; ; {
		var val []byte
		quoted := false
		start := i
		for i < len(line) && line[i] != d {
			if line[i] != q {
				val = append(val, line[i])
				i++
				continue
			}
			quoted = true
			i++
			for {
				if i >= len(line) {
					return badCopyFormat("unterminated CSV quoted field")
				}
				b := line[i]
				if b == e && i+1 < len(line) && (line[i+1] == e || line[i+1] == q) {
					val = append(val, line[i+1])
					i += 2
					continue
				}
				i++
				if b == q {
					break
				}
				val = append(val, b)
			}
		}
		n := len(c.fields)
		f := copyField{val: val, quoted: quoted}
		if val == nil {
			f.val = []byte{}
		}
		null := c.opts.Null
		switch {
		case !quoted && string(line[start:i]) == null:
			f.null = n >= len(c.forceNotNull) || !c.forceNotNull[n]
		case quoted && n < len(c.forceNull) && c.forceNull[n] && string(val) == null:
			f.null = true
		}
		c.fields = append(c.fields, f)
		if i >= len(line) {
			return nil
		}
		i++
	}
}

// matchHeader checks HEADER MATCH's header line against the columns.
func (c *CopyIn) matchHeader() error {
	if err := c.split(); err != nil {
		return err
	}
	if len(c.fields) != len(c.names) {
		return badCopyFormat("wrong number of fields in header line: got %d, expected %d", len(c.fields), len(c.names))
	}
	for i, f := range c.fields {
		if f.null {
			return badCopyFormat("column name mismatch in header line field %d: got null value (\"%s\"), expected \"%s\"", i+1, c.opts.Null, c.names[i])
		}
		if string(f.val) != c.names[i] {
			return badCopyFormat("column name mismatch in header line field %d: got \"%s\", expected \"%s\"", i+1, f.val, c.names[i])
		}
	}
	return nil
}

// copyBinarySignature opens a binary COPY stream.
var copyBinarySignature = []byte("PGCOPY\n\xff\r\n\x00")

func (c *CopyIn) readFull(n int) ([]byte, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(c.r, b); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, nil
		}
		return nil, c.readError(err)
	}
	return b, nil
}

// readError gives an error of the input (CopyFail, a protocol error) the
// CONTEXT PostgreSQL gives it: the line it was reading.
func (c *CopyIn) readError(err error) error {
	var pe *pgerror.Error
	if !errors.As(err, &pe) {
		return err
	}
	return withWhere(err, fmt.Sprintf("COPY %s, line %d", c.table, c.line+1))
}

func (c *CopyIn) nextBinary() (types.Datums, error) {
	if !c.started {
		c.started = true
		sig, err := c.readFull(len(copyBinarySignature))
		if err != nil {
			return nil, err
		}
		if sig == nil || !bytes.Equal(sig, copyBinarySignature) {
			return nil, badCopyFormat("COPY file signature not recognized")
		}
		hdr, err := c.readFull(8)
		if err != nil {
			return nil, err
		}
		if hdr == nil {
			return nil, badCopyFormat("invalid COPY file header (missing flags)")
		}
		flags := binary.BigEndian.Uint32(hdr)
		if flags&(1<<16) != 0 {
			return nil, badCopyFormat("invalid COPY file header (WITH OIDS)")
		}
		if flags&^uint32(0xffff) != 0 {
			return nil, badCopyFormat("unrecognized critical flags in COPY file header")
		}
		if ext := int32(binary.BigEndian.Uint32(hdr[4:])); ext < 0 {
			return nil, badCopyFormat("invalid COPY file header (missing length)")
		} else if ext > 0 {
			if b, err := c.readFull(int(ext)); err != nil || b == nil {
				if err == nil {
					err = badCopyFormat("invalid COPY file header (wrong length)")
				}
				return nil, err
			}
		}
	}
	c.line++
	cnt, err := c.readFull(2)
	if err != nil {
		return nil, err
	}
	if cnt == nil {
		// PostgreSQL accepts the end of the input in place of the trailer.
		c.done = true
		return nil, nil
	}
	n := int16(binary.BigEndian.Uint16(cnt))
	if n == -1 {
		if err := c.finishBinary(); err != nil {
			return nil, withWhere(err, fmt.Sprintf("COPY %s, line %d", c.table, c.line))
		}
		return nil, nil
	}
	if int(n) != len(c.names) {
		return nil, withWhere(badCopyFormat("row field count is %d, expected %d", n, len(c.names)), c.LineContext())
	}
	row := make(types.Datums, len(c.names))
	for i := range row {
		where := fmt.Sprintf("COPY %s, line %d, column %s", c.table, c.line, c.names[i])
		lb, err := c.readFull(4)
		if err != nil {
			return nil, err
		}
		if lb == nil {
			return nil, withWhere(badCopyFormat("unexpected EOF in COPY data"), where)
		}
		l := int32(binary.BigEndian.Uint32(lb))
		if l == -1 {
			row[i] = types.DNull
			continue
		}
		if l < 0 {
			return nil, withWhere(badCopyFormat("invalid field size"), where)
		}
		v, err := c.readFull(int(l))
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, withWhere(badCopyFormat("unexpected EOF in COPY data"), where)
		}
		if sz := c.typs[i].Size; sz > 0 && len(v) < int(sz) {
			return nil, withWhere(pgerror.New(pgerror.CodeProtocolViolation, "insufficient data left in message"), where)
		}
		d, err := types.DecodeBinary(c.typs[i], v)
		if err != nil {
			if pe := pgerror.Flatten(err); pe.Code == pgerror.CodeInternalError || pe.Code == "08P01" {
				err = pgerror.New("22P03", "incorrect binary data format")
			}
			return nil, withWhere(err, where)
		}
		row[i] = d
	}
	return row, nil
}

// finishBinary reads past the trailer: PostgreSQL requires the input to
// end there.
func (c *CopyIn) finishBinary() error {
	c.done = true
	rest, err := io.ReadAll(c.r)
	if err != nil {
		return c.readError(err)
	}
	if len(rest) > 0 {
		return badCopyFormat("received copy data after EOF marker")
	}
	return nil
}
