// Tests for the username rules: normalising, validating, reserving, folding, e-mail defaults.
#include <latchkey/username.h>

#include <QObject>
#include <QTest>

using namespace Qt::StringLiterals;
using namespace latchkey;

namespace {

// count code points starting at first, each its own letter: "abc…" or "𠀀𠀁…".
QString run(char32_t first, int count)
{
    QString out;
    for (int i = 0; i < count; ++i) {
        const char32_t c = first + char32_t(i);
        out += QString::fromUcs4(&c, 1);
    }
    return out;
}

QString lengthMessage()
{
    return u"username must be 3 to 32 characters"_s;
}

QString charsMessage()
{
    return u"username may contain only letters (with their accents), digits, '_', '-' and '.'"_s;
}

QString invisibleMessage()
{
    return u"username may not contain invisible characters or characters that Unicode does not "
           "recommend for names"_s;
}

QString scriptsMessage()
{
    return u"username mixes writing systems (such as Latin and Cyrillic): use one, with digits "
           "and '_', '-', '.'"_s;
}

bool hasControl(const QString &text)
{
    return username::sanitizeForLog(text) != text;
}

} // namespace

class TestUsername : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void normalizeValid_data();
    void normalizeValid();
    void normalizeInvalid_data();
    void normalizeInvalid();
    void reserved_data();
    void reserved();
    void skeletonKey_data();
    void skeletonKey();
    void hugeInputIsRefusedAsTooLong();
    void foldKey_data();
    void foldKey();
    void fromEmail_data();
    void fromEmail();
    void withSuffix_data();
    void withSuffix();
    void sanitizeForLog_data();
    void sanitizeForLog();
};

void TestUsername::normalizeValid_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("expected");

    QTest::newRow("ascii") << u"bob"_s << u"bob"_s;
    QTest::newRow("mixed case kept") << u"BobSmith"_s << u"BobSmith"_s;
    QTest::newRow("punctuation") << u"a_b-c.d"_s << u"a_b-c.d"_s;
    QTest::newRow("digits") << u"player2024"_s << u"player2024"_s;
    QTest::newRow("only digits") << u"123"_s << u"123"_s;
    QTest::newRow("latin accent") << u"Zoë"_s << u"Zoë"_s;
    QTest::newRow("decomposed accent composed") << u"Zoe\u0308"_s << u"Zoë"_s;
    QTest::newRow("cjk") << u"玩家一号"_s << u"玩家一号"_s;
    QTest::newRow("cyrillic") << u"Иван"_s << u"Иван"_s;
    // Scripts that need combining marks NFKC cannot fold into their letters.
    QTest::newRow("devanagari") << u"नमस्ते"_s << u"नमस्ते"_s;
    QTest::newRow("thai") << u"สมศักดิ์"_s << u"สมศักดิ์"_s;
    QTest::newRow("marks stacked on a letter") << u"ab\u0308\u0301"_s << u"ab\u0308\u0301"_s;
    // UTS #39's Moderately Restrictive level: Latin with one other script, but not Cyrillic
    // or Greek (whose letters look Latin); a single script of any kind.
    QTest::newRow("latin with han") << u"user_山田"_s << u"user_山田"_s;
    QTest::newRow("greek") << u"Αλέξης"_s << u"Αλέξης"_s;
    QTest::newRow("arabic-indic digits") << u"ab\u0661\u0662"_s << u"ab\u0661\u0662"_s;
    QTest::newRow("exactly 3") << u"abc"_s << u"abc"_s;
    QTest::newRow("exactly 32") << QString(32, u'x') << QString(32, u'x');
    // Two UTF-16 units each: the limit counts code points, so 64 units is still 32.
    QTest::newRow("32 non-BMP letters") << run(0x20000, 32) << run(0x20000, 32);
    QTest::newRow("3 non-BMP letters") << run(0x20000, 3) << run(0x20000, 3);
    QTest::newRow("trimmed") << u"  bob  "_s << u"bob"_s;
    QTest::newRow("trimmed tabs and newlines") << u"\t\nbob\r\n"_s << u"bob"_s;
    QTest::newRow("trimmed ideographic space") << u"\u3000bob\u3000"_s << u"bob"_s;
    QTest::newRow("nfkc fullwidth") << u"ｂｏｂ"_s << u"bob"_s;
    QTest::newRow("nfkc ligature") << u"ﬁsh"_s << u"fish"_s;
    QTest::newRow("nfkc fullwidth digits") << u"bob１２"_s << u"bob12"_s;
    QTest::newRow("nfkc roman numeral") << u"bob\u2167"_s << u"bobVIII"_s;
    QTest::newRow("nfkc math letters") << u"\U0001D400\U0001D401\U0001D402"_s << u"ABC"_s;
    QTest::newRow("nfkc hangul jamo composed")
        << u"\u1100\u1161\u1100\u1161\u1100\u1161"_s << u"가가가"_s;
    // NFKC shrinks 34 ASCII-plus-mark units down to 32 letters: the length counts the result.
    QTest::newRow("length after composition")
        << (QString(30, u'x') + u"e\u0301e\u0301"_s) << (QString(30, u'x') + u"éé"_s);
    QTest::newRow("not reserved: prefix") << u"admin2"_s << u"admin2"_s;
    QTest::newRow("not reserved: longer") << u"rooted"_s << u"rooted"_s;
}

