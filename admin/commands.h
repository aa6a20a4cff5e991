// latchkey-admin's commands, on the same stores and services as the /admin API: the same
// checks, the same audit events (with "via": "latchkey-admin" in place of an admin's id).
#pragma once

#include "commandline.h"
#include "output.h"

#include "auth/accountadmin.h"
#include "auth/apitokens.h"

namespace latchkey {

class AdminCommands
{
public:
    AdminCommands(Storage &storage, AccountAdmin &admin, ApiTokens &tokens)
        : m_storage(storage), m_admin(admin), m_tokens(tokens)
    {
    }

    //! Runs \a invocation's command; what to print, or why it failed.
    Result<AdminOutput> run(const AdminInvocation &invocation);

private:
    Result<AdminOutput> find(const AdminInvocation &inv);
    Result<AdminOutput> audit(const AdminInvocation &inv);
    //! Every command that names a user.
    Result<AdminOutput> onUser(const AdminInvocation &inv, const User &user);
    Result<AdminOutput> patch(const User &user, const UserPatch &patch, const QString &done);
    Result<AdminOutput> createToken(const AdminInvocation &inv, const User &user);

    Storage &m_storage;
    AccountAdmin &m_admin;
    ApiTokens &m_tokens;
};

} // namespace latchkey
