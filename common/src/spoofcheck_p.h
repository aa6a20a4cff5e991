// UTS #39 (Unicode security mechanisms) through ICU's uspoof: what the username rules use to
// refuse names that mix scripts or hide characters, and to find names that look alike.
#pragma once

#include <QString>
#include <QStringView>

namespace latchkey::spoof {

enum class Verdict {
    Ok,
    NotAllowed,   //!< a character outside UTS #39's identifier profile (invisible ones too)
    MixedScripts, //!< beyond the Moderately Restrictive level (Latin + Cyrillic, + Greek, …)
    MixedNumbers, //!< digits of more than one numbering system
};

//! Checks \a text (NFKC already) against UTS #39: allowed identifier characters
//! (IdentifierStatus=Allowed, i.e. Recommended ∪ Inclusion), restriction level Moderately
//! Restrictive, one numbering system, no invisible characters.
Verdict check(QStringView text);

//! The confusable skeleton of \a text (UTS #39 section 4): strings that look alike share it.
QString skeleton(QStringView text);

} // namespace latchkey::spoof
