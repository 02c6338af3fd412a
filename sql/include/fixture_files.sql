\set ECHO none
-- Fixture files for the import and export suites; included with \i, not
-- echoed.  pg_temp.write_file(path, content, pipe): a file under the data
-- directory's subdirectory that the setting dynpg_test.fixture_dir names
-- (set it first), its directories made, the content's bytes exactly,
-- filtered on the way by 'pipe' (e.g. 'gzip', 'zstd -q').
CREATE FUNCTION pg_temp.write_file(path text, content text, pipe text DEFAULT 'cat') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
	full_path text := current_setting('data_directory') || '/' ||
		current_setting('dynpg_test.fixture_dir') || '/' || path;
BEGIN
	EXECUTE format('COPY (SELECT %L) TO PROGRAM %L',
		translate(encode(convert_to(content, 'UTF8'), 'base64'), E'\n', ''),
		format('mkdir -p "$(dirname %s)" && base64 -d | %s > %s',
			   full_path, pipe, full_path));
END $$;
\set ECHO all
