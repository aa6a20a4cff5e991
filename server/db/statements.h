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
// u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login

inline constexpr Statement userById{
    "user_by_id",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login"
    " FROM users u WHERE u.id = ?"};

inline constexpr Statement userByIdentity{
    "user_by_identity",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login"
    " FROM identities i JOIN users u ON u.id = i.user_id WHERE i.provider = ? AND i.subject = ?"};

//! The Bearer check: the user of a session that is neither revoked nor expired.
inline constexpr Statement userByLiveSession{
    "user_by_live_session",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login"
    " FROM sessions s JOIN users u ON u.id = s.user_id"
    " WHERE s.id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.expires_at > ?"};

inline constexpr Statement recordLogin{"record_login",
                                       "UPDATE users SET last_login = ? WHERE id = ?"};

inline constexpr Statement insertUser{
    "insert_user",
    "INSERT INTO users (email, name, name_key, name_skeleton, picture, created_at, last_login)"
    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id"};

inline constexpr Statement insertIdentity{
    "insert_identity", "INSERT INTO identities (provider, subject, user_id, email, created_at)"
                       " VALUES (?, ?, ?, ?, ?) ON CONFLICT (provider, subject) DO NOTHING"};

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
    " SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login"
    " FROM users u JOIN s ON u.id = s.user_id"};

inline constexpr Statement findSession{
    "find_session",
    "SELECT id, user_id, counter, refreshed_at, expires_at, revoked_at FROM sessions WHERE id = ?"};

inline constexpr Statement revokeSession{
    "revoke_session",
    "UPDATE sessions SET revoked_at = ?, revoke_reason = ? WHERE id = ? AND revoked_at IS NULL"};

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
