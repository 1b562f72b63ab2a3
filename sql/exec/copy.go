package exec

import (
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file holds COPY's options; copy_in.go parses COPY FROM's text, CSV
// and binary input into rows, copy_out.go formats COPY TO's output. The
// session (sql/copy.go) drives both: it feeds parsed rows to the normal
// INSERT path in batches and sends formatted rows as CopyData.

// CopyFormat is COPY's data format.
type CopyFormat uint8

// The formats.
const (
	CopyText CopyFormat = iota
	CopyCSV
	CopyBinary
)

// CopyOptions are the checked options of one COPY, with PostgreSQL's
// defaults filled in: tab and `\N` for text, comma, empty string and `"`
// for CSV.
type CopyOptions struct {
	Format    CopyFormat
	Delimiter byte
	Null      string
	// Header skips (FROM) or writes (TO) a header line; HeaderMatch also
	// checks the header's names against the columns (FROM only).
	Header, HeaderMatch bool
	Quote, Escape       byte
	// ForceQuote quotes the named columns' non-NULL values (CSV TO);
	// ForceQuoteAll is FORCE_QUOTE *.
	ForceQuote    []string
	ForceQuoteAll bool
	// ForceNotNull reads the named columns' null string as an empty
	// string, ForceNull reads a quoted null string as NULL (CSV FROM).
	ForceNotNull, ForceNull []string
	// Freeze is accepted and has no effect: rows are visible at commit
	// either way.
	Freeze bool
}

func copySyntaxError(format string, args ...any) *pgerror.Error {
	return pgerror.New(pgerror.CodeSyntaxError, format, args...)
}

// copyBool reads a boolean option value as defGetBoolean does.
func copyBool(o ast.CopyOption) (bool, error) {
	if !o.HasValue {
		return true, nil
	}
	switch strings.ToLower(o.Value) {
	case "true", "on", "1", "t", "tr", "tru", "yes", "y", "ye":
		return true, nil
	case "false", "off", "0", "f", "fa", "fal", "fals", "no", "n", "of":
		return false, nil
	}
	return false, pgerror.New(pgerror.CodeSyntaxError, "%s requires a Boolean value", o.Name).WithPosition(o.Pos)
}

// copyString reads a string option value as defGetString does.
func copyString(o ast.CopyOption) (string, error) {
	if !o.HasValue || o.Star || o.List != nil {
		return "", pgerror.New(pgerror.CodeSyntaxError, "%s requires a parameter", o.Name).WithPosition(o.Pos)
	}
	return o.Value, nil
}

// ParseCopyOptions checks a COPY's options (from: COPY FROM) as
// PostgreSQL 15's ProcessCopyOptions does, with its errors.
func ParseCopyOptions(from bool, opts []ast.CopyOption) (*CopyOptions, error) {
	o := &CopyOptions{}
	seen := map[string]bool{}
	var delim, null, quote, escape *string
	for _, opt := range opts {
		name := opt.Name
		if seen[name] {
			return nil, copySyntaxError("conflicting or redundant options").WithPosition(opt.Pos)
		}
		seen[name] = true
		switch name {
		case "format":
			v, err := copyString(opt)
			if err != nil {
				return nil, err
			}
			switch v {
			case "text":
				o.Format = CopyText
			case "csv":
				o.Format = CopyCSV
			case "binary":
				o.Format = CopyBinary
			default:
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "COPY format \"%s\" not recognized", v).WithPosition(opt.Pos)
			}
		case "freeze":
			b, err := copyBool(opt)
			if err != nil {
				return nil, err
			}
			o.Freeze = b
		case "delimiter", "null", "quote", "escape":
			v, err := copyString(opt)
			if err != nil {
				return nil, err
			}
			switch name {
			case "delimiter":
				delim = &v
			case "null":
				null = &v
			case "quote":
				quote = &v
			case "escape":
				escape = &v
			}
		case "header":
			if opt.HasValue && strings.ToLower(opt.Value) == "match" && !opt.Star && opt.List == nil {
				if !from {
					return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use \"%s\" with HEADER in COPY TO", opt.Value)
				}
				o.Header, o.HeaderMatch = true, true
				continue
			}
			b, err := copyBool(opt)
			if err != nil {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "%s requires a Boolean value or \"match\"", name).WithPosition(opt.Pos)
			}
			o.Header = b
		case "force_quote", "force_not_null", "force_null":
			if !opt.Star && opt.List == nil {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument to option \"%s\" must be a list of column names", name).WithPosition(opt.Pos)
			}
			switch name {
			case "force_quote":
				o.ForceQuote, o.ForceQuoteAll = opt.List, opt.Star
			case "force_not_null":
				if opt.Star {
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument to option \"%s\" must be a list of column names", name).WithPosition(opt.Pos)
				}
				o.ForceNotNull = opt.List
			case "force_null":
				if opt.Star {
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument to option \"%s\" must be a list of column names", name).WithPosition(opt.Pos)
				}
				o.ForceNull = opt.List
			}
		case "encoding":
			v, err := copyString(opt)
			if err != nil {
				return nil, err
			}
			switch strings.ToUpper(strings.ReplaceAll(strings.ReplaceAll(v, "-", ""), "_", "")) {
			case "UTF8", "UNICODE":
			case "SQLASCII", "LATIN1", "WIN1252", "LATIN9", "EUCJP", "SJIS", "GBK", "BIG5", "KOI8R", "WIN1251", "ISO88591":
				return nil, pgerror.Unsupported("COPY with ENCODING '" + v + "' (only UTF8)").WithPosition(opt.Pos)
			default:
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument to option \"%s\" must be a valid encoding name", name).WithPosition(opt.Pos)
			}
		default:
			return nil, copySyntaxError("option \"%s\" not recognized", name).WithPosition(opt.Pos)
		}
	}
	bin, csv := o.Format == CopyBinary, o.Format == CopyCSV
	if bin && delim != nil {
		return nil, copySyntaxError("cannot specify DELIMITER in BINARY mode")
	}
	if bin && null != nil {
		return nil, copySyntaxError("cannot specify NULL in BINARY mode")
	}
	// Defaults.
	o.Delimiter, o.Null = '\t', `\N`
	if csv {
		o.Delimiter, o.Null = ',', ""
	}
	if delim != nil {
		if len(*delim) != 1 {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY delimiter must be a single one-byte character")
		}
		o.Delimiter = (*delim)[0]
	}
	if null != nil {
		o.Null = *null
	}
	if o.Delimiter == '\n' || o.Delimiter == '\r' {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "COPY delimiter cannot be newline or carriage return")
	}
	if strings.ContainsAny(o.Null, "\r\n") {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "COPY null representation cannot use newline or carriage return")
	}
	if !csv && !bin && strings.IndexByte(`\.abcdefghijklmnopqrstuvwxyz0123456789`, o.Delimiter) >= 0 {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "COPY delimiter cannot be \"%s\"", string(o.Delimiter))
	}
	if bin && o.Header {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot specify HEADER in BINARY mode")
	}
	if !csv && quote != nil {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY quote available only in CSV mode")
	}
	o.Quote = '"'
	if quote != nil {
		if len(*quote) != 1 {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY quote must be a single one-byte character")
		}
		o.Quote = (*quote)[0]
	}
	if csv && o.Delimiter == o.Quote {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "COPY delimiter and quote must be different")
	}
	if !csv && escape != nil {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY escape available only in CSV mode")
	}
	o.Escape = o.Quote
	if escape != nil {
		if len(*escape) != 1 {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY escape must be a single one-byte character")
		}
		o.Escape = (*escape)[0]
	}
	if !csv && (o.ForceQuote != nil || o.ForceQuoteAll) {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY force quote available only in CSV mode")
	}
	if (o.ForceQuote != nil || o.ForceQuoteAll) && from {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY force quote only available using COPY TO")
	}
	if !csv && o.ForceNotNull != nil {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY force not null available only in CSV mode")
	}
	if o.ForceNotNull != nil && !from {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY force not null only available using COPY FROM")
	}
	if !csv && o.ForceNull != nil {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY force null available only in CSV mode")
	}
	if o.ForceNull != nil && !from {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY force null only available using COPY FROM")
	}
	if !bin && strings.IndexByte(o.Null, o.Delimiter) >= 0 {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "COPY delimiter must not appear in the NULL specification")
	}
	if csv && strings.IndexByte(o.Null, o.Quote) >= 0 {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "CSV quote character must not appear in the NULL specification")
	}
	return o, nil
}
