-- Latchkey schema 8: a provider's tokens kept for the player (providers.<name>.keep_tokens), so
-- a game can call the provider's API later (GET /api/identities/{provider}/token). The column
-- holds "<key id>:<base64url of nonce | AES-256-GCM ciphertext | tag>" sealed with a key of
-- TOKEN_ENCRYPTION_KEYS, bound to the row's provider and subject; never a token in plain text.
-- NULL: nothing kept. Deleting the identity (unlink, account deletion) deletes it.
ALTER TABLE identities ADD COLUMN credentials TEXT;
