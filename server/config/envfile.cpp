// Parses a .env file: comments, `export`, quoted and unquoted values, one line each.
#include "config/envfile_p.h"

#include "config/configsource_p.h"

#include <QFileInfo>

namespace latchkey {

namespace {

using namespace Qt::Literals::StringLiterals;

bool isVariableName(QStringView name)
{
    if (name.isEmpty() || name.front().isDigit())
        return false;
    for (QChar c : name) {
        if (!(c.isLetterOrNumber() && c.unicode() < 128) && c != u'_')
            return false;
    }
    return true;
}

// A value in quotes, \a text starting at the opening one. Double quotes take the usual
// escapes; single quotes keep every character.
Result<QString> parseQuotedValue(QStringView text)
{
    const QChar quote = text.front();
    QString result;
    qsizetype i = 1;
    bool closed = false;
    for (; i < text.size(); ++i) {
        const QChar c = text.at(i);
        if (c == quote) {
            closed = true;
            break;
        }
        if (quote == u'"' && c == u'\\' && i + 1 < text.size()) {
            const QChar next = text.at(++i);
            if (next == u'n')
                result.append(u'\n');
            else if (next == u't')
                result.append(u'\t');
            else if (next == u'"' || next == u'\\')
                result.append(next);
            else
                result.append(c).append(next);
            continue;
        }
        result.append(c);
    }
    if (!closed)
        return invalidConfig(u"the quote is not closed on this line (values span one line)"_s);
    const QStringView rest = text.mid(i + 1).trimmed();
    if (!rest.isEmpty() && rest.front() != u'#')
        return invalidConfig(u"unexpected text after the closing quote"_s);
    return result;
}

// The text after '=' of one line as a value. The error never quotes the text (it may be a
// secret).
Result<QString> parseEnvValue(QStringView raw)
{
    const QStringView text = raw.trimmed();
    if (text.isEmpty())
        return QString();
    if (text.front() == u'"' || text.front() == u'\'')
        return parseQuotedValue(text);
    // Unquoted, as in python-dotenv: a '#' after a blank starts a comment. A value that
    // holds " #" has to be quoted.
    qsizetype end = raw.size();
    for (qsizetype i = 1; i < raw.size(); ++i) {
        if (raw.at(i) == u'#' && raw.at(i - 1).isSpace()) {
            end = i;
            break;
        }
    }
    return raw.left(end).trimmed().toString();
}

} // namespace

Result<QHash<QString, QString>> readEnvFile(const QString &path)
{
    QHash<QString, QString> variables;
    if (!QFileInfo::exists(path))
        return variables;
    const Result<QByteArray> bytes = readSourceFile(path, {".env file"_L1, ".env file"_L1});
    if (!bytes)
        return bytes.error();
    const QString text = QString::fromUtf8(*bytes);

    const auto lines = QStringView(text).split(u'\n');
    int lineNumber = 0;
    for (QStringView line : lines) {
        ++lineNumber;
        if (line.endsWith(u'\r'))
            line.chop(1);
        QStringView rest = line.trimmed();
        if (rest.isEmpty() || rest.startsWith(u'#'))
            continue;
        if (rest.startsWith("export"_L1) && rest.size() > 6 && rest.at(6).isSpace())
            rest = rest.mid(7).trimmed();
        const qsizetype equals = rest.indexOf(u'=');
        const QStringView name = equals < 0 ? QStringView() : rest.left(equals).trimmed();
        // The line is never quoted back: a malformed line may be a pasted secret.
        if (equals < 0 || !isVariableName(name))
            return invalidConfig(
                u"%1:%2: expected KEY=VALUE, KEY made of letters, digits and _ "
                "(a line starting with # is a comment)"_s.arg(path, QString::number(lineNumber)));
        const Result<QString> value = parseEnvValue(rest.mid(equals + 1));
        if (!value)
            return invalidConfig(u"%1:%2: %3"_s.arg(path, QString::number(lineNumber), name),
                                 value.error());
        variables.insert(name.toString(), *value);
    }
    return variables;
}

} // namespace latchkey
