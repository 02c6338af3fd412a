-- dynpg 0.1 -> 0.2.
--
-- sql/dynpg--0.1.sql is the script of the released version 0.1 (the state of
-- 2026-12-07, commit be1d8ab) and is never edited again.  Every object added
-- or changed since goes here, in the order it was added: CREATE EXTENSION dynpg
-- runs 0.1's script and then this one, and ALTER EXTENSION dynpg UPDATE runs
-- this one over a database created at 0.1, so both reach the same objects.
\echo Use "ALTER EXTENSION dynpg UPDATE TO '0.2'" to load this file. \quit
