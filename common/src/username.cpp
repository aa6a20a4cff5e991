// The username rules: normalisation, validation, reserved names, e-mail-derived defaults.
#include <latchkey/username.h>

#include "spoofcheck_p.h"

#include <QLatin1StringView>
#include <QStringList>

#include <utility>

namespace latchkey::username {

namespace {

using namespace Qt::StringLiterals;

// Compared against the case-folded name, so every entry is written case-folded. Names that
// impersonate staff or the service, or that read as "no user" in logs and UIs.
constexpr QLatin1StringView reservedNames[] = {
    "admin"_L1,    "administrator"_L1, "root"_L1,      "system"_L1,    "support"_L1,
    "help"_L1,     "moderator"_L1,     "mod"_L1,       "staff"_L1,     "official"_L1,
    "latchkey"_L1, "null"_L1,          "undefined"_L1, "anonymous"_L1, "guest"_L1,
    "me"_L1,       "api"_L1,           "www"_L1,       "security"_L1,  "owner"_L1,
};

// What fromEmail() appends to a name that is too short or reserved, and what it falls back
// to when nothing usable is left: a word reads better than a number the caller may add.
constexpr QLatin1StringView playerSuffix = "_player"_L1;
constexpr QLatin1StringView fallbackName = "player"_L1;

// NFKC composes at most a few code points into one (Hangul jamo, a base with its marks: four
// at most, each up to two UTF-16 units), so nothing longer than this, with a wide margin, can
// normalise down to maxLength. Refusing it early spares normalising a huge string for nothing.
constexpr qsizetype maxTrimmedUnits = qsizetype(maxLength) * 4 * 2 * 4;

bool isMark(char32_t c)
{
    const QChar::Category category = QChar::category(c);
    return category == QChar::Mark_NonSpacing || category == QChar::Mark_SpacingCombining;
}

// A combining mark is allowed right after a letter (or another mark on it): many scripts
// (Devanagari, Thai, vowelled Arabic) cannot write names without marks NFKC leaves apart.
bool isAllowed(char32_t c, char32_t previous)
{
    if (isMark(c))
        return QChar::isLetter(previous) || isMark(previous);
    return QChar::isLetter(c) || QChar::isDigit(c) || c == U'_' || c == U'-' || c == U'.';
}

// Reserved as written, in another case, or in letters that look the same ("аdmin" with a
// Cyrillic а would be refused as mixed scripts anyway; "admın" with a dotless ı would not).
bool isReserved(const QString &normalized)
{
    static const QStringList reservedSkeletons = [] {
        QStringList keys;
        for (QLatin1StringView reserved : reservedNames)
            keys.append(skeletonKey(reserved));
        return keys;
    }();
    const QString key = foldKey(normalized);
    for (QLatin1StringView reserved : reservedNames) {
        if (key == reserved)
            return true;
    }
    return reservedSkeletons.contains(skeletonKey(normalized));
}

// Visits code points, not UTF-16 units; a lone surrogate is passed as itself, which no rule
// allows, so malformed UTF-16 is refused rather than silently repaired.
template <typename F> void forEachCodePoint(QStringView text, F &&f)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t c = text[i].unicode();
        if (QChar::isHighSurrogate(c) && i + 1 < text.size() && text[i + 1].isLowSurrogate()) {
            c = QChar::surrogateToUcs4(text[i], text[i + 1]);
            ++i;
        }
        if (!f(c))
            return;
    }
}

qsizetype codePointCount(QStringView text)
{
    qsizetype n = 0;
    forEachCodePoint(text, [&n](char32_t) {
        ++n;
        return true;
    });
    return n;
}

void appendCodePoint(QString &out, char32_t c)
{
    if (QChar::requiresSurrogates(c)) {
        out.append(QChar(QChar::highSurrogate(c)));
        out.append(QChar(QChar::lowSurrogate(c)));
    } else {
        out.append(QChar(c));
    }
}

// NFKC, allowed characters only, at most maxLength code points. Dropping a character can
// bring two Hangul jamo together that NFKC then composes, so repeat until nothing changes:
// the result is then exactly what normalize() would produce from it.
QString cleanForUsername(const QString &text)
{
    QString current = text;
    for (;;) {
        const QString normalized = current.normalized(QString::NormalizationForm_KC);
        QString kept;
        qsizetype count = 0;
        char32_t previous = 0;
        forEachCodePoint(normalized, [&](char32_t c) {
            if (count == maxLength)
                return false;
            if (isAllowed(c, previous)) {
                appendCodePoint(kept, c);
                previous = c;
                ++count;
            }
            return true;
        });
        if (kept == current)
            return kept;
        current = kept;
    }
}

