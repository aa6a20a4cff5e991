// The picture URL rules, one refusal message per rule.
#include "picturerules.h"

#include <QHostAddress>
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

// An IP literal a fetch would take into the fetcher's own machine or network. QUrl has already
// read every spelling of an address ("2130706433", "0x7f.1", "[::ffff:127.0.0.1]") into one.
bool isInternalAddress(const QHostAddress &address)
{
    bool mapped = false;
    const quint32 v4 = address.toIPv4Address(&mapped);
    const QHostAddress a = mapped ? QHostAddress(v4) : address;
    if (a.isLoopback() || a.isLinkLocal() || a.isUniqueLocalUnicast() || a.isSiteLocal() ||
        a.isMulticast() || a.isBroadcast())
        return true;
    static const char *const ranges[] = {"0.0.0.0/8",     "10.0.0.0/8",     "100.64.0.0/10",
                                         "172.16.0.0/12", "192.168.0.0/16", "198.18.0.0/15",
                                         "240.0.0.0/4",   "::/128"};
    for (const char *range : ranges) {
        if (a.isInSubnet(QHostAddress::parseSubnet(QLatin1StringView(range))))
            return true;
    }
    return false;
}

} // namespace

Status checkPictureUrl(const QString &text, bool allowPrivateHosts)
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
    if (const QHostAddress host(url.host());
        !allowPrivateHosts && !host.isNull() && isInternalAddress(host))
        return refused(QStringLiteral("new_picture must not point at a loopback, link-local or "
                                      "private address (other players' clients fetch it)"));
    return Done{};
}

} // namespace latchkey
