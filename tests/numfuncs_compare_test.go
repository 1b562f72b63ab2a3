package tests

import (
	"testing"

	"github.com/rangedb/rangedb/server"
)

// This file compares with PostgreSQL 15 the numeric and date functions
// of sql/exec/builtins_num.go: div, width_bucket (float8 and numeric;
// the array form needs arrays), scale, min_scale, trim_scale, factorial,
// num_nulls and num_nonnulls, to_number and date_bin, with their errors.

var numFuncSetup = []string{
	`CREATE TABLE nf (k INT PRIMARY KEY, a NUMERIC, b NUMERIC, f FLOAT8, ts TIMESTAMP, s TEXT)`,
	`INSERT INTO nf VALUES (1, 9, 4, 5.35, '2020-02-11 15:44:17', 'x'), (2, -9.5, 2.1, -1, '1999-02-11 15:44:17', NULL),
		(3, NULL, 3, NULL, NULL, 'z'), (4, 12.3400, -0.5, 11, '2020-02-11 00:00:00', 'w')`,
}

var numFuncQueries = []string{
	// div.
	`SELECT div(9, 4), div(-9, 4), div(9.5, 2.1), div(-7.5, 2), div('NaN', 1), div(1, 'Infinity'::numeric), div(12345678901234567890, 7)`,
	`SELECT div('Infinity'::numeric, 1), div('-Infinity'::numeric, 2), div('Infinity'::numeric, 'Infinity'), div(0, -3), div(1.99, 1), pg_typeof(div(9, 4))`,
	`SELECT div(1, 0)`,
	`SELECT div(0.0, 0)`,
	`SELECT div('Infinity'::numeric, 0)`,
	`SELECT div(k, 2), div(a, b) FROM nf ORDER BY k`,
	`SELECT div(1)`,
	`SELECT div('a', 1)`,
	// width_bucket.
	`SELECT width_bucket(5.35, 0.024, 10.06, 5), width_bucket(-1::float8, 0, 10, 5), width_bucket(11, 0, 10, 5), width_bucket(10, 0, 10, 5)`,
	`SELECT width_bucket(5, 10, 0, 5), width_bucket(0, 10, 0, 5), width_bucket(10, 10, 0, 5), width_bucket(11::float8, 10, 0, 5), width_bucket(2.5::float8, 0, 10, 4)`,
	`SELECT width_bucket(1e300::float8, -1e308, 1e308, 10), width_bucket('Infinity'::float8, 0, 10, 3), width_bucket('-Infinity'::numeric, 0, 10, 3), width_bucket(9.999999, 0, 10, 3)`,
	`SELECT width_bucket(f, 0, 10, 4), width_bucket(a, -10, 10, 7) FROM nf ORDER BY k`,
	`SELECT pg_typeof(width_bucket(1, 0, 10, 3)), pg_typeof(width_bucket(1.5, 0, 10, 3))`,
	`SELECT width_bucket(1, 0, 10, 0)`,
	`SELECT width_bucket(1.5, 0, 10, -1)`,
	`SELECT width_bucket(1, 5, 5, 3)`,
	`SELECT width_bucket(1.0, 5, 5, 3)`,
	`SELECT width_bucket('NaN'::float8, 0, 10, 3)`,
	`SELECT width_bucket(1.0, 'NaN', 10, 3)`,
	`SELECT width_bucket(1::float8, '-Infinity', 10, 3)`,
	`SELECT width_bucket(1.0, 0, 'Infinity', 3)`,
	`SELECT width_bucket(20, 0, 10, 2147483647)`,
	`SELECT width_bucket(5, 1, 10)`,
	// scale, min_scale, trim_scale.
	`SELECT scale(1.50), scale(0), scale('NaN'::numeric), scale('Infinity'::numeric), scale(1e-5), scale(123), scale(-0.000)`,
	`SELECT min_scale(1.500), min_scale(0.00), min_scale(12.340100), min_scale(100), min_scale('NaN'::numeric), min_scale(-1.10)`,
	`SELECT trim_scale(1.500), trim_scale(0.00), trim_scale(-12.3400), trim_scale(100.0), trim_scale('NaN'::numeric), trim_scale('-Infinity'::numeric)`,
	`SELECT scale(a), min_scale(a), trim_scale(a), scale(f::numeric) FROM nf ORDER BY k`,
	`SELECT scale(1.5::float8), trim_scale(2)`,
	`SELECT scale('abc')`,
	// factorial.
	`SELECT factorial(0), factorial(1), factorial(5), factorial(20), factorial(21), factorial(30), pg_typeof(factorial(3))`,
	`SELECT factorial(k) FROM nf ORDER BY k`,
	`SELECT factorial(-1)`,
	`SELECT factorial(2.5)`,
	`SELECT length(factorial(1000)::text)`,
	// num_nulls, num_nonnulls.
	`SELECT num_nulls(1, NULL, 'a', NULL), num_nonnulls(1, NULL, 'a'), num_nulls(NULL), num_nonnulls(NULL), num_nulls(1), num_nonnulls(1, 2.5, now())`,
	`SELECT num_nulls(a, f, ts, s), num_nonnulls(a, f, ts, s) FROM nf ORDER BY k`,
	`SELECT num_nulls()`,
	`SELECT num_nonnulls()`,
	`SELECT pg_typeof(num_nulls(1))`,
	// to_number.
	`SELECT to_number('12,454.8-', '99G999D9S'), to_number('-34,338,492', '99G999G999'), to_number('5 467.12', '9 999.99'), to_number('$1,234.56', 'L9,999.99')`,
	`SELECT to_number('123', '999'), to_number('1234', '99'), to_number(' 12.3', '999.9'), to_number('12.345', '99.9'), to_number('12', '')`,
	`SELECT to_number('-12', '999'), to_number('12-', '99MI'), to_number('12', 'FM9999'), to_number('0012', '0000'), to_number('1,2', '9,9'), to_number('3.7', '9')`,
	`SELECT to_number('1,234,567.891', '9G999G999D999'), to_number('+7', 'S9'), to_number('12 345', '99 999')`,
	`SELECT to_number('1.5', '9D99'), to_number('99', '9.99'), to_number('123.45', '999'), to_number('0.01', '0.00')`,
	`SELECT to_number('99', '9.99')`,
	`SELECT to_number('abc', '999')`,
	`SELECT to_number('', '999')`,
	`SELECT to_number('1e3', '9EEEE')`,
	`SELECT to_number(s, '9') FROM nf WHERE s IS NULL`,
	// date_bin.
	`SELECT date_bin('15 minutes', timestamp '2020-02-11 15:44:17', timestamp '2001-01-01'), date_bin('15 minutes', timestamp '2020-02-11 15:44:17', timestamp '2001-01-01 00:02:30')`,
	`SELECT date_bin('1 hour', timestamp '1999-02-11 15:44:17', timestamp '2001-01-01'), date_bin('2 days', timestamptz '2020-02-11 15:44:17+00', timestamptz '2001-01-01')`,
	`SELECT date_bin('1 day 30 minutes', timestamp '2020-02-11 15:44:17', timestamp '2020-02-12'), date_bin('1 microsecond', timestamp '2020-02-11 15:44:17.123456', timestamp '2000-01-01')`,
	`SELECT date_bin('1 hour', 'infinity'::timestamp, timestamp '2001-01-01'), date_bin('5 min', ts, timestamp '2000-01-01') FROM nf ORDER BY k`,
	`SELECT pg_typeof(date_bin('1 hour', timestamptz '2020-01-01', timestamptz '2000-01-01'))`,
	`SELECT date_bin('1 month', timestamp '2020-02-11', timestamp '2001-01-01')`,
	`SELECT date_bin('0 days', timestamp '2020-02-11', timestamp '2001-01-01')`,
	`SELECT date_bin('-1 hour', timestamp '2020-02-11', timestamp '2001-01-01')`,
	`SELECT date_bin('1 hour', timestamp '2020-02-11', timestamp 'infinity')`,
	`SELECT date_bin('1 hour', timestamp '2020-02-11')`,
}

func TestNumericFunctionsMatchPostgres(t *testing.T) {
	p := startComparePair(t, server.Config{})
	for _, q := range numFuncSetup {
		p.check(t, q)
	}
	for _, q := range numFuncQueries {
		p.check(t, q)
	}
}
