/* Latchkey's client library for C and every engine that binds C (Unity, Godot, Unreal, plain
 * C): the same sessions, logins and threads as latchkey::Client, through opaque handles,
 * plain structs and callbacks. No C++ type, exception or Qt type crosses this header.
 *
 * Threads: network work runs on the library's own thread. Every result reaches the game
 * through a callback, and callbacks run only inside latchkey_process_callbacks(), on the
 * thread that calls it (call it once per frame). No function blocks on the network.
 *
 * Ownership:
 * - Strings passed in (const char *, UTF-8) are copied before the call returns; NULL is "".
 * - latchkey_client_create() returns a client the caller owns; latchkey_client_free()
 *   releases it. Freeing is safe at any time: with a login, refresh or call in flight (they
 *   are abandoned and their callbacks never run) and from inside a callback (the remaining
 *   callbacks are dropped; the client goes once latchkey_process_callbacks() returns).
 * - A latchkey_result, and every pointer in it (message, user and its strings, the device
 *   code's strings, identities), belongs to the library and is valid only during the
 *   callback it is passed to: copy what you keep.
 * - Callbacks receive the user_data pointer given with them, untouched.
 */
#ifndef LATCHKEY_C_H
#define LATCHKEY_C_H

#include <latchkey/latchkey_client_export.h>

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One player's session with a Latchkey server (opaque). */
typedef struct latchkey_client latchkey_client;

/* The stable error codes of latchkey::ErrorCode (and of the server's JSON "code"). */
typedef enum latchkey_error {
    LATCHKEY_OK = 0,
    LATCHKEY_ERROR_BAD_REQUEST = 1,
    LATCHKEY_ERROR_INVALID_JSON = 2,
    LATCHKEY_ERROR_MISSING_FIELD = 3,
    LATCHKEY_ERROR_INVALID_FIELD = 4,
    LATCHKEY_ERROR_INVALID_USERNAME = 5,
    LATCHKEY_ERROR_INVALID_PICTURE = 6,
    LATCHKEY_ERROR_INVALID_PROVIDER_TOKEN = 7,
    LATCHKEY_ERROR_INVALID_TOKEN = 8,
    LATCHKEY_ERROR_INVALID_REFRESH_TOKEN = 9,
    LATCHKEY_ERROR_ACCOUNT_BANNED = 10,
    LATCHKEY_ERROR_NOT_FOUND = 11,
    LATCHKEY_ERROR_METHOD_NOT_ALLOWED = 12,
    LATCHKEY_ERROR_USERNAME_TAKEN = 13,
    LATCHKEY_ERROR_IDENTITY_IN_USE = 14,
    LATCHKEY_ERROR_LAST_IDENTITY = 15,
    LATCHKEY_ERROR_PAYLOAD_TOO_LARGE = 16,
    LATCHKEY_ERROR_UNSUPPORTED_MEDIA_TYPE = 17,
    LATCHKEY_ERROR_RATE_LIMITED = 18,
    LATCHKEY_ERROR_HEADERS_TOO_LARGE = 19,
    LATCHKEY_ERROR_INTERNAL = 20,
    LATCHKEY_ERROR_PROVIDER_UNAVAILABLE = 21,
    LATCHKEY_ERROR_DATABASE_UNAVAILABLE = 22,
    LATCHKEY_ERROR_PROVIDER_TIMEOUT = 23,
    LATCHKEY_ERROR_NETWORK = 24,      /* the server could not be reached */
    LATCHKEY_ERROR_CANCELLED = 25,    /* cancelled, or the player denied the sign-in */
    LATCHKEY_ERROR_TIMEOUT = 26,      /* the login or a device code ran out of time */
    LATCHKEY_ERROR_BAD_ARGUMENT = 27, /* a NULL client, callback or required string */
    LATCHKEY_ERROR_FORBIDDEN = 28     /* not allowed for this account or token (403) */
} latchkey_error;

typedef enum latchkey_secret_storage {
    LATCHKEY_STORAGE_AUTOMATIC = 0, /* the OS secret store; a 0600 file when none answers */
    LATCHKEY_STORAGE_KEYCHAIN = 1,
    LATCHKEY_STORAGE_FILE = 2
} latchkey_secret_storage;

/* Zero-initialise, then set what you need: server_url and client_id are required. */
typedef struct latchkey_config
{
    const char *server_url;   /* e.g. "https://accounts.example.com" */
    const char *client_id;    /* registered in the server's clients: */
    const char *provider;     /* browser login straight to this provider; NULL: the chooser */
    const char *organization; /* with application: names the storage */
    const char *application;
    const char *storage_directory; /* NULL: <XDG data>/latchkey/<organization>/<application> */
    latchkey_secret_storage secret_storage;
    int32_t login_timeout_ms;   /* browser login; 0: 5 minutes */
    int32_t request_timeout_ms; /* each request; 0: 15 seconds */
} latchkey_config;

typedef struct latchkey_user
{
    int64_t id;
    const char *email;
    const char *name;
    const char *picture; /* "" when none */
    int32_t stars;
    int32_t level;
    int32_t is_guest;      /* 1 for a guest account */
    const char *role;      /* "player" or "admin" */
    int64_t created_at_ms; /* Unix time in milliseconds */
    int64_t last_login_ms;
} latchkey_user;

typedef struct latchkey_identity
{
    const char *provider; /* "guest", "google", "steam", ... */
    const char *subject;
    const char *email;
    int64_t created_at_ms;
} latchkey_identity;

