// RFC 8628 login for devices without a browser to come back to: ask the server for a code,
// show it to the player, poll the token endpoint until the player answered on another device.
#pragma once

#include <latchkey/client.h>

#include <QElapsedTimer>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QObject>
#include <QPointer>
#include <QTimer>

namespace latchkey {

//! One device login, on the library's thread; finished() is emitted exactly once (the
//! session answer, a refusal, expiry or cancel).
class DeviceFlow : public QObject
{
    Q_OBJECT
public:
    DeviceFlow(const ClientConfig &config, QNetworkAccessManager *network,
               QObject *parent = nullptr);
    ~DeviceFlow() override;

    void start();
    void cancel();

Q_SIGNALS:
    //! The code to show the player, and where to type it.
    void codeReady(const latchkey::DeviceCode &code);
    //! The server's session answer ({"access_token","refresh_token","user",...}).
    void finished(const latchkey::Result<QJsonObject> &session);

private:
    using FormReply = std::function<void(int status, const QJsonObject &answer, const Error &)>;
    void post(const QString &path, const QList<QPair<QString, QString>> &fields, FormReply reply);
    void poll();
    void finish(const Result<QJsonObject> &result);

    ClientConfig m_config;
    QNetworkAccessManager *m_network;
    QTimer m_pollTimer;
    QElapsedTimer m_sinceCode;
    QString m_deviceCode;
    int m_intervalSecs = 5;
    qint64 m_expiresInMs = 0;
    QPointer<class QNetworkReply> m_pending;
    bool m_done = false;
};

} // namespace latchkey
