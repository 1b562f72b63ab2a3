package exec

import (
	"crypto/md5"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"runtime"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// SessionInfo is what the session functions read and change of the
// session that runs the statement.
type SessionInfo interface {
	// User is the session's user name (current_user, session_user).
	User() string
	// Database is the session's database name (current_database()).
	Database() string
	// SetConfig sets a setting as SET (or SET LOCAL) does, with its
	// validation and errors, and returns the value current_setting now
	// shows.
	SetConfig(name, value string, local bool) (string, error)
}

// callMoreBuiltin evaluates the functions of plan/funcs_more.go and
// plan/ops_more.go, reporting false for other functions. Unlike
// callBuiltin's, some of them are not strict (concat, concat_ws, format).
func (c *Context) callMoreBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	if d, ok, err := c.callJSONBuiltin(f, args); ok { // builtins_json.go
		return d, true, err
	}
	if d, ok, err := c.callCatalogBuiltin(f, args); ok { // builtins_catalog.go
		return d, true, err
	}
	if d, ok, err := callStringBuiltin(f, args); ok { // builtins_str.go
		return d, true, err
	}
	if d, ok, err := callMathBuiltin(f, args); ok { // builtins_math.go
		return d, true, err
	}
	if d, ok, err := callMiscBuiltin(f, args); ok { // builtins_misc.go
		return d, true, err
	}
	if d, ok, err := callUUIDBuiltin(f, args); ok { // builtins_uuid.go
		return d, true, err
	}
	if d, ok, err := c.callTimeBuiltin(f, args); ok { // builtins_time.go
		return d, true, err
	}
	if d, ok, err := c.callNumBuiltin(f, args); ok { // builtins_num.go
		return d, true, err
	}
	switch f.Name {
	case "concat":
		d, err := c.concat(f, args, 0, "")
		return d, true, err
	case "concat_ws":
		if args[0] == types.DNull {
			return types.DNull, true, nil
		}
		sep, _ := types.AsString(args[0])
		d, err := c.concat(f, args, 1, sep)
		return d, true, err
	case "format":
		if args[0] == types.DNull {
			return types.DNull, true, nil
		}
		d, err := c.format(f, args)
		return d, true, err
	case "set_config":
		d, err := c.setConfig(args)
		return d, true, err
	case "version", "current_database", "current_user", "current_schema", "left", "right", "split_part",
		"md5", "random", "clock_timestamp", "power", "pow", "interval_mul", "interval_div", "regexp_replace", "to_char", "age", "to_timestamp", "to_date":
	default:
		return nil, false, nil
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, true, nil
		}
	}
	d, err := c.callStrictMore(f, args)
	return d, true, err
}

// callStrictMore evaluates the strict functions of callMoreBuiltin on
// non-NULL arguments.
func (c *Context) callStrictMore(f *plan.Func, args []types.Datum) (types.Datum, error) {
	str := func(i int) string { s, _ := types.AsString(args[i]); return s }
	switch f.Name {
	case "version":
		v := "15.0"
		if c.Settings != nil {
			if s, ok, err := c.Settings("server_version", true); err == nil && ok {
				v = s
			}
		}
		return types.DString("PostgreSQL " + v + " (rangedb) on " + runtime.GOARCH + "-" + runtime.GOOS +
			", compiled by " + runtime.Version() + ", 64-bit"), nil
	case "current_database":
		if c.Session == nil {
			return types.DNull, nil
		}
		return types.DString(c.Session.Database()), nil
	case "current_user":
		if c.Session == nil {
			return types.DNull, nil
		}
		return types.DString(c.Session.User()), nil
	case "current_schema":
		return c.currentSchema(), nil
	case "left", "right":
		r := []rune(str(0))
		n := int(args[1].(types.DInt))
		if n < 0 {
			n = max(len(r)+n, 0)
		}
		n = min(n, len(r))
		if f.Name == "left" {
			return types.DString(string(r[:n])), nil
		}
		return types.DString(string(r[len(r)-n:])), nil
	case "split_part":
		return splitPart(str(0), str(1), int(args[2].(types.DInt)))
	case "md5":
		var sum [md5.Size]byte
		if b, ok := args[0].(types.DBytes); ok {
			sum = md5.Sum([]byte(b))
		} else {
			sum = md5.Sum([]byte(str(0)))
		}
		return types.DString(hex.EncodeToString(sum[:])), nil
	case "random":
		return types.DFloat(rand.Float64()), nil
	case "clock_timestamp":
		return types.DTimestampTZ(timeToTimestamp(time.Now())), nil
	case "power", "pow":
		if f.Typ.Family != types.FloatFamily {
			return nil, pgerror.Unsupported("numeric ^ numeric (use double precision)")
		}
		return floatPower(float64(args[0].(types.DFloat)), float64(args[1].(types.DFloat)))
	case "interval_mul":
		return intervalScale(args[0].(types.DInterval), float64(args[1].(types.DFloat)), false)
	case "interval_div":
		return intervalScale(args[0].(types.DInterval), float64(args[1].(types.DFloat)), true)
	case "regexp_replace":
		flags := ""
		if len(args) == 4 {
			flags = str(3)
		}
		return regexpReplace(str(0), str(1), str(2), flags)
	case "to_char":
		return c.toChar(args[0], str(1))
	case "age":
		return c.age(args)
	case "to_timestamp":
		if len(args) == 2 {
			return c.toTimestampText(str(0), str(1))
		}
		return toTimestampEpoch(float64(args[0].(types.DFloat)))
	case "to_date":
		return c.toDate(str(0), str(1))
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s is not implemented", f.Name)
}

// currentSchema is current_schema(): the first schema of search_path
// that exists (public, pg_catalog or information_schema: rangedb has no
// other schemas, and no per-user ones for "$user"), NULL when none does.
func (c *Context) currentSchema() types.Datum {
	path := `"$user", public`
	if c.Settings != nil {
		if v, ok, err := c.Settings("search_path", true); err == nil && ok {
			path = v
		}
	}
	for _, part := range strings.Split(path, ",") {
		name := strings.TrimSpace(part)
		if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
			name = strings.ReplaceAll(name[1:len(name)-1], `""`, `"`)
		} else {
			name = strings.ToLower(name)
		}
		switch name {
		case "public", "pg_catalog", "information_schema":
			return types.DString(name)
		}
	}
	return types.DNull
}

