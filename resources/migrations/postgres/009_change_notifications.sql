-- Latchkey schema 9: every change that makes a cached session stale is announced on channel
-- latchkey_changes, inside the transaction that makes it (PostgreSQL delivers it at commit,
-- in commit order), whoever writes: any instance, latchkey-admin, or SQL by hand. Each
-- instance LISTENs on one connection and drops what its workers cached (docs/ARCHITECTURE.md,
-- "Session cache"). Payloads: 's:<session id>' a session ended; 'u:<user id>' the user's row
-- changed (name, picture, progress, role, ban, guest status, e-mail) or the user is gone.
-- (OR REPLACE: setup_db --reset drops the tables and their triggers, not these functions.)
CREATE OR REPLACE FUNCTION latchkey_session_ended() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('latchkey_changes', 's:' || NEW.id);
    RETURN NULL;
END $$;

CREATE TRIGGER sessions_ended AFTER UPDATE OF revoked_at ON sessions
    FOR EACH ROW WHEN (OLD.revoked_at IS NULL AND NEW.revoked_at IS NOT NULL)
    EXECUTE FUNCTION latchkey_session_ended();

CREATE OR REPLACE FUNCTION latchkey_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('latchkey_changes', 'u:' || OLD.id);
    RETURN NULL;
END $$;

CREATE TRIGGER users_changed AFTER UPDATE ON users
    FOR EACH ROW WHEN ((OLD.name, OLD.email, OLD.picture, OLD.stars, OLD.level, OLD.role,
                        OLD.status, OLD.is_guest)
                       IS DISTINCT FROM (NEW.name, NEW.email, NEW.picture, NEW.stars, NEW.level,
                                         NEW.role, NEW.status, NEW.is_guest))
    EXECUTE FUNCTION latchkey_user_changed();

CREATE TRIGGER users_deleted AFTER DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION latchkey_user_changed();