Error invalid(QString message)
{
    return Error{ErrorCode::InvalidUsername, std::move(message)};
}

} // namespace

Result<QString> normalize(const QString &raw)
{
    const QString lengthMessage =
        u"username must be %1 to %2 characters"_s.arg(minLength).arg(maxLength);
    const QString trimmed = raw.trimmed();
    if (trimmed.size() > maxTrimmedUnits)
        return invalid(lengthMessage);

    const QString name = trimmed.normalized(QString::NormalizationForm_KC);
    const qsizetype length = codePointCount(name);
    if (length < minLength || length > maxLength)
        return invalid(lengthMessage);

    bool allAllowed = true;
    char32_t previous = 0;
    forEachCodePoint(name, [&allAllowed, &previous](char32_t c) {
        allAllowed = isAllowed(c, previous);
        previous = c;
        return allAllowed;
    });
    // The offending input is not echoed: it may hold controls or bidi overrides that would
    // mislead whoever reads the message.
    if (!allAllowed)
        return invalid(
            u"username may contain only letters (with their accents), digits, '_', '-' and '.'"_s);

    switch (spoof::check(name)) {
    case spoof::Verdict::Ok:
        break;
    case spoof::Verdict::NotAllowed: // invisible or look-alike characters: not echoed either
        return invalid(u"username may not contain invisible characters or characters that "
                       "Unicode does not recommend for names"_s);
    case spoof::Verdict::MixedScripts:
        return invalid(u"username mixes writing systems (such as Latin and Cyrillic): use one, "
                       "with digits and '_', '-', '.'"_s);
    case spoof::Verdict::MixedNumbers:
        return invalid(u"username mixes digits of different numbering systems"_s);
    }

    // Safe to echo: every character passed the check above; sanitised all the same so the
    // message stays log-safe if the rules ever widen.
    if (isReserved(name))
        return invalid(u"username \"%1\" is reserved"_s.arg(sanitizeForLog(name)));

    return name;
}

QString foldKey(const QString &normalized)
{
    return normalized.toCaseFolded();
}

QString skeletonKey(const QString &normalized)
{
    // The skeleton of the name as shown, then folded: "Iee" (capital I) and "lee" look alike
    // and share it, which folding first ("iee") would lose; "Alice" and "alice" already
    // share foldKey().
    return spoof::skeleton(normalized).toCaseFolded();
}

QString fromEmail(const QString &email)
{
    const qsizetype at = email.lastIndexOf(u'@');
    QString name = cleanForUsername(at < 0 ? email : email.left(at));

    // "ab" becomes "ab_player"; nothing usable at all becomes "player".
    if (codePointCount(name) < minLength)
        name = name.isEmpty() ? QString(fallbackName) : name + playerSuffix;
    if (isReserved(name))
        name = cleanForUsername(name + playerSuffix);

    // The steps above always yield a valid name; this keeps the documented promise even if
    // the rules change under them.
    if (!normalize(name).ok())
        return QString(fallbackName);
    return name;
}

QString withSuffix(const QString &base, int attempt, quint32 random)
{
    if (attempt == 0)
        return base;
    const quint32 range = attempt < 4 ? 10000 : 100000000;
    const QString suffix = QString::number(2 + random % range);
    // The number in the name's own digits: "۲۲" and "45" would mix two numbering systems,
    // which normalize() refuses. Unicode keeps every decimal system's 0..9 contiguous.
    char32_t zero = U'0';
    forEachCodePoint(base, [&zero](char32_t c) {
        if (!QChar::isDigit(c))
            return true;
        zero = c - char32_t(QChar::digitValue(c));
        return false;
    });
    // Cut by code points (maxLength counts them), never inside a surrogate pair.
    QString name;
    qsizetype kept = 0;
    forEachCodePoint(base, [&](char32_t c) {
        if (kept == maxLength - suffix.size())
            return false;
        appendCodePoint(name, c);
        ++kept;
        return true;
    });
    for (QChar digit : suffix)
        appendCodePoint(name, zero + char32_t(digit.unicode() - u'0'));
    return name;
}

QString sanitizeForLog(const QString &text)
{
    QString out = text;
    for (QChar &ch : out) {
        const char16_t c = ch.unicode();
        // C0, DEL and C1 (which includes NEL, U+0085), plus the Unicode line and paragraph
        // separators: everything a log reader might take as the end of a line.
        if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029)
            ch = u'?';
    }
    return out;
}

} // namespace latchkey::username