// outputText is a value's text output (its type's output function, as
// concat and format's %s use it); NULL is empty.
func (c *Context) outputText(d types.Datum, t *types.T) string {
	if d == types.DNull {
		return ""
	}
	if s, ok := types.AsString(d); ok {
		return s
	}
	return string(types.FormatText(d, t, c.fc()))
}

// concat joins args[from:] with sep, skipping NULLs.
func (c *Context) concat(f *plan.Func, args []types.Datum, from int, sep string) (types.Datum, error) {
	var b strings.Builder
	first := true
	for i := from; i < len(args); i++ {
		if args[i] == types.DNull {
			continue
		}
		if !first {
			b.WriteString(sep)
		}
		first = false
		b.WriteString(c.outputText(args[i], f.Args[i].ResultType()))
	}
	return types.DString(b.String()), nil
}

// setConfig is set_config(name, value, is_local).
func (c *Context) setConfig(args []types.Datum) (types.Datum, error) {
	if args[0] == types.DNull {
		return nil, pgerror.New("22004", "SET requires parameter name")
	}
	if args[1] == types.DNull {
		return nil, pgerror.Unsupported("set_config with a NULL value")
	}
	if c.Session == nil {
		return nil, pgerror.Unsupported("set_config outside a session")
	}
	name, _ := types.AsString(args[0])
	value, _ := types.AsString(args[1])
	v, err := c.Session.SetConfig(name, value, args[2] == types.DBool(true))
	if err != nil {
		return nil, err
	}
	return types.DString(v), nil
}

// splitPart is split_part(s, delim, n): the n-th field (from the end when
// n is negative), empty past the last.
func splitPart(s, delim string, n int) (types.Datum, error) {
	if n == 0 {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "field position must not be zero")
	}
	var fields []string
	if delim == "" {
		fields = []string{s}
	} else {
		fields = strings.Split(s, delim)
	}
	if s == "" {
		fields = nil
	}
	i := n - 1
	if n < 0 {
		i = len(fields) + n
	}
	if i < 0 || i >= len(fields) {
		return types.DString(""), nil
	}
	return types.DString(fields[i]), nil
}

// floatPower is double precision ^ double precision with PostgreSQL's
// errors.
func floatPower(x, y float64) (types.Datum, error) {
	switch {
	case x == 0 && y < 0:
		return nil, pgerror.New("2201F", "zero raised to a negative power is undefined")
	case x < 0 && y != math.Trunc(y) && !math.IsInf(y, 0):
		return nil, pgerror.New("2201F", "a negative number raised to a non-integer power yields a complex result")
	}
	r := math.Pow(x, y)
	switch {
	case math.IsInf(r, 0) && !math.IsInf(x, 0) && !math.IsInf(y, 0):
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
	case r == 0 && x != 0 && !math.IsInf(y, 0) && !math.IsInf(x, 0):
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
	}
	return types.DFloat(r), nil
}

