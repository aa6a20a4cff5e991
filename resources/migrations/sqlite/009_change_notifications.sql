-- Latchkey schema 9 (SQLite): nothing. PostgreSQL's schema 9 announces changes to other
-- instances; an SQLite database has one server, which caches no sessions (every Bearer call
-- reads the file), so there is nobody to tell.
SELECT 1;
