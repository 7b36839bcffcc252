#!/usr/bin/env python3
"""A TCP proxy on 127.0.0.1 for off-site target tests and benchmarks (loopback only).

    tcp-proxy.py --to PORT [--port PORT] [--port-file FILE] [--count-file FILE] [--cut-after BYTES]

Forwards every connection to 127.0.0.1:--to. --count-file gets the bytes sent by clients so far
(rewritten after each chunk, and at exit). --cut-after BYTES: once clients have sent that many bytes,
every connection is cut and new ones are refused (the listening socket is closed), as if the server
had died in the middle of an upload; the proxy then exits. --port 0 (the default) takes a free port
and writes it to --port-file. Stops on SIGTERM.
"""
import argparse
import os
import selectors
import signal
import socket
import sys


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--to", type=int, required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file")
    parser.add_argument("--count-file")
    parser.add_argument("--cut-after", type=int)
    args = parser.parse_args()

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", args.port))
    listener.listen(64)
    listener.setblocking(False)
    if args.port_file:
        with open(args.port_file + ".tmp", "w") as f:
            f.write(str(listener.getsockname()[1]))
        os.rename(args.port_file + ".tmp", args.port_file)

    sent = 0
    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, None)
    peers = {}

    def write_count():
        if args.count_file:
            with open(args.count_file + ".tmp", "w") as f:
                f.write(str(sent))
            os.rename(args.count_file + ".tmp", args.count_file)

    def close(sock):
        other = peers.pop(sock, None)
        for s in (sock, other):
            if s is None:
                continue
            peers.pop(s, None)
            try:
                selector.unregister(s)
            except (KeyError, ValueError):
                pass
            s.close()

    def stop(*_):
        write_count()
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    write_count()
    while True:
        for key, _ in selector.select():
            sock = key.fileobj
            if sock is listener:
                try:
                    client, _ = listener.accept()
                except BlockingIOError:
                    continue
                try:
                    server = socket.create_connection(("127.0.0.1", args.to))
                except OSError:
                    client.close()
                    continue
                peers[client], peers[server] = server, client
                selector.register(client, selectors.EVENT_READ, "client")
                selector.register(server, selectors.EVENT_READ, "server")
                continue
            try:
                data = sock.recv(262144)
            except OSError:
                data = b""
            if not data:
                close(sock)
                continue
            if key.data == "client":
                if args.cut_after is not None and sent + len(data) >= args.cut_after:
                    # Forward up to the limit, then cut everything: partial bodies reach the server.
                    rest = args.cut_after - sent
                    if rest > 0:
                        peers[sock].sendall(data[:rest])
                        sent += rest
                    for s in list(peers):
                        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                        close(s)
                    listener.close()
                    stop()
                sent += len(data)
                write_count()
            try:
                peers[sock].sendall(data)
            except (OSError, KeyError):
                close(sock)


if __name__ == "__main__":
    main()
