// The development provider as an upstream of the broker: the whole flow with no real
// provider (DEV_IDP=true). Its code is redeemed in the process, no HTTP round trip.
#pragma once

#include "devidentityprovider.h"
#include "upstream.h"

namespace latchkey {

class DevUpstream : public Upstream
{
public:
    explicit DevUpstream(DevIdentityProvider &provider) : m_provider(provider) {}

    QString name() const override { return QStringLiteral("dev"); }
    QString displayName() const override { return QStringLiteral("Development sign-in"); }
    void authorizationUrl(const UpstreamStart &start, UrlCallback done) override;
    void identify(const QString &code, const QString &verifier, const QString &nonce,
                  const QString &redirectUri, IdentityCallback done) override;

private:
    DevIdentityProvider &m_provider;
};

} // namespace latchkey
