// The picture URL rules, one refusal message per rule.
#include "picturerules.h"

#include <QUrl>

namespace latchkey {

namespace {
Error refused(const QString &why)
{
    return {ErrorCode::InvalidPicture, why};
}

bool hasHiddenCharacters(const QString &text)
{
    for (const QChar c : text) {
        const QChar::Category category = c.category();
        if (category == QChar::Other_Control || category == QChar::Other_Format ||
            category == QChar::Separator_Line || category == QChar::Separator_Paragraph)
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