void TestUsername::normalizeValid()
{
    QFETCH(QString, raw);
    QFETCH(QString, expected);

    const Result<QString> result = username::normalize(raw);
    QVERIFY2(result.ok(), qPrintable(result.ok() ? QString() : result.error().message));
    QCOMPARE(*result, expected);

    // A stored name must survive being checked again unchanged.
    const Result<QString> again = username::normalize(*result);
    QVERIFY(again.ok());
    QCOMPARE(*again, expected);
}

void TestUsername::normalizeInvalid_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("message");

    QTest::newRow("empty") << QString() << lengthMessage();
    QTest::newRow("blank") << u"   "_s << lengthMessage();
    QTest::newRow("one") << u"a"_s << lengthMessage();
    QTest::newRow("two") << u"ab"_s << lengthMessage();
    QTest::newRow("two after trim") << u"  ab  "_s << lengthMessage();
    QTest::newRow("33") << QString(33, u'x') << lengthMessage();
    QTest::newRow("33 non-BMP letters") << run(0x20000, 33) << lengthMessage();
    // 3 code points but a 6-unit string would pass a UTF-16 count the other way round.
    QTest::newRow("two non-BMP letters") << run(0x20000, 2) << lengthMessage();
    // U+FDFA is one code point that NFKC expands to 18: too long only after normalising.
    QTest::newRow("nfkc expands past 32") << u"\uFDFA\uFDFA"_s << lengthMessage();
    QTest::newRow("inner space") << u"bob smith"_s << charsMessage();
    QTest::newRow("at sign") << u"bob@example"_s << charsMessage();
    QTest::newRow("slash") << u"bob/../x"_s << charsMessage();
    QTest::newRow("backslash") << u"bob\\x"_s << charsMessage();
    QTest::newRow("plus") << u"bob+1"_s << charsMessage();
    QTest::newRow("quote") << u"bob\"x"_s << charsMessage();
    QTest::newRow("emoji") << u"bob\U0001F600"_s << charsMessage();
    QTest::newRow("newline") << u"bob\nroot"_s << charsMessage();
    QTest::newRow("carriage return") << u"bob\rroot"_s << charsMessage();
    QTest::newRow("tab") << u"bob\tx"_s << charsMessage();
    QTest::newRow("nul") << QString(u"bob"_s + QChar(0) + u"x"_s) << charsMessage();
    QTest::newRow("escape") << u"bob\x1b[31m"_s << charsMessage();
    QTest::newRow("zero-width space") << u"bo\u200Bb"_s << charsMessage();
    QTest::newRow("zero-width joiner") << u"bo\u200Db"_s << charsMessage();
    QTest::newRow("rtl override") << u"bob\u202Etxt.exe"_s << charsMessage();
    QTest::newRow("line separator") << u"bob\u2028x"_s << charsMessage();
    QTest::newRow("mark at the start") << u"\u0308abc"_s << charsMessage();
    QTest::newRow("mark on a digit") << u"ab1\u0308"_s << charsMessage();
    QTest::newRow("mark on punctuation") << u"ab_\u0308"_s << charsMessage();
    QTest::newRow("lone high surrogate") << QString(u"bob"_s + QChar(0xD800)) << charsMessage();
    QTest::newRow("lone low surrogate") << QString(u"bob"_s + QChar(0xDC00)) << charsMessage();
    QTest::newRow("symbol") << u"bob\u00A9"_s << charsMessage();
    // A number, but not a decimal digit (and, unlike U+2167, not one NFKC turns into letters).
    QTest::newRow("roman numeral ten thousand") << u"bob\u2182"_s << charsMessage();
    QTest::newRow("fraction") << u"bob\u00BD"_s << charsMessage();
    // Look-alike and invisible characters (UTS #39 through ICU uspoof).
    QTest::newRow("cyrillic a in admin") << u"\u0430dmin"_s << scriptsMessage();
    QTest::newRow("greek omicron in root") << u"r\u03BFot"_s << scriptsMessage();
    QTest::newRow("latin and cyrillic") << u"Ivan_Иван"_s << scriptsMessage();
    QTest::newRow("combining grapheme joiner") << u"admin\u034F"_s << invisibleMessage();
    QTest::newRow("variation selector") << u"al\uFE0Fice"_s << invisibleMessage();
    QTest::newRow("hangul fillers") << u"\u3164\u3164\u3164"_s << invisibleMessage();
    QTest::newRow("khmer invisible vowel") << u"ab\u17B4c"_s << invisibleMessage();
    QTest::newRow("mongolian variation selector") << u"ab\u180Bc"_s << invisibleMessage();
    QTest::newRow("one mark twice") << u"ab\u0308\u0308"_s << invisibleMessage();
    QTest::newRow("two numbering systems")
        << u"ab1\u0661"_s << u"username mixes digits of different numbering systems"_s;
}

