#!/usr/bin/env python3
"""Revocation across instances, measured (stdlib only; bench/propagation.sh runs it).

For each session: warm instance B's cache for it (three GET /api/me on one keep-alive
connection, so one worker), end it on instance A (POST /api/logout; the answer means the
revocation committed), then call GET /api/me on B on that same connection, back to back, until
B refuses. Reports how long B still answered 200 after A's answer, and how many such calls
succeeded in all and after 100 ms (the target is none after 100 ms).

usage: propagation.py A_PORT B_PORT TOKENS_FILE   (one access token per line)
"""
import http.client
import statistics
import sys
import time


def call(conn, method, path, token):
    conn.request(method, path, body=b"" if method == "POST" else None,
                 headers={"Authorization": "Bearer " + token, "Content-Length": "0"}
                 if method == "POST" else {"Authorization": "Bearer " + token})
    response = conn.getresponse()
    response.read()
    return response.status


def main():
    a_port, b_port, tokens_file = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    tokens = [line.strip() for line in open(tokens_file) if line.strip()]
    a = http.client.HTTPConnection("127.0.0.1", a_port)
    windows_ms, late, after_100 = [], 0, 0
    for token in tokens:
        b = http.client.HTTPConnection("127.0.0.1", b_port)
        if [call(b, "GET", "/api/me", token) for _ in range(3)] != [200, 200, 200]:
            sys.exit("warming B failed")
        if call(a, "POST", "/api/logout", token) != 200:
            sys.exit("logout on A failed")
        committed = time.monotonic()
        last_ok = committed
        while True:
            status = call(b, "GET", "/api/me", token)
            now = time.monotonic()
            if status == 401:
                break
            if status != 200:
                sys.exit(f"B answered {status}")
            late += 1
            last_ok = now
            if (now - committed) * 1000 > 100:
                after_100 += 1
            if now - committed > 10:
                sys.exit("B still answered 200 ten seconds after the logout")
        windows_ms.append((last_ok - committed) * 1000)
        b.close()
    windows_ms.sort()
    p99 = windows_ms[min(len(windows_ms) - 1, int(0.99 * len(windows_ms)))]
    print(f"PROPAGATION sessions={len(tokens)} late_calls={late} late_after_100ms={after_100}"
          f" window_p50_ms={statistics.median(windows_ms):.2f} window_p99_ms={p99:.2f}"
          f" window_max_ms={windows_ms[-1]:.2f}")


if __name__ == "__main__":
    main()
