-- current_setting() reads the session's settings, with PostgreSQL's
-- errors and missing_ok.
SELECT current_setting('TimeZone');
SELECT current_setting('timezone'), current_setting('DateStyle');
SET TimeZone = 'Europe/Paris';
SELECT current_setting('TimeZone');
SELECT current_setting('server_version_num')::int >= 150000 AS is_15;
SELECT current_setting('no_such_setting');
SELECT current_setting('no_such_setting', true) IS NULL AS missing;
SET myapp.user_id = '42';
SELECT current_setting('myapp.user_id');
SELECT current_setting('search_path');
