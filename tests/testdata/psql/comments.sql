-- COMMENT ON and the functions that read comments.
CREATE TABLE cm (id int PRIMARY KEY, name text, note text);
CREATE INDEX cm_name ON cm (name);
CREATE VIEW cmv AS SELECT id FROM cm;
CREATE SEQUENCE cms;
COMMENT ON TABLE cm IS 'the table';
COMMENT ON COLUMN cm.name IS 'who';
COMMENT ON COLUMN public.cm.note IS 'why';
COMMENT ON INDEX cm_name IS 'by name';
COMMENT ON VIEW cmv IS 'a view';
COMMENT ON SEQUENCE cms IS 'numbers';
SELECT obj_description('cm'::regclass, 'pg_class') AS t, col_description('cm'::regclass, 1) AS c1,
    col_description('cm'::regclass, 2) AS c2, col_description('cm'::regclass, 3) AS c3;
SELECT obj_description('cm_name'::regclass, 'pg_class'), obj_description('cmv'::regclass, 'pg_class'),
    obj_description('cms'::regclass, 'pg_class'), obj_description('cm'::regclass);
COMMENT ON COLUMN cm.name IS NULL;
COMMENT ON TABLE cm IS '';
SELECT obj_description('cm'::regclass, 'pg_class') IS NULL, col_description('cm'::regclass, 2) IS NULL;
-- Errors.
COMMENT ON TABLE nope IS 'x';
COMMENT ON TABLE cmv IS 'x';
COMMENT ON VIEW cm IS 'x';
COMMENT ON COLUMN cm.nope IS 'x';
COMMENT ON INDEX nope IS 'x';
COMMENT ON SEQUENCE nope IS 'x';
COMMENT ON DATABASE nope IS 'x';
BEGIN;
COMMENT ON TABLE cm IS 'rolled back';
ROLLBACK;
SELECT obj_description('cm'::regclass, 'pg_class');
