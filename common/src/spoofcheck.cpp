// UTS #39 through ICU's uspoof: restriction level, allowed characters, confusable skeletons.
#include "spoofcheck_p.h"

#include <QtGlobal>

#include <unicode/uset.h>
#include <unicode/uspoof.h>

#include <memory>

namespace latchkey::spoof {

namespace {

// One checker for the process: ICU documents uspoof_check2() and uspoof_getSkeleton() as
// safe to call from many threads on one configured USpoofChecker.
class Checker
{
public:
    Checker()
    {
        UErrorCode status = U_ZERO_ERROR;
        m_checker.reset(uspoof_open(&status));
        uspoof_setChecks(m_checker.get(),
                         USPOOF_RESTRICTION_LEVEL | USPOOF_CHAR_LIMIT | USPOOF_INVISIBLE |
                             USPOOF_MIXED_NUMBERS,
                         &status);
        uspoof_setRestrictionLevel(m_checker.get(), USPOOF_MODERATELY_RESTRICTIVE);
        // Restriction levels mean something only with the identifier profile as the allowed
        // set (UTS #39 5.2 step 1); without it every character would pass.
        const std::unique_ptr<USet, decltype(&uset_close)> allowed(uset_openEmpty(), uset_close);
        uset_addAll(allowed.get(), uspoof_getRecommendedSet(&status));
        uset_addAll(allowed.get(), uspoof_getInclusionSet(&status));
        uspoof_setAllowedChars(m_checker.get(), allowed.get(), &status);
        if (U_FAILURE(status)) // ICU's data is linked in: only a broken installation fails
            qFatal("ICU's spoof checker cannot be set up: %s", u_errorName(status));
    }

    const USpoofChecker *get() const { return m_checker.get(); }

private:
    std::unique_ptr<USpoofChecker, decltype(&uspoof_close)> m_checker{nullptr, uspoof_close};
};

const USpoofChecker *checker()
{
    static const Checker instance;
    return instance.get();
}

const UChar *utf16(QStringView text)
{
    return reinterpret_cast<const UChar *>(text.utf16());
}

} // namespace

Verdict check(QStringView text)
{
    UErrorCode status = U_ZERO_ERROR;
    const int32_t failed =
        uspoof_check2(checker(), utf16(text), int32_t(text.size()), nullptr, &status);
    if (U_FAILURE(status) || (failed & (USPOOF_CHAR_LIMIT | USPOOF_INVISIBLE)))
        return Verdict::NotAllowed;
    if (failed & USPOOF_RESTRICTION_LEVEL)
        return Verdict::MixedScripts;
    if (failed & USPOOF_MIXED_NUMBERS)
        return Verdict::MixedNumbers;
    return Verdict::Ok;
}

QString skeleton(QStringView text)
{
    // A skeleton is rarely longer than its text (NFD and multi-character prototypes such as
    // m → rn): one try with room to spare, a second with the size ICU asks for.
    QString out(text.size() * 3 + 8, Qt::Uninitialized);
    for (int attempt = 0; attempt < 2; ++attempt) {
        UErrorCode status = U_ZERO_ERROR;
        const int32_t length =
            uspoof_getSkeleton(checker(), 0, utf16(text), int32_t(text.size()),
                               reinterpret_cast<UChar *>(out.data()), int32_t(out.size()), &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            out.resize(length);
            continue;
        }
        if (U_FAILURE(status))
            break;
        out.resize(length);
        return out;
    }
    return text.toString(); // ICU fails here only without its data, which Checker refused
}

} // namespace latchkey::spoof
