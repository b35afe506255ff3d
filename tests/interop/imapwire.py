# SPDX-License-Identifier: MIT
"""Small IMAP helpers for the interoperability tests: a parser for the
parenthesised data of FETCH responses (RFC 9051 §9: atoms, numbers,
quoted strings, literals, NIL, lists), a way to put imaplib's FETCH
results back into wire form for it, and a raw client for what imaplib
cannot do (pipelining, IDLE in Python < 3.14, a client that stops
reading).

Written for the tests from the RFC grammar; nothing here comes from the
library under test.
"""
import re
import socket

from mwinterop import Failure


class Nil:
    """IMAP NIL (kept apart from the empty string "")."""

    def __repr__(self):
        return "NIL"


NIL = Nil()


def parse(data):
    """Parse one or more IMAP values from bytes: returns a list. Lists are
    Python lists, strings bytes, NIL is NIL, atoms and numbers bytes too
    (an atom with a [section] keeps it whole: b'BODY[1.MIME]')."""
    out, stack, i, n = [], [], 0, len(data)
    cur = out
    while i < n:
        c = data[i:i + 1]
        if c in (b" ", b"\r", b"\n"):
            i += 1
        elif c == b"(":
            stack.append(cur)
            cur.append([])
            cur = cur[-1]
            i += 1
        elif c == b")":
            if not stack:
                raise Failure("unbalanced ')' at %d in %r" % (i, data[:200]))
            cur = stack.pop()
            i += 1
        elif c == b'"':
            j, buf = i + 1, bytearray()
            while data[j:j + 1] != b'"':
                if j >= n:
                    raise Failure("unterminated string in %r" % data[:200])
                if data[j:j + 1] == b"\\":
                    j += 1
                buf += data[j:j + 1]
                j += 1
            cur.append(bytes(buf))
            i = j + 1
        elif c in (b"{", b"~"):
            m = re.compile(rb"~?\{(\d+)\+?\}\r\n").match(data, i)
            if m is None:
                raise Failure("bad literal at %d in %r" % (i, data[i:i + 50]))
            size = int(m.group(1))
            cur.append(data[m.end():m.end() + size])
            i = m.end() + size
        else:
            j, depth = i, 0
            while j < n:
                d = data[j:j + 1]
                if d == b"[":
                    depth += 1
                elif d == b"]":
                    depth -= 1
                elif depth == 0 and d in (b" ", b"(", b")", b"\r", b"\n"):
                    break
                j += 1
            atom = data[i:j]
            cur.append(NIL if atom.upper() == b"NIL" else atom)
            i = j
    if stack:
        raise Failure("unbalanced '(' in %r" % data[:200])
    return out


def wire(fetch_data):
    """imaplib's FETCH data (bytes and (prefix, literal) tuples) back to
    the bytes the server sent (without the "* " and the line ends)."""
    out = bytearray()
    for part in fetch_data:
        if isinstance(part, tuple):
            out += part[0] + b"\r\n" + part[1]
        elif part is not None:
            out += part
    return bytes(out)


def fetch_dicts(fetch_data):
    """{seq: {ITEM: value}} from imaplib's FETCH data."""
    vals = parse(wire(fetch_data))
    res = {}
    for k in range(0, len(vals) - 1, 2):
        seq, items = int(vals[k]), vals[k + 1]
        d = res.setdefault(seq, {})
        for a in range(0, len(items) - 1, 2):
            d[items[a].upper().decode()] = items[a + 1]
    return res


class Raw:
    """A bare IMAP connection: send bytes, read whole responses (a line
    with its literals)."""

    def __init__(self, port, timeout=60):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buf = b""
        self.greeting = self.response()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self):
        chunk = self.sock.recv(1 << 20)
        if not chunk:
            raise Failure("connection closed; have %r" % self.buf[-300:])
        self.buf += chunk

    def response(self):
        """One response: its text up to CRLF, literals inline."""
        out = b""
        while True:
            while b"\r\n" not in self.buf:
                self._fill()
            line, self.buf = self.buf.split(b"\r\n", 1)
            out += line
            m = re.search(rb"\{(\d+)\+?\}$", line)
            if m is None:
                return out
            size = int(m.group(1))
            while len(self.buf) < size:
                self._fill()
            out += b"\r\n" + self.buf[:size]
            self.buf = self.buf[size:]

    def until(self, tag):
        """Responses up to and including the tagged one for `tag`."""
        got = []
        while True:
            r = self.response()
            got.append(r)
            if r.startswith(tag + b" "):
                return got

    def command(self, tag, text):
        self.send(tag + b" " + text + b"\r\n")
        return self.until(tag)

    def close(self):
        self.sock.close()
