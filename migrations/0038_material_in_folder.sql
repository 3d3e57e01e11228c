-- A material's bytes may be kept in the installation's files folder (--files-dir) instead of
-- the database; its row then holds no bytes and says so.
ALTER TABLE activity_material ADD COLUMN in_folder BOOLEAN NOT NULL DEFAULT FALSE;
