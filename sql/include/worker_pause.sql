\set ECHO none
-- Pauses the database's dynpg worker (testing GUC dynpg.index_worker_pause)
-- and waits until it reports 'paused', so that what the suite shows next does
-- not depend on when the worker runs (included with \i; not echoed).
ALTER SYSTEM SET dynpg.index_worker_pause = on;
SELECT pg_reload_conf() AS reloaded \gset
DO $$
BEGIN
	FOR i IN 1..600 LOOP
		EXIT WHEN NOT EXISTS (SELECT 1 FROM dynpg.index_workers
							   WHERE datname = current_database() AND state <> 'paused');
		PERFORM pg_sleep(0.01);
	END LOOP;
END $$;
\set ECHO all
