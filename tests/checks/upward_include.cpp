// Must NOT compile (CTest layering_build): latchkey_db sits below latchkey_api, so a db
// target's include path has no api/ folder and this include fails to build.
#include "api/router.h"