void TestUsername::normalizeInvalid()
{
    QFETCH(QString, raw);
    QFETCH(QString, message);

    const Result<QString> result = username::normalize(raw);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidUsername);
    QCOMPARE(result.error().message, message);
    QVERIFY(!hasControl(result.error().message));
}

void TestUsername::reserved_data()
{
    QTest::addColumn<QString>("raw");
    QTest::addColumn<QString>("message");

    const char *const names[] = {"admin",    "administrator", "root",      "system",    "support",
                                 "help",     "moderator",     "mod",       "staff",     "official",
                                 "latchkey", "null",          "undefined", "anonymous", "guest",
                                 "api",      "www",           "security",  "owner"};
    for (const char *name : names) {
        const QString n = QString::fromLatin1(name);
        QTest::newRow(name) << n << u"username \"%1\" is reserved"_s.arg(n);
    }
    // Reserved, but the length rule refuses it first.
    QTest::newRow("me") << u"me"_s << lengthMessage();
    QTest::newRow("capitalised") << u"Admin"_s << u"username \"Admin\" is reserved"_s;
    QTest::newRow("upper") << u"ROOT"_s << u"username \"ROOT\" is reserved"_s;
    QTest::newRow("mixed") << u"LatchKey"_s << u"username \"LatchKey\" is reserved"_s;
    QTest::newRow("padded") << u"  guest \n"_s << u"username \"guest\" is reserved"_s;
    QTest::newRow("fullwidth") << u"ａｄｍｉｎ"_s << u"username \"admin\" is reserved"_s;
    QTest::newRow("fullwidth upper") << u"ＲＯＯＴ"_s << u"username \"ROOT\" is reserved"_s;
    QTest::newRow("ligature") << u"of\uFB01cial"_s << u"username \"official\" is reserved"_s;
    // Names that look reserved (the same confusable skeleton).
    QTest::newRow("dotless i") << u"adm\u0131n"_s << u"username \"adm\u0131n\" is reserved"_s;
    QTest::newRow("zeros for o") << u"r00t"_s << u"username \"r00t\" is reserved"_s;
    QTest::newRow("rn for m") << u"rnod"_s << u"username \"rnod\" is reserved"_s;
}

void TestUsername::skeletonKey_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("collide");

    QTest::newRow("cyrillic look-alikes") << u"copy"_s << u"\u0441\u043E\u0440\u0443"_s << true;
    QTest::newRow("capital I and l") << u"Iee"_s << u"lee"_s << true;
    QTest::newRow("zero and O") << u"bob"_s << u"b0b"_s << true;
    QTest::newRow("rn and m") << u"modern"_s << u"rnodern"_s << true;
    QTest::newRow("case") << u"Alice"_s << u"alice"_s << true;
    QTest::newRow("different") << u"alice"_s << u"alicia"_s << false;
    QTest::newRow("accent matters") << u"zoe"_s << u"zoë"_s << false;
}

