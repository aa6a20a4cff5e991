#!/usr/bin/env python3
"""The shape of every engine binding (C#, GDScript/GDExtension, Unreal): load Latchkey's
client library with Python's ctypes, declare the C API's structs, sign a guest in from a
frame loop, free the client with a call in flight.

Usage: ctypes_guest.py LIBRARY SERVER_URL STORAGE_DIR   (exit 0: every check passed)
       ctypes_guest.py LIBRARY --load-only              (the library loads; errors are named)
"""
import ctypes
import sys
import time
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_int32, c_int64,
                    c_size_t, c_void_p)

LATCHKEY_OK = 0
LATCHKEY_ERROR_USERNAME_TAKEN = 13
LATCHKEY_ERROR_BAD_ARGUMENT = 27
LATCHKEY_STORAGE_FILE = 2
LATCHKEY_RESULT_LOGIN = 0


class Config(Structure):
    _fields_ = [("server_url", c_char_p), ("client_id", c_char_p), ("provider", c_char_p),
                ("organization", c_char_p), ("application", c_char_p),
                ("storage_directory", c_char_p), ("secret_storage", c_int),
                ("login_timeout_ms", c_int32), ("request_timeout_ms", c_int32)]


class User(Structure):
    _fields_ = [("id", c_int64), ("email", c_char_p), ("name", c_char_p),
                ("picture", c_char_p), ("stars", c_int32), ("level", c_int32),
                ("is_guest", c_int32), ("role", c_char_p), ("created_at_ms", c_int64),
                ("last_login_ms", c_int64)]


class Identity(Structure):
    _fields_ = [("provider", c_char_p), ("subject", c_char_p), ("email", c_char_p),
                ("created_at_ms", c_int64)]


class Result(Structure):
    _fields_ = [("kind", c_int), ("error", c_int), ("message", c_char_p),
                ("user", POINTER(User)), ("user_code", c_char_p),
                ("verification_uri", c_char_p), ("verification_uri_complete", c_char_p),
                ("expires_at_ms", c_int64), ("identities", POINTER(Identity)),
                ("identity_count", c_size_t)]


CALLBACK = CFUNCTYPE(None, POINTER(Result), c_void_p)


def load(path):
    lib = ctypes.CDLL(path)
    lib.latchkey_client_create.restype = c_void_p
    lib.latchkey_client_create.argtypes = [POINTER(Config), CALLBACK, c_void_p]
    lib.latchkey_client_free.argtypes = [c_void_p]
    lib.latchkey_process_callbacks.argtypes = [c_void_p]
    lib.latchkey_login_as_guest.argtypes = [c_void_p, CALLBACK, c_void_p]
    lib.latchkey_refresh.argtypes = [c_void_p, CALLBACK, c_void_p]
    lib.latchkey_is_logged_in.argtypes = [c_void_p]
    lib.latchkey_error_name.restype = c_char_p
    lib.latchkey_error_name.argtypes = [c_int]
    return lib


def check(condition, what):
    if not condition:
        print("ctypes: FAILED:", what, file=sys.stderr)
        sys.exit(1)


def main():
    lib = load(sys.argv[1])
    check(lib.latchkey_error_name(LATCHKEY_ERROR_USERNAME_TAKEN) == b"username_taken",
          "error names")
    check(lib.latchkey_client_create(None, CALLBACK(), None) is None, "NULL config refused")
    if sys.argv[2] == "--load-only":
        print("ctypes: loaded", sys.argv[1])
        return
    config = Config(server_url=sys.argv[2].encode(), client_id=b"latchkey-demo",
                    organization=b"Latchkey", application=b"ctypes",
                    storage_directory=sys.argv[3].encode(),
                    secret_storage=LATCHKEY_STORAGE_FILE, request_timeout_ms=5000)
    seen = {}

    def on_login(result, _user_data):
        r = result.contents
        seen["error"] = r.error
        seen["message"] = r.message.decode()
        if r.error == LATCHKEY_OK:  # the struct is valid only now: copy what is kept
            seen["name"] = r.user.contents.name.decode()
            seen["is_guest"] = r.user.contents.is_guest

    on_login_c = CALLBACK(on_login)  # kept alive while the library may call it
    client = lib.latchkey_client_create(ctypes.byref(config), CALLBACK(), None)
    check(client, "client created")
    check(lib.latchkey_login_as_guest(client, CALLBACK(), None) == LATCHKEY_ERROR_BAD_ARGUMENT,
          "a NULL callback refused")
    check(lib.latchkey_login_as_guest(client, on_login_c, None) == LATCHKEY_OK, "login started")
    deadline = time.monotonic() + 30
    while "error" not in seen and time.monotonic() < deadline:
        lib.latchkey_process_callbacks(client)  # one frame
        time.sleep(0.016)
    check(seen.get("error") == LATCHKEY_OK, "guest login: %s" % seen)
    check(seen["name"].startswith("guest-") and seen["is_guest"] == 1, "guest user: %s" % seen)
    check(lib.latchkey_is_logged_in(client) == 1, "logged in")
    # Freed with a refresh in flight: its callback must never run.
    lib.latchkey_refresh(client, on_login_c, None)
    lib.latchkey_client_free(client)
    print("ctypes: logged in as", seen["name"])


if __name__ == "__main__":
    main()
