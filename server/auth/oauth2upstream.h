// A provider without ID tokens (GitHub, Discord, Atlassian) as an upstream of the broker:
// the code is traded for an access token, and the player read from its userinfo URL.
#pragma once

#include "providerhttp.h"
#include "upstream.h"

#include "config/config.h"

namespace latchkey {

//! The subject, e-mail, name and picture come from the configured userinfo fields; the
//! e-mail counts only when verified: email_verified_field is true, or (emails_url, GitHub)
//! the list's primary address is verified.
class OAuth2Upstream : public Upstream
{
public:
    explicit OAuth2Upstream(const Config::Upstream &config);

    QString name() const override { return m_config.name; }
    QString displayName() const override { return m_config.displayName; }
    void authorizationUrl(const UpstreamStart &start, UrlCallback done) override;
    void identify(const QString &code, const QString &verifier, const QString &nonce,
                  const QString &redirectUri, IdentityCallback done) override;
    void refresh(const QString &refreshToken, TokensCallback done) override;

private:
    void readUser(const QByteArray &accessToken, IdentityCallback done);
    Result<ExternalIdentity> identityFrom(const QJsonObject &user) const;

    const Config::Upstream m_config;
    ProviderHttp m_http;
};

} // namespace latchkey
