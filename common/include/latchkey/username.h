// The username rules: what a player may call themselves, and the key uniqueness uses.
#pragma once

#include <latchkey/error.h>

#include <QString>

namespace latchkey::username {

constexpr int minLength = 3;
constexpr int maxLength = 32;

//! Trims, NFKC-normalises, then checks: 3–32 characters (code points), each a letter, a
//! digit, '_', '-' or '.'; every one allowed in identifiers by UTS #39 (no invisible
//! characters), one writing system as UTS #39's Moderately Restrictive level allows (Latin
//! may go with Han, Arabic, … but not with Cyrillic or Greek), one numbering system; not a
//! reserved name (admin, root, system, support, latchkey, …, compared case-folded and by
//! skeletonKey()). Returns the normalised name, or InvalidUsername with a message
//! that says which rule failed (never echoing control characters).
Result<QString> normalize(const QString &raw);

//! The uniqueness key: case-folded normalised name ("Alice" and "ALICE" collide).
QString foldKey(const QString &normalized);

//! The second uniqueness key: the UTS #39 confusable skeleton (ICU uspoof) of the name,
//! case-folded. Names that look alike share it: "copy" and Cyrillic "сору", "admin" and
//! "admın" (dotless ı), "Iee" and "lee".
QString skeletonKey(const QString &normalized);

//! A valid username derived from an e-mail's local part (first login): disallowed
//! characters dropped, cut to length, padded to minLength, never reserved. Uniqueness is
//! the caller's job (it appends a number and asks again).
QString fromEmail(const QString &email);

//! The name to try at \a attempt of making \a base unique: \a base itself at attempt 0,
//! then \a base cut to fit and a number drawn from \a random (2..10001 for the first three
//! retries, then 2..100000001; random rather than sequential, since "alex" may have
//! thousands of holders already).
QString withSuffix(const QString &base, int attempt, quint32 random);

//! Replaces control characters (C0, C1, U+2028/2029, …) with '?' so untrusted text can
//! go into one log line without forging another.
QString sanitizeForLog(const QString &text);

} // namespace latchkey::username
