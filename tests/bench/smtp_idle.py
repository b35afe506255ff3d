#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Hold many idle SMTP sessions open against one server (load_smtp.sh).

usage: smtp_idle.py HOST PORT COUNT [--ehlo] [--partial]

Opens COUNT connections to HOST:PORT, a window of at most 100 connects in
flight at a time (so the server's listen queue never overflows), reads
each 220 greeting, and with --ehlo
sends "EHLO idle.example" on each and reads the whole reply: every
session then exists in the server and has done something. Then it prints
"ready N" on standard output and keeps the sockets open, idle, until
standard input is closed (the caller measures the server meanwhile).

Raise the open file limit first (ulimit -n); the script raises its soft
limit to the hard one itself and stops with a message if that is not
enough. Every wait is bounded: 60 s without progress fails, or with
--partial (for a baseline server that may not hold them all) 20 s without
progress ends the opening, and "ready N" then counts the sessions that
got that far.
"""
import errno
import resource
import selectors
import socket
import sys
import time

# Connects in flight at a time: under the listen backlog of both servers
# (128), so that no connection the client thinks is established sits in
# a full accept queue (Linux then drops the client's ACK and the session
# waits for a SYN-ACK retransmission, or forever).
WINDOW = 100


def main():
    if len(sys.argv) < 4:
        print(__doc__)
        sys.exit(2)
    host, port, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    ehlo = "--ehlo" in sys.argv[4:]
    partial = "--partial" in sys.argv[4:]
    stall = 20 if partial else 60
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < count + 64:
        sys.exit("smtp_idle.py: the open file limit is %d; %d sessions need "
                 "at least %d (ulimit -n)" % (hard, count, count + 64))
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

    sel = selectors.DefaultSelector()
    # per socket: [state, received bytes]; states: 0 connecting,
    # 1 reading the greeting, 2 reading the EHLO reply, 3 idle
    pending = 0
    opened = done = 0
    socks = []
    last_progress = time.monotonic()

    def reply_complete(buf):
        # the last line of a reply is "NNN " + text + CRLF (RFC 5321 §4.2)
        if not buf.endswith(b"\r\n"):
            return False
        last = buf[:-2].rsplit(b"\r\n", 1)[-1]
        return len(last) >= 4 and last[3:4] == b" "

    while done < count:
        while opened < count and pending < WINDOW:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.setblocking(False)
            try:
                s.connect((host, port))
            except BlockingIOError:
                pass
            sel.register(s, selectors.EVENT_WRITE, [0, b""])
            socks.append(s)
            opened += 1
            pending += 1
        events = sel.select(timeout=1.0)
        if events:
            last_progress = time.monotonic()
        elif time.monotonic() - last_progress > stall:
            if partial:
                break
            sys.exit("smtp_idle.py: no progress for %d s at %d of %d sessions"
                     % (stall, done, count))
        for key, _ in events:
            s, st = key.fileobj, key.data
            if st[0] == 0:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err != 0:
                    sys.exit("smtp_idle.py: connect failed at session %d: %s"
                             % (done, errno.errorcode.get(err, err)))
                st[0] = 1
                sel.modify(s, selectors.EVENT_READ, st)
                continue
            data = s.recv(4096)
            if not data:
                sys.exit("smtp_idle.py: the server closed session %d (%r)"
                         % (done, st[1][-200:]))
            st[1] += data
            if not reply_complete(st[1]):
                continue
            code = st[1][-1000:].rsplit(b"\r\n", 2)[-2][:3]
            if st[0] == 1:
                if code != b"220":
                    sys.exit("smtp_idle.py: greeting %r" % st[1][:200])
                if ehlo:
                    st[0], st[1] = 2, b""
                    s.sendall(b"EHLO idle.example\r\n")
                    continue
            elif code != b"250":
                sys.exit("smtp_idle.py: EHLO reply %r" % st[1][:200])
            st[0], st[1] = 3, b""
            sel.unregister(s)
            pending -= 1
            done += 1
    print("ready %d" % done)
    sys.stdout.flush()
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    for s in socks:
        s.close()


if __name__ == "__main__":
    main()
