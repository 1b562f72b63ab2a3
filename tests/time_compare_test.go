package tests

import (
	"context"
	"encoding/binary"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/rangedb/rangedb/server"
)

// This file compares time [(p)] [without time zone] and time with time
// zone with PostgreSQL 15 in the same run: text input in the forms
// DecodeTimeOnly takes and its 22007/22008/22009 errors, output under
// every DateStyle, precision rounding, comparison (timetz by UTC time,
// then zone) and ORDER BY, casts (and the ones pg_cast lacks),
// arithmetic, extract/date_part/date_trunc, current_time and localtime,
// AT TIME ZONE, a table keyed and indexed by time and timetz, and the
// binary wire format through pgx.

var timeSetup = []string{
	`CREATE TABLE tt (t TIME PRIMARY KEY, tz TIMETZ, t3 TIME(3), v INT)`,
	`CREATE INDEX tt_tz ON tt (tz)`,
	`CREATE INDEX tt_t3_desc ON tt (t3 DESC, v)`,
	`INSERT INTO tt VALUES
		('04:05:06.789', '04:05:06-08', '04:05:06.7891', 1),
		('00:00', '00:00+00', '00:00', 2),
		('24:00:00', '23:00-01', '23:59:59.9996', 3),
		('12:00 PM', '12:00+05:30', '12:00:00.0004', 4),
		('23:59:59.999999', '20:00+00', NULL, 5),
		('1:2:3', NULL, '01:02:03', 6),
		('040506', '04:05:06+00', '040506.5', 7)`,
	`CREATE TABLE tzk (tz TIMETZ PRIMARY KEY, v INT)`,
	`INSERT INTO tzk VALUES ('12:00+00', 1), ('13:00+01', 2), ('11:00-01', 3), ('12:00-01', 4), ('00:00+15:59', 5), ('23:59-15:59', 6)`,
}

