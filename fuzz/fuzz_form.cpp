// The form parser (application/x-www-form-urlencoded: the development provider's forms, query
// strings): any bytes; a form it accepts holds at most one field per '&'-separated part.
#include "http/formdata.h"

#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace latchkey;
    const QByteArrayView text(reinterpret_cast<const char *>(data), qsizetype(size));
    const Result<FormFields> fields = parseForm(text);
    if (!fields)
        return 0;
    if (fields->size() > text.count('&') + 1) {
        std::fprintf(stderr, "more fields than parts\n");
        std::abort();
    }
    return 0;
}
