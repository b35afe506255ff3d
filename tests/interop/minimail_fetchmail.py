#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""minimail against fetchmail: POP3 retrieval by a real mail fetcher.

usage: minimail_fetchmail.py MINIMAIL
       (minimail_fetchmail.py --mda DIR is how fetchmail calls it back)

Messages sent by SMTP (smtplib) are fetched by fetchmail from minimail's
POP3 server and handed to an MDA (this script with --mda, which writes
each message it reads on standard input to the next numbered file). Each
must be byte-identical to minimail's Maildir file apart from the one
Received field fetchmail adds (after the Return-Path field, RFC 5321
§4.4), checked for its form and removed exactly as strip_trace() removes
minimail's trace fields; what remains after those must be what was sent:
dot lines, an 8-bit body, 5 MB.

fetchmail runs from a private rc file (mode 0600, which it requires) in a
private FETCHMAILHOME, never as a daemon, on 127.0.0.1, with a bounded
timeout, "no rewrite" (no header changes) and "no stripcr" (keep the CRLF
line ends POP3 delivers). minimail offers no STLS here (no certificate),
and fetchmail's opportunistic STLS is turned off (sslproto "").

Checked, in order: `keep` with `uidl` fetches the three messages and
leaves them; after a fourth message a second `keep uidl` poll fetches only
that one (fetchmail's own UIDL list against minimail's UIDL); `fetchall`
without `keep` fetches the four again and deletes them (minimail's Maildir
is empty after fetchmail's QUIT); then fetchmail finds no mail (status 1);
a wrong password fails with status 3 (authentication) and the password
never appears in minimail's log. Skipped (77) without fetchmail.
"""
import getpass
import os
import re
import shlex
import smtplib
import stat
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Failure, Minimail, TempDir, big_body_fast, check,  # noqa: E402
                       dotty_body, find_program, main, message, run, skip,
                       strip_trace)

USER, PASSWORD = "fetch", "s3cret word"

# The Received field fetchmail 6 adds (fetchmail's transact.c): its host,
# the server's name and address, the protocol and version, the local
# recipient with "(single-drop)" for a single user, and a date.
FM_RECEIVED = re.compile(
    rb"Received: from 127\.0\.0\.1 \[127\.0\.0\.1\]\r\n"
    rb"\tby [^\r\n]+ with POP3 \(fetchmail-[0-9][0-9.]*[^)\r\n]*\)\r\n"
    rb"\tfor <[^\r\n>]+> \(single-drop\); [^\r\n]+\r\n")


def mda(outdir):
    """fetchmail's MDA: standard input into the next free numbered file."""
    data = sys.stdin.buffer.read()
    i = 1
    while True:
        path = os.path.join(outdir, "%04d.eml" % i)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            i += 1
            continue
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        return 0


def strip_fetchmail(fetched):
    """Remove fetchmail's Received field, which it puts right after the
    Return-Path field (minimail's first line)."""
    eol = fetched.find(b"\r\n")
    check(fetched.startswith(b"Return-Path: ") and eol > 0,
          "fetched message does not start with Return-Path: %r" % fetched[:200])
    m = FM_RECEIVED.match(fetched, eol + 2)
    if m is None:
        raise Failure("no fetchmail Received field after Return-Path:\n%r"
                      % fetched[:400])
    return fetched[:eol + 2] + fetched[m.end():]


class Fetcher:
    """fetchmail with a private rc file and home, one poll per run()."""

    def __init__(self, exe, tmp, port):
        self.exe = exe
        self.port = port
        self.home = os.path.join(tmp, "fetchmail-home")
        self.out = os.path.join(tmp, "fetched")
        self.rc = os.path.join(self.home, "fetchmailrc")
        os.makedirs(self.home, mode=0o700)
        os.makedirs(self.out)
        self.local = getpass.getuser()
        self.mda = "%s %s --mda %s" % (shlex.quote(sys.executable),
                                       shlex.quote(os.path.abspath(__file__)),
                                       shlex.quote(self.out))
        check('"' not in self.mda and "\\" not in self.mda,
              "a temporary path that the rc file cannot quote: " + self.mda)

    def run(self, options, uidl=False, password=PASSWORD):
        """Poll once with these user `options` (and the server option
        `uidl`: fetchmail keeps its own list of the UIDs seen); returns
        (status, output, the files the MDA wrote in this run, in order)."""
        before = set(os.listdir(self.out))
        rc = ("set no syslog\n"
              "set no bouncemail\n"
              "poll 127.0.0.1 with proto POP3 port %d timeout 60\n"
              "  auth password%s\n"
              "  user \"%s\" there with password \"%s\" is \"%s\" here\n"
              "  sslproto \"\"\n"
              "  options %s no rewrite no stripcr\n"
              "  mda \"%s\"\n"
              % (self.port, " uidl" if uidl else "", USER, password,
                 self.local, options, self.mda))
        fd = os.open(self.rc, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(rc)
        os.chmod(self.rc, stat.S_IRUSR | stat.S_IWUSR)
        env = dict(os.environ, HOME=self.home, FETCHMAILHOME=self.home)
        r = run([self.exe, "--fetchmailrc", self.rc, "-v"], timeout=300,
                env=env)
        new = sorted(set(os.listdir(self.out)) - before)
        got = []
        for n in new:
            with open(os.path.join(self.out, n), "rb") as f:
                got.append(f.read())
        return r.returncode, r.stdout + r.stderr, got


def stored_in_order(mm):
    """minimail's files of USER (new/ and cur/) in arrival order: names
    start with the delivery time (maildir.c)."""
    files = []
    for sub in ("new", "cur"):
        d = os.path.join(mm.maildir(USER), sub)
        files += [(n.split(":")[0], os.path.join(d, n)) for n in os.listdir(d)]
    out = []
    for _, path in sorted(files):
        with open(path, "rb") as f:
            out.append(f.read())
    return out


def send(mm, msgs):
    with smtplib.SMTP("127.0.0.1", mm.ports["smtp"], timeout=120) as s:
        for m in msgs:
            refused = s.sendmail("sender@example.org", [USER + "@example.org"], m)
            check(not refused, "SMTP refused: %r" % refused)


def test():
    if len(sys.argv) >= 3 and sys.argv[1] == "--mda":
        sys.exit(mda(sys.argv[2]))
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    fetchmail = find_program("fetchmail", ("/usr/bin", "/usr/local/bin"))
    if fetchmail is None:
        skip("fetchmail is not installed (apt-get install fetchmail)")
    with TempDir() as tmp, Minimail(sys.argv[1], tmp,
                                    users=("demo:demo", USER + ":" + PASSWORD)) as mm:
        fm = Fetcher(fetchmail, tmp, mm.ports["pop3"])
        sent = [
            message("fetchmail dots", dotty_body()),
            message("fetchmail 8bit", ["Grüße, ça va? ½".encode("utf-8"),
                                       b".\xe9t\xe9", b"\xff\xfe raw bytes"]),
            message("fetchmail big", big_body_fast(5 * 1024 * 1024)),
        ]
        send(mm, sent)
        stored = stored_in_order(mm)
        check(len(stored) == 3, "minimail stored %d messages" % len(stored))

        def same(got, want_sent, want_stored, what):
            check(len(got) == len(want_sent), "%s: fetchmail delivered %d "
                  "messages, expected %d" % (what, len(got), len(want_sent)))
            for i, (g, s, d) in enumerate(zip(got, want_sent, want_stored)):
                g = strip_fetchmail(g)
                check(g == d, "%s: message %d differs from minimail's file"
                      % (what, i + 1))
                check(strip_trace(g) == s, "%s: message %d differs from what "
                      "was sent" % (what, i + 1))

        # 1. keep + uidl: all three, left on the server
        status, out, got = fm.run("keep", uidl=True)
        check(status == 0, "fetchmail keep: status %d\n%s" % (status, out[-3000:]))
        same(got, sent, stored, "keep")
        check(stored_in_order(mm) == stored, "keep: the Maildir changed")

        # 2. one more message: a keep + uidl poll fetches only that one
        fourth = message("fetchmail fourth", [b"only this one is new", b"."])
        send(mm, [fourth])
        stored = stored_in_order(mm)  # cur/ (3) and new/ (1)
        status, out, got = fm.run("keep", uidl=True)
        check(status == 0, "fetchmail uidl: status %d\n%s" % (status, out[-3000:]))
        check(len(got) == 1, "uidl: fetchmail delivered %d messages, expected "
              "only the new one\n%s" % (len(got), out[-3000:]))
        same(got, [fourth], [d for d in stored if strip_trace(d) == fourth], "uidl")

        # 3. fetchall without keep: all four, then deleted at QUIT
        status, out, got = fm.run("fetchall")
        check(status == 0, "fetchmail fetchall: status %d\n%s" % (status, out[-3000:]))
        same(got, sent + [fourth], stored, "fetchall")
        left = stored_in_order(mm)
        check(left == [], "fetchall: %d messages left in the Maildir" % len(left))

        # 4. nothing left: status 1 (no mail)
        status, out, got = fm.run("fetchall")
        check(status == 1 and got == [], "empty maildrop: status %d, %d messages\n%s"
              % (status, len(got), out[-3000:]))

        # 5. a wrong password: status 3 (authentication failed)
        status, out, got = fm.run("fetchall", password="Wr0ng-pa55")
        check(status == 3, "wrong password: status %d\n%s" % (status, out[-3000:]))
        log = mm.log_text()
        check(PASSWORD not in log and "Wr0ng-pa55" not in log,
              "a password appears in minimail's log")
        check(mm.stop() == 0, "minimail did not stop cleanly")


if __name__ == "__main__":
    main(test)