void TestUsername::skeletonKey()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, collide);

    QCOMPARE(username::skeletonKey(a) == username::skeletonKey(b), collide);
}

void TestUsername::reserved()
{
    QFETCH(QString, raw);
    QFETCH(QString, message);

    const Result<QString> result = username::normalize(raw);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, ErrorCode::InvalidUsername);
    QCOMPARE(result.error().message, message);
    QVERIFY(!hasControl(result.error().message));
}

void TestUsername::hugeInputIsRefusedAsTooLong()
{
    const Result<QString> result = username::normalize(QString(1'000'000, u'a'));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().message, lengthMessage());
}

void TestUsername::foldKey_data()
{
    QTest::addColumn<QString>("a");
    QTest::addColumn<QString>("b");
    QTest::addColumn<bool>("collide");

    QTest::newRow("ascii case") << u"Alice"_s << u"ALICE"_s << true;
    QTest::newRow("lower") << u"alice"_s << u"Alice"_s << true;
    QTest::newRow("different") << u"alice"_s << u"alicia"_s << false;
    QTest::newRow("accented case") << u"Zoë"_s << u"ZOË"_s << true;
    QTest::newRow("accent matters") << u"zoe"_s << u"zoë"_s << false;
    QTest::newRow("cyrillic case") << u"Иван"_s << u"ИВАН"_s << true;
    QTest::newRow("greek final sigma") << u"σας"_s << u"ΣΑΣ"_s << true;
    // Qt 6.4's toCaseFolded() applies simple (one-to-one) folding only: 'ß' folds to itself,
    // not to "ss", so these two are different users. Observed, not chosen.
    QTest::newRow("sharp s vs ss") << u"Straße"_s << u"STRASSE"_s << false;
    // Capital sharp s (U+1E9E) does fold to 'ß'.
    QTest::newRow("capital sharp s") << u"Straße"_s << u"STRAẞE"_s << true;
    QTest::newRow("punctuation matters") << u"a.b"_s << u"a_b"_s << false;
}

void TestUsername::foldKey()
{
    QFETCH(QString, a);
    QFETCH(QString, b);
    QFETCH(bool, collide);

    QCOMPARE(username::foldKey(a) == username::foldKey(b), collide);
    // Folding is stable: a key folds to itself.
    QCOMPARE(username::foldKey(username::foldKey(a)), username::foldKey(a));
}

void TestUsername::fromEmail_data()
{
    QTest::addColumn<QString>("email");
    QTest::addColumn<QString>("expected");

    QTest::newRow("normal") << u"alice@example.com"_s << u"alice"_s;
    QTest::newRow("case kept") << u"Alice.Smith@example.com"_s << u"Alice.Smith"_s;
    QTest::newRow("dots kept") << u"john.doe@example.com"_s << u"john.doe"_s;
    QTest::newRow("plus dropped") << u"john.doe+games@example.com"_s << u"john.doegames"_s;
    QTest::newRow("other characters dropped") << u"o'brien!#$%@example.com"_s << u"obrien"_s;
    QTest::newRow("quoted local part") << u"\"john smith\"@example.com"_s << u"johnsmith"_s;
    QTest::newRow("last at") << u"a@b@example.com"_s << u"ab_player"_s;
    QTest::newRow("short") << u"ab@example.com"_s << u"ab_player"_s;
    QTest::newRow("one character") << u"x@example.com"_s << u"x_player"_s;
    QTest::newRow("nothing usable") << u"+++@example.com"_s << u"player"_s;
    QTest::newRow("empty local part") << u"@example.com"_s << u"player"_s;
    QTest::newRow("empty") << QString() << u"player"_s;
    QTest::newRow("long") << (QString(40, u'a') + u"@example.com"_s) << QString(32, u'a');
    QTest::newRow("long non-BMP") << (run(0x20000, 40) + u"@example.com"_s) << run(0x20000, 32);
    QTest::newRow("reserved") << u"admin@example.com"_s << u"admin_player"_s;
    QTest::newRow("reserved any case") << u"Root@example.com"_s << u"Root_player"_s;
    QTest::newRow("reserved after dropping") << u"sup+port@example.com"_s << u"support_player"_s;
    QTest::newRow("reserved and short") << u"me@example.com"_s << u"me_player"_s;
    QTest::newRow("no at") << u"bobsmith"_s << u"bobsmith"_s;
    QTest::newRow("no at, domain-like") << u"bob.example.com"_s << u"bob.example.com"_s;
    QTest::newRow("unicode") << u"zoë@example.com"_s << u"zoë"_s;
    QTest::newRow("cjk") << u"玩家一号@example.cn"_s << u"玩家一号"_s;
    QTest::newRow("fullwidth") << u"ｂｏｂ@example.com"_s << u"bob"_s;
    QTest::newRow("controls dropped") << u"bo\nb\u202E\u200B@example.com"_s << u"bob"_s;
    // Dropping the '!' brings two jamo together that NFKC then composes into one syllable.
    QTest::newRow("hangul recomposed")
        << u"\u1100!\u1161\u1100!\u1161\u1100!\u1161@x.kr"_s << u"가가가"_s;
}

