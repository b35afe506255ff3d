#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""minimail against Python's smtplib and poplib (and raw sockets where the
standard library has no client: BDAT, pipelined POP3, bare LF).

usage: minimail_python.py MINIMAIL [--valgrind] [--sanitized]

Starts minimail on 127.0.0.1 with kernel-chosen ports and a temporary
Maildir, then checks that what smtplib sends comes back byte-identical
through poplib (after the Return-Path and Received fields minimail adds,
RFC 5321 §4.4) and sits byte-identical in the Maildir: lines starting with
".", an 8-bit body sent with SMTPUTF8 and BODY=8BITMIME to UTF-8
addresses, a 5 MB message, BDAT chunks; AUTH PLAIN and LOGIN; TOP, UIDL,
DELE, RSET, APOP, the maildrop lock, POP3 pipelining; many clients at once;
a POP3 client that stops reading in the middle of a 5 MB RETR while others
are served; a clean stop on SIGTERM.

With --valgrind minimail runs under valgrind --error-exitcode=1
--leak-check=full and the workload is smaller; the test fails if valgrind
reports an error or a definite leak (skipped when valgrind is missing).
The valgrind run also runs minimail_imap.py's IMAP workload against a
second minimail under valgrind (when minimail has IMAP).
--sanitized (an ASan build) leaves out the check of minimail's peak
memory, which ASan's shadow memory and quarantine make meaningless.
"""
import os
import poplib
import smtplib
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Failure, Minimail, TempDir, big_body_fast, check,  # noqa: E402
                       dotty_body, find_program, has_feature, main, message,
                       skip, strip_trace)
from mwinterop import run as run_program  # noqa: E402

USERS = ("demo:demo", "alice:wonder land", "bob:builder")


def pop_retr(port, user, password, which=1):
    p = poplib.POP3("127.0.0.1", port, timeout=60)
    try:
        p.user(user)
        p.pass_(password)
        resp, lines, octets = p.retr(which)
        return b"\r\n".join(lines) + b"\r\n", resp, octets
    finally:
        p.quit()


def recv_until(sock, pattern, limit=1 << 20, timeout=60):
    """Read until `pattern` has arrived (bounded by `limit` and by the
    socket timeout on each read)."""
    sock.settimeout(timeout)
    data = bytearray()
    while True:
        chunk = sock.recv(1 << 20)
        if not chunk:
            raise Failure("connection closed waiting for %r; got %r"
                          % (pattern, bytes(data[-300:])))
        start = max(0, len(data) - len(pattern))
        data += chunk
        if data.find(pattern, start) >= 0:
            return bytes(data)
        if len(data) > limit:
            raise Failure("no %r in %d bytes" % (pattern, len(data)))


def recv_lines(sock, n, timeout=60):
    """Read until n CRLF-ended lines have arrived."""
    sock.settimeout(timeout)
    data = b""
    while data.count(b"\r\n") < n:
        chunk = sock.recv(65536)
        if not chunk:
            raise Failure("connection closed after %r" % data[-300:])
        data += chunk
    return data.split(b"\r\n")[:n]


class Test:
    def __init__(self, exe, valgrind, sanitized):
        self.exe = exe
        self.valgrind = valgrind
        self.sanitized = sanitized
        self.big = 5 * 1024 * 1024 if not valgrind else 1024 * 1024

    # ---- helpers ----------------------------------------------------------

    def smtp(self):
        return smtplib.SMTP("127.0.0.1", self.mm.ports["smtp"], timeout=120)

    def retr_all(self, user, password):
        """Every message of a user through POP3, in order, without deleting."""
        p = poplib.POP3("127.0.0.1", self.mm.ports["pop3"], timeout=120)
        p.user(user)
        p.pass_(password)
        count, _ = p.stat()
        out = []
        for i in range(1, count + 1):
            _, lines, _ = p.retr(i)
            out.append(b"\r\n".join(lines) + b"\r\n")
        p.quit()
        return out

    def expect_last(self, user, password, sent, what):
        """The newest message of `user` is `sent`, through POP3 and on disk."""
        got = self.retr_all(user, password)
        check(got, "%s: no message for %s" % (what, user))
        check(strip_trace(got[-1]) == sent,
              "%s: POP3 RETR differs from what was sent" % what)
        disk = self.mm.stored(user)
        check(any(strip_trace(d) == sent for d in disk),
              "%s: the Maildir file differs from what was sent" % what)

    # ---- SMTP ---------------------------------------------------------------

    def test_dots_and_auth(self):
        msg = message("dots", dotty_body())
        with self.smtp() as s:
            code, caps = s.ehlo("client.example")
            check(code == 250, "EHLO: %d" % code)
            for ext in ("pipelining", "size", "8bitmime", "smtputf8",
                        "chunking", "auth", "enhancedstatuscodes"):
                if ext == "chunking" and not self.chunking:
                    # compiled out (MW_WITH_SMTP_CHUNKING=OFF): never offered
                    check(not s.has_extn(ext), "EHLO offers CHUNKING")
                    continue
                check(s.has_extn(ext), "EHLO lacks " + ext)
            check(not s.has_extn("starttls"), "STARTTLS offered without TLS")
            check("PLAIN" in s.esmtp_features["auth"]
                  and "LOGIN" in s.esmtp_features["auth"], "AUTH mechanisms")
            s.login("demo", "demo")  # PLAIN with an initial response
            refused = s.sendmail("sender@example.org", ["demo@example.org"], msg)
            check(refused == {}, "refused: %r" % refused)
        self.expect_last("demo", "demo", msg, "dot lines")
        # AUTH LOGIN with and without an initial response; a password
        # with a space; a wrong password.
        for initial in (True, False):
            with self.smtp() as s:
                s.ehlo()
                s.user, s.password = "alice", "wonder land"
                code, _ = s.auth("LOGIN", s.auth_login, initial_response_ok=initial)
                check(code == 235, "AUTH LOGIN: %d" % code)
        with self.smtp() as s:
            s.ehlo()
            s.user, s.password = "demo", "demo"
            code, _ = s.auth("PLAIN", s.auth_plain, initial_response_ok=False)
            check(code == 235, "AUTH PLAIN after 334: %d" % code)
        with self.smtp() as s:
            try:
                s.login("demo", "wrong")
                raise Failure("a wrong password was accepted")
            except smtplib.SMTPAuthenticationError as e:
                check(e.smtp_code == 535, "wrong password: %d" % e.smtp_code)
        log = self.mm.log_text()
        check("wonder" not in log and "AGRlbW8AZGVtbw" not in log,
              "a password or an AUTH response is in the log")

    def test_utf8(self):
        body = ["Grüße aus Köln — ünïcödé", "日本語のテキスト", ".ëlan", ""]
        msg = message("8-bit", [b.encode("utf-8") for b in body],
                      [b"MIME-Version: 1.0",
                       b"Content-Type: text/plain; charset=utf-8",
                       b"Content-Transfer-Encoding: 8bit"])
        with self.smtp() as s:
            s.ehlo()
            refused = s.sendmail("jörg@exämple.org", ["demo@exämple.org"], msg,
                                 mail_options=["SMTPUTF8", "BODY=8BITMIME"])
            check(refused == {}, "UTF-8 refused: %r" % refused)
        self.expect_last("demo", "demo", msg, "SMTPUTF8 and 8BITMIME")
        stored = self.mm.stored("demo")
        check(any(d.startswith("Return-Path: <jörg@exämple.org>".encode("utf-8"))
                  and b" with UTF8SMTP" in d for d in stored),
              "Return-Path / Received do not show the UTF-8 sender")

    def test_big(self):
        msg = message("big", big_body_fast(self.big))
        with self.smtp() as s:
            s.ehlo()
            refused = s.sendmail("sender@example.org", ["bob@example.org"], msg)
            check(refused == {}, "big: %r" % refused)
        p = poplib.POP3("127.0.0.1", self.mm.ports["pop3"], timeout=120)
        p.user("bob")
        p.pass_("builder")
        count, octets = p.stat()
        resp, listing, _ = p.list()
        sizes = [int(x.split()[1]) for x in listing]
        resp, lines, _ = p.retr(count)
        p.quit()
        got = b"\r\n".join(lines) + b"\r\n"
        check(strip_trace(got) == msg, "big message differs after POP3")
        check(sizes[-1] == len(got), "LIST says %d, RETR gave %d"
              % (sizes[-1], len(got)))
        check(octets == sum(sizes), "STAT octets != sum of LIST")

    def test_bdat(self):
        """CHUNKING (RFC 3030) by hand: chunks cut inside CRLF, a lone "."
        line (not an end of data in BDAT), pipelined, then BDAT LAST."""
        msg = message("bdat", [b"one", b".", b"..two", b"three\xe9"])
        cuts = [0, 7, len(msg) // 2, len(msg) - 1, len(msg)]
        sock = socket.create_connection(("127.0.0.1", self.mm.ports["smtp"]),
                                        timeout=60)
        recv_until(sock, b"\r\n")
        if not self.chunking:
            # compiled out: BDAT is refused (502), its chunk never read
            sock.sendall(b"EHLO bdat.example\r\nMAIL FROM:<s@example.org>\r\n"
                         b"RCPT TO:<demo@x>\r\nBDAT 4 LAST\r\nQUIT\r\n")
            data = bytes(recv_until(sock, b"\r\n221 "))
            sock.close()
            codes = [int(x[:3]) for x in data.split(b"\r\n") if x[:1] != b""]
            check(codes[-4:] == [250, 250, 502, 221] and b"CHUNKING" not in data,
                  "BDAT without CHUNKING: %r" % data)
            print("     (CHUNKING not in this build: BDAT refused, as it must be)")
            return
        sock.sendall(b"EHLO bdat.example\r\n")
        recv_until(sock, b"250 ")
        out = b"MAIL FROM:<s@example.org> BODY=8BITMIME\r\nRCPT TO:<demo@x>\r\n"
        for a, b in zip(cuts, cuts[1:]):
            chunk = msg[a:b]
            last = b == len(msg)
            out += b"BDAT %d%s\r\n" % (len(chunk), b" LAST" if last else b"")
            out += chunk
        out += b"QUIT\r\n"
        sock.sendall(out)  # all of it pipelined
        lines = recv_lines(sock, 2 + (len(cuts) - 1) + 1)
        sock.close()
        codes = [int(x[:3]) for x in lines]
        check(codes == [250, 250] + [250] * (len(cuts) - 1) + [221],
              "BDAT replies: %r" % lines)
        self.expect_last("demo", "demo", msg, "BDAT")

    def test_refusals(self):
        with self.smtp() as s:
            s.ehlo()
            try:
                s.sendmail("a@example.org", ["nobody@example.org"], b"x\r\n")
                raise Failure("unknown recipient accepted")
            except smtplib.SMTPRecipientsRefused as e:
                code = e.recipients["nobody@example.org"][0]
                check(code == 550, "unknown recipient: %d" % code)
            # SIZE above the limit is refused at MAIL (RFC 1870 §6)
            code, _ = s.mail("a@example.org", ["SIZE=999999999999"])
            check(code == 552, "SIZE over the limit: %d" % code)
            s.rset()
            # one known and one unknown: delivered to the known one
            refused = s.sendmail("a@example.org", ["alice@x", "nobody@x"],
                                 message("partial", [b"hi"]))
            check(list(refused) == ["nobody@x"], "partial: %r" % refused)
        # bare LF inside DATA: refused, never an end of data (SMTP smuggling)
        sock = socket.create_connection(("127.0.0.1", self.mm.ports["smtp"]),
                                        timeout=60)
        recv_until(sock, b"\r\n")
        sock.sendall(b"EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<demo@x>\r\nDATA\r\n")
        recv_until(sock, b"354 ")
        before = len(self.mm.stored("demo"))
        sock.sendall(b"Subject: smuggle\r\n\r\nx\n.\nMAIL FROM:<evil@x>\r\n.\r\n")
        data = recv_until(sock, b"\r\n")
        check(data.startswith(b"554"), "bare LF: %r" % data)
        sock.sendall(b"QUIT\r\n")
        recv_until(sock, b"221")
        sock.close()
        check(len(self.mm.stored("demo")) == before, "a smuggling message was stored")

    def test_multi_rcpt(self):
        msg = message("to three", [b"for everyone"])
        with self.smtp() as s:
            s.ehlo()
            refused = s.sendmail("a@example.org",
                                 ["demo@x", "alice@y", "BOB@z", "<Postmaster>"[1:-1]],
                                 msg)
            check(refused == {}, "multi: %r" % refused)
        self.expect_last("alice", "wonder land", msg, "second recipient")
        self.expect_last("bob", "builder", msg, "third recipient")

    # ---- POP3 ---------------------------------------------------------------

    def test_pop3_commands(self):
        port = self.mm.ports["pop3"]
        # a fresh user with exactly three messages
        msgs = [message("pop %d" % i, [b"line %d" % i, b".", b"end"])
                for i in range(3)]
        with self.smtp() as s:
            s.ehlo()
            for m in msgs:
                s.sendmail("a@example.org", ["carol@x"], m)
        p = poplib.POP3("127.0.0.1", port, timeout=60)
        caps = p.capa()
        for c in ("TOP", "UIDL", "USER", "PIPELINING", "RESP-CODES"):
            check(c in caps, "CAPA lacks " + c)
        try:
            p.user("carol")
            p.pass_("bad")
            raise Failure("POP3 accepted a wrong password")
        except poplib.error_proto as e:
            check(b"[AUTH]" in e.args[0], "wrong password: %r" % e.args)
        p.quit()
        p = poplib.POP3("127.0.0.1", port, timeout=60)
        p.user("carol")
        p.pass_("c4rol")
        # the maildrop is locked (RFC 1939 §4)
        q = poplib.POP3("127.0.0.1", port, timeout=60)
        q.user("carol")
        try:
            q.pass_("c4rol")
            raise Failure("a second session got the maildrop")
        except poplib.error_proto as e:
            check(b"[IN-USE]" in e.args[0], "lock: %r" % e.args)
        q.quit()
        count, octets = p.stat()
        check(count == 3, "STAT count %d" % count)
        uidl1 = p.uidl()[1]
        check(len(set(uidl1)) == 3, "UIDL not unique: %r" % uidl1)
        check(p.uidl(2).split()[1:] == uidl1[1].split(), "UIDL 2 != UIDL list")
        # TOP 0: header and blank line; TOP 1: one body line
        for i, m in enumerate(msgs, 1):
            head = m.split(b"\r\n\r\n")[0]
            _, lines, _ = p.top(i, 0)
            got = strip_trace(b"\r\n".join(lines) + b"\r\n")
            check(got == head + b"\r\n\r\n", "TOP %d 0: %r" % (i, got))
            _, lines, _ = p.top(i, 2)
            got = strip_trace(b"\r\n".join(lines) + b"\r\n")
            check(got == head + b"\r\n\r\nline %d\r\n.\r\n" % (i - 1),
                  "TOP %d 2: %r" % (i, got))
        p.dele(1)
        check(p.stat()[0] == 2, "DELE not counted")
        try:
            p.retr(1)
            raise Failure("RETR of a deleted message")
        except poplib.error_proto:
            pass
        p.rset()
        check(p.stat()[0] == 3, "RSET did not undelete")
        p.dele(2)
        p.quit()  # UPDATE: message 2 goes
        p = poplib.POP3("127.0.0.1", port, timeout=60)
        p.user("carol")
        p.pass_("c4rol")
        uidl2 = p.uidl()[1]
        check([u.split()[1] for u in uidl2] ==
              [uidl1[0].split()[1], uidl1[2].split()[1]],
              "UIDLs after DELE: %r then %r" % (uidl1, uidl2))
        _, lines, _ = p.retr(2)
        check(strip_trace(b"\r\n".join(lines) + b"\r\n") == msgs[2],
              "message 3 became 2 and is intact")
        p.quit()
        # a session that ends without QUIT deletes nothing (RFC 1939 §6)
        p = poplib.POP3("127.0.0.1", port, timeout=60)
        p.user("carol")
        p.pass_("c4rol")
        p.dele(1)
        p.sock.close()
        time.sleep(0.3)
        p = poplib.POP3("127.0.0.1", port, timeout=60)
        p.user("carol")
        p.pass_("c4rol")
        check(p.stat()[0] == 2, "a dropped session deleted a message")
        p.quit()

    def test_pop3_pipelining(self):
        sock = socket.create_connection(("127.0.0.1", self.mm.ports["pop3"]),
                                        timeout=60)
        recv_until(sock, b"\r\n")
        sock.sendall(b"USER demo\r\nPASS demo\r\nSTAT\r\nLIST 1\r\nUIDL 1\r\n"
                     b"NOOP\r\nBOGUS\r\nQUIT\r\n")
        lines = recv_lines(sock, 8)
        sock.close()
        check([x.split(b" ")[0] for x in lines] ==
              [b"+OK"] * 6 + [b"-ERR", b"+OK"], "pipelined: %r" % lines)
        check(lines[3].split()[1] == b"1" and lines[4].split()[1] == b"1",
              "LIST 1 / UIDL 1: %r" % lines)

    def test_apop(self, workdir):
        if not has_feature(self.exe, "SASL_CRAM_MD5"):
            # compiled out: minimail refuses the option, says why
            out = run_program([self.exe, "--apop", "--maildir", workdir],
                              check_status=2)
            check(b"no APOP" in out.stderr, "--apop refused without a word")
            print("     (APOP not in this build: --apop refused, as it must be)")
            return
        mm = Minimail(self.exe, workdir, users=("demo:demo",), args=("--apop",),
                      name="apop", wrapper=self.wrapper).start()
        try:
            with smtplib.SMTP("127.0.0.1", mm.ports["smtp"], timeout=60) as s:
                msg = message("apop", [b"x"])
                s.sendmail("a@b.example", ["demo@x"], msg)
            p = poplib.POP3("127.0.0.1", mm.ports["pop3"], timeout=60)
            check(b"<" in p.getwelcome(), "no APOP timestamp: %r" % p.getwelcome())
            try:
                p.apop("demo", "wrong")
                raise Failure("APOP with a wrong secret accepted")
            except poplib.error_proto:
                pass
            p.quit()
            p = poplib.POP3("127.0.0.1", mm.ports["pop3"], timeout=60)
            p.apop("demo", "demo")
            _, lines, _ = p.retr(1)
            check(strip_trace(b"\r\n".join(lines) + b"\r\n") == msg, "APOP RETR")
            p.quit()
        finally:
            check(mm.stop() == 0, "the APOP instance did not stop cleanly")

    # ---- the loop -----------------------------------------------------------

    def test_concurrency(self):
        """Many clients at once, plus idle ones holding connections."""
        clients, per = (20, 5) if not self.valgrind else (6, 2)
        idle = [socket.create_connection(("127.0.0.1", self.mm.ports["smtp"]))
                for _ in range(30)]
        errors = []

        def worker(k):
            try:
                with self.smtp() as s:
                    s.ehlo()
                    for i in range(per):
                        s.sendmail("w%d@example.org" % k, ["dave@x"],
                                   message("c %d %d" % (k, i),
                                           [b"worker %d message %d" % (k, i)]))
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        for s in idle:
            s.close()
        check(not errors, "concurrent senders failed: %r" % errors[:3])
        stored = self.mm.stored("dave")
        check(len(stored) == clients * per, "%d messages stored, %d sent"
              % (len(stored), clients * per))
        bodies = {strip_trace(x).split(b"\r\n\r\n", 1)[1] for x in stored}
        check(len(bodies) == clients * per, "messages mixed up")

    def test_backpressure(self):
        """A POP3 client asks for a big message and does not read. The
        server must go on serving others (no blocking write), keep only a
        bounded queue for the stalled client (its peak memory stays far
        below the message size), and the client must get every byte once
        it reads."""
        size = 24 * 1024 * 1024 if not self.valgrind else 2 * 1024 * 1024
        msg = message("stall", big_body_fast(size))
        with self.smtp() as s:
            s.sendmail("a@example.org", ["erin@x"], msg)
        sock = socket.create_connection(("127.0.0.1", self.mm.ports["pop3"]),
                                        timeout=60)
        recv_until(sock, b"\r\n")
        sock.sendall(b"USER erin\r\nPASS erin\r\nRETR 1\r\nNOOP\r\nQUIT\r\n")
        first = recv_until(sock, b"octets\r\n")  # the RETR answer has started
        # Others are served meanwhile (a blocking server would hang here
        # until the socket timeout fails the test).
        with self.smtp() as s:
            s.ehlo()
            s.sendmail("a@example.org", ["demo@x"], message("meanwhile", [b"x"]))
        p = poplib.POP3("127.0.0.1", self.mm.ports["pop3"], timeout=60)
        p.user("demo")
        p.pass_("demo")
        p.stat()
        p.quit()
        data = first + recv_until(sock, b"+OK bye", limit=64 << 20, timeout=120)
        sock.close()
        rest = data.split(b"octets\r\n", 1)[1]
        body, tail = rest.split(b"\r\n.\r\n", 1)
        unstuffed = b"\r\n".join(l[1:] if l.startswith(b".") else l
                                 for l in (body + b"\r\n").split(b"\r\n"))
        check(strip_trace(unstuffed) == msg, "stalled RETR differs")
        check(tail.startswith(b"+OK") and b"+OK bye" in tail,
              "NOOP/QUIT after RETR: %r" % tail[:100])
        status = "/proc/%d/status" % self.mm.proc.pid
        if not self.valgrind and not self.sanitized and os.path.exists(status):
            with open(status) as f:
                hwm = [l for l in f if l.startswith("VmHWM:")]
            if hwm:
                peak = int(hwm[0].split()[1]) * 1024
                print("     minimail peak RSS %.1f MB for a %d MB message"
                      % (peak / 1048576.0, size >> 20))
                check(peak < size // 2, "minimail peak memory %d bytes: the "
                      "message was buffered" % peak)

    def test_imap_valgrind(self):
        """minimail_imap.py's workload, on its own minimail under valgrind
        (it needs mailboxes in a known state)."""
        import minimail_imap
        try:
            minimail_imap.Test(self.exe, True, self.sanitized).run()
        except SystemExit as e:
            if e.code != 77:
                raise
            print("     (IMAP not in this build: left out)")

    # ---- run ----------------------------------------------------------------

    def run(self):
        self.wrapper = ()
        self.chunking = has_feature(self.exe, "SMTP_CHUNKING")
        if self.valgrind:
            vg = find_program("valgrind")
            if vg is None:
                skip("valgrind is not installed")
            self.wrapper = (vg, "--error-exitcode=1", "--leak-check=full",
                            "--errors-for-leak-kinds=definite", "-q")
        with TempDir() as tmp:
            self.mm = Minimail(self.exe, tmp, users=USERS + ("carol:c4rol",
                                                             "dave:d", "erin:erin"),
                               wrapper=self.wrapper)
            self.mm.start()
            try:
                steps = [self.test_dots_and_auth, self.test_utf8, self.test_big,
                         self.test_bdat, self.test_refusals, self.test_multi_rcpt,
                         self.test_pop3_commands, self.test_pop3_pipelining,
                         lambda: self.test_apop(tmp), self.test_concurrency,
                         self.test_backpressure]
                if self.valgrind:
                    steps.append(self.test_imap_valgrind)
                for step in steps:
                    name = getattr(step, "__name__", "apop")
                    t0 = time.monotonic()
                    step()
                    print("ok   %-22s %.2fs" % (name, time.monotonic() - t0))
                    sys.stdout.flush()
            except Exception:
                print(self.mm.log_text()[-6000:])
                raise
            finally:
                status = self.mm.stop()
            log = self.mm.log_text()
            if status != 0:
                print(log[-8000:])
            check(status == 0, "minimail exit status %d on SIGTERM%s"
                  % (status, " (valgrind found errors)" if self.valgrind else ""))
            check(log.rstrip().endswith("minimail: stopped"), "no clean stop in the log")


def run():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    Test(sys.argv[1], "--valgrind" in sys.argv[2:],
         "--sanitized" in sys.argv[2:]).run()


if __name__ == "__main__":
    main(run)
