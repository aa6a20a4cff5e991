// What a latchkey-admin command prints: a table for people, or JSON for scripts.
#pragma once

#include <QJsonValue>
#include <QStringList>

namespace latchkey {

struct AdminOutput
{
    QJsonValue json;    //!< --json: printed as it is
    QStringList header; //!< the table's columns (none: only the message)
    QList<QStringList> rows;
    QString message; //!< a line after the table ("banned alice (id 7)")
};

//! Writes \a output to stdout: the table (cells cut to a readable width) and the message,
//! or the JSON document.
void printAdminOutput(const AdminOutput &output, bool json);

} // namespace latchkey
