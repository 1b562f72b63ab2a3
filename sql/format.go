package sql

import "github.com/rangedb/rangedb/sql/types"

// formatText renders a value in PostgreSQL's text format under the
// session's settings (DateStyle, TimeZone, extra_float_digits, …).
func (s *Session) formatText(d types.Datum, t *types.T) []byte {
	return types.FormatText(d, t, s.FormatContext())
}

// rowEncoder encodes result rows in the wire formats of a portal's
// columns: text (FormatText under the session's settings) or binary
// (EncodeBinary). The zero rowEncoder encodes every value as text in its
// own type.
type rowEncoder struct {
	formats []int16
	types   []*types.T
}

func newRowEncoder(cols []ResultColumn, ts []*types.T) rowEncoder {
	e := rowEncoder{formats: make([]int16, len(cols)), types: ts}
	for i, c := range cols {
		e.formats[i] = c.Format
	}
	return e
}

// encode returns row's values in the wire format; NULL is nil.
func (e *rowEncoder) encode(s *Session, row types.Datums) ([][]byte, error) {
	out := make([][]byte, len(row))
	for i, d := range row {
		var t *types.T
		if i < len(e.types) {
			t = e.types[i]
		}
		if d == nil || d == types.DNull {
			continue
		}
		if i < len(e.formats) && e.formats[i] == 1 {
			if t == nil {
				t = d.ResolvedType()
			}
			b, err := types.EncodeBinary(d, t)
			if err != nil {
				return nil, err
			}
			if b == nil {
				b = []byte{} // an empty value (''), not NULL
			}
			out[i] = b
			continue
		}
		out[i] = s.formatText(d, t)
	}
	return out, nil
}
