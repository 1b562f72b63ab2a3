-- env: PGUSER=root
-- What pg_dump writes for a small schema (as PostgreSQL 15's pg_dump prints it) loads.
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
SET default_table_access_method = heap;
CREATE TABLE public.p (id integer NOT NULL, name text DEFAULT 'x'::text);
ALTER TABLE public.p OWNER TO root;
CREATE SEQUENCE public.p_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER TABLE public.p_id_seq OWNER TO root;
ALTER SEQUENCE public.p_id_seq OWNED BY public.p.id;
ALTER TABLE ONLY public.p ALTER COLUMN id SET DEFAULT nextval('public.p_id_seq'::regclass);
CREATE TABLE public.c (id integer NOT NULL, pid integer);
COPY public.p (id, name) FROM stdin;
1	a
2	b
\.
COPY public.c (id, pid) FROM stdin;
1	1
\.
SELECT pg_catalog.setval('public.p_id_seq', 2, true);
ALTER TABLE ONLY public.p ADD CONSTRAINT p_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.c ADD CONSTRAINT c_pkey PRIMARY KEY (id);
CREATE INDEX c_pid_idx ON public.c USING btree (pid);
ALTER TABLE ONLY public.c ADD CONSTRAINT c_pid_fkey FOREIGN KEY (pid) REFERENCES public.p(id);
COMMENT ON TABLE public.p IS 'parents';
ALTER TABLE public.p OWNER TO nobody;
CREATE VIEW public.v AS SELECT id FROM public.p;
ALTER VIEW public.v OWNER TO root;
ALTER TABLE public.v OWNER TO CURRENT_USER;
ALTER TABLE IF EXISTS public.nope OWNER TO root;
SET default_tablespace = 'elsewhere';
SELECT * FROM public.p ORDER BY id;
SELECT * FROM public.c;
INSERT INTO public.p (name) VALUES ('c') RETURNING *;
INSERT INTO public.c VALUES (2, 9);
