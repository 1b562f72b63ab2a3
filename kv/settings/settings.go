// Package settings holds the cluster settings: named, typed values that
// every node of a cluster shares, as CockroachDB's SET CLUSTER SETTING
// does.
//
// The registry (Known, Lookup) is fixed at compile time: each Setting has
// a Kind, a default and bounds. A Values is one node's cache of the current
// values. Set validates a value, writes its canonical text unversioned at
// /System/settings/<name> (SettingKey) through raft, and updates the cache
// at once; Reset deletes the stored value, so the default applies again.
// Other nodes see a change when their Refresh next reads the prefix (Run
// refreshes every interval), so a change is eventually visible everywhere:
// there is no ordering between nodes, and a reader may act on the old
// value for up to one interval. A stored value survives restarts with the
// rest of /System.
//
// Canonical forms, as SHOW CLUSTER SETTING prints them and as they are
// stored: Int as a decimal integer; Bytes as an integer with the largest
// binary unit that divides it exactly ("64 MiB", "512 KiB", "1000 B");
// Duration as Go's time.Duration String ("5m0s"); Bool as "true" or
// "false"; Float as strconv's shortest 'g' form ("2500", "0.5").
//
// The package imports only kv and kv/kvpb: any layer above kv may read
// settings.
package settings

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// Kind is a setting's type.
type Kind uint8

const (
	// Int is a decimal integer.
	Int Kind = iota
	// Bytes is a byte size: an integer with an optional unit, B, KiB,
	// MiB, GiB, TiB (K/KB/M/MB/G/GB/T/TB mean the binary units too, as
	// CockroachDB's humanize reads them), case-insensitive, a blank
	// allowed before the unit ("64MiB", "512 KiB", "1048576", "64MB").
	Bytes
	// Duration is a Go duration ("5m0s", "30s", "1m", "1h30m").
	Duration
	// Bool is true/false (also on/off, yes/no, t/f, 1/0).
	Bool
	// Float is a finite floating-point number.
	Float
)

// String returns the kind's name as SHOW CLUSTER SETTINGS' setting_type
// column shows it: CockroachDB's one-letter codes (i, z, d, b, f).
func (k Kind) String() string {
	switch k {
	case Int:
		return "i"
	case Bytes:
		return "z"
	case Duration:
		return "d"
	case Bool:
		return "b"
	case Float:
		return "f"
	}
	return "?"
}

// Setting is one known cluster setting.
type Setting struct {
	// Name is the setting's lower-case name ("range_max_bytes").
	Name string
	Kind Kind
	// Default is the value, in any form Kind accepts, that applies while
	// none is stored.
	Default string
	// Description says what the setting does, for SHOW CLUSTER SETTINGS.
	Description string
	// Min and Max bound the value inclusively; both 0 means unbounded.
	// They are in the kind's unit: the number for Int and Float, bytes
	// for Bytes, seconds for Duration; Bool ignores them.
	Min, Max float64
}

const (
	kib = 1 << 10
	mib = 1 << 20
	gib = 1 << 30
)

// registry is every known setting, sorted by name. It is never modified.
var registry = []Setting{
	{Name: "placement.enabled", Kind: Bool, Default: "true",
		Description: "the placement driver decides and acts"},
	{Name: "placement.max_moves_per_store", Kind: Int, Default: "4", Min: 1, Max: 64,
		Description: "replica moves and snapshots in flight per store"},
	{Name: "placement.merge_enabled", Kind: Bool, Default: "true",
		Description: "the placement driver merges small neighbouring ranges"},
	{Name: "range_max_bytes", Kind: Bytes, Default: "64 MiB", Min: kib, Max: 8 * gib,
		Description: "a range larger than this is split"},
	{Name: "range_min_bytes", Kind: Bytes, Default: "1 MiB", Min: 0, Max: 8 * gib,
		Description: "neighbouring ranges both smaller than this are merged"},
	{Name: "range_split_qps", Kind: Float, Default: "2500", Min: 1,
		Description: "a range serving more requests per second than this, sustained, is split by load"},
	{Name: "replication_factor", Kind: Int, Default: "3", Min: 1, Max: 7,
		Description: "the number of voting replicas of each range"},
	{Name: "server.time_until_store_dead", Kind: Duration, Default: "5m0s", Min: 1,
		Description: "a store whose liveness lapsed this long is dead and its replicas are replaced"},
}

