-- env: PGTZ=America/Sao_Paulo
-- env: PGOPTIONS=-c extra_float_digits=2 -c search_path=x,public --statement-timeout=3s
-- env: PGAPPNAME=psql compare
-- env: PGDATESTYLE=SQL
-- Startup parameters psql sends (PGTZ, PGOPTIONS, PGAPPNAME,
-- PGDATESTYLE) become the session's settings and their RESET values.
SHOW TimeZone;
SHOW extra_float_digits;
SHOW search_path;
SHOW statement_timeout;
SHOW application_name;
SHOW DateStyle;
SET TimeZone = 'UTC';
RESET TimeZone;
SHOW TimeZone;
RESET ALL;
SHOW extra_float_digits;
SHOW DateStyle;