typedef enum latchkey_result_kind {
    LATCHKEY_RESULT_LOGIN = 0,       /* a login ended: user, or error */
    LATCHKEY_RESULT_DEVICE_CODE = 1, /* show user_code and verification_uri */
    LATCHKEY_RESULT_USER = 2,        /* refresh, rename, picture, link: user, or error */
    LATCHKEY_RESULT_IDENTITIES = 3,  /* identities, or error */
    LATCHKEY_RESULT_LOGOUT = 4       /* the session ended (logout, or the server ended it) */
} latchkey_result_kind;

typedef struct latchkey_result
{
    latchkey_result_kind kind;
    latchkey_error error;                  /* LATCHKEY_OK on success */
    const char *message;                   /* why it failed; "" on success */
    const latchkey_user *user;             /* LOGIN and USER on success; else NULL */
    const char *user_code;                 /* DEVICE_CODE: "BCDF-GHJK"; else NULL */
    const char *verification_uri;          /* DEVICE_CODE */
    const char *verification_uri_complete; /* DEVICE_CODE: the URI with the code (for a QR) */
    int64_t expires_at_ms;                 /* DEVICE_CODE: Unix time in milliseconds */
    const latchkey_identity *identities;   /* IDENTITIES */
    size_t identity_count;
} latchkey_result;

typedef void (*latchkey_callback)(const latchkey_result *result, void *user_data);

/* A client for one player's session; NULL when config lacks server_url or client_id.
 * on_logout (may be NULL) gets a LOGOUT result whenever the session ends. */
LATCHKEY_CLIENT_EXPORT latchkey_client *
latchkey_client_create(const latchkey_config *config, latchkey_callback on_logout, void *user_data);
LATCHKEY_CLIENT_EXPORT void latchkey_client_free(latchkey_client *client);

/* Runs the queued callbacks on the calling thread; returns how many ran. */
LATCHKEY_CLIENT_EXPORT int latchkey_process_callbacks(latchkey_client *client);

/* Logins: done gets one LOGIN result. Each returns LATCHKEY_OK when it started, or
 * LATCHKEY_ERROR_BAD_ARGUMENT, or LATCHKEY_ERROR_INVALID_FIELD while a login runs. */
/* The browser sign-in page of the server (any provider, or guest). */
LATCHKEY_CLIENT_EXPORT latchkey_error latchkey_login(latchkey_client *client,
                                                     latchkey_callback done, void *user_data);
LATCHKEY_CLIENT_EXPORT latchkey_error latchkey_login_as_guest(latchkey_client *client,
                                                              latchkey_callback done,
                                                              void *user_data);
/* Consoles, TVs, command lines: done first gets a DEVICE_CODE result, then the LOGIN. */
LATCHKEY_CLIENT_EXPORT latchkey_error latchkey_login_with_device_code(latchkey_client *client,
                                                                      latchkey_callback done,
                                                                      void *user_data);
/* hex_ticket: from Steamworks' ISteamUser::GetAuthTicketForWebApi, hex-encoded. */
LATCHKEY_CLIENT_EXPORT latchkey_error latchkey_login_with_steam_ticket(latchkey_client *client,
                                                                       const char *hex_ticket,
                                                                       latchkey_callback done,
                                                                       void *user_data);
/* The stored session of an earlier run, without a browser: LOGIN when one is stored (the
 * session refreshes in the background); LATCHKEY_ERROR_NOT_FOUND when none is. */
LATCHKEY_CLIENT_EXPORT latchkey_error latchkey_load_stored_credentials(latchkey_client *client,
                                                                       latchkey_callback done,
                                                                       void *user_data);
LATCHKEY_CLIENT_EXPORT void latchkey_cancel_login(latchkey_client *client);

/* Calls for a logged-in player: done gets one USER (or IDENTITIES) result. done may be NULL
 * for refresh. */
LATCHKEY_CLIENT_EXPORT void latchkey_refresh(latchkey_client *client, latchkey_callback done,
                                             void *user_data);
LATCHKEY_CLIENT_EXPORT void latchkey_update_username(latchkey_client *client, const char *username,
                                                     latchkey_callback done, void *user_data);
LATCHKEY_CLIENT_EXPORT void latchkey_update_picture(latchkey_client *client,
                                                    const char *picture_url, latchkey_callback done,
                                                    void *user_data);
/* The player's Steam persona name as username: LATCHKEY_ERROR_NOT_FOUND without a Steam
 * sign-in, LATCHKEY_ERROR_USERNAME_TAKEN when another player has it. */
LATCHKEY_CLIENT_EXPORT void latchkey_update_username_from_steam(latchkey_client *client,
                                                                latchkey_callback done,
                                                                void *user_data);
LATCHKEY_CLIENT_EXPORT void latchkey_identities(latchkey_client *client, latchkey_callback done,
                                                void *user_data);
/* Ends the session at the server and here; on_logout runs. */
LATCHKEY_CLIENT_EXPORT void latchkey_logout(latchkey_client *client);

/* 1 while a session is held (as of the last latchkey_process_callbacks()), else 0. */
LATCHKEY_CLIENT_EXPORT int latchkey_is_logged_in(const latchkey_client *client);
/* 1 while the live event socket is open (a session ended elsewhere logs out at once), else 0
 * (as of the last latchkey_process_callbacks()). */
LATCHKEY_CLIENT_EXPORT int latchkey_is_live(const latchkey_client *client);
/* "username_taken", ... : the wire name of an error (a static string). */
LATCHKEY_CLIENT_EXPORT const char *latchkey_error_name(latchkey_error error);

#ifdef __cplusplus
}
#endif

#endif /* LATCHKEY_C_H */