var timeQueries = []string{
	// Input forms.
	`SELECT '04:05:06.789'::time, '04:05'::time, '040506'::time, '04:05 PM'::time, 'allballs'::time, '24:00:00'::time`,
	`SELECT '4:5:6'::time, '1:2'::time, '1:2:3.'::time, '0405'::time, 'T040506'::time, '04:05:06Z'::time`,
	`SELECT '04:05:06.7894565'::time, '04:05:06.123456789'::time, '23:59:59.9999999'::time, '04:05:60'::time, '23:59:60'::time`,
	`SELECT '12:00 AM'::time, '12:30 am'::time, '0:0:0 pm'::time, '04:05:06.5 am'::time, '  04:05  '::time`,
	`SELECT '2024-01-02 04:05:06'::time, '2024-01-02 04:05:06+03'::time, '04:05:06 PST'::time, time '04:05', TIME WITHOUT TIME ZONE '01:02'`,
	`SELECT '04:05:06-08:00'::timetz, '04:05:06 PST'::timetz, '04:05:06'::timetz, '04:05:06+05:30'::timetz, 'allballs'::timetz`,
	`SELECT '04:05:06 EST'::timetz, '04:05:06 EDT'::timetz, '04:05:06 UTC'::timetz, '04:05:06 +0530'::timetz, '040506-0800'::timetz`,
	`SELECT '04:05:06-8'::timetz, '04:05-08'::timetz, '04:05 pm -08'::timetz, '04:05:06 z'::timetz, '04:05:06 +05:30:15'::timetz`,
	`SELECT '04:05:06+15:59'::timetz, '04:05:06-15:59'::timetz, '2024-01-02 04:05:06 America/New_York'::timetz, '2024-07-02 04:05:06 America/New_York'::timetz`,
	`SELECT time with time zone '04:05:06.12345+02', timetz(2) '04:05:06.12345+02', time(2) with time zone '04:05:06.999+02'`,
	`SELECT NULL::time, NULL::timetz, pg_typeof('04:05'::time(3)), pg_typeof('04:05'::timetz(3)), pg_typeof(time '01:00')`,
	// Bad input.
	`SELECT '24:00:01'::time`,
	`SELECT '24:00:00.000001'::time`,
	`SELECT '25:00'::time`,
	`SELECT '04:60'::time`,
	`SELECT '23:59:60.5'::time`,
	`SELECT '13:00 PM'::time`,
	`SELECT 'abc'::time`,
	`SELECT ''::time`,
	`SELECT '04'::time`,
	`SELECT '-01:00'::time`,
	`SELECT '4:5:6:7'::time`,
	`SELECT '04.05.06'::time`,
	`SELECT '2024-13-01 04:05'::time`,
	`SELECT '04:05:06 America/New_York'::time`,
	`SELECT '04:05:06 America/New_York'::timetz`,
	`SELECT '04:05:06 foo'::timetz`,
	`SELECT '04:05:06+08 PST'::timetz`,
	`SELECT '04:05:06+16'::timetz`,
	`SELECT 'abc'::timetz`,
	`INSERT INTO tt (t, v) VALUES ('nope', 9)`,
	// Precision.
	`SELECT '04:05:06.5'::time(0), '04:05:06.123456'::time(3), '23:59:59.5'::time(0), '04:05:06.5'::timetz(0), '04:05:06.45'::time(1)`,
	`SELECT time(7) '04:05', '04:05:06.789'::time(2)::time(1), '04:05:06.789'::time::time(0)`,
	`SELECT t3 FROM tt ORDER BY v`,
	`SELECT '04:05'::time(-1)`,
	// Output does not depend on DateStyle.
	`SET datestyle = 'SQL, DMY'`,
	`SELECT '04:05:06.5'::time, '04:05:06-08'::timetz, '04:05:06-08:30'::timetz, '2024-01-02 04:05'::time`,
	`SET datestyle = 'Postgres'`,
	`SELECT '04:05:06.5'::time, '04:05:06-08'::timetz, t, tz FROM tt ORDER BY v`,
	`SET datestyle = 'German'`,
	`SELECT '04:05:06.5'::time, '04:05:06+01'::timetz`,
	`SET datestyle = 'ISO, MDY'`,
	// Comparisons and ordering.
	`SELECT time '04:05' < time '04:06', time '24:00' > time '23:59:59.999999', time '00:00' = time 'allballs', time '01:00' <> '01:00:00.000001'`,
	`SELECT '04:05:06+00'::timetz = '05:05:06+01'::timetz, '04:05:06+00'::timetz < '05:05:06+01'::timetz, '04:05:06+00'::timetz > '05:05:06+01'::timetz`,
	`SELECT timetz '12:00+00' >= timetz '11:00-01', time '04:05' = timetz '04:05+00', time '04:05' < timetz '04:05+00', time '01:00' = interval '1 hour'`,
	`SELECT time '04:05' < timestamp '2024-01-01'`,
	`SELECT timetz '04:05+00' = 1`,
	`SELECT t FROM tt ORDER BY t`,
	`SELECT t FROM tt ORDER BY t DESC`,
	`SELECT tz FROM tt ORDER BY tz NULLS FIRST`,
	`SELECT tz FROM tt ORDER BY tz DESC NULLS LAST`,
	`SELECT tz, v FROM tzk ORDER BY tz`,
	`SELECT tz, v FROM tzk ORDER BY tz DESC`,
	`SELECT min(t), max(t), min(tz), max(tz), count(DISTINCT tz) FROM tt`,
	`SELECT greatest(time '01:00', time '02:00'), least(timetz '01:00+00', timetz '02:00+03')`,
	`SELECT tz, count(*) FROM tzk GROUP BY tz ORDER BY tz`,
	// Keyed and indexed lookups.
	`SELECT v FROM tt WHERE t = '04:05:06.789'`,
	`SELECT v FROM tt WHERE t = '24:00'`,
	`SELECT v FROM tt WHERE t = '00:00'`,
	`SELECT v FROM tt WHERE t > '04:05' AND t <= '23:59:59.999999' ORDER BY t`,
	`SELECT t, v FROM tt WHERE t < '12:00' ORDER BY t DESC`,
	`SELECT v FROM tt WHERE tz = '12:05:06+00'`,
	`SELECT v FROM tt WHERE tz = '04:05:06-08'`,
	`SELECT v FROM tt WHERE tz > '04:00+00' ORDER BY tz`,
	`SELECT v FROM tzk WHERE tz = '12:00+00'`,
	`SELECT v FROM tzk WHERE tz = '13:00+01'`,
	`SELECT v FROM tzk WHERE tz BETWEEN '11:00+00' AND '13:00+00' ORDER BY tz`,
	`SELECT t3, v FROM tt WHERE t3 > '01:00' ORDER BY t3 DESC, v`,
	`INSERT INTO tt (t, v) VALUES ('00:00:00', 10)`,
	`INSERT INTO tzk VALUES ('13:00+01', 7)`,
	`INSERT INTO tzk VALUES ('14:00+02', 8) RETURNING tz, v`,
	`UPDATE tt SET t3 = '10:10:10.12345' WHERE v = 6 RETURNING t3`,
	`UPDATE tt SET t = t + interval '1 hour' WHERE v = 6 RETURNING t`,
	`DELETE FROM tt WHERE t = '02:02:03' RETURNING v`,
	`SELECT a.v, b.v FROM tt a JOIN tzk b ON a.tz = b.tz ORDER BY a.v`,
	// Casts.
	`SELECT '2024-06-01 12:34:56.789+02'::timestamptz::time, '2024-06-01 12:34:56.789+02'::timestamptz::timetz, '2024-06-01 12:34:56.789'::timestamp::time`,
	`SELECT '2024-06-01 12:34:56.789'::timestamp::timetz`,
	`SELECT 'infinity'::timestamp::time, '-infinity'::timestamptz::timetz, '2024-06-01 12:34:56.789'::timestamp::time(0)`,
	`SELECT '12:34'::time::interval, '1 day 02:03'::interval::time, '-02:03'::interval::time, '25 hours'::interval::time, '-25 hours'::interval::time, '1 mon 3 days 04:00'::interval::time`,
	`SELECT '12:34'::time::timetz, '12:34+05'::timetz::time, '12:34:56.789'::time::text, '12:34+05'::timetz::varchar, '12:34'::text::time, '12:34-03'::varchar::timetz`,
	`SELECT '12:34'::time::timestamp`,
	`SELECT '12:34'::time::date`,
	`SELECT '12:34'::timetz::interval`,
	`SELECT interval '1 hour'::timetz`,
	`SELECT 1::time`,
	`SELECT '12:34'::time::int`,
	`SELECT time '01:02' || 'x', 'x' || timetz '01:02+03', concat(time '01:02', '/', timetz '03:04-05')`,
	// Arithmetic.
	`SELECT '12:34'::time + '1 hour'::interval, '23:34'::time + '1 hour'::interval, '01:00'::time - '2 hours'::interval, '1 hour'::interval + '12:00'::time`,
	`SELECT '12:00'::time - '10:30'::time, '12:00'::time - '13:30'::time, time '24:00' - time '00:00', pg_typeof(time '01:00' - time '00:30')`,
	`SELECT time '10:00' + interval '1 day 2 hours', time '10:00' + interval '1 mon', time '24:00' + interval '0', time '10:00' - interval '-26 hours'`,
	`SELECT date '2024-01-02' + time '04:05', time '04:05' + date '2024-01-02', date '2024-01-02' + timetz '04:05+03', timetz '04:05+03' + date '2024-01-02'`,
	`SELECT timetz '23:05+03' + interval '2 hours', timetz '01:05+03' - interval '2 hours', interval '30 minutes' + timetz '23:45-01'`,
	`SELECT pg_typeof(date '2024-01-02' + timetz '04:05+03'), pg_typeof(date '2024-01-02' + time '04:05'), pg_typeof(time '01:00' + interval '1 hour')`,
	`SELECT interval '3 hours' - time '01:00'`,
	`SELECT time '04:05' + time '01:00'`,
	`SELECT timetz '04:05+03' - timetz '01:00+00'`,
	`SELECT time '04:05' + 1`,
	`SELECT date 'infinity' + time '01:00'`,
	`SELECT t + interval '30 minutes', t - interval '30 minutes' FROM tt ORDER BY v`,
	// extract, date_part, date_trunc.
	`SELECT extract(hour from time '04:05:06.789'), extract(minute from time '04:05:06.789'), extract(second from time '04:05:06.789'),
		extract(millisecond from time '04:05:06.789'), extract(microsecond from time '04:05:06.789'), extract(epoch from time '04:05:06.789')`,
	`SELECT date_part('hour', time '04:05:06.789'), date_part('second', time '04:05:06.789'), date_part('epoch', time '04:05:06.789'),
		date_part('epoch', timetz '04:05:06.789+02'), date_part('milliseconds', time '04:05:06.789'), date_part('microseconds', time '04:05:06.789')`,
	`SELECT extract(timezone from timetz '04:05+05:30'), extract(timezone_hour from timetz '04:05-05:30'), extract(timezone_minute from timetz '04:05-05:30'),
		extract(hour from timetz '04:05-05:30'), extract(epoch from timetz '04:05-05:30'), date_part('timezone', timetz '04:05-08')`,
	`SELECT extract(HOURS from time '24:00'), extract(min from time '01:59'), date_part('secs', time '00:00:59.5'), extract(epoch from time '24:00')`,
	`SELECT extract(day from time '04:05')`,
	`SELECT extract(foo from time '04:05')`,
	`SELECT date_part('day', time '04:05')`,
	`SELECT extract(timezone from time '04:05')`,
	`SELECT extract(century from timetz '04:05+00')`,
	`SELECT date_trunc('hour', time '04:05'), date_trunc('minute', time '04:05:06'), pg_typeof(date_trunc('hour', time '04:05'))`,
	`SELECT date_trunc('hour', interval '1 day 04:05'), date_trunc('year', interval '3 years 4 mons'), date_trunc('second', interval '04:05:06.789')`,
	`SELECT extract(hour from t), date_part('minute', tz) FROM tt ORDER BY v`,
	// current_time and localtime (their values differ between the two
	// servers, so only their shape is compared).
	`SELECT current_time IS NOT NULL, localtime IS NOT NULL, pg_typeof(current_time), pg_typeof(localtime), pg_typeof(localtime(3)), pg_typeof(current_time(1))`,
	`SELECT extract(timezone from current_time), strpos(localtime(0)::text, '.'), length(current_time(0)::text), right(current_time(0)::text, 3)`,
	`SELECT pg_typeof(current_timestamp(2)), pg_typeof(localtimestamp(0)), strpos(localtimestamp(0)::text, '.'), current_timestamp(0) <= now() + interval '1 second'`,
	`SELECT abs(extract(epoch from localtime - current_time::time)) < 2`,
	// AT TIME ZONE and timezone().
	`SELECT timestamptz '2024-06-01 12:00+00' AT TIME ZONE 'America/New_York', timestamp '2024-06-01 12:00' AT TIME ZONE 'America/New_York'`,
	`SELECT timestamptz '2024-01-01 12:00+00' AT TIME ZONE 'PST', timestamp '2024-01-01 12:00' AT TIME ZONE 'UTC', timezone('Asia/Tokyo', timestamptz '2024-01-01 00:00+00')`,
	`SELECT timestamptz '2024-01-01 12:00+00' AT TIME ZONE interval '+05:30', timestamp '2024-01-01 12:00' AT TIME ZONE interval '-02:00'`,
	`SELECT timetz '12:00+00' AT TIME ZONE 'UTC', timetz '12:00+02' AT TIME ZONE interval '-03:00', timetz '23:00-02' AT TIME ZONE 'Asia/Tokyo'`,
	`SELECT timestamptz '2024-01-01 12:00+00' AT TIME ZONE 'UTC+3', timestamptz '2024-01-01 12:00+00' AT TIME ZONE 'Europe/Paris'`,
	`SELECT timestamptz '2024-01-01 12:00+00' AT TIME ZONE 'Nowhere/Special'`,
	`SELECT timestamptz '2024-01-01 12:00+00' AT TIME ZONE interval '1 day'`,
	`SELECT timezone('UTC', timestamptz 'infinity'), timezone('UTC', NULL::timestamp)`,
	// Expressions over time values.
	`SELECT time '04:05' IN ('04:05', '05:00'), timetz '04:05+01' IN ('03:05+00'), time '04:05' BETWEEN '04:00' AND '05:00'`,
	`SELECT CASE WHEN true THEN time '01:00' ELSE '02:00' END, COALESCE(NULL, time '03:00'), NULLIF(time '01:00', '01:00'), COALESCE(NULL::timetz, '04:05+02')`,
	`SELECT t FROM tt UNION SELECT '13:13'::time ORDER BY 1`,
	`SELECT x FROM (VALUES (time '03:00'), ('01:00'), (NULL), ('24:00')) AS v(x) ORDER BY x`,
	`SELECT x FROM (VALUES (timetz '03:00+02'), ('01:00+00'), ('02:00+01'), ('01:00-00:30')) AS v(x) ORDER BY x DESC`,
	`SELECT a.t, b.t FROM tt a JOIN tt b ON a.t = b.t3 ORDER BY a.t`,
	`SELECT count(*) FROM tt a, tzk b WHERE a.tz = b.tz`,
	`SELECT DISTINCT tz FROM tzk ORDER BY tz`,
	`SELECT row_number() OVER (ORDER BY tz DESC), tz FROM tzk ORDER BY 1`,
	`SELECT time '24:00'::timetz, time '24:00' + interval '0', s::time, s::timetz FROM (VALUES ('01:02:03'), ('4:5 pm')) AS v(s) ORDER BY 1`,
	`SELECT 'now'::time IS NOT NULL, 'now'::timetz IS NOT NULL`,
	`CREATE TABLE tdef (k INT PRIMARY KEY, a TIME DEFAULT '12:00', b TIMETZ(0) DEFAULT '01:02:03.6+04')`,
	`INSERT INTO tdef (k) VALUES (1)`,
	`ALTER TABLE tdef ADD COLUMN c TIME(1) DEFAULT '23:59:59.96'`,
	`INSERT INTO tdef (k, a) VALUES (2, '2024-01-01 05:06:07'::timestamp)`,
	`INSERT INTO tdef (k, a) VALUES (3, interval '3 hours')`,
	`INSERT INTO tdef (k, b) VALUES (4, time '07:00')`,
	`INSERT INTO tdef (k, a) VALUES (5, 7)`,
	`SELECT * FROM tdef ORDER BY k`,
	`SELECT pg_typeof(a), pg_typeof(b), pg_typeof(c) FROM tdef WHERE k = 1`,
	`CREATE TABLE tpk (a TIME, b TIMETZ, v INT, PRIMARY KEY (b, a))`,
	`INSERT INTO tpk VALUES ('01:00', '10:00+00', 1), ('00:30', '10:00+00', 2), ('01:00', '11:00+01', 3), ('01:00', '09:00-01', 4)`,
	`INSERT INTO tpk VALUES ('01:00', '10:00+00', 5)`,
	`SELECT * FROM tpk ORDER BY b, a`,
	`SELECT v FROM tpk WHERE b = '10:00+00' AND a > '00:45'`,
	`CREATE UNIQUE INDEX tpk_u ON tpk (a DESC, v)`,
	`SELECT a, v FROM tpk WHERE a <= '01:00' ORDER BY a DESC, v`,
	`SELECT '04:05:06.789'::time(3) = '04:05:06.789'::time, '04:05:06.7891'::time(3)::text`,
	`SELECT pg_typeof(CASE WHEN true THEN time '01:00' ELSE timetz '02:00+01' END), CASE WHEN false THEN time '01:00' ELSE timetz '02:00+01' END`,
	`SELECT time '01:00' UNION SELECT timetz '02:00+03' ORDER BY 1`,
	`SELECT - time '01:00', time '01:00' * 2, time '01:00' / 2, 2 * time '01:00', time '01:00' * 1.5`,
	`SELECT COALESCE(time '01:00', interval '1 hour')`,
	`SELECT avg(t), sum(t), min(t3), max(t3) FROM tt`,
	`SELECT avg(t) FROM (VALUES (time '01:00'), ('03:00')) AS v(t)`,
	`UPDATE tt SET t3 = t + interval '0.0006 s' WHERE v = 1 RETURNING t3`,
	`SELECT sum(tz) FROM tt`,
	`SELECT -timetz '01:00+00'`,
	// More input forms and edges.
	`SELECT '04:05:06.'::time`,
	`SELECT '04:05.5'::time`,
	`SELECT '1:2:3.4 pm'::time`,
	`SELECT '12:00:00 p.m.'::time`,
	`SELECT '040506.789'::time`,
	`SELECT '0405.5'::time`,
	`SELECT '04:05:06 gmt'::timetz`,
	`SELECT '04:05:06 Z'::time`,
	`SELECT 'Jan 2 2024 04:05'::time`,
	`SELECT '2024-01-02T04:05:06Z'::timetz`,
	`SELECT '2024-01-02 04:05:06.5+05:30'::timetz(0)`,
	`SELECT 'allballs pm'::time`,
	`SELECT '04:05 am pm'::time`,
	`SELECT '4 pm'::time`,
	`SELECT '04:05:06-08:00:30'::timetz`,
	`SELECT '04:05:06 -08'::time`,
	`SELECT '04:05:06+8:30'::timetz`,
	`SELECT '04:05:06 +05:60'::timetz`,
	`SELECT '  allballs '::time`,
	`SELECT 'ALLBALLS'::time`,
	`SELECT '2024-01-02'::time`,
	`SELECT 'epoch'::time`,
	`SELECT 'today'::time`,
	`SELECT '24:00:00+01'::timetz`,
	`SELECT '24:00:00.5'::time`,
	`SELECT '00:00:00.000000001'::time`,
	`SELECT '04:05:06 EST5EDT'::timetz`,
	`SELECT '04:05:06 utc'::timetz`,
	`SELECT '04:05:06 UTC+3'::timetz`,
	`SELECT time '10:00' - interval '1 day 1 microsecond', time '00:00' - interval '24 hours'`,
	`SELECT timetz '10:00+00' + interval '-25 hours'`,
	`SELECT timetz '10:00+00' AT TIME ZONE 'America/New_York' IS NOT NULL`,
	`SELECT time '04:05' AT TIME ZONE 'UTC'`,
	`SELECT extract(epoch from timetz '24:00-15:59')`,
	`SELECT extract(MICROSECONDS from time '00:00:01.5'), extract(ms from time '00:00:01.5'), date_part('us', time '00:00:01.5')`,
	`SELECT date_trunc('week', interval '3 days')`,
	`SELECT date_trunc('foo', interval '3 days')`,
	`SELECT date_trunc('quarter', interval '1 year 5 mons 3 days 04:05')`,
	`SELECT date_trunc('millisecond', interval '-1.23456 s'), date_trunc('hour', interval '-1 day -04:05')`,
	`SELECT '12:34:56.789'::time::time(1), '12:34:56.789'::timetz::timetz(1)`,
	// A session time zone other than UTC.
	`SET TIME ZONE 'Asia/Kolkata'`,
	`SELECT '12:34'::timetz, '12:34'::time::timetz, timestamptz '2024-06-01 12:34+00'::timetz, timestamptz '2024-06-01 12:34+00'::time`,
	`SELECT time '05:30' = timetz '00:00+00', time '05:30' = timetz '05:30+05:30', extract(timezone from current_time)`,
	`SET TIME ZONE 'UTC'`,
}

