#!/usr/bin/env python3
"""A scripted HTTP/1.1 server for the http-source tests.

usage: http-server.py [--log FILE] [--tls CERT KEY] SCENARIO

Listens on 127.0.0.1 on a port the kernel picks and prints the port on
stdout once it accepts connections.  SCENARIO is a JSON file:

  {"responses": [RESPONSE, ...], "then": "repeat" | "close" | RESPONSE}

Request k gets responses[k-1]; after the last one, "then" says what the
others get: the last response again (repeat, the default), a connection
closed without an answer (close), or one more RESPONSE.  A RESPONSE is

  status, reason   the status line (200 OK)
  headers          an object of header fields
  body             the body as UTF-8 text, or
  body_file        a file whose bytes are the body
  sse              instead of a body: {"events": [{"id", "event", "data",
                   "retry"}...]}, written as an event stream that starts
                   after the event whose id the request's Last-Event-ID
                   names (the whole stream without one)
  etag             answer 304 Not Modified when If-None-Match is this
  retry_after_date send Retry-After as the HTTP date this many whole
                   seconds after the current second
  length           send Content-Length instead of chunked encoding
  split, delay     write the body in pieces of split bytes (and chunks,
                   when chunked), with delay seconds before each one
  drop_after       a list: the first connection given this response
                   closes after drop_after[0] bytes of body, the next
                   after drop_after[1], ...; later ones are not dropped
  end              after the body: "ok" (the default: end the response
                   and keep the connection), "close" (end it and close),
                   "drop" (close without ending a chunked body) or "hold"
                   (send nothing more until the client goes)
  wait             seconds to wait before answering

Each request is logged to FILE as one JSON line {"n", "method", "path",
"headers" (names in lower case), "t", "wall"}, and the end of each
response as {"n", "end", "sent", "t"} (with "retry_at", the epoch second
of a retry_after_date), t being time.monotonic() and wall time.time().
A body_file is read once and kept.
"""

import email.utils
import json
import socket
import ssl
import sys
import threading
import time

lock = threading.Lock()
count = 0
drops_used = {}
files = {}
log_file = None


def log(rec):
    if log_file is None:
        return
    with lock:
        log_file.write(json.dumps(rec, sort_keys=True) + "\n")
        log_file.flush()


def read_request(conn, buf):
    """Reads one request head; returns (method, path, headers, rest)."""
    while b"\r\n\r\n" not in buf:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        buf += chunk
    head, rest = buf.split(b"\r\n\r\n", 1)
    lines = head.decode("latin-1").split("\r\n")
    method, path = lines[0].split(" ")[:2]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return method, path, headers, rest


def sse_body(spec, last_id):
    events = spec["events"]
    start = 0
    if last_id is not None:
        for i, ev in enumerate(events):
            if ev.get("id") == last_id:
                start = i + 1
    out = ""
    for ev in events[start:]:
        if "retry" in ev:
            out += "retry: %s\n" % ev["retry"]
        if "event" in ev:
            out += "event: %s\n" % ev["event"]
        if "id" in ev:
            out += "id: %s\n" % ev["id"]
        for line in ev["data"].split("\n"):
            out += "data: %s\n" % line
        out += "\n"
    return out.encode("utf-8")


def body_file(path):
    with lock:
        if path not in files:
            with open(path, "rb") as f:
                files[path] = f.read()
        return files[path]


def pick(n):
    responses = scenario["responses"]
    if n <= len(responses):
        return n - 1, responses[n - 1]
    then = scenario.get("then", "repeat")
    if then == "repeat":
        return len(responses) - 1, responses[-1]
    if then == "close":
        return None, None
    return len(responses), then


def answer(conn, n, headers):
    index, r = pick(n)
    if r is None:
        log({"n": n, "end": "close", "sent": 0, "t": time.monotonic()})
        return False
    time.sleep(r.get("wait", 0))
    status, reason = r.get("status", 200), r.get("reason", "OK")
    hdrs = dict(r.get("headers", {}))
    retry_at = None
    if "retry_after_date" in r:
        retry_at = int(time.time()) + r["retry_after_date"]
        hdrs["Retry-After"] = email.utils.formatdate(retry_at, usegmt=True)
    if "etag" in r:
        hdrs["ETag"] = r["etag"]
        if headers.get("if-none-match") == r["etag"]:
            status, reason = 304, "Not Modified"
    if "sse" in r:
        body = sse_body(r["sse"], headers.get("last-event-id"))
    elif "body_file" in r:
        body = body_file(r["body_file"])
    else:
        body = r.get("body", "").encode("utf-8")
    if status == 304:
        body = b""
    chunked = not r.get("length", False) and status != 304
    end = r.get("end", "ok")
    with lock:
        used = drops_used.get(index, 0)
        drops_used[index] = used + 1
    drops = r.get("drop_after", [])
    drop = drops[used] if used < len(drops) else None
    if drop is not None:
        body = body[:drop]
        end = "drop"
    head = "HTTP/1.1 %d %s\r\n" % (status, reason)
    for k, v in hdrs.items():
        head += "%s: %s\r\n" % (k, v)
    if chunked:
        head += "Transfer-Encoding: chunked\r\n"
    elif status != 304:
        head += "Content-Length: %d\r\n" % len(body)
    if end == "close":
        head += "Connection: close\r\n"
    conn.sendall((head + "\r\n").encode("latin-1"))
    split = r.get("split", 0) or max(len(body), 1)
    delay = r.get("delay", 0)
    sent = 0
    for i in range(0, len(body), split):
        piece = body[i:i + split]
        if delay:
            time.sleep(delay)
        sent += len(piece)
        if chunked:
            piece = b"%x\r\n" % len(piece) + piece + b"\r\n"
        conn.sendall(piece)
    if end in ("ok", "close") and chunked:
        conn.sendall(b"0\r\n\r\n")
    rec = {"n": n, "end": end, "sent": sent, "t": time.monotonic()}
    if retry_at is not None:
        rec["retry_at"] = retry_at
    log(rec)
    if end == "hold":
        while conn.recv(65536):
            pass
        return False
    return end == "ok"


def serve(conn):
    global count
    buf = b""
    try:
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if tls is not None:
            conn = tls.wrap_socket(conn, server_side=True)
        while True:
            req = read_request(conn, buf)
            if req is None:
                break
            method, path, headers, buf = req
            with lock:
                count += 1
                n = count
            log({"n": n, "method": method, "path": path,
                 "headers": headers, "t": time.monotonic(),
                 "wall": time.time()})
            if not answer(conn, n, headers):
                break
    except (OSError, ssl.SSLError):
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main():
    global scenario, log_file, tls
    args = sys.argv[1:]
    while args and args[0].startswith("--"):
        if args[0] == "--log":
            log_file = open(args[1], "a")
            args = args[2:]
        elif args[0] == "--tls":
            tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            tls.load_cert_chain(args[1], args[2])
            args = args[3:]
        else:
            sys.exit("http-server.py: unknown option " + args[0])
    if len(args) != 1:
        sys.exit("usage: http-server.py [--log FILE] [--tls CERT KEY] SCENARIO")
    with open(args[0]) as f:
        scenario = json.load(f)
    lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(64)
    print(lsock.getsockname()[1], flush=True)
    while True:
        conn, _ = lsock.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


scenario = None
tls = None
if __name__ == "__main__":
    main()
