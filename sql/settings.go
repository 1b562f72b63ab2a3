package sql

import (
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// Session settings (PostgreSQL's GUCs), as far as drivers and psql set or
// read them. Each setting has a definition (settingDefs, immutable and
// shared) and a current value per session (Session.settings, the
// canonical text SHOW prints). Values are validated and canonicalized as
// PostgreSQL 15 does, with its errors; a change is transactional like a
// GUC's: SET inside a transaction is undone by ROLLBACK (or the error that
// aborts it), SET LOCAL lasts until the transaction ends. The settings
// that change output (TimeZone, DateStyle, IntervalStyle,
// extra_float_digits) are kept parsed in Session.fc, the
// types.FormatContext every value is formatted and parsed with.
//
// For the planner and executor (their owners wire it in; agreed here):
// Session.CurrentSetting implements current_setting(name [, missing_ok])
// with PostgreSQL's errors; the session is meant to be handed to the
// executor as a SettingsReader (e.g. an exec.Context field set in
// Session.execContext). Literals folded at plan time must be read with
// Session.FormatContext() (TimeZone, DateStyle order), as PostgreSQL folds
// them under the session's settings.

// SettingsReader is what the executor needs to evaluate current_setting()
// and friends. *Session implements it.
type SettingsReader interface {
	// CurrentSetting returns the value of the setting called name (any
	// case), as SHOW prints it. An unknown name is 42704 `unrecognized
	// configuration parameter "name"`, unless missingOK, which returns
	// ok=false instead (current_setting(name, true) is then NULL).
	CurrentSetting(name string, missingOK bool) (value string, ok bool, err error)
}

var _ SettingsReader = (*Session)(nil)

type settingKind uint8

const (
	kindString settingKind = iota
	kindBool
	kindInt
	kindEnum
)

// settingDef defines one setting.
type settingDef struct {
	// name is the canonical spelling (SHOW's column, ParameterStatus).
	name string
	kind settingKind
	// report: sent with ParameterStatus when it changes (GUC_REPORT).
	report bool
	// internal: cannot be changed (PGC_INTERNAL).
	internal bool
	// msUnit: an integer in milliseconds, written with units.
	msUnit bool
	// kbUnit: an integer in kilobytes, written with units (work_mem).
	kbUnit bool
	// min and max bound integers.
	min, max int64
	// enum lists the values of an enum, in PostgreSQL's order.
	enum []string
	// boot returns the default value for a session.
	boot func(s *Session) string
	// check validates and canonicalizes a value; cur is the current one.
	check func(s *Session, cur, v string) (string, error)
	// apply updates the session's derived state after the value changed.
	apply func(s *Session, v string)
	desc  string
}

func constant(v string) func(*Session) string { return func(*Session) string { return v } }

// settingDefs lists the settings rangedb knows, sorted by name as SHOW ALL
// prints them.
var settingDefs = []*settingDef{
	{name: "application_name", kind: kindString, report: true, boot: constant(""),
		check: checkApplicationName, desc: "Sets the application name to be reported in statistics and logs."},
	{name: "bytea_output", kind: kindEnum, enum: []string{"escape", "hex"}, boot: constant("hex"),
		check: onlyValue("hex"), desc: "Sets the output format for bytea."},
	{name: "client_encoding", kind: kindString, report: true, boot: constant("UTF8"),
		check: checkClientEncoding, desc: "Sets the client's character set encoding."},
	{name: "client_min_messages", kind: kindEnum, boot: constant("notice"),
		enum: []string{"debug5", "debug4", "debug3", "debug2", "debug1", "log", "notice", "warning", "error"},
		desc: "Sets the message levels that are sent to the client."},
	{name: "DateStyle", kind: kindString, report: true, boot: constant("ISO, MDY"),
		check: checkDateStyle, apply: applyDateStyle, desc: "Sets the display format for date and time values."},
	{name: "default_transaction_deferrable", kind: kindBool, boot: constant("off"),
		desc: "Sets the default deferrable status of new transactions."},
	{name: "default_transaction_isolation", kind: kindEnum, boot: constant("read committed"),
		enum:  []string{"serializable", "repeatable read", "read committed", "read uncommitted"},
		check: checkIsolation, desc: "Sets the transaction isolation level of each new transaction."},
	{name: "default_transaction_read_only", kind: kindBool, report: true, boot: constant("off"),
		desc: "Sets the default read-only status of new transactions."},
	{name: "escape_string_warning", kind: kindBool, boot: constant("on"),
		desc: "Warn about backslash escapes in ordinary string literals."},
	{name: "extra_float_digits", kind: kindInt, min: -15, max: 3, boot: constant("1"),
		apply: applyExtraFloatDigits, desc: "Sets the number of digits displayed for floating-point values."},
	{name: "idle_in_transaction_session_timeout", kind: kindInt, msUnit: true, max: math.MaxInt32, boot: constant("0"),
		desc: "Sets the maximum allowed idle time between queries, when in a transaction."},
	{name: "idle_session_timeout", kind: kindInt, msUnit: true, max: math.MaxInt32, boot: constant("0"),
		desc: "Sets the maximum allowed idle time between queries, when not in a transaction."},
	{name: "in_hot_standby", kind: kindBool, report: true, internal: true, boot: constant("off"),
		desc: "Shows whether hot standby is currently active."},
	{name: "integer_datetimes", kind: kindBool, report: true, internal: true, boot: constant("on"),
		desc: "Shows whether datetimes are integer based."},
	{name: "IntervalStyle", kind: kindEnum, report: true, boot: constant("postgres"),
		enum:  []string{"postgres", "postgres_verbose", "sql_standard", "iso_8601"},
		apply: applyIntervalStyle, desc: "Sets the display format for interval values."},
	{name: "is_superuser", kind: kindBool, report: true, internal: true, boot: constant("on"),
		desc: "Shows whether the current user is a superuser."},
	{name: "lock_timeout", kind: kindInt, msUnit: true, max: math.MaxInt32, boot: constant("0"),
		desc: "Sets the maximum allowed duration of any wait for a lock."},
	{name: "max_connections", kind: kindInt, internal: true,
		boot: func(s *Session) string { return strconv.Itoa(s.e.MaxConnections()) },
		desc: "Sets the maximum number of concurrent connections."},
	{name: "max_identifier_length", kind: kindInt, internal: true, boot: constant("63"),
		desc: "Shows the maximum identifier length."},
	{name: "row_security", kind: kindBool, boot: constant("on"), desc: "Enable row security."},
	{name: "search_path", kind: kindString, boot: constant(`"$user", public`),
		desc: "Sets the schema search order for names that are not schema-qualified."},
	{name: "server_encoding", kind: kindString, report: true, internal: true, boot: constant("UTF8"),
		desc: "Shows the server (database) character set encoding."},
	{name: "server_version", kind: kindString, report: true, internal: true,
		boot: func(s *Session) string { return s.e.serverVersion() }, desc: "Shows the server version."},
	{name: "server_version_num", kind: kindInt, internal: true,
		boot: func(s *Session) string { return serverVersionNum(s.e.serverVersion()) },
		desc: "Shows the server version as an integer."},
	{name: "session_authorization", kind: kindString, report: true,
		boot: func(s *Session) string { return s.user }, check: checkSessionAuthorization,
		desc: "Sets the session user name."},
	{name: "standard_conforming_strings", kind: kindBool, report: true, boot: constant("on"),
		check: onlyValue("on"), desc: "Causes '...' strings to treat backslashes literally."},
	{name: "check_function_bodies", kind: kindBool, boot: constant("on"),
		desc: "Check routine bodies during CREATE FUNCTION and CREATE PROCEDURE."},
	{name: "xmloption", kind: kindEnum, enum: []string{"content", "document"}, boot: constant("content"),
		desc: "Sets whether XML data in implicit parsing and serialization operations is to be considered as documents or content fragments."},
	{name: "default_tablespace", kind: kindString, boot: constant(""), check: checkTablespace,
		desc: "Sets the default tablespace to create tables and indexes in."},
	{name: "default_table_access_method", kind: kindString, boot: constant("heap"), check: onlyValue("heap"),
		desc: "Sets the default table access method for new tables."},
	{name: "synchronize_seqscans", kind: kindBool, boot: constant("on"),
		desc: "Enable synchronized sequential scans."},
	{name: "statement_timeout", kind: kindInt, msUnit: true, max: math.MaxInt32, boot: constant("0"),
		desc: "Sets the maximum allowed duration of any statement."},
	{name: "work_mem", kind: kindInt, kbUnit: true, min: 64, max: math.MaxInt32, boot: func(s *Session) string { return formatUnits(s.e.Stats.MemoryBudget()>>10, kbUnits) },
		apply: func(s *Session, v string) {
			kb, _ := parseUnits(v, kbUnits)
			s.settings.workMem = kb << 10
		},
		desc: "Sets the maximum memory to be used for query workspaces."},
	{name: "synchronous_commit", kind: kindEnum, boot: constant("on"),
		enum: []string{"local", "remote_write", "remote_apply", "on", "off"},
		desc: "Sets the current transaction's synchronization level."},
	{name: "TimeZone", kind: kindString, report: true,
		boot: func(s *Session) string { return "UTC" }, check: checkTimeZone, apply: applyTimeZone,
		desc: "Sets the time zone for displaying and interpreting time stamps."},
	{name: "transaction_deferrable", kind: kindBool, boot: constant("off"),
		desc: "Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures."},
	{name: "transaction_isolation", kind: kindEnum, boot: constant("read committed"),
		enum:  []string{"serializable", "repeatable read", "read committed", "read uncommitted"},
		check: checkIsolation, desc: "Sets the current transaction's isolation level."},
	{name: "transaction_read_only", kind: kindBool, boot: constant("off"),
		desc: "Sets the current transaction's read-only status."},
}

// settingsByName indexes settingDefs by lower-cased name. Built once from
// the immutable table; never modified.
var settingsByName = func() map[string]*settingDef {
	m := make(map[string]*settingDef, len(settingDefs))
	for _, d := range settingDefs {
		m[strings.ToLower(d.name)] = d
	}
	return m
}()

// settingAliases maps other spellings PostgreSQL accepts to the setting.
var settingAliases = map[string]string{"names": "client_encoding", "time zone": "timezone"}

func lookupSetting(name string) *settingDef {
	n := strings.ToLower(name)
	if a, ok := settingAliases[n]; ok {
		n = a
	}
	return settingsByName[n]
}

// lookupSetting returns the setting called name: a built-in one, or a
// custom one ("myapp.user_id": a name with a dot, as extensions and
// applications use), which SET creates when create is set.
func (s *Session) lookupSetting(name string, create bool) *settingDef {
	if d := lookupSetting(name); d != nil {
		return d
	}
	n := strings.ToLower(name)
	if !strings.Contains(n, ".") {
		return nil
	}
	st := &s.settings
	if d := st.custom[n]; d != nil || !create {
		return d
	}
	d := &settingDef{name: n, kind: kindString, boot: constant(""), desc: "Custom setting."}
	if st.custom == nil {
		st.custom = make(map[string]*settingDef)
	}
	st.custom[n] = d
	st.cur[d], st.reset[d] = "", ""
	return d
}

// sessionSettings is a session's settings state.
type sessionSettings struct {
	// cur holds every setting's current value, by definition.
	cur map[*settingDef]string
	// reset holds the values RESET returns to: the boot value or the one
	// the startup message gave.
	reset map[*settingDef]string
	// txn records, for each setting changed in the open transaction, its
	// value before the transaction and the value it keeps at commit.
	txn map[*settingDef]*txnSetting
	// reported holds the value last reported with ParameterStatus; nil
	// before the first ParameterChanges.
	reported map[*settingDef]string
	// fc is the FormatContext of the current TimeZone, DateStyle,
	// IntervalStyle and extra_float_digits.
	fc types.FormatContext
	// statementTimeout is statement_timeout, lockTimeout lock_timeout;
	// 0 is none.
	statementTimeout, lockTimeout time.Duration
	// workMem is work_mem in bytes: the statement's memory budget.
	workMem int64
	// custom holds the custom settings (names with a dot) SET created.
	custom map[string]*settingDef
}

type txnSetting struct {
	before string // value when the transaction began
	commit string // value at commit: the last SET (not SET LOCAL)
}

// initSettings sets every setting to its default, then applies the
// startup parameters (unknown names are 42704, bad values 22023, as
// PostgreSQL fails the connection).
func (s *Session) initSettings(params map[string]string) error {
	st := &s.settings
	st.cur = make(map[*settingDef]string, len(settingDefs))
	st.reset = make(map[*settingDef]string, len(settingDefs))
	st.fc = *types.NewFormatContext(time.UTC)
	for _, d := range settingDefs {
		v := d.boot(s)
		st.cur[d] = v
		if d.apply != nil {
			d.apply(s, v)
		}
	}
	apply := func(name, value string) error {
		d := s.lookupSetting(name, true)
		if d == nil {
			return pgerror.New(pgerror.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", name)
		}
		if d.internal {
			return cantChange(name)
		}
		// Not IsString: a startup search_path is taken as written.
		v, err := s.validateSetting(d, name, []ast.SetArg{{Str: value}})
		if err != nil {
			return err
		}
		s.setValue(d, v)
		return nil
	}
	// Apply in a stable order, options last (it overrides).
	names := make([]string, 0, len(params))
	for k := range params {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		switch k {
		case "user", "database", "replication", "options":
			continue
		}
		if err := apply(k, params[k]); err != nil {
			return err
		}
	}
	if opts := params["options"]; opts != "" {
		kv, err := parseStartupOptions(opts)
		if err != nil {
			return err
		}
		for _, p := range kv {
			if err := apply(p[0], p[1]); err != nil {
				return err
			}
		}
	}
	for d, v := range st.cur {
		st.reset[d] = v
	}
	return nil
}

// parseStartupOptions reads the startup "options" parameter: `-c
// name=value` and `--name=value` switches, as PGOPTIONS sends them.
func parseStartupOptions(opts string) ([][2]string, error) {
	var out [][2]string
	f := strings.Fields(opts)
	for i := 0; i < len(f); i++ {
		var nv string
		switch {
		case f[i] == "-c" && i+1 < len(f):
			i++
			nv = f[i]
		case strings.HasPrefix(f[i], "-c"):
			nv = f[i][2:]
		case strings.HasPrefix(f[i], "--"):
			nv = f[i][2:]
		default:
			return nil, pgerror.New(pgerror.CodeProtocolViolation, "invalid command-line argument for server process: %s", f[i]).
				WithHint("Try \"postgres --help\" for more information.")
		}
		name, value, ok := strings.Cut(nv, "=")
		if !ok {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "-c %s requires a value", nv)
		}
		out = append(out, [2]string{strings.ReplaceAll(name, "-", "_"), value})
	}
	return out, nil
}

// setValue changes a setting's current value and its derived state.
func (s *Session) setValue(d *settingDef, v string) {
	s.settings.cur[d] = v
	if d.apply != nil {
		d.apply(s, v)
	}
	if d.msUnit && (d.name == "statement_timeout" || d.name == "lock_timeout") {
		ms, _ := strconv.ParseInt(v, 10, 64)
		if ms == 0 {
			if n, err := parseMS(v); err == nil {
				ms = n
			}
		}
		if d.name == "statement_timeout" {
			s.settings.statementTimeout = time.Duration(ms) * time.Millisecond
		} else {
			s.settings.lockTimeout = time.Duration(ms) * time.Millisecond
		}
	}
}

// CurrentSetting implements SettingsReader.
func (s *Session) CurrentSetting(name string, missingOK bool) (string, bool, error) {
	d := s.lookupSetting(name, false)
	if d == nil {
		if missingOK {
			return "", false, nil
		}
		return "", false, pgerror.New(pgerror.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", name)
	}
	return s.showValue(d), true, nil
}

// showValue is the value SHOW prints.
func (s *Session) showValue(d *settingDef) string {
	switch d.name {
	case "transaction_isolation":
		if s.mode != modeIdle && s.txnModes.isolation != "" {
			return s.txnModes.isolation
		}
		return s.settings.cur[settingsByName["default_transaction_isolation"]]
	case "transaction_read_only":
		if s.mode != modeIdle {
			return boolText(s.txnModes.readOnly)
		}
		return s.settings.cur[settingsByName["default_transaction_read_only"]]
	}
	return s.settings.cur[d]
}

// FormatContext returns the settings values are formatted and parsed
// with. The caller must not modify it.
func (s *Session) FormatContext() *types.FormatContext { return &s.settings.fc }

// ParameterChanges returns the reported settings whose value changed
// since the last call, in settingDefs order (the order PostgreSQL sends
// them at startup); the first call returns all of them.
func (s *Session) ParameterChanges() []ParameterStatus {
	st := &s.settings
	first := st.reported == nil
	if first {
		st.reported = make(map[*settingDef]string)
	}
	var out []ParameterStatus
	for _, d := range settingDefs {
		if !d.report {
			continue
		}
		v := st.cur[d]
		if old, ok := st.reported[d]; ok && !first && old == v {
			continue
		}
		st.reported[d] = v
		out = append(out, ParameterStatus{Name: d.name, Value: v})
	}
	return out
}

// execSet runs SET, SET LOCAL, SET … TO DEFAULT and RESET.
func (s *Session) execSet(n *ast.SetVar, w ResultWriter) error {
	if n.ResetAll {
		for d := range s.settings.cur {
			if d.internal || strings.HasPrefix(d.name, "transaction_") {
				continue
			}
			s.changeSetting(d, s.settings.reset[d], false)
		}
		return w.Complete("RESET")
	}
	d := s.lookupSetting(n.Name, !n.Reset)
	if d == nil {
		return pgerror.New(pgerror.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", n.Name)
	}
	if d.internal {
		return cantChange(n.Name)
	}
	if n.Local && s.mode != modeExplicit {
		notice(w, "WARNING", "25P01", "SET LOCAL can only be used in transaction blocks")
	}
	var v string
	if n.Default {
		v = s.settings.reset[d]
	} else {
		var err error
		if v, err = s.validateSetting(d, n.Name, n.Args); err != nil {
			return err
		}
	}
	switch d.name {
	case "transaction_isolation", "transaction_read_only", "transaction_deferrable":
		// SET transaction_isolation is SET TRANSACTION ISOLATION LEVEL.
		var m ast.TxnModes
		switch d.name {
		case "transaction_isolation":
			m.Isolation = v
		case "transaction_read_only":
			b := v == "on"
			m.ReadOnly = &b
		default:
			b := v == "on"
			m.Deferrable = &b
		}
		if err := s.setTransaction(m, w); err != nil {
			return err
		}
		return w.Complete(n.StatementTag())
	}
	s.changeSetting(d, v, n.Local)
	return w.Complete(n.StatementTag())
}

// changeSetting sets d to v in the open transaction (if any), recording
// what commit and rollback restore.
func (s *Session) changeSetting(d *settingDef, v string, local bool) {
	st := &s.settings
	if s.mode == modeIdle {
		if !local {
			s.setValue(d, v)
		}
		return
	}
	if st.txn == nil {
		st.txn = make(map[*settingDef]*txnSetting)
	}
	ts := st.txn[d]
	if ts == nil {
		ts = &txnSetting{before: st.cur[d], commit: st.cur[d]}
		st.txn[d] = ts
	}
	if !local {
		ts.commit = v
	}
	s.setValue(d, v)
}

// endTxnSettings ends the transaction's setting changes: kept (SET) or
// undone (SET LOCAL) at commit, all undone at rollback.
func (s *Session) endTxnSettings(committed bool) {
	st := &s.settings
	for d, ts := range st.txn {
		if committed {
			s.setValue(d, ts.commit)
		} else {
			s.setValue(d, ts.before)
		}
	}
	st.txn = nil
}

// execShow runs SHOW name and SHOW ALL.
func (s *Session) execShow(n *ast.ShowVar, w ResultWriter, enc *rowEncoder) error {
	cols := showColumns(n)
	if err := w.SetColumns(cols); err != nil {
		return err
	}
	if n.All {
		for _, d := range settingDefs {
			row := types.Datums{types.DString(d.name), types.DString(s.showValue(d)), types.DString(d.desc)}
			vals, err := enc.encode(s, row)
			if err != nil {
				return err
			}
			if err := w.AddRow(vals); err != nil {
				return err
			}
		}
		return w.Complete("SHOW")
	}
	v, _, err := s.CurrentSetting(n.Name, false)
	if err != nil {
		return err
	}
	vals, err := enc.encode(s, types.Datums{types.DString(v)})
	if err != nil {
		return err
	}
	if err := w.AddRow(vals); err != nil {
		return err
	}
	return w.Complete("SHOW")
}

// showColumns is SHOW's result: one text column named after the setting,
// or SHOW ALL's name, setting, description.
func showColumns(n *ast.ShowVar) []ResultColumn {
	col := func(name string) ResultColumn {
		return ResultColumn{Name: name, TypeOID: types.OIDText, TypeSize: -1, TypeModifier: -1}
	}
	if n.All {
		return []ResultColumn{col("name"), col("setting"), col("description")}
	}
	if d := lookupSetting(n.Name); d != nil {
		return []ResultColumn{col(d.name)}
	}
	if strings.Contains(n.Name, ".") {
		return []ResultColumn{col(strings.ToLower(n.Name))}
	}
	return []ResultColumn{col(n.Name)}
}

// validateSetting turns SET's arguments into d's canonical value, with
// PostgreSQL's errors. name is the setting as the user wrote it (PostgreSQL
// names it so in most messages).
func (s *Session) validateSetting(d *settingDef, name string, args []ast.SetArg) (string, error) {
	if len(args) == 0 {
		return "", pgerror.New(pgerror.CodeSyntaxError, "SET %s requires a value", name)
	}
	if d.name == "search_path" {
		parts := make([]string, len(args))
		for i, a := range args {
			if a.IsString {
				parts[i] = quoteIdent(a.Str)
			} else {
				parts[i] = a.Str
			}
		}
		return strings.Join(parts, ", "), nil
	}
	if len(args) > 1 {
		return "", pgerror.New(pgerror.CodeSyntaxError, "SET %s takes only one argument", name)
	}
	v := args[0].Str
	invalid := func() *pgerror.Error {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", name, v)
	}
	switch d.kind {
	case kindBool:
		b, ok := parseBoolSetting(v)
		if !ok {
			return "", pgerror.New(pgerror.CodeInvalidParameterValue, "parameter \"%s\" requires a Boolean value", name)
		}
		v = boolText(b)
	case kindInt:
		var n int64
		var err error
		switch {
		case d.msUnit:
			n, err = parseMS(v)
		case d.kbUnit:
			n, err = parseUnits(v, kbUnits)
		default:
			n, err = parseIntSetting(v)
		}
		if err != nil {
			e := invalid()
			if errors.Is(err, errBadUnit) && d.msUnit {
				e = e.WithHint("Valid units for this parameter are \"us\", \"ms\", \"s\", \"min\", \"h\", and \"d\".")
			} else if errors.Is(err, errBadUnit) {
				e = e.WithHint("Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".")
			}
			return "", e
		}
		if n < d.min || n > d.max {
			unit := ""
			if d.msUnit {
				unit = " ms"
			} else if d.kbUnit {
				unit = " kB"
			}
			return "", pgerror.New(pgerror.CodeInvalidParameterValue,
				"%d%s is outside the valid range for parameter \"%s\" (%d .. %d)", n, unit, name, d.min, d.max)
		}
		switch {
		case d.msUnit:
			v = formatMS(n)
		case d.kbUnit:
			v = formatUnits(n, kbUnits)
		default:
			v = strconv.FormatInt(n, 10)
		}
	case kindEnum:
		i := slices.IndexFunc(d.enum, func(e string) bool { return strings.EqualFold(e, strings.TrimSpace(v)) })
		if i < 0 {
			return "", invalid().WithHint("Available values: %s.", strings.Join(d.enum, ", "))
		}
		v = d.enum[i]
	}
	if d.check != nil {
		cv, err := d.check(s, s.settings.cur[d], v)
		if err != nil {
			var pe *pgerror.Error
			if errors.As(err, &pe) {
				return "", pe
			}
			// A failed check hook names the setting canonically.
			return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"%s\": \"%s\"", d.name, args[0].Str)
		}
		v = cv
	}
	return v, nil
}

func cantChange(name string) error {
	return pgerror.New("55P02", "parameter \"%s\" cannot be changed", name)
}

func boolText(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// parseBoolSetting reads a boolean setting as parse_bool does (unique
// prefixes of true/false/yes/no/on/off, and 1/0).
func parseBoolSetting(v string) (bool, bool) {
	v = strings.ToLower(strings.TrimSpace(v))
	if v == "" {
		return false, false
	}
	switch {
	case strings.HasPrefix("true", v), strings.HasPrefix("yes", v), v == "1", len(v) >= 2 && strings.HasPrefix("on", v):
		return true, true
	case strings.HasPrefix("false", v), strings.HasPrefix("no", v), v == "0", len(v) >= 2 && strings.HasPrefix("off", v):
		return false, true
	}
	return false, false
}

// parseIntSetting reads an integer setting; a fraction rounds to nearest
// (half away from zero), as PostgreSQL does.
func parseIntSetting(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if n, err := strconv.ParseInt(v, 0, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, errors.New("not a number")
	}
	return int64(math.RoundToEven(f)), nil
}

var errBadUnit = errors.New("invalid unit")

var msUnits = []struct {
	name string
	ms   float64
}{{"us", 0.001}, {"ms", 1}, {"s", 1000}, {"min", 60000}, {"h", 3600000}, {"d", 86400000}}

type unit struct {
	name string
	mult float64
}

// kbUnits are the units of a memory setting counted in kilobytes.
var kbUnits = []unit{{"B", 1.0 / 1024}, {"kB", 1}, {"MB", 1024}, {"GB", 1 << 20}, {"TB", 1 << 30}}

// parseUnits reads a number with an optional unit of units (case
// sensitive, as PostgreSQL's memory units are).
func parseUnits(v string, units []unit) (int64, error) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && (v[i] == '-' || v[i] == '+' || v[i] == '.' || (v[i] >= '0' && v[i] <= '9')) {
		i++
	}
	f, err := strconv.ParseFloat(v[:i], 64)
	if err != nil {
		return 0, errors.New("not a number")
	}
	mult := 1.0
	if u := strings.TrimSpace(v[i:]); u != "" {
		k := slices.IndexFunc(units, func(x unit) bool { return x.name == u })
		if k < 0 {
			return 0, errBadUnit
		}
		mult = units[k].mult
	}
	return int64(math.RoundToEven(f * mult)), nil
}

// formatUnits prints n in the largest whole unit of units, as SHOW does.
func formatUnits(n int64, units []unit) string {
	for i := len(units) - 1; i >= 0; i-- {
		u := int64(units[i].mult)
		if u >= 1 && n%u == 0 {
			return strconv.FormatInt(n/u, 10) + units[i].name
		}
	}
	return strconv.FormatInt(n, 10)
}

// parseMS reads a time setting in milliseconds: a number with an optional
// unit (us, ms, s, min, h, d).
func parseMS(v string) (int64, error) {
	v = strings.TrimSpace(v)
	i := 0
	for i < len(v) && (v[i] == '-' || v[i] == '+' || v[i] == '.' || (v[i] >= '0' && v[i] <= '9') || v[i] == 'e' && i > 0) {
		i++
	}
	num, unit := v[:i], strings.TrimSpace(v[i:])
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, errors.New("not a number")
	}
	mult := 1.0
	if unit != "" {
		found := false
		for _, u := range msUnits {
			if u.name == unit {
				mult, found = u.ms, true
			}
		}
		if !found {
			return 0, errBadUnit
		}
	}
	return int64(math.RoundToEven(f * mult)), nil
}

// formatMS prints milliseconds in the largest unit that divides them, as
// SHOW does ("5s", "1500ms", "1min").
func formatMS(ms int64) string {
	if ms == 0 {
		return "0"
	}
	for i := len(msUnits) - 1; i >= 1; i-- {
		u := int64(msUnits[i].ms)
		if ms%u == 0 {
			return strconv.FormatInt(ms/u, 10) + msUnits[i].name
		}
	}
	return strconv.FormatInt(ms, 10) + "ms"
}

// quoteIdent quotes an identifier as quote_identifier does for list
// settings like search_path.
func quoteIdent(s string) string {
	safe := s != "" && (s[0] >= 'a' && s[0] <= 'z' || s[0] == '_')
	for i := 0; safe && i < len(s); i++ {
		c := s[i]
		safe = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if safe {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

func onlyValue(want string) func(*Session, string, string) (string, error) {
	return func(_ *Session, _, v string) (string, error) {
		if v != want {
			return "", pgerror.New(pgerror.CodeFeatureNotSupported, "setting this parameter to \"%s\" is not supported", v).
				WithDetail("rangedb supports only \"%s\".", want)
		}
		return v, nil
	}
}

// checkApplicationName replaces non-printable and non-ASCII characters
// with '?' and truncates to 63 bytes, as PostgreSQL does.
func checkApplicationName(_ *Session, _, v string) (string, error) {
	b := []byte(v)
	for i, c := range b {
		if c < 32 || c > 126 {
			b[i] = '?'
		}
	}
	if len(b) > 63 {
		b = b[:63]
	}
	return string(b), nil
}

// pgEncodings are the other client encodings PostgreSQL knows (as
// pg_encoding_to_char spells them, without '_' and '-'); rangedb speaks
// only UTF8 to clients and refuses these with 0A000 rather than send
// bytes the client would misread.
var pgEncodings = map[string]bool{
	"SQLASCII": true, "LATIN1": true, "LATIN2": true, "LATIN3": true, "LATIN4": true, "LATIN5": true,
	"LATIN6": true, "LATIN7": true, "LATIN8": true, "LATIN9": true, "LATIN10": true,
	"WIN1250": true, "WIN1251": true, "WIN1252": true, "WIN1253": true, "WIN1254": true, "WIN1255": true,
	"WIN1256": true, "WIN1257": true, "WIN1258": true, "WIN866": true, "WIN874": true,
	"KOI8R": true, "KOI8U": true, "EUCJP": true, "EUCCN": true, "EUCKR": true, "EUCTW": true,
	"EUCJIS2004": true, "SJIS": true, "SHIFTJIS2004": true, "BIG5": true, "GBK": true, "GB18030": true,
	"UHC": true, "JOHAB": true, "MULEINTERNAL": true, "ISO88595": true, "ISO88596": true,
	"ISO88597": true, "ISO88598": true,
}

func checkClientEncoding(_ *Session, _, v string) (string, error) {
	name := strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(strings.TrimSpace(v)))
	switch {
	case name == "UTF8" || name == "UNICODE":
		return "UTF8", nil
	case pgEncodings[name]:
		return "", pgerror.New(pgerror.CodeFeatureNotSupported, "client_encoding %s is not supported", strings.ToUpper(strings.TrimSpace(v))).
			WithHint("rangedb sends and receives UTF8 only.")
	}
	return "", errors.New("invalid encoding name")
}

func checkIsolation(_ *Session, _, v string) (string, error) {
	if v == "serializable" {
		return "", serializableUnsupported()
	}
	return v, nil
}

func serializableUnsupported() *pgerror.Error {
	return pgerror.New(pgerror.CodeFeatureNotSupported, "transaction isolation level SERIALIZABLE is not supported").
		WithDetail("rangedb runs transactions at READ COMMITTED or REPEATABLE READ (snapshot isolation); serializable snapshot isolation is not implemented.").
		WithHint("Use REPEATABLE READ.")
}

func checkSessionAuthorization(s *Session, _, v string) (string, error) {
	if v != s.user {
		return "", pgerror.New(pgerror.CodeUndefinedObject, "role \"%s\" does not exist", v)
	}
	return v, nil
}

// checkDateStyle parses DateStyle as check_datestyle does: a list of an
// output style (ISO, SQL, Postgres, German) and a field order (YMD, DMY,
// MDY, and the old EURO/US spellings), either of which defaults to the
// current value.
func checkDateStyle(_ *Session, cur, v string) (string, error) {
	curStyle, curOrder, _ := strings.Cut(cur, ", ")
	style, order := "", ""
	for tok := range strings.SplitSeq(v, ",") {
		tok = strings.TrimSpace(tok)
		switch strings.ToUpper(tok) {
		case "ISO":
			style = "ISO"
		case "SQL":
			style = "SQL"
		case "POSTGRES":
			style = "Postgres"
		case "GERMAN":
			style = "German"
			if order == "" {
				order = "DMY"
			}
		case "YMD":
			order = "YMD"
		case "DMY", "EURO", "EUROPEAN":
			order = "DMY"
		case "MDY", "US", "NONEURO", "NONEUROPEAN":
			order = "MDY"
		case "DEFAULT":
			style, order = "ISO", "MDY"
		default:
			return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"DateStyle\": \"%s\"", v).
				WithDetail("Unrecognized key word: \"%s\".", tok)
		}
	}
	if style == "" {
		style = curStyle
	}
	if order == "" {
		order = curOrder
	}
	return style + ", " + order, nil
}

func applyDateStyle(s *Session, v string) {
	style, order, _ := strings.Cut(v, ", ")
	fc := &s.settings.fc
	switch style {
	case "SQL":
		fc.DateStyle = types.DateStyleSQL
	case "Postgres":
		fc.DateStyle = types.DateStylePostgres
	case "German":
		fc.DateStyle = types.DateStyleGerman
	default:
		fc.DateStyle = types.DateStyleISO
	}
	switch order {
	case "DMY":
		fc.DateOrder = types.DateOrderDMY
	case "YMD":
		fc.DateOrder = types.DateOrderYMD
	default:
		fc.DateOrder = types.DateOrderMDY
	}
}

func applyIntervalStyle(s *Session, v string) {
	fc := &s.settings.fc
	switch v {
	case "postgres_verbose":
		fc.IntervalStyle = types.IntervalStylePostgresVerbose
	case "sql_standard":
		fc.IntervalStyle = types.IntervalStyleSQLStandard
	case "iso_8601":
		fc.IntervalStyle = types.IntervalStyleISO8601
	default:
		fc.IntervalStyle = types.IntervalStylePostgres
	}
}

func applyExtraFloatDigits(s *Session, v string) {
	n, _ := strconv.Atoi(v)
	s.settings.fc.ExtraFloatDigits = n
}

func applyTimeZone(s *Session, v string) {
	if loc, err := loadTimeZone(v); err == nil {
		s.settings.fc.Location = loc
	}
}

// zoneinfoDirs are where IANA time zone files are looked up for
// canonical spelling.
var zoneinfoDirs = []string{"/usr/share/zoneinfo", "/usr/share/lib/zoneinfo", "/usr/lib/locale/TZ"}

// checkTimeZone validates a TimeZone value and returns the spelling SHOW
// prints: an IANA name with the case of its file ("europe/paris" →
// "Europe/Paris"), a POSIX-style fixed offset ("UTC+3", "<+03>-03" for a
// bare "+3"), as PostgreSQL accepts them.
func checkTimeZone(_ *Session, _, v string) (string, error) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", errors.New("empty time zone")
	}
	if h, err := strconv.ParseFloat(v, 64); err == nil && !strings.ContainsAny(v, "eE") {
		if math.Abs(h) > 15 || math.IsNaN(h) {
			return "", errors.New("out of range")
		}
		return numericZoneName(int(math.Round(h * 3600))), nil
	}
	if m := posixZone.FindStringSubmatch(v); m != nil {
		return v, nil
	}
	if canon := canonicalZoneName(v); canon != "" {
		if _, err := time.LoadLocation(canon); err == nil {
			return canon, nil
		}
	}
	return "", errors.New("unknown time zone")
}

// posixZone matches a POSIX TZ string without daylight rules: a name of
// three or more letters (or <…>) and an offset in hours west of UTC.
var posixZone = regexp.MustCompile(`^([A-Za-z]{3,}|<[^>]+>)([+-]?)(\d{1,2})(?::(\d{2}))?$`)

// numericZoneName names a zone secs east of UTC as PostgreSQL does for
// SET TIME ZONE 3: "<+03>-03".
func numericZoneName(secs int) string {
	sign, west := "+", "-"
	if secs < 0 {
		sign, west, secs = "-", "+", -secs
	}
	h, m := secs/3600, secs%3600/60
	hm := fmt.Sprintf("%02d", h)
	if m != 0 {
		hm += fmt.Sprintf(":%02d", m)
	}
	return "<" + sign + hm + ">" + west + hm
}

// loadTimeZone returns the location of a canonical TimeZone value.
func loadTimeZone(v string) (*time.Location, error) {
	if m := posixZone.FindStringSubmatch(v); m != nil {
		h, _ := strconv.Atoi(m[3])
		mins, _ := strconv.Atoi(m[4])
		secs := h*3600 + mins*60
		if m[2] != "-" {
			secs = -secs // POSIX offsets are west of UTC
		}
		name := strings.Trim(m[1], "<>")
		if _, err := time.LoadLocation(v); err == nil && !strings.HasPrefix(v, "<") {
			return time.LoadLocation(v)
		}
		return time.FixedZone(name, secs), nil
	}
	return time.LoadLocation(v)
}

// canonicalZoneName finds the IANA zone file matching name
// case-insensitively and returns its spelling, or "".
func canonicalZoneName(name string) string {
	if strings.Contains(name, "..") || strings.HasPrefix(name, "/") {
		return ""
	}
	if strings.EqualFold(name, "utc") {
		return "UTC"
	}
	if strings.EqualFold(name, "gmt") {
		return "GMT"
	}
	for _, root := range zoneinfoDirs {
		dir, out := root, ""
		ok := true
		for part := range strings.SplitSeq(name, "/") {
			ents, err := os.ReadDir(dir)
			if err != nil {
				ok = false
				break
			}
			i := slices.IndexFunc(ents, func(e os.DirEntry) bool { return strings.EqualFold(e.Name(), part) })
			if i < 0 {
				ok = false
				break
			}
			dir = filepath.Join(dir, ents[i].Name())
			out = filepath.Join(out, ents[i].Name())
		}
		if ok {
			if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
				return out
			}
		}
	}
	// No zoneinfo directory: Go's embedded database, exact spelling only.
	if _, err := time.LoadLocation(name); err == nil {
		return name
	}
	return ""
}

