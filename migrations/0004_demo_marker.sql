-- A database filled by `serve --demo` or `samskab demo` carries the demo logins (password
-- "demo"); it is marked so that a server started without --demo refuses it instead of
-- serving those accounts in production.
ALTER TABLE municipality ADD COLUMN demo BOOLEAN NOT NULL DEFAULT FALSE;
