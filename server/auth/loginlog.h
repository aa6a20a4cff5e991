// logs/login.log: one line per authentication event with the client IP, as the seed kept it.
#pragma once

#include <QFile>
#include <QHostAddress>
#include <QList>
#include <QMutex>
#include <QString>

#include <utility>

namespace latchkey {

//! Thread-safe. Every value is stripped of control characters before it is written, so
//! a username holding a newline cannot forge a line. Never give it tokens or secrets.
class LoginLog
{
public:
    using Field = std::pair<const char *, QString>;

    //! \a path empty: events are dropped (tests that do not look at the log).
    LoginLog(const QString &path, bool jsonLines);

    bool isOpen() const { return m_file.isOpen(); }
    QString errorString() const { return m_file.errorString(); }

    //! e.g. write("login", ip, {{"user_id", "7"}, {"name", name}}) →
    //! 2026-11-21T09:48:36.123Z login ip=127.0.0.1 user_id=7 name="alice"
    void write(const char *event, const QHostAddress &ip, const QList<Field> &fields);

private:
    QMutex m_mutex;
    QFile m_file;
    bool m_json;
};

} // namespace latchkey
