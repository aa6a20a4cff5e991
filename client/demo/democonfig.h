// The demo's ClientConfig from its command line and environment (the account server's
// sign-in page by default).
#pragma once

#include <latchkey/client.h>

#include <QProcessEnvironment>
#include <QStringList>

namespace latchkey::demo {

//! The server the demo talks to when neither --server nor LATCHKEY_SERVER_URL names one.
inline constexpr char defaultServerUrl[] = "http://127.0.0.1:8000";
//! The client the embedded default of latchkey-server registers for the demo and examples.
inline constexpr char brokerClientId[] = "latchkey-demo";

//! Reads \a arguments (argv, program name first) and \a environment:
//!  - `--server URL` or LATCHKEY_SERVER_URL: the account server (default defaultServerUrl);
//!  - by default the server's sign-in page (LoginMode::Broker) as LATCHKEY_CLIENT_ID
//!    (default brokerClientId), straight to LATCHKEY_PROVIDER when set ("dev", "guest");
//!  - GOOGLE_CLIENT_ID (+ GOOGLE_CLIENT_SECRET): log in with Google directly (Direct mode);
//!  - LATCHKEY_STORAGE_DIR: where the session is kept (default: organization "Latchkey",
//!    application "Demo" under the user's data folder).
//! An Error names the bad argument; `--help` is the caller's (it is not an error here).
Result<ClientConfig> clientConfigFrom(const QStringList &arguments,
                                      const QProcessEnvironment &environment);

//! The usage text for --help and for errors.
QString usage();

} // namespace latchkey::demo
