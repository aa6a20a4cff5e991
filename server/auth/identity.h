// Who an identity provider says the player is: what every provider hands to the sign-in.
#pragma once

#include <QString>

namespace latchkey {

//! What a provider's token endpoint answered, for a provider with keep_tokens.
struct UpstreamTokens
{
    QString accessToken;
    QString refreshToken; //!< empty when the provider sent none
    qint64 expiresIn = 0; //!< seconds from the answer; 0: the provider did not say
    QString scope;        //!< what the access token allows, when the provider said

    bool isEmpty() const { return accessToken.isEmpty() && refreshToken.isEmpty(); }
};

//! Verified by the provider that produced it.
struct ExternalIdentity
{
    QString provider; //!< "google", "dev"
    QString subject;  //!< the provider's stable user id ("sub")
    QString email;
    QString name;
    QString picture;
    UpstreamTokens tokens = {}; //!< set only by an upstream with keep_tokens
};

} // namespace latchkey
