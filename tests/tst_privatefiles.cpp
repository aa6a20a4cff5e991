// What the server writes to disk is its owner's alone, from the moment it exists: the data
// folder and jwt_secret, the SQLite folder, file and WAL, the log folder and login.log; and a
// jwt_secret others can read is refused.
#include "app/latchkeyserver.h"
#include "auth/loginlog.h"
#include "db/database.h"

#include <QFile>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

using namespace latchkey;

namespace {
constexpr QFile::Permissions ownerFolder = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner |
                                           QFile::ReadUser | QFile::WriteUser | QFile::ExeUser;
constexpr QFile::Permissions ownerFile =
    QFile::ReadOwner | QFile::WriteOwner | QFile::ReadUser | QFile::WriteUser;
} // namespace

class TestPrivateFiles : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        ::umask(022); // the usual default: what the server creates must not depend on it
        QVERIFY(m_dir.isValid());
    }

    void secretAndDataFolder()
    {
        const QString data = m_dir.filePath(QStringLiteral("srv/data"));
        const Result<QByteArray> secret = LatchkeyServer::embeddedSecret(data);
        QVERIFY2(secret.ok(), qPrintable(secret ? QString() : secret.error().message));
        QCOMPARE(QFile::permissions(m_dir.filePath(QStringLiteral("srv"))), ownerFolder);
        QCOMPARE(QFile::permissions(data), ownerFolder);
        QCOMPARE(QFile::permissions(data + QStringLiteral("/jwt_secret")), ownerFile);
        const Result<QByteArray> again = LatchkeyServer::embeddedSecret(data);
        QVERIFY(again.ok());
        QCOMPARE(*again, *secret);
    }

    void sharedSecretRefused()
    {
        const QString data = m_dir.filePath(QStringLiteral("shared"));
        QVERIFY(LatchkeyServer::embeddedSecret(data).ok());
        const QString file = data + QStringLiteral("/jwt_secret");
        QVERIFY(QFile::setPermissions(file, ownerFile | QFile::ReadGroup | QFile::ReadOther));
        const Result<QByteArray> secret = LatchkeyServer::embeddedSecret(data);
        QVERIFY(!secret.ok());
        QVERIFY2(secret.error().message.contains(QStringLiteral("chmod 600")),
                 qPrintable(secret.error().message));
    }

    void sqliteFiles()
    {
        Config::Database config;
        config.sqlitePath = m_dir.filePath(QStringLiteral("db/players.db"));
        {
            Result<std::unique_ptr<Database>> db = Database::open(config, QStringLiteral("tst"));
            QVERIFY(db.ok());
            QVERIFY((*db)->exec(QStringLiteral("CREATE TABLE t (x TEXT)"), "create a table"));
            QVERIFY((*db)->exec(QStringLiteral("INSERT INTO t VALUES ('e-mail')"), "insert"));
            QCOMPARE(QFile::permissions(m_dir.filePath(QStringLiteral("db"))), ownerFolder);
            QCOMPARE(QFile::permissions(config.sqlitePath), ownerFile);
            QCOMPARE(QFile::permissions(config.sqlitePath + QStringLiteral("-wal")), ownerFile);
        }
    }

    void loginLog()
    {
        const QString path = m_dir.filePath(QStringLiteral("logs/login.log"));
        LoginLog log(path, false);
        QVERIFY(log.isOpen());
        QCOMPARE(QFile::permissions(m_dir.filePath(QStringLiteral("logs"))), ownerFolder);
        QCOMPARE(QFile::permissions(path), ownerFile);
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestPrivateFiles)
#include "tst_privatefiles.moc"