// serverVersionNum turns "15.4" (or "15.18 (Debian …)") into 150004.
func serverVersionNum(v string) string {
	major, rest, _ := strings.Cut(v, ".")
	minor := rest
	if i := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' }); i >= 0 {
		minor = rest[:i]
	}
	ma, _ := strconv.Atoi(major)
	mi, _ := strconv.Atoi(minor)
	return strconv.Itoa(ma*10000 + mi)
}

// IdleTimeouts returns idle_session_timeout and
// idle_in_transaction_session_timeout (0: none), which the wire protocol
// enforces while it waits for the next message.
func (s *Session) IdleTimeouts() (idle, idleInTxn time.Duration) {
	get := func(name string) time.Duration {
		ms, err := parseMS(s.settings.cur[settingsByName[name]])
		if err != nil {
			return 0
		}
		return time.Duration(ms) * time.Millisecond
	}
	return get("idle_session_timeout"), get("idle_in_transaction_session_timeout")
}

// pgSettingsRows are pg_settings' rows: every setting with its current
// value (PostgreSQL's columns; the ones rangedb does not track are NULL).
func (s *Session) pgSettingsRows() []types.Datums {
	defs := append([]*settingDef(nil), settingDefs...)
	sort.Slice(defs, func(i, j int) bool { return strings.ToLower(defs[i].name) < strings.ToLower(defs[j].name) })
	var rows []types.Datums
	for _, d := range defs {
		v, _, err := s.CurrentSetting(d.name, true)
		if err != nil {
			continue
		}
		vartype := map[settingKind]string{kindString: "string", kindBool: "bool", kindInt: "integer", kindEnum: "enum"}[d.kind]
		context := "user"
		if d.internal {
			context = "internal"
		}
		unit := types.Datum(types.DNull)
		switch {
		case d.msUnit:
			unit = types.DString("ms")
		case d.kbUnit:
			unit = types.DString("kB")
		}
		str := func(x string) types.Datum { return types.DString(x) }
		null := types.Datum(types.DNull)
		minV, maxV := null, null
		if d.kind == kindInt {
			minV, maxV = str(strconv.FormatInt(d.min, 10)), str(strconv.FormatInt(d.max, 10))
		}
		boot := d.boot(s)
		rows = append(rows, types.Datums{str(d.name), str(v), unit, str(""), str(d.desc), null, str(context),
			str(vartype), str("default"), minV, maxV, null, str(boot), str(boot), null, null, types.DBool(false)})
	}
	return rows
}

// checkTablespace accepts the tablespaces rangedb has: none named (the
// default) and pg_default.
func checkTablespace(_ *Session, _, v string) (string, error) {
	if v != "" && v != "pg_default" {
		return "", pgerror.New(pgerror.CodeInvalidParameterValue, "invalid value for parameter \"default_tablespace\": \"%s\"", v).
			WithDetail("Tablespace \"%s\" does not exist.", v)
	}
	return v, nil
}
