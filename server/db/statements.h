// Every SQL statement the stores run, by name. The name keys each connection's cache of
// prepared statements, so the same statement is prepared once whoever runs it.
#pragma once

#include <string_view>

namespace latchkey {

struct Statement
{
    std::string_view name; //!< unique; Database::prepared() checks one name has one text
    const char *sql;       //!< positional parameters (?), the same text on both drivers
};

namespace sql {

// Statements that return users select the columns in userFromRow()'s order (userrow.h):
// u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login, u.is_guest,
// u.role, u.status

inline constexpr Statement userById{
    "user_by_id",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,"
    " u.is_guest, u.role, u.status"
    " FROM users u WHERE u.id = ?"};

inline constexpr Statement userByIdentity{
    "user_by_identity",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,"
    " u.is_guest, u.role, u.status"
    " FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = ? AND i.subject = ?"};

//! The Bearer check: the user of a session that is neither revoked nor expired.
inline constexpr Statement userByLiveSession{
    "user_by_live_session",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,"
    " u.is_guest, u.role, u.status, s.expires_at"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?"};

inline constexpr Statement recordLogin{"record_login",
                                       "UPDATE users SET last_login = ? WHERE id = ?"};

inline constexpr Statement insertUser{
    "insert_user",
    "INSERT INTO users (email, name, name_key, name_skeleton, picture, created_at, last_login,"
    " is_guest) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"};

inline constexpr Statement insertIdentity{
    "insert_identity", "INSERT INTO identities (provider, subject, user_id, email, created_at)"
                       " VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider, subject) DO NOTHING"};

//! An identity's owner, whoever it is (linking tells "already yours" from "in use").
inline constexpr Statement identityOwner{
    "identity_owner", "SELECT user_id FROM identities WHERE provider = ? AND subject = ?"};

inline constexpr Statement listIdentities{
    "list_identities", "SELECT provider, subject, email, created_at, credentials IS NOT NULL"
                       " FROM identities"
                       " WHERE user_id = ? ORDER BY created_at, provider, subject"};

//! Removes a user's identities of one provider unless nothing else would be left to sign in.
inline constexpr Statement unlinkIdentity{
    "unlink_identity", "DELETE FROM identities WHERE user_id = ? AND provider = ? AND EXISTS"
                       " (SELECT 1 FROM identities o WHERE o.user_id = ? AND o.provider <> ?)"};

inline constexpr Statement countProviderIdentities{
    "count_provider_identities",
    "SELECT COUNT(*) FROM identities WHERE user_id = ? AND provider = ?"};

//! A guest that links a provider becomes a full account (with the provider's e-mail address).
inline constexpr Statement promoteGuest{
    "promote_guest",
    "UPDATE users SET is_guest = ?, email = CASE WHEN email = '' THEN ? ELSE email END"
    " WHERE id = ?"};

inline constexpr Statement renameUser{
    "rename_user", "UPDATE users SET name = ?, name_key = ?, name_skeleton = ? WHERE id = ?"};

inline constexpr Statement setPicture{"set_picture", "UPDATE users SET picture = ? WHERE id = ?"};

inline constexpr Statement insertSession{
    "insert_session",
    "INSERT INTO sessions (user_id, counter, created_at, refreshed_at, expires_at, client_ip,"
    " user_agent) VALUES (?, 0, ?, ?, ?, ?, ?) RETURNING id"};

//! Revokes a user's live sessions beyond the newest N.
inline constexpr Statement trimSessions{
    "trim_sessions",
    "UPDATE sessions SET revoked_at = ?, revoke_reason = 'session_limit'"
    " WHERE user_id = ? AND revoked_at IS NULL AND id NOT IN"
    " (SELECT id FROM sessions WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC LIMIT ?)"};

//! The rotation: moves the counter one step if it is still where the token says.
inline constexpr Statement rotateSession{
    "rotate_session",
    "UPDATE sessions SET counter = counter + 1, refreshed_at = ?, expires_at = ?"
    " WHERE id = ? AND counter = ? AND revoked_at IS NULL AND expires_at > ? RETURNING user_id"};

//! rotateSession and the user read in one round trip (PostgreSQL: a data-modifying CTE).
inline constexpr Statement rotateSessionReadingUser{
    "rotate_session_reading_user",
    "WITH s AS (UPDATE sessions SET counter = counter + 1, refreshed_at = ?, expires_at = ?"
    " WHERE id = ? AND counter = ? AND revoked_at IS NULL AND expires_at > ? RETURNING user_id)"
    " SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,"
    " u.is_guest, u.role, u.status"
    " FROM users u JOIN s ON u.id = s.user_id"};

inline constexpr Statement findSession{
    "find_session",
    "SELECT id, user_id, counter, refreshed_at, expires_at, revoked_at FROM sessions WHERE id = ?"};

inline constexpr Statement sessionEnd{
    "session_end", "SELECT revoked_at, revoke_reason, expires_at FROM sessions WHERE id = ?"};

inline constexpr Statement revokeSession{
    "revoke_session",
    "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL"};

//! A user's live sessions (GET /api/sessions), oldest first.
inline constexpr Statement liveSessionsOfUser{
    "live_sessions_of_user",
    "SELECT id, created_at, refreshed_at, client_ip, user_agent FROM sessions"
    " WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY id"};

//! Every session a user has, live or ended (GET /api/me/export).
inline constexpr Statement allSessionsOfUser{
    "all_sessions_of_user",
    "SELECT id, created_at, refreshed_at, expires_at, revoked_at, revoke_reason, client_ip,"
    " user_agent FROM sessions WHERE user_id = ? ORDER BY id"};

//! DELETE /api/me: identities, sessions and preferences go with the user (ON DELETE CASCADE).
inline constexpr Statement deleteUser{"delete_user", "DELETE FROM users WHERE id = ?"};

// preferences: one JSON object per user (jsonb on PostgreSQL, text on SQLite).
inline constexpr Statement preferencesOf{"preferences_of",
                                         "SELECT data FROM preferences WHERE user_id = ?"};

inline constexpr Statement putPreferences{
    "put_preferences",
    "INSERT INTO preferences (user_id, data, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id)"
    " DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at"};

// oauth_pending: the broker's pending steps, by the hash of their secret.
inline constexpr Statement insertPending{
    "insert_pending",
    "INSERT INTO oauth_pending (hash, kind, data, expires_at) VALUES (?, ?, ?, ?)"};

//! Uses a step: only the first caller before its expiry gets the data.
inline constexpr Statement consumePending{
    "consume_pending",
    "UPDATE oauth_pending SET consumed_at = ? WHERE hash = ? AND kind = ? AND consumed_at IS NULL"
    " AND expires_at > ? RETURNING data"};

//! A step that was used already (and the session it opened, if any).
inline constexpr Statement consumedPending{
    "consumed_pending", "SELECT session_id FROM oauth_pending WHERE hash = ? AND kind = ?"
                        " AND consumed_at IS NOT NULL"};

inline constexpr Statement setPendingSession{
    "set_pending_session", "UPDATE oauth_pending SET session_id = ? WHERE hash = ?"};

inline constexpr Statement prunePending{"prune_pending",
                                        "DELETE FROM oauth_pending WHERE expires_at < ?"};

// device_codes: the device authorization grant's codes (RFC 8628), by the hash of the
// device_code.
inline constexpr Statement insertDeviceCode{
    "insert_device_code",
    "INSERT INTO device_codes (hash, user_code, client_id, interval_secs, expires_at)"
    " VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING"};

inline constexpr Statement pendingDeviceCode{
    "pending_device_code", "SELECT hash, client_id FROM device_codes WHERE user_code = ?"
                           " AND status = 'pending' AND expires_at > ?"};

inline constexpr Statement deviceCode{
    "device_code", "SELECT client_id, status, user_id, interval_secs, last_poll_ms, expires_at"
                   " FROM device_codes WHERE hash = ?"};

inline constexpr Statement pollDeviceCode{
    "poll_device_code",
    "UPDATE device_codes SET last_poll_ms = ?, interval_secs = ? WHERE hash = ?"};

//! Approves or denies a code that is still pending and live.
inline constexpr Statement decideDeviceCode{
    "decide_device_code", "UPDATE device_codes SET status = ?, user_id = ? WHERE hash = ?"
                          " AND status = 'pending' AND expires_at > ?"};

//! Only the first poll after the approval gets the user (and so the tokens).
inline constexpr Statement claimDeviceCode{"claim_device_code",
                                           "UPDATE device_codes SET status = 'done' WHERE hash = ?"
                                           " AND status = 'approved' RETURNING user_id"};

inline constexpr Statement pruneDeviceCodes{"prune_device_codes",
                                            "DELETE FROM device_codes WHERE expires_at < ?"};

// auth_failures: one row per client key and minute, counted by every instance.
inline constexpr Statement countFailures{
    "count_failures",
    "SELECT failures FROM auth_failures WHERE client_key = ? AND window_start = ?"};

inline constexpr Statement addFailure{
    "add_failure", "INSERT INTO auth_failures (client_key, window_start, failures) VALUES (?, ?, 1)"
                   " ON CONFLICT (client_key, window_start)"
                   " DO UPDATE SET failures = auth_failures.failures + 1 RETURNING failures"};

inline constexpr Statement pruneFailures{"prune_failures",
                                         "DELETE FROM auth_failures WHERE window_start < ?"};

} // namespace sql

} // namespace latchkey
