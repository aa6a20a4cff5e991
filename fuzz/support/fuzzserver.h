// A whole Latchkey server inside the fuzzer's process, for the harnesses that speak HTTP:
// SQLite in a temporary folder, Google's tokeninfo and JWKS answered by a stand-in on
// loopback, all on a thread of its own so that a harness can block on its socket.
#pragma once

#include <QByteArray>
#include <QByteArrayView>

#include <vector>

class QThread;

namespace latchkey::fuzz {

class FuzzServer
{
public:
    //! Started on first use (with a QCoreApplication if there is none); lives until exit.
    static FuzzServer &instance();

    enum class End {
        HalfClose, //!< shutdown(SHUT_WR) after the last piece: "nothing more comes"
        KeepOpen,  //!< the request asks for Connection: close; an answer may take a while
    };
    //! Sends \a pieces on a new connection, one write each; returns every byte answered
    //! until the server closes the connection or \a timeoutMs passes. The server drops the
    //! answer to a request still in its handler when the client has half-closed.
    QByteArray exchange(const std::vector<QByteArrayView> &pieces, End end,
                        int timeoutMs = 3000) const;

    //! A new player signs in (through the tokeninfo stand-in); returns the JSON answer's
    //! access and refresh tokens.
    std::pair<QByteArray, QByteArray> signIn() const;

    //! The Bearer token of a player signed in at start (never logged out).
    const QByteArray &accessToken() const { return m_accessToken; }

private:
    FuzzServer();

    struct Side; // what lives on the server's thread
    // Kept (never freed) while the process runs, and reachable: LeakSanitizer stays quiet.
    QThread *m_thread = nullptr;
    Side *m_side = nullptr;
    quint16 m_port = 0;
    QByteArray m_accessToken;
};

//! The answers' status codes, in order (several when requests were pipelined).
std::vector<int> statusCodes(const QByteArray &answers);

//! Aborts, so that libFuzzer keeps the input, when an answer is a 5xx: with the database
//! and the provider stand-in up, no input may make the server fail.
void requireNoServerError(const QByteArray &request, const QByteArray &answers);

} // namespace latchkey::fuzz
