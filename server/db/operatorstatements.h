// The statements of what operators need (migration 007): a user's status and role, the audit
// table, API tokens. Same rules as statements.h: named, positional, one text for both drivers.
#pragma once

#include "statements.h"

namespace latchkey::sql {

// users: role, status, ban.
inline constexpr Statement setRole{"set_role", "UPDATE users SET role = ? WHERE id = ?"};

inline constexpr Statement banUser{
    "ban_user", "UPDATE users SET status = 'banned', ban_reason = ?, banned_at = ? WHERE id = ?"};

inline constexpr Statement unbanUser{
    "unban_user",
    "UPDATE users SET status = 'active', ban_reason = NULL, banned_at = NULL WHERE id = ?"};

inline constexpr Statement banOf{"ban_of",
                                 "SELECT status, ban_reason, banned_at FROM users WHERE id = ?"};

inline constexpr Statement setProgress{"set_progress",
                                       "UPDATE users SET stars = ?, level = ? WHERE id = ?"};

//! Ends every live session of a user (ban, latchkey-admin revoke-sessions); returns how many.
inline constexpr Statement revokeUserSessions{
    "revoke_user_sessions", "UPDATE sessions SET revoked_at = ?, revoke_reason = ?"
                            " WHERE user_id = ? AND revoked_at IS NULL"};

//! /admin/users: by id, or a case-insensitive substring of the name (name_key is case-folded)
//! or the e-mail address; keyset pagination on the id. Parameters: id (0: none), pattern,
//! pattern, after, limit.
inline constexpr Statement findUsers{
    "find_users",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,"
    " u.is_guest, u.role, u.status"
    " FROM users u WHERE (u.id = ? OR u.name_key LIKE ? ESCAPE '\\' OR lower(u.email) LIKE ?"
    " ESCAPE '\\') AND u.id > ? ORDER BY u.id LIMIT ?"};

//! latchkey-admin names a user by id, username or e-mail address.
inline constexpr Statement userByNameKey{
    "user_by_name_key",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,"
    " u.is_guest, u.role, u.status FROM users u WHERE u.name_key = ?"};

inline constexpr Statement usersByEmail{
    "users_by_email",
    "SELECT u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,"
    " u.is_guest, u.role, u.status FROM users u WHERE lower(u.email) = ? ORDER BY u.id LIMIT 10"};

// audit_events: the activity log.
inline constexpr Statement insertAuditEvent{
    "insert_audit_event", "INSERT INTO audit_events (at_ms, user_id, actor_id, event, address,"
                          " details) VALUES (?, ?, ?, ?, ?, ?)"};

//! Newest first (by time, then id: workers write their batches at different moments), after
//! the event at (\a at_ms, \a id) that ended the previous page. Parameters: user (0: any),
//! user, event ("": any), event, since, until, cursor time, cursor time, cursor id, limit.
inline constexpr Statement findAuditEvents{
    "find_audit_events",
    "SELECT id, at_ms, user_id, actor_id, event, address, details FROM audit_events"
    " WHERE (? = 0 OR user_id = ?) AND (? = '' OR event = ?) AND at_ms >= ? AND at_ms < ?"
    " AND (at_ms < ? OR (at_ms = ? AND id < ?)) ORDER BY at_ms DESC, id DESC LIMIT ?"};

inline constexpr Statement auditEventTime{"audit_event_time",
                                          "SELECT at_ms FROM audit_events WHERE id = ?"};

//! A deleted user's rows keep only the user id and the event (and the admin who acted).
inline constexpr Statement forgetAuditEvents{
    "forget_audit_events", "UPDATE audit_events SET address = NULL, details = NULL"
                           " WHERE user_id = ? AND (address IS NOT NULL OR details IS NOT NULL)"};

inline constexpr Statement pruneAuditEvents{"prune_audit_events",
                                            "DELETE FROM audit_events WHERE at_ms < ?"};

// api_tokens.
inline constexpr Statement insertApiToken{
    "insert_api_token",
    "INSERT INTO api_tokens (user_id, name, hash, scopes, created_at, expires_at)"
    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id"};

inline constexpr Statement apiTokensOfUser{
    "api_tokens_of_user", "SELECT id, user_id, name, scopes, created_at, expires_at, last_used_at"
                          " FROM api_tokens WHERE user_id = ? ORDER BY id"};

inline constexpr Statement deleteApiToken{"delete_api_token",
                                          "DELETE FROM api_tokens WHERE id = ? AND user_id = ?"};

//! The Bearer check of an API token: the token and its user in one round trip.
inline constexpr Statement apiTokenByHash{
    "api_token_by_hash",
    "SELECT t.id, t.user_id, t.name, t.scopes, t.created_at, t.expires_at, t.last_used_at,"
    " u.id, u.email, u.name, u.picture, u.stars, u.level, u.created_at, u.last_login,"
    " u.is_guest, u.role, u.status"
    " FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.hash = ?"};

inline constexpr Statement touchApiToken{"touch_api_token",
                                         "UPDATE api_tokens SET last_used_at = ? WHERE id = ?"};

} // namespace latchkey::sql
