-- Latchkey schema 10: a linked identity is announced on latchkey_changes too, as
-- 'i:<user id>:<provider>', so every instance can push identity_linked to that player's event
-- sockets (GET /api/events). Like schema 9's, it is sent in the writing transaction.
CREATE OR REPLACE FUNCTION latchkey_identity_linked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('latchkey_changes', 'i:' || NEW.user_id || ':' || NEW.provider);
    RETURN NULL;
END $$;

CREATE TRIGGER identities_linked AFTER INSERT ON identities
    FOR EACH ROW EXECUTE FUNCTION latchkey_identity_linked();
