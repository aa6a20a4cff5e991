// The demo's ClientConfig from its command line and environment (the local dev provider by
// default).
#pragma once

#include <latchkey/client.h>

#include <QProcessEnvironment>
#include <QStringList>

namespace latchkey::demo {

//! The server the demo talks to when neither --server nor LATCHKEY_SERVER_URL names one.
inline constexpr char defaultServerUrl[] = "http://127.0.0.1:8000";
//! The client id of latchkey-server's development OpenID provider (DEV_IDP=true).
inline constexpr char devClientId[] = "latchkey-dev";

//! Reads \a arguments (argv, program name first) and \a environment:
//!  - `--server URL` or LATCHKEY_SERVER_URL: the account server (default defaultServerUrl);
//!  - GOOGLE_CLIENT_ID (+ GOOGLE_CLIENT_SECRET): log in with Google; otherwise with the
//!    server's development provider at <server>/dev-idp, found by discovery;
//!  - LATCHKEY_STORAGE_DIR: where the session is kept (default: organization "Latchkey",
//!    application "Demo" under the user's data folder).
//! An Error names the bad argument; `--help` is the caller's (it is not an error here).
Result<ClientConfig> clientConfigFrom(const QStringList &arguments,
                                      const QProcessEnvironment &environment);

//! The usage text for --help and for errors.
QString usage();

} // namespace latchkey::demo
