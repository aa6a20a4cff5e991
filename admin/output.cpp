// Plain-text tables: columns as wide as their widest cell, up to maxCell characters.
#include "output.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace latchkey {

namespace {
constexpr qsizetype maxCell = 60;

QString cell(const QString &text)
{
    QString flat = text;
    flat.replace(u'\n', u' ');
    return flat.size() > maxCell ? flat.left(maxCell - 1) + QChar(0x2026) : flat;
}

void printLine(const QStringList &cells, const QList<qsizetype> &widths)
{
    QString line;
    for (qsizetype i = 0; i < cells.size(); ++i)
        line += (i ? QStringLiteral("  ") : QString()) +
                (i + 1 < cells.size() ? cell(cells[i]).leftJustified(widths[i]) : cell(cells[i]));
    std::printf("%s\n", qPrintable(line));
}
} // namespace

void printAdminOutput(const AdminOutput &output, bool json)
{
    if (json) {
        const QJsonDocument doc = output.json.isArray() ? QJsonDocument(output.json.toArray())
                                                        : QJsonDocument(output.json.toObject());
        std::printf("%s", doc.toJson(QJsonDocument::Indented).constData());
        return;
    }
    if (!output.header.isEmpty()) {
        QList<qsizetype> widths;
        for (const QString &h : output.header)
            widths.append(h.size());
        for (const QStringList &row : output.rows) {
            for (qsizetype i = 0; i < row.size() && i < widths.size(); ++i)
                widths[i] = std::max(widths[i], cell(row[i]).size());
        }
        printLine(output.header, widths);
        for (const QStringList &row : output.rows)
            printLine(row, widths);
    }
    if (!output.message.isEmpty())
        std::printf("%s\n", qPrintable(output.message));
}

} // namespace latchkey
