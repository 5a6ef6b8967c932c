-- Whether a table's indexes, built in the background after its load, are
-- all there (the tables loaded before were indexed by Load itself): Open
-- builds the missing ones of a table whose build a stop interrupted.
ALTER TABLE tabular_tables ADD COLUMN indexed BOOLEAN NOT NULL DEFAULT TRUE;
