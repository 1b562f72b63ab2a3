package sql

import "github.com/rangedb/rangedb/sql/types"

// formatText renders a value in PostgreSQL's text format under the
// session's settings (DateStyle, TimeZone, extra_float_digits, …).
func (s *Session) formatText(d types.Datum, t *types.T) []byte {
	_ = t
	return types.Format(d)
}
