#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Test of the ctypes binding example (mailwire.py).

Usage: test_binding.py LIBMAILWIRE_SO LAYOUT_PROGRAM SOURCE_DIR

LAYOUT_PROGRAM is examples/python/layout.c built against the same headers:
it prints the C size of every mirrored struct and the offset of each field,
which must equal the ctypes mirrors'. SOURCE_DIR is the project root: the
public headers (contexts, version, status codes are read from them, so the
expectations do not come from the binding itself) and the RFC 5322
appendix A messages. Registered with ctest as "python_binding" by
examples/python/CMakeLists.txt.
"""
import calendar
import ctypes
import datetime
import gc
import os
import re
import subprocess
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, HERE)
import mailwire as mw  # noqa: E402

LIB_PATH = LAYOUT = SRC = None
lib = None
FEATURES = {}  # "ERROR_TEXT": 1, ... as layout.c prints them (features.h)


def texts():
    """True when the library has error texts (MW_ENABLE_ERROR_TEXT)."""
    if not FEATURES:
        layout()
    return FEATURES["ERROR_TEXT"] == 1


def header(name):
    with open(os.path.join(SRC, "include", "mailwire", name), "r",
              encoding="utf-8") as f:
        return f.read()


def layout():
    out = subprocess.run([LAYOUT], stdout=subprocess.PIPE, check=True,
                         timeout=60).stdout.decode("ascii")
    sizes, offsets, contexts = {}, {}, {}
    for line in out.splitlines():
        w = line.split()
        if w[0] == "feature":
            FEATURES[w[1]] = int(w[2])
        elif w[0] == "sizeof":
            sizes[w[1]] = int(w[2])
        elif w[0] == "offsetof":
            offsets.setdefault(w[1], {})[w[2]] = int(w[3])
        elif w[0] == "context":
            contexts[w[1]] = int(w[2])
    return sizes, offsets, contexts


def py_split(msg):
    """RFC 5322 §2.2 the simple way, for well-formed CRLF messages: a field
    starts on a line that does not begin with WSP, continuation lines
    belong to it, the first empty line ends the header."""
    fields, pos = [], 0
    while True:
        end = msg.index(b"\r\n", pos)
        if end == pos:
            return fields, end + 2
        line = msg[pos:end]
        if line[:1] in (b" ", b"\t"):
            name, raw, off = fields[-1]
            fields[-1] = (name, raw + b"\r\n" + line, off)
        else:
            name, _, raw = line.partition(b":")
            fields.append((name, raw, pos))
        pos = end + 2


class Binding(unittest.TestCase):

    # ---- ABI: layouts, contexts, version, statuses ----

    def test_mirrors_match_the_c_layout(self):
        sizes, offsets, _ = layout()
        mirrored = set()
        for cls in mw.MIRRORS:
            name = cls._c_name_
            mirrored.add(name)
            self.assertIn(name, sizes, "layout.c does not print %s" % name)
            self.assertEqual(ctypes.sizeof(cls), sizes[name], "sizeof " + name)
            c_fields = offsets.get(name, {})
            py_fields = {f[0]: getattr(cls, f[0]).offset for f in cls._fields_}
            self.assertEqual(py_fields, c_fields, "fields of " + name)
        # Nothing printed by layout.c is left without a mirror.
        self.assertEqual(set(sizes) - mirrored, set())

    def test_every_context_has_a_size(self):
        # Every "MW_API size_t mw_X_sizeof(void)" of the public headers.
        decl = re.compile(r"MW_API\s+size_t\s+(mw_[a-z0-9_]+)_sizeof\s*\(\s*void\s*\)")
        found = {}
        for name in os.listdir(os.path.join(SRC, "include", "mailwire")):
            if name.endswith(".h"):
                for ctx in decl.findall(header(name)):
                    found[ctx] = name
        self.assertIn("mw_hdr_parser", found)
        self.assertIn("mw_smtp_server", found)
        _, _, c_sizes = layout()
        checked = 0
        for ctx in sorted(found):
            fn = ctx + "_sizeof"
            if not lib.has(fn):
                continue  # its module is not in this build
            f = getattr(lib.dll, fn)
            f.restype, f.argtypes = ctypes.c_size_t, []
            n = f()
            self.assertGreater(n, 0, fn)
            self.assertEqual(n % ctypes.sizeof(ctypes.c_void_p), 0, fn)
            if ctx in c_sizes:
                # The library and the headers agree (a binding would
                # corrupt memory if they did not).
                self.assertEqual(n, c_sizes[ctx], fn)
                checked += 1
            ctxmem = lib.context(fn)
            self.assertEqual(ctxmem.ptr.value % 16, 0)
            self.assertEqual(ctxmem.size, n)
        self.assertGreaterEqual(checked, 2)

    def test_version(self):
        h = header("version.h")
        want = tuple(int(re.search(r"#define MW_VERSION_%s (\d+)" % p, h).group(1))
                     for p in ("MAJOR", "MINOR", "PATCH"))
        self.assertEqual(lib.version(), want)
        self.assertEqual(lib.version_string(), "%d.%d.%d" % want)

    def test_status_codes(self):
        # The enum of core.h, value by value: names and texts come from
        # the library, the values from the header.
        body = re.search(r"typedef enum mw_status \{(.*?)\} mw_status;",
                         header("core.h"), re.S).group(1)
        codes = re.findall(r"\b(MW_[A-Z0-9_]+) = (-?\d+)", body)
        self.assertGreater(len(codes), 30)
        for name, value in codes:
            value = int(value)
            if name.endswith("_END_"):
                continue
            self.assertEqual(lib.status_name(value), name)
            if texts():
                self.assertNotEqual(lib.strerror(value), "unknown status", name)
            else:  # no error texts: the name stands for the message
                self.assertEqual(lib.strerror(value), name)
            self.assertEqual(lib.dll.mw_is_fatal(value), 1 if value <= -100 else 0)
        self.assertEqual(lib.status_name(12345), "MW_E_UNKNOWN")
        self.assertEqual(lib.strerror(12345),
                         "unknown status" if texts() else "MW_E_UNKNOWN")
        self.assertEqual(lib.error_texts(), texts())
        # The binding's restated constants agree with the header.
        values = dict((n, int(v)) for n, v in codes)
        for name in dir(mw):
            if name in values:
                self.assertEqual(getattr(mw, name), values[name], name)

    # ---- RFC 5322 ----

    def test_split_rfc5322_a1(self):
        for name in ("a1_1a.eml", "a1_3.eml", "a2_2.eml", "a5.eml"):
            path = os.path.join(SRC, "tests", "vectors", "rfc5322", name)
            with open(path, "rb") as f:
                msg = f.read()
            want, body = py_split(msg)
            fields, defects, body_offset = lib.split_header(msg)
            self.assertEqual(defects, [], name)
            self.assertEqual(body_offset, body, name)
            self.assertEqual([(n, r, o) for n, r, _, o, _ in fields], want, name)
            for n, raw, value, _, _ in fields:
                unfolded = raw.replace(b"\r\n", b"").strip(b" \t")
                self.assertEqual(value, unfolded, name)
            # Any chunking, same events.
            for chunk in (1, 2, 3, 7, 64):
                self.assertEqual(lib.split_header(msg, chunk=chunk),
                                 (fields, defects, body_offset), (name, chunk))

    def test_split_defect(self):
        msg = (b"Subject: hi\r\nthis line has no colon\r\nTo: a@b.example\r\n"
               b"\r\nbody\r\n")
        fields, defects, body = lib.split_header(msg)
        self.assertEqual([f[0] for f in fields], [b"Subject", b"To"])
        self.assertEqual(len(defects), 1)
        code, kind, offset, reason, raw = defects[0]
        self.assertEqual(code, mw.MW_E_SYNTAX)
        self.assertEqual(kind, 8)  # MW_HDR_D_NO_COLON, fixed value
        self.assertEqual(offset, msg.index(b"this line"))
        self.assertEqual(raw, b"this line has no colon")
        self.assertEqual(bool(reason), texts())  # "" without error texts
        self.assertEqual(body, msg.index(b"\r\n\r\n") + 4)

    def test_split_nul_and_8bit_bytes_survive(self):
        # Spans are pointer + length: a NUL is data, not an end.
        msg = b"X-Bin: a\x00b\xff\r\n\r\n"
        fields, defects, _ = lib.split_header(msg)
        self.assertEqual(fields[0][1], b" a\x00b\xff")
        self.assertIn(-10, [d[0] for d in defects])  # MW_E_NUL reported

    def test_addresses(self):
        # RFC 5322 appendix A.1.2 and A.1.3.
        v = (b"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>,"
             b" A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;")
        a = lib.parse_addresses(v)
        self.assertEqual([x["addr_spec"] for x in a],
                         [b"pete@silly.test", b"c@a.test", b"joe@where.test",
                          b"jdoe@one.test"])
        self.assertEqual(a[0]["display"], b"Pete")
        self.assertEqual([x["group"] for x in a[1:]], [b"A Group"] * 3)
        self.assertEqual(a[1]["display"], b"Ed Jones")
        for x in a:
            self.assertEqual(x["raw_offset"], x["offset"])
            self.assertFalse(x["invalid"])
        # Many entries: the wrapper grows its array on MW_E_NOSPACE.
        many = b", ".join(b"u%d@example.com" % i for i in range(100))
        self.assertEqual(len(lib.parse_addresses(many)), 100)
        # A bad entry is salvaged, with its error's offset in the value.
        bad = b"ok@example.com, broken@"
        a = lib.parse_addresses(bad)
        self.assertEqual(len(a), 2)
        self.assertTrue(a[1]["invalid"])
        self.assertEqual(a[1]["addr_spec"], None)
        self.assertEqual(a[1]["error"][0], mw.MW_E_SYNTAX)
        self.assertGreaterEqual(a[1]["error"][1], bad.index(b"broken"))
        self.assertLessEqual(a[1]["error"][1], len(bad))

    def test_date(self):
        d = lib.parse_date(b"Fri, 21 Nov 1997 09:55:06 -0600")
        tz = datetime.timezone(datetime.timedelta(hours=-6))
        want = int(datetime.datetime(1997, 11, 21, 9, 55, 6, tzinfo=tz).timestamp())
        self.assertEqual(d["epoch"], want)
        self.assertEqual((d["year"], d["month"], d["day"], d["zone"], d["wday"]),
                         (1997, 11, 21, -360, 5))  # 5: Friday
        d = lib.parse_date(b"Thu,\r\n      13\r\n        Feb\r\n          1969\r\n"
                           b"      23:32\r\n               -0330 (Newfoundland Time)")
        self.assertEqual(d["epoch"], calendar.timegm((1969, 2, 14, 3, 2, 0)))
        bad = b"Fri, 31 Nov 1997 09:55:06 -0600"
        with self.assertRaises(mw.MailwireError) as cm:
            lib.parse_date(bad)
        self.assertEqual(cm.exception.status, mw.MW_E_DATE)
        self.assertEqual(cm.exception.name, "MW_E_DATE")
        self.assertEqual(cm.exception.offset, bad.index(b"31"))
        self.assertEqual(bool(cm.exception.reason), texts())

    # ---- the SMTP server, driven by Python callbacks ----

    SESSION = (b"EHLO client.example\r\n"
               b"MAIL FROM:<alice@client.example> SIZE=40\r\n"
               b"RCPT TO:<bob@server.example>\r\n"
               b"RCPT TO:<nobody@server.example>\r\n"
               b"DATA\r\n"
               b"Subject: dots\r\n\r\n..one\r\n...two\r\nend\r\n.\r\n"
               b"MAIL FROM:bad\r\n"
               b"QUIT\r\n")

    def run_session(self, chunk):
        log = []

        def on_command(s, c):
            log.append(("cmd", c.name, c.arg if c.name == "EHLO" else c.mailbox))
            if c.name == "MAIL":
                log.append(("size", c.size))
            if c.name == "RCPT" and c.mailbox.startswith(b"nobody"):
                return 550, b"5.1.1 No such user"
            s.reply_default()

        data = []
        errors = []
        srv = mw.SmtpServer(lib, hostname=b"mx.server.example",
                            extensions=mw.MW_SMTP_EXT_PIPELINING |
                            mw.MW_SMTP_EXT_ENHANCEDSTATUSCODES |
                            mw.MW_SMTP_EXT_SIZE,
                            max_message_size=1000, on_command=on_command,
                            on_data=lambda s, b: data.append(b),
                            on_data_end=lambda s, st: (250, b"2.0.0 queued"),
                            on_error=lambda s, st, off, why: errors.append((st, off)))
        srv.start()
        off, rc = 0, mw.MW_OK
        while off < len(self.SESSION) and rc != mw.MW_DONE:
            rc, used = srv.feed_all(self.SESSION[off:off + chunk])
            off += used
        self.assertEqual(rc, mw.MW_DONE)
        self.assertEqual(srv.want(), mw.MW_SMTP_SERVER_WANT_CLOSED)
        return bytes(srv.output), log, b"".join(data), errors

    def test_smtp_session_any_chunking(self):
        out, log, data, errors = self.run_session(len(self.SESSION))
        self.assertEqual(log, [("cmd", "EHLO", b"client.example"),
                               ("cmd", "MAIL", b"alice@client.example"),
                               ("size", 40),
                               ("cmd", "RCPT", b"bob@server.example"),
                               ("cmd", "RCPT", b"nobody@server.example"),
                               ("cmd", "DATA", b""),
                               ("cmd", "QUIT", b"")])
        # RFC 5321 §4.5.2: one leading dot removed.
        self.assertEqual(data, b"Subject: dots\r\n\r\n.one\r\n..two\r\nend\r\n")
        lines = out.split(b"\r\n")
        self.assertTrue(lines[0].startswith(b"220 mx.server.example"))
        self.assertIn(b"250-SIZE 1000", lines)
        codes = [l[:3] for l in lines if l and l[3:4] == b" "]
        self.assertEqual(codes, [b"220", b"250", b"250", b"250", b"550", b"354",
                                 b"250", b"501", b"221"])
        self.assertIn(b"550 5.1.1 No such user", lines)
        self.assertIn(b"250 2.0.0 queued", lines)
        # The bad MAIL was answered by the machine and reported, with the
        # stream offset of the bad path (after "MAIL FROM:").
        self.assertEqual(len(errors), 1)
        self.assertEqual(errors[0][0], mw.MW_E_SYNTAX)
        self.assertEqual(errors[0][1], self.SESSION.index(b"MAIL FROM:bad") + 10)
        for chunk in (1, 2, 5, 13):
            self.assertEqual(self.run_session(chunk), (out, log, data, errors), chunk)

    def test_smtp_reply_later(self):
        # The application answers RCPT after feed() returned (an
        # asynchronous lookup): the machine waits and says so.
        owed = []

        def on_command(s, c):
            if c.name == "RCPT":
                owed.append(c.mailbox)
                return None  # no reply now
            return 250, b"Ok"

        srv = mw.SmtpServer(lib, on_command=on_command)
        srv.start()
        session = (b"HELO c.example\r\nMAIL FROM:<a@c.example>\r\n"
                   b"RCPT TO:<b@s.example>\r\nNOOP\r\n")
        rc, used = srv.feed_all(session)
        self.assertEqual(rc, mw.MW_PAUSED)
        self.assertTrue(srv.want() & mw.MW_SMTP_SERVER_WANT_REPLY)
        self.assertEqual(srv.pending(), "RCPT")
        self.assertEqual(used, session.index(b"NOOP"))
        self.assertEqual(owed, [b"b@s.example"])
        # Greeting, HELO and MAIL answered; RCPT not yet, NOOP not read.
        self.assertEqual(srv.output.count(b"\r\n"), 3)
        srv.reply(250, b"Ok later")
        rc, used2 = srv.feed_all(session[used:])
        self.assertEqual(rc, mw.MW_OK)
        self.assertEqual(used + used2, len(session))
        lines = bytes(srv.output).split(b"\r\n")
        self.assertEqual(len(lines), 6)  # 5 replies and the empty tail
        self.assertEqual(lines[3], b"250 Ok later")
        self.assertTrue(lines[4].startswith(b"250 "), lines)  # NOOP's

    def test_exception_in_callback_aborts(self):
        def boom(s, b):
            raise ValueError("disk full")

        srv = mw.SmtpServer(lib, on_data=boom)
        srv.start()
        with self.assertRaises(ValueError):
            srv.feed_all(b"HELO c.example\r\nMAIL FROM:<a@c.example>\r\n"
                         b"RCPT TO:<b@s.example>\r\nDATA\r\nhello\r\n.\r\n")
        # The machine is dead for good: the abort is fatal.
        rc, _ = srv.feed(b"NOOP\r\n")
        self.assertEqual(rc, mw.MW_E_CALLBACK)

    def test_callbacks_outlive_garbage_collection(self):
        srv = mw.SmtpServer(lib, on_command=lambda s, c: (250, b"fine"))
        gc.collect()
        srv.start()
        gc.collect()
        rc, _ = srv.feed_all(b"HELO c.example\r\n")
        self.assertEqual(rc, mw.MW_OK)
        self.assertTrue(srv.output.endswith(b"250 fine\r\n"))


def main():
    global LIB_PATH, LAYOUT, SRC, lib
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    LIB_PATH, LAYOUT, SRC = sys.argv[1:4]
    lib = mw.Library(LIB_PATH)
    prog = unittest.main(argv=[sys.argv[0]] + sys.argv[4:], exit=False,
                         verbosity=2)
    return 0 if prog.result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
