-- Literals read under the session's settings: a zone-less timestamptz
-- in TimeZone, an ambiguous date in DateStyle's field order.
SET TimeZone = 'America/New_York';
SELECT '2024-01-15 08:00:00'::timestamptz;
CREATE TABLE tin (id INT PRIMARY KEY, at TIMESTAMPTZ);
INSERT INTO tin VALUES (1, '2024-01-15 08:00:00');
RESET TimeZone;
SELECT at FROM tin WHERE id = 1;
SELECT '03/04/2024'::date;
SET DateStyle = 'ISO, DMY';
SELECT '03/04/2024'::date;
SET DateStyle = 'ISO, YMD';
SELECT '2024/03/04'::date;
RESET DateStyle;
DROP TABLE tin;
