-- Syntax errors at the end of a statement: PostgreSQL reports the
-- semicolon as the offending token.
SELECT 1 +;
SELECT id FROM;
INSERT INTO t VALUES (1,;