// Known returns every known setting, sorted by name. The slice is the
// caller's.
func Known() []Setting { return slices.Clone(registry) }

// Lookup returns the known setting named name (case-insensitive).
func Lookup(name string) (Setting, bool) {
	name = strings.ToLower(name)
	i, ok := slices.BinarySearchFunc(registry, name, func(s Setting, n string) int { return strings.Compare(s.Name, n) })
	if !ok {
		return Setting{}, false
	}
	return registry[i], true
}

// UnknownError is the error for a name no setting has; sql maps it to
// SQLSTATE 42704.
type UnknownError struct{ Name string }

func (e *UnknownError) Error() string {
	return fmt.Sprintf("unknown cluster setting \"%s\"", e.Name)
}

// InvalidValueError is the error for a value that does not parse as the
// setting's kind or lies outside its bounds; sql maps it to SQLSTATE
// 22023.
type InvalidValueError struct {
	Name, Value string
	// Reason says what is wrong with Value.
	Reason string
}

func (e *InvalidValueError) Error() string {
	return fmt.Sprintf("invalid value for cluster setting \"%s\": %s", e.Name, e.Reason)
}

// value is a parsed value: its canonical text and its number (Int and
// Bytes: the integer; Duration: nanoseconds; Bool: 0 or 1; Float: f).
type value struct {
	text string
	i    int64
	f    float64
}

// Parse validates text as a value of s and returns its canonical form, or
// an *InvalidValueError.
func (s Setting) Parse(text string) (string, error) {
	v, err := s.parse(text)
	return v.text, err
}

func (s Setting) parse(text string) (value, error) {
	invalid := func(format string, args ...any) (value, error) {
		return value{}, &InvalidValueError{Name: s.Name, Value: text, Reason: fmt.Sprintf(format, args...)}
	}
	t := strings.TrimSpace(text)
	var v value
	var bound float64 // the value in the unit of Min and Max
	switch s.Kind {
	case Int:
		i, err := strconv.ParseInt(t, 10, 64)
		if err != nil {
			return invalid("%q is not an integer", text)
		}
		v = value{text: strconv.FormatInt(i, 10), i: i, f: float64(i)}
		bound = float64(i)
	case Bytes:
		n, err := parseBytes(t)
		if err != nil {
			return invalid("%q is not a byte size (%v)", text, err)
		}
		v = value{text: FormatBytes(n), i: n, f: float64(n)}
		bound = float64(n)
	case Duration:
		d, err := time.ParseDuration(t)
		if err != nil {
			return invalid("%q is not a duration such as 30s or 5m0s", text)
		}
		v = value{text: d.String(), i: int64(d), f: float64(d)}
		bound = d.Seconds()
	case Bool:
		b, ok := parseBool(t)
		if !ok {
			return invalid("%q is not a boolean", text)
		}
		v = value{text: strconv.FormatBool(b)}
		if b {
			v.i, v.f = 1, 1
		}
		return v, nil
	case Float:
		f, err := strconv.ParseFloat(t, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return invalid("%q is not a finite number", text)
		}
		v = value{text: strconv.FormatFloat(f, 'g', -1, 64), i: int64(f), f: f}
		bound = f
	default:
		return invalid("unknown kind %d", s.Kind)
	}
	if s.Min == 0 && s.Max == 0 {
		return v, nil
	}
	if bound < s.Min {
		return invalid("%s is below the minimum %s", v.text, s.formatBound(s.Min))
	}
	if s.Max != 0 && bound > s.Max {
		return invalid("%s is above the maximum %s", v.text, s.formatBound(s.Max))
	}
	return v, nil
}

// formatBound prints a bound in the setting's canonical form.
func (s Setting) formatBound(b float64) string {
	switch s.Kind {
	case Bytes:
		return FormatBytes(int64(b))
	case Duration:
		return time.Duration(b * float64(time.Second)).String()
	}
	return strconv.FormatFloat(b, 'g', -1, 64)
}

func parseBool(t string) (bool, bool) {
	switch strings.ToLower(t) {
	case "true", "t", "on", "yes", "y", "1":
		return true, true
	case "false", "f", "off", "no", "n", "0":
		return false, true
	}
	return false, false
}

// byteUnits maps the accepted units (lower case) to their sizes.
var byteUnits = map[string]int64{
	"": 1, "b": 1,
	"k": kib, "kb": kib, "kib": kib,
	"m": mib, "mb": mib, "mib": mib,
	"g": gib, "gb": gib, "gib": gib,
	"t": gib * kib, "tb": gib * kib, "tib": gib * kib,
}

