/* The C API as an installed package gives it: the header compiles as C99 and the library
 * links and answers. Prints "ok". */
#include <latchkey/latchkey_c.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    latchkey_config config;
    memset(&config, 0, sizeof config);
    if (latchkey_client_create(&config, NULL, NULL) != NULL) /* no server_url: refused */
        return 1;
    if (strcmp(latchkey_error_name(LATCHKEY_ERROR_IDENTITY_IN_USE), "identity_in_use") != 0)
        return 1;
    puts("ok");
    return 0;
}
