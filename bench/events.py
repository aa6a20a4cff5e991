#!/usr/bin/env python3
"""Live events at scale, measured (stdlib only; bench/events.sh runs it).

Opens one event socket (GET /api/events, RFC 6455) per access token on instance B, then
renames those players on instance A at RATE renames per second for SECONDS seconds, each
player in turn, over four keep-alive connections. For every rename it takes the time from
sending the request on A to the user_updated with that name arriving on B's socket: the
commit, the notification across instances, the fan-out and the delivery. Reports the delivery
latency's median, p99 and maximum, how many events arrived, and B's resident memory before
the sockets, with them open, and after the renames.

usage: events.py A_PORT B_PORT B_PID TOKENS_FILE [RATE] [SECONDS]
"""
import asyncio
import base64
import json
import os
import statistics
import struct
import sys
import time


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def masked(opcode, payload):
    mask = os.urandom(4)
    body = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + body


async def open_socket(port, token):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write(("GET /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                  "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
                  f"Sec-WebSocket-Key: {key}\r\nAuthorization: Bearer {token}\r\n\r\n").encode())
    head = await reader.readuntil(b"\r\n\r\n")
    if not head.startswith(b"HTTP/1.1 101"):
        sys.exit("event socket refused: " + head.decode(errors="replace").splitlines()[0])
    return reader, writer


async def listen(reader, writer, on_text):
    try:
        while True:
            b0, b1 = await reader.readexactly(2)
            length = b1 & 0x7F
            if length == 126:
                length = struct.unpack("!H", await reader.readexactly(2))[0]
            elif length == 127:
                length = struct.unpack("!Q", await reader.readexactly(8))[0]
            payload = await reader.readexactly(length)
            opcode = b0 & 0x0F
            if opcode == 0x1:
                on_text(payload)
            elif opcode == 0x9:
                writer.write(masked(0xA, payload))
            elif opcode == 0x8:
                return
    except (asyncio.IncompleteReadError, ConnectionError):
        return


async def rename(reader, writer, token, name):
    body = json.dumps({"new_username": name}).encode()
    writer.write((f"POST /api/update_username HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
                  f"Content-Length: {len(body)}\r\n\r\n").encode() + body)
    head = await reader.readuntil(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":")[1])
    await reader.readexactly(length)
    if not head.startswith(b"HTTP/1.1 200"):
        sys.exit("rename refused: " + head.decode(errors="replace").splitlines()[0])


async def main():
    a_port, b_port, b_pid = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    tokens = [line.strip() for line in open(sys.argv[4]) if line.strip()]
    rate = float(sys.argv[5]) if len(sys.argv) > 5 else 100.0
    seconds = float(sys.argv[6]) if len(sys.argv) > 6 else 20.0
    rss_idle = rss_mib(b_pid)

    sent_at, latencies = {}, []

    def on_text(payload):
        event = json.loads(payload)
        if event.get("event") != "user_updated":
            return
        started = sent_at.pop(event["user"]["name"], None)
        if started is not None:
            latencies.append((time.monotonic() - started) * 1000)

    sockets = []
    for token in tokens:
        sockets.append(await open_socket(b_port, token))
    listeners = [asyncio.create_task(listen(r, w, on_text)) for r, w in sockets]
    await asyncio.sleep(1)
    rss_open = rss_mib(b_pid)

    renamers = [await asyncio.open_connection("127.0.0.1", a_port) for _ in range(4)]
    total = int(rate * seconds)
    start = time.monotonic()

    async def renamer(index):
        reader, writer = renamers[index]
        for n in range(index, total, len(renamers)):
            due = start + n / rate
            delay = due - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            name = f"ev{n}"
            sent_at[name] = time.monotonic()
            await rename(reader, writer, tokens[n % len(tokens)], name)

    await asyncio.gather(*(renamer(i) for i in range(len(renamers))))
    elapsed = time.monotonic() - start
    deadline = time.monotonic() + 10
    while sent_at and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    rss_after = rss_mib(b_pid)
    for _, writer in sockets:
        writer.close()
    for task in listeners:
        task.cancel()
    latencies.sort()
    if not latencies:
        sys.exit("no event arrived")
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    print(f"EVENTS sockets={len(sockets)} renames={total} rate_per_s={total / elapsed:.0f}"
          f" delivered={len(latencies)} missing={len(sent_at)}"
          f" latency_p50_ms={statistics.median(latencies):.2f} latency_p99_ms={p99:.2f}"
          f" latency_max_ms={latencies[-1]:.2f} rss_idle_mib={rss_idle:.1f}"
          f" rss_sockets_mib={rss_open:.1f} rss_after_mib={rss_after:.1f}")


asyncio.run(main())
