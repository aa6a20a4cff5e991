// The player's API tokens: POST /api/tokens makes one (the token is in that answer only),
// GET /api/tokens lists them without secrets, DELETE /api/tokens/{id} revokes one at once.
#pragma once

#include "router.h"

#include "auth/apitokens.h"

namespace latchkey {

class TokenRoutes : public RouteGroup
{
public:
    explicit TokenRoutes(ApiTokens &tokens) : m_tokens(tokens) {}

    void addRoutes(Router &router) override;

private:
    void create(Call &call);
    void list(Call &call);
    void remove(Call &call);

    ApiTokens &m_tokens;
};

} // namespace latchkey
