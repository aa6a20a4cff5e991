// Username normalisation (NFKC, UTS #39 restriction level, confusable skeleton): any UTF-8.
// Properties: a normalised name normalises to itself; its keys are stable; the names made
// from an e-mail address and with a numeric suffix are themselves valid.
#include <latchkey/username.h>

#include <cstdio>
#include <cstdlib>

namespace {

[[noreturn]] void broken(const char *what, const QString &name)
{
    std::fprintf(stderr, "%s: %s\n", what, qPrintable(name));
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    using namespace latchkey;
    if (size == 0)
        return 0;
    const QString raw =
        QString::fromUtf8(reinterpret_cast<const char *>(data) + 1, qsizetype(size - 1));
    (void)username::sanitizeForLog(raw);
    if (const Result<QString> name = username::normalize(raw)) {
        const Result<QString> again = username::normalize(*name);
        if (!again || *again != *name)
            broken("normalize is not idempotent", *name);
        (void)username::foldKey(*name);
        (void)username::skeletonKey(*name);
        const QString suffixed =
            username::withSuffix(*name, 1 + data[0] % 8, data[0] * 2654435761u);
        if (!username::normalize(suffixed))
            broken("a suffixed name is refused", suffixed);
    }
    const QString fromEmail = username::fromEmail(raw);
    if (!fromEmail.isEmpty() && !username::normalize(fromEmail))
        broken("a name made from an e-mail address is refused", fromEmail);
    return 0;
}