void TestUsername::fromEmail()
{
    QFETCH(QString, email);
    QFETCH(QString, expected);

    const QString name = username::fromEmail(email);
    QCOMPARE(name, expected);

    const Result<QString> checked = username::normalize(name);
    QVERIFY2(checked.ok(), qPrintable(checked.ok() ? QString() : checked.error().message));
    QCOMPARE(*checked, name);
}

// Found by fuzz/fuzz_username: the suffix came in ASCII digits after a name with other
// digits (two numbering systems: refused), and the cut split surrogate pairs.
void TestUsername::withSuffix_data()
{
    QTest::addColumn<QString>("base");
    QTest::addColumn<int>("attempt");
    QTest::addColumn<QString>("expected");

    QTest::newRow("first try") << u"alex"_s << 0 << u"alex"_s;
    QTest::newRow("ascii") << u"alex"_s << 1 << u"alex9"_s;
    QTest::newRow("cut to fit") << QString(32, u'a') << 1 << (QString(31, u'a') + u"9"_s);
    QTest::newRow("arabic-indic digits") << u"۲۲A"_s << 1 << u"۲۲A۹"_s;
    QTest::newRow("devanagari digits") << u"अ१"_s << 5 << u"अ१९"_s;
    QTest::newRow("non-BMP cut by code points")
        << run(0x20000, 32) << 1 << (run(0x20000, 31) + u"9"_s);
}

void TestUsername::withSuffix()
{
    QFETCH(QString, base);
    QFETCH(int, attempt);
    QFETCH(QString, expected);

    const QString name = username::withSuffix(base, attempt, 7); // 2 + 7 % range = 9
    QCOMPARE(name, expected);
    const Result<QString> checked = username::normalize(name);
    QVERIFY2(checked.ok(), qPrintable(checked.ok() ? QString() : checked.error().message));
    QCOMPARE(*checked, name);
}

void TestUsername::sanitizeForLog_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("expected");

    QTest::newRow("plain") << u"bob"_s << u"bob"_s;
    QTest::newRow("unicode kept") << u"Zoë 玩家 \U00020000"_s << u"Zoë 玩家 \U00020000"_s;
    QTest::newRow("newline") << u"bob\nINFO forged"_s << u"bob?INFO forged"_s;
    QTest::newRow("carriage return") << u"bob\r\n"_s << u"bob??"_s;
    QTest::newRow("tab") << u"a\tb"_s << u"a?b"_s;
    QTest::newRow("nul") << QString(u"a"_s + QChar(0) + u"b"_s) << u"a?b"_s;
    QTest::newRow("escape") << u"\x1b[31mred"_s << u"?[31mred"_s;
    QTest::newRow("del") << u"a\x7f"_s << u"a?"_s;
    QTest::newRow("c1") << u"a\u0080\u009b\u009f"_s << u"a???"_s;
    QTest::newRow("next line") << u"a\u0085b"_s << u"a?b"_s;
    QTest::newRow("line separator") << u"a\u2028b"_s << u"a?b"_s;
    QTest::newRow("paragraph separator") << u"a\u2029b"_s << u"a?b"_s;
    QTest::newRow("space kept") << u"a b"_s << u"a b"_s;
    QTest::newRow("empty") << QString() << QString();
}

void TestUsername::sanitizeForLog()
{
    QFETCH(QString, text);
    QFETCH(QString, expected);

    const QString out = username::sanitizeForLog(text);
    QCOMPARE(out, expected);
    QCOMPARE(out.size(), text.size());
}

QTEST_APPLESS_MAIN(TestUsername)
#include "tst_username.moc"
