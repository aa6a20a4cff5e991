-- Ceiling for /api/refresh: the SQL the server runs per refresh on PostgreSQL
-- (SessionStore::advance since d7e65d9: rotation and user read in one statement), prepared.
-- pgbench -D: n (ceiling sessions), sbase/ubase (first session/user id; session sbase+k
-- belongs to user ubase+k), now (Unix seconds), exp (now + 30 days).
-- The server also matches the token's counter (AND counter = ?); the ceiling cannot know
-- every row's current counter, so it filters on counter >= 0: the same row, the same work.
-- Keep this in step with server/db/sessionstore.cpp.
\set k random(0, :n - 1)
\set sid :sbase + :k
WITH s AS (UPDATE sessions SET counter = counter + 1, refreshed_at = :now, expires_at = :exp WHERE id = :sid AND counter >= 0 AND revoked_at IS NULL AND expires_at > :now RETURNING user_id) SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login FROM users u JOIN s ON u.id = s.user_id;