// intervalScale multiplies (or divides) an interval by a factor as
// PostgreSQL's interval_mul and interval_div do: each field is scaled,
// and the fractions of months and days cascade down into days (30 per
// month) and time, rounded to microseconds.
func intervalScale(iv types.DInterval, factor float64, divide bool) (types.Datum, error) {
	if divide {
		if factor == 0 {
			return nil, pgerror.New(pgerror.CodeDivisionByZero, "division by zero")
		}
	}
	scale := func(v float64) float64 {
		if divide {
			return v / factor
		}
		return v * factor
	}
	outOfRange := pgerror.New(pgerror.CodeDatetimeValueOutOfRange, "interval out of range")
	if math.IsNaN(factor) {
		return nil, outOfRange
	}
	round6 := func(v float64) float64 { return math.RoundToEven(v*1e6) / 1e6 }
	months := scale(float64(iv.Months))
	if math.IsNaN(months) || months > math.MaxInt32 || months < math.MinInt32 {
		return nil, outOfRange
	}
	days := scale(float64(iv.Days))
	if math.IsNaN(days) || days > math.MaxInt32 || days < math.MinInt32 {
		return nil, outOfRange
	}
	out := types.DInterval{Months: int32(months), Days: int32(days)}
	monthRemDays := round6((months - float64(out.Months)) * 30)
	secRem := round6((days - float64(out.Days) + monthRemDays - math.Trunc(monthRemDays)) * 86400)
	if math.Abs(secRem) >= 86400 {
		out.Days += int32(secRem / 86400)
		secRem -= math.Trunc(secRem/86400) * 86400
	}
	out.Days += int32(monthRemDays)
	t := math.RoundToEven(scale(float64(iv.Micros)) + secRem*1e6)
	if math.IsNaN(t) || t >= math.MaxInt64 || t < math.MinInt64 {
		return nil, outOfRange
	}
	out.Micros = int64(t)
	return out, nil
}

// format is format(fmt, args…): %s (text output, NULL as empty), %I
// (quoted identifier), %L (quoted literal, NULL as NULL), %%, with
// optional positions (%2$s) and widths (%-10s, %*s).
func (c *Context) format(f *plan.Func, args []types.Datum) (types.Datum, error) {
	fmtStr, _ := types.AsString(args[0])
	var b strings.Builder
	next := 1 // the next argument, as an index into args
	argAt := func(i int) (types.Datum, *types.T, error) {
		if i >= len(args) {
			return nil, nil, pgerror.New(pgerror.CodeInvalidParameterValue, "too few arguments for format()")
		}
		return args[i], f.Args[i].ResultType(), nil
	}
	r := []rune(fmtStr)
	for i := 0; i < len(r); i++ {
		if r[i] != '%' {
			b.WriteRune(r[i])
			continue
		}
		i++
		if i >= len(r) {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unterminated format() type specifier").
				WithHint("For a single \"%%\" use \"%%%%\".")
		}
		if r[i] == '%' {
			b.WriteByte('%')
			continue
		}
		// [argpos$][flags][width]type
		readNum := func() (int, bool, error) {
			start, n := i, 0
			for i < len(r) && r[i] >= '0' && r[i] <= '9' {
				n = n*10 + int(r[i]-'0')
				if n > math.MaxInt32/10 {
					return 0, false, pgerror.New(pgerror.CodeInvalidParameterValue, "number is out of range")
				}
				i++
			}
			return n, i > start, nil
		}
		argIdx, save := -1, i
		if n, ok, err := readNum(); err != nil {
			return nil, err
		} else if ok {
			if i < len(r) && r[i] == '$' {
				if n == 0 {
					return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "format specifies argument 0, but arguments are numbered from 1")
				}
				argIdx = n
				i++
			} else {
				i = save // a width without flags
			}
		}
		left := false
		for i < len(r) && r[i] == '-' {
			left = true
			i++
		}
		width := 0
		if i < len(r) && r[i] == '*' {
			return nil, pgerror.Unsupported("format() width from an argument (%*)")
		}
		if n, _, err := readNum(); err != nil {
			return nil, err
		} else {
			width = n
		}
		if i >= len(r) {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unterminated format() type specifier").
				WithHint("For a single \"%%\" use \"%%%%\".")
		}
		if argIdx < 0 {
			argIdx = next
		}
		next = argIdx + 1
		typ := r[i]
		switch typ {
		case 's', 'I', 'L':
		default:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "unrecognized format() type specifier \"%c\"", typ).
				WithHint("For a single \"%%\" use \"%%%%\".")
		}
		d, t, err := argAt(argIdx)
		if err != nil {
			return nil, err
		}
		var s string
		switch typ {
		case 's':
			s = c.outputText(d, t)
		case 'I':
			if d == types.DNull {
				return nil, pgerror.New("22004", "null values cannot be formatted as an SQL identifier")
			}
			s = quoteIdent(c.outputText(d, t))
		case 'L':
			if d == types.DNull {
				s = "NULL"
			} else {
				s = quoteLiteral(c.outputText(d, t))
			}
		}
		if pad := width - utf8.RuneCountInString(s); pad > 0 {
			if left {
				s += strings.Repeat(" ", pad)
			} else {
				s = strings.Repeat(" ", pad) + s
			}
		}
		b.WriteString(s)
	}
	return types.DString(b.String()), nil
}

