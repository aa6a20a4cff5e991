// Who an identity provider says the player is: what every provider hands to the sign-in.
#pragma once

#include <QString>

namespace latchkey {

//! Verified by the provider that produced it.
struct ExternalIdentity
{
    QString provider; //!< "google", "dev"
    QString subject;  //!< the provider's stable user id ("sub")
    QString email;
    QString name;
    QString picture;
};

} // namespace latchkey
