package exec

import (
	"bytes"
	"encoding/binary"
)

// CopyOut formats COPY TO's output: a header (binary's signature, or the
// HEADER line of column names) and one chunk per row, each the payload of
// one CopyData message. Values come encoded already — text as the
// session formats it, binary as the type's send function — with nil for
// NULL.
type CopyOut struct {
	opts       *CopyOptions
	forceQuote []bool
	buf        []byte
}

// NewCopyOut returns a formatter for the columns names. FORCE_QUOTE must
// name columns of names.
func NewCopyOut(opts *CopyOptions, names []string) (*CopyOut, error) {
	fq, err := CopyColumnFlags("FORCE_QUOTE", opts.ForceQuote, opts.ForceQuoteAll, names)
	if err != nil {
		return nil, err
	}
	return &CopyOut{opts: opts, forceQuote: fq}, nil
}

// Header returns the data sent before the first row (nil for none).
func (c *CopyOut) Header(names []string) []byte {
	switch {
	case c.opts.Format == CopyBinary:
		b := append([]byte(nil), copyBinarySignature...)
		return append(b, 0, 0, 0, 0, 0, 0, 0, 0)
	case !c.opts.Header:
		return nil
	}
	vals := make([][]byte, len(names))
	for i, n := range names {
		vals[i] = []byte(n)
	}
	// The header's names are never forced into quotes.
	fq := c.forceQuote
	c.forceQuote = nil
	b := append([]byte(nil), c.Row(vals)...)
	c.forceQuote = fq
	return b
}

// Trailer returns the data sent after the last row (nil for none).
func (c *CopyOut) Trailer() []byte {
	if c.opts.Format == CopyBinary {
		return []byte{0xff, 0xff}
	}
	return nil
}

// Row formats one row. The result is valid until the next call.
func (c *CopyOut) Row(vals [][]byte) []byte {
	b := c.buf[:0]
	switch c.opts.Format {
	case CopyBinary:
		b = binary.BigEndian.AppendUint16(b, uint16(len(vals)))
		for _, v := range vals {
			if v == nil {
				b = binary.BigEndian.AppendUint32(b, 0xffffffff)
				continue
			}
			b = binary.BigEndian.AppendUint32(b, uint32(len(v)))
			b = append(b, v...)
		}
	case CopyCSV:
		for i, v := range vals {
			if i > 0 {
				b = append(b, c.opts.Delimiter)
			}
			if v == nil {
				b = append(b, c.opts.Null...)
				continue
			}
			b = c.appendCSV(b, v, i < len(c.forceQuote) && c.forceQuote[i], len(vals) == 1)
		}
		b = append(b, '\n')
	default:
		for i, v := range vals {
			if i > 0 {
				b = append(b, c.opts.Delimiter)
			}
			if v == nil {
				b = append(b, c.opts.Null...)
				continue
			}
			b = c.appendText(b, v)
		}
		b = append(b, '\n')
	}
	c.buf = b
	return b
}

// appendText escapes a text-format value as CopyAttributeOutText does.
func (c *CopyOut) appendText(b, v []byte) []byte {
	for _, x := range v {
		switch x {
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\v':
			b = append(b, '\\', 'v')
		case '\\':
			b = append(b, '\\', '\\')
		default:
			if x == c.opts.Delimiter {
				b = append(b, '\\')
			}
			b = append(b, x)
		}
	}
	return b
}

// appendCSV quotes a CSV value when it must be (or force says so), as
// CopyAttributeOutCSV does: a value holding the delimiter, the quote, a
// line break, equal to the null string, or `\.` alone in a row.
func (c *CopyOut) appendCSV(b, v []byte, force, single bool) []byte {
	q, e := c.opts.Quote, c.opts.Escape
	quote := force || string(v) == c.opts.Null || (single && string(v) == `\.`) ||
		bytes.IndexByte(v, c.opts.Delimiter) >= 0 || bytes.IndexByte(v, q) >= 0 ||
		bytes.ContainsAny(v, "\r\n")
	if !quote {
		return append(b, v...)
	}
	b = append(b, q)
	for _, x := range v {
		if x == q || x == e {
			b = append(b, e)
		}
		b = append(b, x)
	}
	return append(b, q)
}