// quoteIdent quotes an identifier as quote_ident does: unquoted when it
// is lower-case letters, digits and underscores not starting with a digit
// (and not a keyword, which this does not check).
func quoteIdent(s string) string {
	safe := s != ""
	for i, ch := range s {
		switch {
		case ch >= 'a' && ch <= 'z', ch == '_':
		case ch >= '0' && ch <= '9' && i > 0:
		default:
			safe = false
		}
	}
	if safe && !reservedIdent[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// reservedIdent are PostgreSQL 15's keywords that are not unreserved
// (reserved, column-name and type/function-name keywords): quote_ident
// quotes them.
var reservedIdent = map[string]bool{
	"all": true, "analyse": true, "analyze": true, "and": true, "any": true, "array": true, "as": true,
	"asc": true, "asymmetric": true, "both": true, "case": true, "cast": true, "check": true, "collate": true,
	"column": true, "constraint": true, "create": true, "current_catalog": true, "current_date": true,
	"current_role": true, "current_time": true, "current_timestamp": true, "current_user": true,
	"default": true, "deferrable": true, "desc": true, "distinct": true, "do": true, "else": true, "end": true,
	"except": true, "false": true, "fetch": true, "for": true, "foreign": true, "from": true, "grant": true,
	"group": true, "having": true, "in": true, "initially": true, "intersect": true, "into": true,
	"lateral": true, "leading": true, "limit": true, "localtime": true, "localtimestamp": true, "not": true,
	"null": true, "offset": true, "on": true, "only": true, "or": true, "order": true, "placing": true,
	"primary": true, "references": true, "returning": true, "select": true, "session_user": true, "some": true,
	"symmetric": true, "table": true, "then": true, "to": true, "trailing": true, "true": true, "union": true,
	"unique": true, "user": true, "using": true, "variadic": true, "when": true, "where": true, "window": true,
	"with": true, "between": true, "bigint": true, "bit": true, "boolean": true, "char": true,
	"character": true, "coalesce": true, "dec": true, "decimal": true, "exists": true, "extract": true,
	"float": true, "greatest": true, "grouping": true, "inout": true, "int": true, "integer": true,
	"interval": true, "least": true, "national": true, "nchar": true, "none": true, "normalize": true,
	"nullif": true, "numeric": true, "out": true, "overlay": true, "position": true, "precision": true,
	"real": true, "row": true, "setof": true, "smallint": true, "substring": true, "time": true,
	"timestamp": true, "treat": true, "trim": true, "values": true, "varchar": true, "xmlattributes": true,
	"xmlconcat": true, "xmlelement": true, "xmlexists": true, "xmlforest": true, "xmlnamespaces": true,
	"xmlparse": true, "xmlpi": true, "xmlroot": true, "xmlserialize": true, "xmltable": true,
	"authorization": true, "binary": true, "collation": true, "concurrently": true, "cross": true,
	"current_schema": true, "freeze": true, "full": true, "ilike": true, "inner": true, "is": true,
	"isnull": true, "join": true, "left": true, "like": true, "natural": true, "notnull": true, "outer": true,
	"overlaps": true, "right": true, "similar": true, "tablesample": true, "verbose": true,
}

// quoteLiteral quotes a literal as quote_literal does: doubled quotes,
// and E” with doubled backslashes when it holds a backslash.
func quoteLiteral(s string) string {
	q := "'" + strings.ReplaceAll(s, "'", "''") + "'"
	if strings.Contains(s, `\`) {
		return "E" + strings.ReplaceAll(q, `\`, `\\`)
	}
	return q
}

// age is PostgreSQL's age(a, b): the difference a - b as years, months
// and days and a time of day, field by field with borrows (timestamp.c's
// timestamp_age, our own code), so age('2024-03-01', '2024-01-31') is
// 1 mon 1 day; age(a) is age(current_date at midnight, a). A timestamptz
// is taken apart in the session's time zone. An infinite argument is
// 22008 (PostgreSQL 15 answers an overflowed interval there).
func (c *Context) age(args []types.Datum) (types.Datum, error) {
	a, b := types.Datum(nil), args[0]
	if len(args) == 2 {
		a, b = args[0], args[1]
	} else {
		t := c.Now.In(c.loc())
		midnight := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, c.loc())
		if _, ok := b.(types.DTimestampTZ); ok {
			a = types.DTimestampTZ(timeToTimestamp(midnight))
		} else {
			a = types.DTimestamp(timeToTimestamp(time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)))
		}
	}
	finite := func(d types.Datum) (int64, bool) {
		var v int64
		switch x := d.(type) {
		case types.DTimestamp:
			v = int64(x)
		case types.DTimestampTZ:
			v = int64(x)
		}
		return v, v != types.TimestampPosInfinity && v != types.TimestampNegInfinity
	}
	va, okA := finite(a)
	vb, okB := finite(b)
	if !okA || !okB {
		return nil, pgerror.New("22008", "timestamp out of range")
	}
	t1, _ := c.timeOf(a)
	t2, _ := c.timeOf(b)
	usec := int64(t1.Nanosecond()/1000 - t2.Nanosecond()/1000)
	sec := t1.Second() - t2.Second()
	mins := t1.Minute() - t2.Minute()
	hour := t1.Hour() - t2.Hour()
	mday := t1.Day() - t2.Day()
	mon := int(t1.Month()) - int(t2.Month())
	year := t1.Year() - t2.Year()
	neg := va < vb
	if neg {
		usec, sec, mins, hour, mday, mon, year = -usec, -sec, -mins, -hour, -mday, -mon, -year
	}
	for usec < 0 {
		usec += 1_000_000
		sec--
	}
	for sec < 0 {
		sec += 60
		mins--
	}
	for mins < 0 {
		mins += 60
		hour--
	}
	for hour < 0 {
		hour += 24
		mday--
	}
	for mday < 0 {
		// Borrow the length of the earlier timestamp's month.
		ref := t2
		if neg {
			ref = t1
		}
		mday += daysIn(ref.Year(), ref.Month())
		mon--
	}
	for mon < 0 {
		mon += 12
		year--
	}
	if neg {
		usec, sec, mins, hour, mday, mon, year = -usec, -sec, -mins, -hour, -mday, -mon, -year
	}
	months := int64(year)*12 + int64(mon)
	if months > math.MaxInt32 || months < math.MinInt32 {
		return nil, pgerror.New("22008", "interval out of range")
	}
	return types.DInterval{Months: int32(months), Days: int32(mday),
		Micros: ((int64(hour)*60+int64(mins))*60+int64(sec))*1_000_000 + usec}, nil
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// toTimestampEpoch is to_timestamp(double precision): seconds since the
// Unix epoch, rounded to microseconds, as PostgreSQL's float8_timestamptz
// does (±Infinity give the infinite timestamps).
func toTimestampEpoch(secs float64) (types.Datum, error) {
	switch {
	case math.IsNaN(secs):
		return nil, pgerror.New("22008", "timestamp cannot be NaN")
	case math.IsInf(secs, 1):
		return types.DTimestampTZ(types.TimestampPosInfinity), nil
	case math.IsInf(secs, -1):
		return types.DTimestampTZ(types.TimestampNegInfinity), nil
	}
	outOfRange := pgerror.New("22008", "timestamp out of range: \"%s\"", strconv.FormatFloat(secs, 'g', 6, 64))
	// The range is 4714-11-24 BC .. 294277-01-01 (exclusive), in Unix
	// seconds.
	if secs < -210866803200 || secs >= 9224314646400 {
		return nil, outOfRange
	}
	// As PostgreSQL: to seconds since 2000 first, then rounded to µs.
	unixEpoch := float64(types.TimeToMicros(time.Unix(0, 0))) / 1e6 // -946684800
	us := math.RoundToEven((secs + unixEpoch) * 1e6)
	if us < -211813488000000000 || us >= 9223371331200000000 {
		return nil, outOfRange
	}
	return types.DTimestampTZ(int64(us)), nil
}
