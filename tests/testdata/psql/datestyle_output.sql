-- DateStyle's output styles (SQL, Postgres, German) for dates and
-- timestamps, and IntervalStyle's for intervals.
SET DateStyle = 'SQL, MDY';
SELECT '2024-03-10'::date, '2024-03-10 12:34:56'::timestamp, '2024-03-10 12:34:56+00'::timestamptz;
SET DateStyle = 'SQL, DMY';
SELECT '2024-03-10'::date, '2024-03-10 12:34:56'::timestamp;
SET DateStyle = 'Postgres, MDY';
SELECT '2024-03-10'::date, '2024-03-10 12:34:56'::timestamp, '2024-03-10 12:34:56+00'::timestamptz;
SET DateStyle = 'German';
SELECT '2024-03-10'::date, '2024-03-10 12:34:56'::timestamp;
RESET DateStyle;
SELECT '1 day 02:03:04'::interval;
SET IntervalStyle = 'iso_8601';
SELECT '1 day 02:03:04'::interval;
SET IntervalStyle = 'sql_standard';
SELECT '1 day 02:03:04'::interval;
SET IntervalStyle = 'postgres_verbose';
SELECT '1 day 02:03:04'::interval;
