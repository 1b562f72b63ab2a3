package slt

import (
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
)

// render turns one value, as text from the server (nil = NULL), into the
// string the format compares, by the column's type letter (FORMAT.md):
// I as a C int (numbers truncated toward zero, booleans 1/0), R as %.3f, T
// as text with "(empty)" and non-printable bytes replaced by '@'.
func render(v []byte, letter byte) string {
	if v == nil {
		return "NULL"
	}
	s := string(v)
	switch letter {
	case 'I':
		switch s {
		case "t", "true":
			return "1"
		case "f", "false":
			return "0"
		}
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return strconv.FormatInt(n, 10)
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return strconv.FormatInt(int64(f), 10) // truncates toward zero
		}
		return strconv.FormatInt(leadingInt(s), 10)
	case 'R':
		switch s {
		case "t", "true":
			return "1.000"
		case "f", "false":
			return "0.000"
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			f = 0
		}
		return fmt.Sprintf("%.3f", f)
	default:
		if s == "" {
			return "(empty)"
		}
		b := []byte(s)
		for i, c := range b {
			if c < 0x20 || c > 0x7e {
				b[i] = '@'
			}
		}
		return string(b)
	}
}

// leadingInt parses the numeric prefix of s as C's atoi would (0 if none).
func leadingInt(s string) int64 {
	s = strings.TrimLeft(s, " \t")
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	n, _ := strconv.ParseInt(s[:end], 10, 64)
	return n
}

// sortValues applies the record's sort mode to the rendered values.
func sortValues(vals []string, ncols int, mode SortMode) []string {
	switch mode {
	case ValueSort:
		sort.Strings(vals)
	case RowSort:
		if ncols == 0 {
			return vals
		}
		rows := make([][]string, 0, len(vals)/ncols)
		for i := 0; i+ncols <= len(vals); i += ncols {
			rows = append(rows, vals[i:i+ncols])
		}
		sort.SliceStable(rows, func(a, b int) bool {
			for c := 0; c < ncols; c++ {
				if rows[a][c] != rows[b][c] {
					return rows[a][c] < rows[b][c]
				}
			}
			return false
		})
		out := make([]string, 0, len(vals))
		for _, r := range rows {
			out = append(out, r...)
		}
		return out
	}
	return vals
}

// hashValues is the format's md5 over values, each followed by "\n".
func hashValues(vals []string) string {
	h := md5.New()
	for _, v := range vals {
		h.Write([]byte(v))
		h.Write([]byte{'\n'})
	}
	return hex.EncodeToString(h.Sum(nil))
}