func TestTimeMatchesPostgres(t *testing.T) {
	p := startComparePair(t, server.Config{})
	for _, q := range timeSetup {
		p.check(t, q)
	}
	for _, q := range timeQueries {
		p.check(t, q)
	}
	// The extended protocol: pgx sends time parameters and reads time
	// results in binary.
	for _, c := range []struct {
		sql  string
		args []any
	}{
		{`SELECT v, t, tz FROM tt WHERE t = $1`, []any{pgtype.Time{Microseconds: 4*3600e6 + 5*60e6 + 6789000, Valid: true}}},
		{`SELECT v FROM tt WHERE t = $1`, []any{"24:00:00"}},
		{`SELECT v FROM tt WHERE t = $1`, []any{nil}},
		{`SELECT $1::time, $2::timetz`, []any{"01:02:03.456", "01:02:03.456-07:30"}},
		{`SELECT v FROM tt WHERE tz = $1`, []any{"04:05:06-08"}},
		{`SELECT t, tz, t3 FROM tt ORDER BY v`, nil},
		{`SELECT $1::time(1)`, []any{"01:02:03.456"}},
		{`SELECT $1::time`, []any{"not a time"}},
	} {
		p.checkExtended(t, c.sql, c.args...)
	}
	checkTimeWire(t, p)
	checkTimeIndexUse(t, p.rdb)
}

