#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A tiny SMTP sink on loopback, and the test of the firmware example.

Usage:
  smtp_sink.py check [--lockstep-data] SMTP_SEND
                                   run examples/firmware's host program
                                   against the sink, many times; exit 0
                                   when every message arrived intact
                                   (--lockstep-data: the program is built
                                   on a client that never uses CHUNKING,
                                   so DATA is expected everywhere)
  smtp_sink.py serve [--port N] [--ext PIPELINING,CHUNKING,...] [--count N]
                                   accept sessions on 127.0.0.1 and print
                                   what arrives (for trying a client by hand)

The sink is written here from RFC 5321, independently of mailwire, so that
it can judge the library's client: it answers EHLO with the extensions it
is told to offer, takes MAIL, RCPT, DATA (RFC 5321 §4.1.1.4: the data ends
at CRLF "." CRLF, and a leading "." of any other line is removed, §4.5.2),
BDAT when CHUNKING is offered (RFC 3030 §2: exactly the announced number
of octets), RSET, NOOP and QUIT. It records the envelope and the unstuffed
message, and notes protocol faults of the client: a command sent before
the reply to the previous one without PIPELINING (RFC 2920 §3), a line
not ended by CRLF, BDAT not offered.

"check" mode (ctest: firmware_smtp_send) runs SMTP_SEND HOST PORT FROM TO
with the message on standard input, for several messages x several
server capability sets, and checks that the sink received exactly the
message: byte-identical for CRLF input (so dot-stuffing round-trips at any
offset of the client's buffers), CRLF-normalised for LF input. It also
checks that a refused recipient or a refused message makes the program
exit 1. Every socket and process has a time-out; nothing leaves loopback.

Python 3.6 or later, standard library only.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import threading

IO_TIMEOUT = 10.0       # seconds a socket operation of the sink may block
CLIENT_TIMEOUT = 60.0   # seconds one run of the client may take
MAX_LINE = 100000       # a command or data line longer than this is a fault
HOSTNAME = b"sink.invalid"


class Fault(Exception):
    """The client broke the protocol; the session is dropped."""


class Message:
    def __init__(self):
        self.mail_from = None
        self.rcpts = []
        self.data = b""
        self.mode = None  # "DATA" or "BDAT"


class Session:
    """One SMTP session over an accepted socket (RFC 5321 §4.1)."""

    def __init__(self, sink, conn):
        self.sink = sink
        self.conn = conn
        self.buf = b""
        self.txn = None
        self.bdat = None
        self.quit = False

    # ---- transport ----
    def send(self, text):
        self.conn.sendall(text)

    def reply(self, code, *lines):
        lines = lines or (b"Ok",)
        out = b""
        for i, text in enumerate(lines):
            sep = b" " if i == len(lines) - 1 else b"-"
            out += str(code).encode() + sep + text + b"\r\n"
        self.send(out)

    def fill(self):
        chunk = self.conn.recv(65536)
        if not chunk:
            raise EOFError
        self.buf += chunk

    def read_line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                line, self.buf = self.buf[:i], self.buf[i + 2:]
                return line
            if len(self.buf) > MAX_LINE:
                raise Fault("line longer than %d bytes" % MAX_LINE)
            self.fill()

    def read_exact(self, n):
        while len(self.buf) < n:
            self.fill()
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def command(self):
        line = self.read_line()
        if b"\n" in line or b"\r" in line:
            raise Fault("bare CR or LF in a command line: %r" % line)
        return line

    def no_pipelining(self, what):
        """Called just before replying: bytes already received were sent
        before the client saw the reply, which only PIPELINING allows."""
        if self.buf and "PIPELINING" not in self.sink.extensions:
            self.sink.faults.append(
                "command pipelined without PIPELINING: %r before the reply to %r"
                % (self.buf[:40], what))

    # ---- the session ----
    def run(self):
        self.reply(220, HOSTNAME + b" ESMTP mailwire test sink")
        while not self.quit:
            line = self.command()
            verb = line.split(b" ", 1)[0].upper()
            handler = getattr(self, "do_" + verb.decode("ascii", "replace"), None)
            if verb != b"BDAT":  # its chunk follows at once; checked there
                self.no_pipelining(line)
            if handler is None:
                self.reply(500, b"5.5.2 Command not recognized")
            else:
                handler(line)

    def do_EHLO(self, line):
        self.txn = None
        exts = [e.encode() for e in self.sink.extensions]
        self.reply(250, *([HOSTNAME] + exts))

    def do_HELO(self, line):
        self.txn = None
        self.reply(250, HOSTNAME)

    def do_MAIL(self, line):
        m = re.match(rb"(?i)MAIL FROM:<([^<>]*)>((?: [^ ]+)*)$", line)
        if m is None:
            self.reply(501, b"5.5.4 Syntax: MAIL FROM:<address>")
            return
        self.txn = Message()
        self.txn.mail_from = m.group(1)
        self.reply(250, b"2.1.0 Ok")

    def do_RCPT(self, line):
        m = re.match(rb"(?i)RCPT TO:<([^<>]*)>((?: [^ ]+)*)$", line)
        if self.txn is None:
            self.reply(503, b"5.5.1 MAIL first")
        elif m is None:
            self.reply(501, b"5.5.4 Syntax: RCPT TO:<address>")
        elif self.sink.refuse_rcpt:
            self.reply(550, b"5.1.1 No such user here")
        else:
            self.txn.rcpts.append(m.group(1))
            self.reply(250, b"2.1.5 Ok")

    def do_DATA(self, line):
        if self.txn is None or not self.txn.rcpts:
            self.reply(554 if self.txn is not None else 503,
                       b"5.5.1 No valid recipients")
            return
        self.reply(354, b"End data with <CR><LF>.<CR><LF>")
        parts = []
        while True:
            text = self.read_line()
            if text == b".":
                break
            if text.startswith(b"."):
                text = text[1:]   # RFC 5321 §4.5.2
            parts.append(text + b"\r\n")
        self.txn.data = b"".join(parts)
        self.txn.mode = "DATA"
        self.finish()

    def do_BDAT(self, line):
        if "CHUNKING" not in self.sink.extensions:
            self.sink.faults.append("BDAT without CHUNKING offered")
        m = re.match(rb"(?i)BDAT ([0-9]+)( LAST)?$", line)
        if m is None:
            raise Fault("bad BDAT line %r" % line)
        data = self.read_exact(int(m.group(1)))
        self.no_pipelining(line)
        if self.txn is None or not self.txn.rcpts:
            self.reply(503, b"5.5.1 No valid recipients")
            return
        self.txn.data += data
        self.txn.mode = "BDAT"
        if m.group(2):
            self.finish()
        else:
            self.reply(250, b"2.0.0 " + m.group(1) + b" octets received")

    def finish(self):
        if self.sink.refuse_message:
            self.reply(554, b"5.6.0 Message refused")
        else:
            self.sink.messages.append(self.txn)
            self.reply(250, b"2.0.0 Ok: queued as %d" % len(self.sink.messages))
        self.txn = None

    def do_RSET(self, line):
        self.txn = None
        self.reply(250, b"2.0.0 Ok")

    def do_NOOP(self, line):
        self.reply(250, b"2.0.0 Ok")

    def do_QUIT(self, line):
        self.reply(221, b"2.0.0 Bye")
        self.quit = True


class Sink:
    """Listens on 127.0.0.1 (an ephemeral port unless told) and serves
    `count` sessions in a thread."""

    def __init__(self, extensions=(), port=0, count=1, refuse_rcpt=False,
                 refuse_message=False, on_message=None):
        self.extensions = [e.upper() for e in extensions]
        self.count = count
        self.refuse_rcpt = refuse_rcpt
        self.refuse_message = refuse_message
        self.on_message = on_message
        self.messages = []
        self.faults = []
        self.quits = 0
        self.lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.lsock.bind(("127.0.0.1", port))
        self.lsock.listen(4)
        self.port = self.lsock.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def start(self):
        self.thread.start()
        return self

    def _serve(self):
        served = 0
        try:
            while self.count is None or served < self.count:
                self.lsock.settimeout(None if self.count is None else IO_TIMEOUT)
                try:
                    conn, _ = self.lsock.accept()
                except socket.timeout:
                    self.faults.append("no client connected")
                    return
                served += 1
                conn.settimeout(IO_TIMEOUT)
                conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s = Session(self, conn)
                before = len(self.messages)
                try:
                    s.run()
                except (Fault, EOFError, socket.timeout, OSError) as e:
                    self.faults.append("session %d: %s: %s"
                                       % (served, type(e).__name__, e))
                finally:
                    conn.close()
                if s.quit:
                    self.quits += 1
                if self.on_message is not None:
                    for m in self.messages[before:]:
                        self.on_message(m)
        finally:
            self.lsock.close()

    def join(self):
        self.thread.join(IO_TIMEOUT * 3)
        return not self.thread.is_alive()


# ---------------------------------------------------------------------------
# check mode

def boundary_message():
    """About 20 KB whose lines start at every offset modulo 128 and 256 (the
    example's receive and message buffers) and at every offset of a
    4096-byte pipe read, many of them with one, two or three dots."""
    lines = [b"From: sensor-17@example.com", b"To: ops@example.net",
             b"Subject: dots at every offset", b""]
    n = 0
    while sum(len(x) + 2 for x in lines) < 20000:
        dots = b"." * (n % 4)
        body = dots + b"x" * (n % 61)
        lines.append(body)
        if n % 7 == 3:
            lines.append(b".")        # a line that is a lone dot
        n += 1
    return b"\r\n".join(lines) + b"\r\n"


def messages():
    """(name, stdin bytes, what the sink must receive)."""
    dots = (b"From: sensor-17@example.com\r\n"
            b"To: ops@example.net\r\n"
            b"Subject: dot lines\r\n"
            b"\r\n"
            b".\r\n"
            b"..\r\n"
            b"...\r\n"
            b".leading dot\r\n"
            b" .space first\r\n"
            b"trailing dot.\r\n"
            b"\r\n"
            b".\r\n")
    lf = dots.replace(b"\r\n", b"\n")
    utf8 = ("From: sensor-17@example.com\r\nSubject: =?UTF-8?Q?K=C3=BChlraum?=\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "Content-Transfer-Encoding: 8bit\r\n\r\n"
            "Kühlraum 3: 9 °C.\r\n.ñ\r\n").encode("utf-8")
    header_only = b"Subject: nothing else\r\n\r\n"
    long_line = b"Subject: long\r\n\r\n" + b"." + b"y" * 5000 + b"\r\n.\r\n"
    big = boundary_message()
    return [
        ("dots", dots, dots),
        ("lf-line-ends", lf, dots),
        ("8bit", utf8, utf8),
        ("header-only", header_only, header_only),
        ("long-line", long_line, long_line),
        ("20k-boundaries", big, big),
    ]


EXTENSION_SETS = [
    [],                                   # lock-step DATA
    ["PIPELINING", "8BITMIME"],           # pipelined DATA
    ["PIPELINING", "CHUNKING", "8BITMIME"],  # pipelined BDAT
    ["CHUNKING"],                         # lock-step BDAT
]


def run_client(binary, sink, sender, rcpt, stdin):
    try:
        p = subprocess.run([binary, "127.0.0.1", str(sink.port), sender, rcpt],
                           input=stdin, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=CLIENT_TIMEOUT)
        rc, err = p.returncode, p.stderr.decode("utf-8", "replace").strip()
    except subprocess.TimeoutExpired:
        rc, err = None, "timed out after %d s" % CLIENT_TIMEOUT
    finished = sink.join()
    return rc, err, finished


def chunking_built(binary):
    """False when the mailwire build of `binary` has CHUNKING compiled out
    (MW_WITH_SMTP_CHUNKING=OFF): it then sends with DATA whatever the
    server offers. Read from features.h by mwinterop.py, next to this
    file; without it (the sink copied alone), CHUNKING counts as built."""
    try:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from mwinterop import has_feature
    except ImportError:
        return True
    return has_feature(binary, "SMTP_CHUNKING")


def check(binary, verbose, lockstep_data=False):
    failures = []
    runs = 0
    chunking = chunking_built(binary) and not lockstep_data
    if not chunking:
        print("no CHUNKING in this client: DATA expected even where BDAT is offered")

    def fail(what):
        failures.append(what)
        print("FAIL:", what)

    for exts in EXTENSION_SETS:
        for name, stdin, expected in messages():
            for sender in ("sensor-17@example.com", ""):
                if sender == "" and name != "dots":
                    continue
                runs += 1
                label = "%s, EHLO offers %s, MAIL FROM:<%s>" % (
                    name, " ".join(exts) or "nothing", sender)
                sink = Sink(exts).start()
                rc, err, finished = run_client(binary, sink, sender,
                                               "ops@example.net", stdin)
                if verbose:
                    print("%s: exit %s (%s)" % (label, rc, err))
                if not finished:
                    fail("%s: the sink did not finish" % label)
                    continue
                if rc != 0:
                    fail("%s: exit status %s (%s)" % (label, rc, err))
                for f in sink.faults:
                    fail("%s: %s" % (label, f))
                if sink.quits != 1:
                    fail("%s: the session did not end with QUIT" % label)
                if len(sink.messages) != 1:
                    fail("%s: %d messages arrived" % (label, len(sink.messages)))
                    continue
                m = sink.messages[0]
                if m.mail_from != sender.encode():
                    fail("%s: MAIL FROM:<%r>" % (label, m.mail_from))
                if m.rcpts != [b"ops@example.net"]:
                    fail("%s: RCPT %r" % (label, m.rcpts))
                want_mode = "BDAT" if "CHUNKING" in exts and chunking else "DATA"
                if m.mode != want_mode:
                    fail("%s: sent with %s, expected %s" % (label, m.mode, want_mode))
                if m.data != expected:
                    i = next((k for k in range(min(len(m.data), len(expected)))
                              if m.data[k] != expected[k]),
                             min(len(m.data), len(expected)))
                    fail("%s: the message differs at byte %d of %d (got %d): "
                         "got %r, expected %r" % (label, i, len(expected),
                                                  len(m.data), m.data[i:i + 30],
                                                  expected[i:i + 30]))

    # A refusal must show in the exit status, and nothing must arrive.
    for what, kw in (("refused recipient", {"refuse_rcpt": True}),
                     ("refused message", {"refuse_message": True})):
        for exts in (EXTENSION_SETS[0], EXTENSION_SETS[2]):
            runs += 1
            label = "%s, EHLO offers %s" % (what, " ".join(exts) or "nothing")
            sink = Sink(exts, **kw).start()
            rc, err, finished = run_client(binary, sink, "a@example.com",
                                           "nobody@example.net",
                                           b"Subject: x\r\n\r\nx\r\n")
            if verbose:
                print("%s: exit %s (%s)" % (label, rc, err))
            if rc != 1:
                fail("%s: exit status %s, expected 1 (%s)" % (label, rc, err))
            if sink.messages:
                fail("%s: a message was stored" % label)
            for f in sink.faults:
                fail("%s: %s" % (label, f))

    # Usage errors.
    p = subprocess.run([binary], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=CLIENT_TIMEOUT)
    runs += 1
    if p.returncode != 2:
        fail("no arguments: exit status %d, expected 2" % p.returncode)

    print("%d runs, %d failures" % (runs, len(failures)))
    return 1 if failures else 0


# ---------------------------------------------------------------------------
# serve mode

def serve(port, exts, count):
    def show(m):
        print("MAIL FROM:<%s> RCPT %s, %d bytes by %s" % (
            m.mail_from.decode("utf-8", "replace"),
            ", ".join("<%s>" % r.decode("utf-8", "replace") for r in m.rcpts),
            len(m.data), m.mode))
        sys.stdout.write(m.data.decode("utf-8", "replace"))
        sys.stdout.write("-- end of message --\n")
        sys.stdout.flush()

    sink = Sink(exts, port=port, count=count, on_message=show)
    print("smtp_sink: listening on 127.0.0.1:%d, offering %s" % (
        sink.port, " ".join(sink.extensions) or "no extensions"), flush=True)
    sink.start()
    try:
        while sink.thread.is_alive():
            sink.thread.join(0.5)
    except KeyboardInterrupt:
        pass
    for f in sink.faults:
        print("smtp_sink: fault:", f)
    return 0


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="mode")
    c = sub.add_parser("check", help="test an smtp_send program")
    c.add_argument("binary")
    c.add_argument("--lockstep-data", action="store_true",
                   help="the client never uses BDAT (the SMTP sender)")
    c.add_argument("-v", "--verbose", action="store_true")
    s = sub.add_parser("serve", help="print what arrives")
    s.add_argument("--port", type=int, default=2525)
    s.add_argument("--ext", default="PIPELINING,8BITMIME",
                   help="comma-separated EHLO keywords to offer")
    s.add_argument("--count", type=int, default=None,
                   help="sessions to serve (default: until interrupted)")
    a = ap.parse_args(argv)
    if a.mode == "check":
        return check(a.binary, a.verbose, a.lockstep_data)
    if a.mode == "serve":
        return serve(a.port, [e for e in a.ext.split(",") if e], a.count)
    ap.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
