// Symbol visibility for the parts of common/ that the client library's users call.
#pragma once

// Everything is built with hidden visibility; these few symbols are part of the client
// library's ABI (it links common/ statically). Windows DLL import/export is not done yet.
#if defined(__GNUC__) || defined(__clang__)
#define LATCHKEY_COMMON_API __attribute__((visibility("default")))
#else
#define LATCHKEY_COMMON_API
#endif
