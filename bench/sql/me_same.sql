-- Ceiling for a Bearer call such as /api/me: UserStore::byLiveSession, the only query it runs.
\set k random(0, :n - 1)
\set sid :sbase + :k
\set uid :ubase + :k
SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = :sid AND s.user_id = :uid AND s.revoked_at IS NULL AND s.expires_at > :now;
