// The operators' API under /admin: find users, read and change one (role, ban, name,
// progress), end their sessions, delete them, read the audit log. Admins only (Auth::Admin:
// 403 for anyone else, and for an API token without the "admin" scope).
#pragma once

#include "router.h"

#include "auth/accountadmin.h"
#include "db/storage.h"
#include "http/formdata.h"

#include <latchkey/clock.h>

namespace latchkey {

class AdminRoutes : public RouteGroup
{
public:
    static constexpr int defaultLimit = 50;
    static constexpr int maxLimit = 500;

    AdminRoutes(Storage &storage, AccountAdmin &admin, AuditLog &log, Clock clock)
        : m_storage(storage), m_admin(admin), m_log(log), m_clock(std::move(clock))
    {
    }

    void addRoutes(Router &router) override;

    //! The query's number \a name: \a fallback when absent; InvalidField unless a whole
    //! number in [\a min, \a max].
    static Result<qint64> queryNumber(const FormFields &query, const QString &name, qint64 fallback,
                                      qint64 min, qint64 max);
    //! An ISO-8601 time or Unix milliseconds as Unix milliseconds; \a fallback when absent.
    static Result<qint64> queryTime(const FormFields &query, const QString &name, qint64 fallback);

private:
    void findUsers(Call &call);
    void user(Call &call);
    void patchUser(Call &call);
    void deleteUser(Call &call);
    void userSessions(Call &call);
    void endSession(Call &call);
    void audit(Call &call);

    Actor actor(const Call &call) const { return {call.session.user.id, call.client()}; }

    Storage &m_storage;
    AccountAdmin &m_admin;
    AuditLog &m_log;
    const Clock m_clock;
};

} // namespace latchkey