// parseBytes reads a byte size: a non-negative number (a fraction allowed
// with a unit, rounded down to whole bytes) and an optional unit.
func parseBytes(t string) (int64, error) {
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	if num == "" {
		return 0, errors.New("no number")
	}
	mul, ok := byteUnits[unit]
	if !ok {
		return 0, fmt.Errorf("unknown unit %q", unit)
	}
	if n, err := strconv.ParseInt(num, 10, 64); err == nil {
		if n > math.MaxInt64/mul {
			return 0, errors.New("too large")
		}
		return n * mul, nil
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return 0, fmt.Errorf("bad number %q", num)
	}
	b := f * float64(mul)
	if b >= math.MaxInt64 {
		return 0, errors.New("too large")
	}
	return int64(b), nil
}

// FormatBytes prints n bytes in the canonical form: the integer with the
// largest binary unit (B, KiB, MiB, GiB, TiB) that divides n exactly.
func FormatBytes(n int64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	u := 0
	for n != 0 && n%1024 == 0 && u < len(units)-1 {
		n /= 1024
		u++
	}
	return strconv.FormatInt(n, 10) + " " + units[u]
}

// SettingKey returns /System/settings/<name>, where name's value is
// stored.
func SettingKey(name string) kvpb.Key { return kvpb.SystemKey("settings/" + name) }

// settingsSpan is the span of every stored setting.
func settingsSpan() kvpb.Span {
	return kvpb.Span{Key: kvpb.SystemKey("settings/"), EndKey: kvpb.SystemKey("settings0")}
}

// refreshTimeout bounds each refresh of Run.
const refreshTimeout = 5 * time.Second

// Values is one node's cache of the cluster settings' current values. It
// is safe for concurrent use. A nil *Values reads every default.
type Values struct {
	db *kv.DB
	mu struct {
		sync.RWMutex
		// vals holds every known setting's current value.
		vals map[string]value
		// setSeq is the sequence number of each name's last Set or
		// Reset, seq the last one handed out: a Refresh that began
		// before a Set does not overwrite what the Set cached.
		setSeq map[string]uint64
		seq    uint64
		hooks  []func(name string)
	}
}

// New returns a Values holding the defaults, which reads and writes the
// stored values through db, a raw kv client (no TSO needed). A nil db
// keeps the values in memory only (tests, no cluster): Set changes the
// cache and Refresh does nothing.
func New(db *kv.DB) *Values {
	v := &Values{db: db}
	v.mu.vals = make(map[string]value, len(registry))
	v.mu.setSeq = make(map[string]uint64)
	for _, s := range registry {
		v.mu.vals[s.Name] = mustDefault(s)
	}
	return v
}

func mustDefault(s Setting) value {
	d, err := s.parse(s.Default)
	if err != nil {
		panic(fmt.Sprintf("settings: bad default of %s: %v", s.Name, err))
	}
	return d
}

// get returns name's current value, which must be of kind k; it panics
// otherwise (a programming error, as a typo in a setting's name is).
func (v *Values) get(name string, k Kind) value {
	s, ok := Lookup(name)
	if !ok {
		panic(fmt.Sprintf("settings: unknown setting %q", name))
	}
	if s.Kind != k {
		panic(fmt.Sprintf("settings: %s is of kind %s, not %s", name, s.Kind, k))
	}
	if v == nil {
		return mustDefault(s)
	}
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.mu.vals[s.Name]
}

// Int returns the current value of the Int setting name. It panics if
// name is not a known Int setting.
func (v *Values) Int(name string) int64 { return v.get(name, Int).i }

// Bytes returns the current value, in bytes, of the Bytes setting name.
// It panics if name is not a known Bytes setting.
func (v *Values) Bytes(name string) int64 { return v.get(name, Bytes).i }

// Duration returns the current value of the Duration setting name. It
// panics if name is not a known Duration setting.
func (v *Values) Duration(name string) time.Duration {
	return time.Duration(v.get(name, Duration).i)
}

// Bool returns the current value of the Bool setting name. It panics if
// name is not a known Bool setting.
func (v *Values) Bool(name string) bool { return v.get(name, Bool).i != 0 }

