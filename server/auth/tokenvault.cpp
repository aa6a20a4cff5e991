// AES-256-GCM boxes under named keys.
#include "tokenvault.h"

#include "logging.h"

#include <latchkey/base64url.h>
#include <latchkey/crypto.h>

namespace latchkey {

using namespace Qt::Literals::StringLiterals;

namespace {
//! The key id \a sealed names ("" when it names none).
QString keyIdOf(const QString &sealed)
{
    const qsizetype colon = sealed.indexOf(QLatin1Char(':'));
    return colon > 0 ? sealed.left(colon) : QString();
}
} // namespace

QString TokenVault::seal(QByteArrayView plain, QByteArrayView context) const
{
    Q_ASSERT(isEnabled());
    const Config::Security::TokenKey &key = m_keys.front();
    return key.id + QLatin1Char(':') +
           QString::fromLatin1(base64url::encode(crypto::aes256GcmSeal(key.key, plain, context)));
}

Result<QByteArray> TokenVault::open(const QString &sealed, QByteArrayView context) const
{
    const QString id = keyIdOf(sealed);
    const auto key = std::find_if(m_keys.begin(), m_keys.end(),
                                  [&](const Config::Security::TokenKey &k) { return k.id == id; });
    if (key == m_keys.end()) {
        qCWarning(lcProvider).noquote()
            << u"kept provider tokens are sealed with key \"%1\", which TOKEN_ENCRYPTION_KEYS "
               "does not list; put the key back to open them"_s.arg(id);
        return Error::internal();
    }
    const Result<QByteArray> box = base64url::decode(sealed.mid(id.size() + 1).toLatin1());
    const std::optional<QByteArray> plain =
        box ? crypto::aes256GcmOpen(key->key, *box, context) : std::nullopt;
    if (!plain) {
        qCWarning(lcProvider).noquote()
            << u"kept provider tokens sealed with key \"%1\" do not open: the key differs or "
               "the row was altered"_s.arg(id);
        return Error::internal();
    }
    return *plain;
}

} // namespace latchkey