// checkTimeIndexUse proves with EXPLAIN ANALYZE that rangedb answers an
// equality on the time and timetz primary keys by reading one key, a
// range on the time key without a full scan, and an equality on the
// indexed timetz column through the index.
func checkTimeIndexUse(t *testing.T, conn *pgx.Conn) {
	for _, c := range []struct {
		sql     string
		maxKeys int
		want    string
	}{
		{`SELECT v FROM tt WHERE t = '04:05:06.789'`, 1, ""},
		{`SELECT v FROM tzk WHERE tz = '13:00+01'`, 1, ""},
		{`SELECT t FROM tt WHERE t >= '23:00'`, 2, ""},
		{`SELECT v FROM tt WHERE tz = '04:05:06-08'`, 2, "tt_tz"},
	} {
		plan, _, keys := explainAnalyze(t, conn, c.sql) // explain_test.go
		if keys > c.maxKeys || !strings.Contains(plan, c.want) {
			t.Errorf("%s read %d keys (want at most %d) or does not use %q:\n%s", c.sql, keys, c.maxKeys, c.want, plan)
		}
	}
}

// checkTimeWire compares the wire format on both servers through pgconn:
// RowDescription's OIDs, lengths and typmods; binary results (time is 8
// bytes of µs, timetz 8 bytes of µs and 4 of zone seconds west of UTC);
// binary parameters, including out-of-range and short ones; and pgx's own
// decoding of time results.
func checkTimeWire(t *testing.T, p *comparePair) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	us := func(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }
	tz := func(v int64, zone int32) []byte { return binary.BigEndian.AppendUint32(us(v), uint32(zone)) }
	run := func(conn *pgx.Conn) []string {
		var out []string
		pc := conn.PgConn()
		exec := func(what, sql string, params [][]byte, oids []uint32, pf, rf []int16) {
			res := pc.ExecParams(ctx, sql, params, oids, pf, rf).Read()
			line := what + ":"
			for _, fd := range res.FieldDescriptions {
				line += fmt.Sprintf(" [%s oid=%d len=%d mod=%d fmt=%d]", fd.Name, fd.DataTypeOID, fd.DataTypeSize, fd.TypeModifier, fd.Format)
			}
			for _, r := range res.Rows {
				for _, v := range r {
					line += fmt.Sprintf(" %x", v)
				}
			}
			if res.Err != nil {
				line += " " + errText(res.Err)
			}
			out = append(out, line)
		}
		exec("binary result", `SELECT '04:05:06.789'::time, '04:05:06.789-08:30'::timetz, '24:00'::time, '00:00+15:59'::timetz`, nil, nil, nil, []int16{1})
		exec("columns", `SELECT t, tz, t3 FROM tt WHERE v = 1`, nil, nil, nil, []int16{1})
		exec("text result", `SELECT t, tz, t3 FROM tt WHERE v = 1`, nil, nil, nil, []int16{0})
		exec("binary param", `SELECT $1::time::text, $2::timetz::text`, [][]byte{us(3600e6), tz(3600e6, -3600)}, []uint32{1083, 1266}, []int16{1}, nil)
		exec("binary param key", `SELECT v FROM tt WHERE t = $1`, [][]byte{us(0)}, []uint32{1083}, []int16{1}, nil)
		exec("inferred binary param", `SELECT v FROM tt WHERE tz = $1`, [][]byte{tz(4*3600e6+5*60e6+6e6, 28800)}, nil, []int16{1}, nil)
		exec("out of range param", `SELECT $1::time`, [][]byte{us(86400e6 + 1)}, []uint32{1083}, []int16{1}, nil)
		exec("negative param", `SELECT $1::time`, [][]byte{us(-1)}, []uint32{1083}, []int16{1}, nil)
		exec("bad zone param", `SELECT $1::timetz`, [][]byte{tz(0, 16*3600)}, []uint32{1266}, []int16{1}, nil)
		exec("short param", `SELECT $1::time`, [][]byte{us(1)[:4]}, []uint32{1083}, []int16{1}, nil)
		exec("short timetz param", `SELECT $1::timetz`, [][]byte{us(1)}, []uint32{1266}, []int16{1}, nil)
		exec("binary insert", `INSERT INTO tt (t, tz, v) VALUES ($1, $2, 50)`, [][]byte{us(7200e6 + 1), tz(7200e6, -7200)}, []uint32{1083, 1266}, []int16{1}, nil)
		exec("read back", `SELECT t, tz FROM tt WHERE v = 50`, nil, nil, nil, []int16{0})
		for _, q := range []string{`SELECT v FROM tt WHERE t = $1`, `SELECT v FROM tt WHERE tz > $1 AND t3 <> $2`, `SELECT $1::time(2), $2::timetz`} {
			sd, err := pc.Prepare(ctx, "", q, nil)
			line := "describe " + q + ":"
			if err != nil {
				line += " " + errText(err)
			} else {
				line += fmt.Sprintf(" params %v", sd.ParamOIDs)
				for _, fd := range sd.Fields {
					line += fmt.Sprintf(" [%s oid=%d len=%d mod=%d]", fd.Name, fd.DataTypeOID, fd.DataTypeSize, fd.TypeModifier)
				}
			}
			out = append(out, line)
		}
		for _, mode := range []string{"binary", "text"} {
			args := []any{}
			if mode == "text" {
				args = append(args, pgx.QueryResultFormats{pgx.TextFormatCode})
			}
			var a pgtype.Time
			var s string
			err := conn.QueryRow(ctx, `SELECT t, tz::text FROM tt WHERE v = 1`, append(args, pgx.QueryExecModeCacheStatement)...).Scan(&a, &s)
			out = append(out, fmt.Sprintf("scan [%s]: %d %v %s %s", mode, a.Microseconds, a.Valid, s, errText(err)))
		}
		return out
	}
	got, want := run(p.rdb), run(p.pg)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rangedb | postgres\n%s", diffLines(got, want))
	}
}
