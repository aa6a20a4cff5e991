-- Latchkey schema 10 (SQLite): nothing. PostgreSQL's schema 10 announces linked identities to
-- other instances; an SQLite database has one server, which publishes its own changes in the
-- process.
SELECT 1;
