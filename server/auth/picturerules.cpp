// The picture URL rules, one refusal message per rule.
#include "picturerules.h"

#include <QUrl>

namespace latchkey {

namespace {
Error refused(const QString &why)
{
    return {ErrorCode::InvalidPicture, why};
}

// By code point: the tag characters (U+E0000...) and others above U+FFFF are format
// characters too, and a lone surrogate is no character at all.
bool hasHiddenCharacters(const QString &text)
{
    for (qsizetype i = 0; i < text.size(); ++i) {
        char32_t u = text.at(i).unicode();
        if (QChar::isHighSurrogate(u) && i + 1 < text.size() && text.at(i + 1).isLowSurrogate())
            u = QChar::surrogateToUcs4(text.at(i), text.at(i + 1)), ++i;
        const QChar::Category category = QChar::category(u);
        if (category == QChar::Other_Control || category == QChar::Other_Format ||
            category == QChar::Other_Surrogate || category == QChar::Separator_Line ||
            category == QChar::Separator_Paragraph)
            return true;
    }
    return false;
}
} // namespace

Status checkPictureUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    if (text.size() > 2048 || !url.isValid() || url.scheme() != QLatin1StringView("https") ||
        url.host().isEmpty())
        return refused(
            QStringLiteral("new_picture must be an https URL of at most 2048 characters"));
    if (!url.userInfo().isEmpty())
        return refused(
            QStringLiteral("new_picture must not carry a user name or password (user@host)"));
    if (hasHiddenCharacters(text))
        return refused(
            QStringLiteral("new_picture must not contain control or invisible characters"));
    return Done{};
}

} // namespace latchkey