// Float returns the current value of the Float setting name. It panics if
// name is not a known Float setting.
func (v *Values) Float(name string) float64 { return v.get(name, Float).f }

// String returns the canonical text of name's current value, as SHOW
// CLUSTER SETTING shows it, or an *UnknownError.
func (v *Values) String(name string) (string, error) {
	s, ok := Lookup(name)
	if !ok {
		return "", &UnknownError{Name: name}
	}
	return v.get(s.Name, s.Kind).text, nil
}

// OnChange registers fn, called with a setting's name after its cached
// value changed (by Set, Reset or Refresh), on the goroutine that changed
// it and without locks held. fn must not block for long.
func (v *Values) OnChange(fn func(name string)) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.mu.hooks = append(v.mu.hooks, fn)
}

// Set validates value for name, stores its canonical form durably (through
// raft, before Set returns) and caches it. An unknown name is an
// *UnknownError, a bad value an *InvalidValueError; a kv error leaves the
// cache as it was.
func (v *Values) Set(ctx context.Context, name, text string) error {
	s, ok := Lookup(name)
	if !ok {
		return &UnknownError{Name: name}
	}
	val, err := s.parse(text)
	if err != nil {
		return err
	}
	if v.db != nil {
		if err := v.db.RawPut(ctx, SettingKey(s.Name), []byte(val.text)); err != nil {
			return err
		}
	}
	v.store(s.Name, val, true)
	return nil
}

// Reset deletes name's stored value, so its default applies, and caches
// the default. An unknown name is an *UnknownError.
func (v *Values) Reset(ctx context.Context, name string) error {
	s, ok := Lookup(name)
	if !ok {
		return &UnknownError{Name: name}
	}
	if v.db != nil {
		if _, err := v.db.Send(ctx, &kvpb.RawDeleteRequest{Key: SettingKey(s.Name)}); err != nil {
			return err
		}
	}
	v.store(s.Name, mustDefault(s), true)
	return nil
}

// store caches val for name (fromSet: by Set or Reset) and calls the hooks
// if it changed.
func (v *Values) store(name string, val value, fromSet bool) {
	v.mu.Lock()
	changed := v.mu.vals[name] != val
	v.mu.vals[name] = val
	if fromSet {
		v.mu.seq++
		v.mu.setSeq[name] = v.mu.seq
	}
	hooks := v.mu.hooks
	v.mu.Unlock()
	if changed {
		for _, fn := range hooks {
			fn(name)
		}
	}
}

// Refresh reads every stored setting in one raw scan of
// /System/settings/ and caches it; a setting with no stored value gets its
// default. Stored values of unknown names, or that no longer parse (a
// registry change), are ignored. A Set on this node that overlaps the
// Refresh keeps its value.
func (v *Values) Refresh(ctx context.Context) error {
	if v.db == nil {
		return nil
	}
	v.mu.RLock()
	startSeq := v.mu.seq
	v.mu.RUnlock()
	resp, err := v.db.Send(ctx, &kvpb.RawScanRequest{Span: settingsSpan()})
	if err != nil {
		return err
	}
	stored := make(map[string]string)
	prefix := len(settingsSpan().Key)
	for _, row := range resp.(*kvpb.RawScanResponse).Rows {
		if len(row.Key) > prefix {
			stored[string(row.Key[prefix:])] = string(row.Value)
		}
	}
	type update struct {
		name string
		val  value
	}
	var changed []update
	for _, s := range registry {
		val := mustDefault(s)
		if text, ok := stored[s.Name]; ok {
			p, err := s.parse(text)
			if err != nil {
				continue
			}
			val = p
		}
		changed = append(changed, update{s.Name, val})
	}
	v.mu.Lock()
	var names []string
	for _, u := range changed {
		if v.mu.setSeq[u.name] > startSeq || v.mu.vals[u.name] == u.val {
			continue
		}
		v.mu.vals[u.name] = u.val
		names = append(names, u.name)
	}
	hooks := v.mu.hooks
	v.mu.Unlock()
	for _, n := range names {
		for _, fn := range hooks {
			fn(n)
		}
	}
	return nil
}

// Run refreshes the cache every interval, each Refresh bounded by 5 s,
// until ctx ends; a failed Refresh keeps the cached values and is retried
// at the next tick. The first Refresh runs at once.
func (v *Values) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rctx, cancel := context.WithTimeout(ctx, refreshTimeout)
		_ = v.Refresh(rctx)
		cancel()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
