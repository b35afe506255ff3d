#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mailsend -> minimail -> mailfetch: every message comes back byte-identical.

usage: mail_roundtrip.py MINIMAIL MAILSEND MAILFETCH

mailsend sends messages to minimail in every way it can: BDAT chunks
(CHUNKING) or DATA with dot-stuffing, pipelined or not, from a file (SIZE
known) or a pipe, with AUTH, with LF line ends (sent as CRLF), 8-bit, and
5 MB. mailfetch then pulls them into a Maildir by IMAP with --keep, then
by POP3, first with --keep, then deleting; and more messages by IMAP,
deleting. Each fetched file must equal minimail's stored file, which
must be minimail's trace fields followed by exactly the bytes sent (line
ends made CRLF). Also checked: mailsend's and mailfetch's exit statuses
for every refusal (POP3 and IMAP), that -v never shows a password, and
APOP. The IMAP legs are left out (with a note) when minimail or mailfetch
was built without IMAP.
"""
import base64
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Failure, Minimail, TempDir, big_body_fast, check,  # noqa: E402
                       dotty_body, free_port, has_feature, main, message, run,
                       strip_trace)


def files(maildir):
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        if os.path.isdir(d):
            for n in sorted(os.listdir(d)):
                with open(os.path.join(d, n), "rb") as f:
                    out.append(f.read())
    return out


def imap_in(mailfetch):
    """Whether this mailfetch was built with its IMAP part."""
    r = run([mailfetch, "--maildir", "/nonexistent/x",
             "imap://u:p@127.0.0.1:1/INBOX"])
    return b"unknown scheme" not in r.stderr


def imap_leg(mm, mailfetch, send, tmp):
    """mailsend -> minimail -> mailfetch imap://, deleting: dots, 8-bit,
    5 MB; then the refusals."""
    port = mm.ports["imap"]
    sent = [message("imap leg dots", dotty_body()),
            message("imap leg 8bit", ["½ € ü".encode("utf-8"), b".\xe9"]),
            message("imap leg big", big_body_fast(5 << 20))]
    for m in sent:
        send(m, (), False)
    stored = mm.stored("demo")
    check(sorted(strip_trace(x) for x in stored) == sorted(sent),
          "minimail stored something other than what mailsend sent")
    out = os.path.join(tmp, "imap")
    run([mailfetch, "--maildir", out,
         "imap://demo:demo@127.0.0.1:%d" % port], check_status=0)
    check(sorted(files(out)) == sorted(stored), "mailfetch imap://: not identical")
    check(mm.stored("demo") == [], "mailfetch imap:// did not delete")
    r = run([mailfetch, "--maildir", out, "imap://demo:wrong@127.0.0.1:%d" % port])
    check(r.returncode == 4 and b"AUTHENTICATIONFAILED" in r.stderr,
          "imap wrong password: %d %r" % (r.returncode, r.stderr))
    r = run([mailfetch, "--maildir", out,
             "imap://demo:demo@127.0.0.1:%d/Nope" % port])
    check(r.returncode == 4 and b"NONEXISTENT" in r.stderr,
          "imap missing mailbox: %d %r" % (r.returncode, r.stderr))
    r = run([mailfetch, "--maildir", out,
             "imap://demo:demo@127.0.0.1:%d/INBOX" % free_port()])
    check(r.returncode == 3, "imap connection refused: %d" % r.returncode)


def test():
    if len(sys.argv) < 4:
        print(__doc__)
        sys.exit(2)
    minimail, mailsend, mailfetch = sys.argv[1:4]
    with TempDir() as tmp, Minimail(minimail, tmp,
                                    users=("demo:demo", "ann:s3cret")) as mm:
        server = "127.0.0.1:%d" % mm.ports["smtp"]
        pop = "pop3://demo:demo@127.0.0.1:%d" % mm.ports["pop3"]

        def send(msg, extra=(), pipe=False, to=("demo@example.org",), status=0):
            path = os.path.join(tmp, "in.eml")
            with open(path, "wb") as f:
                f.write(msg)
            cmd = [mailsend, "--server", server, "--from", "sender@example.org"]
            for t in to:
                cmd += ["--to", t]
            cmd += list(extra)
            if pipe:
                r = run(cmd, data=msg, check_status=status)
            else:
                with open(path, "rb") as f:
                    try:
                        r = subprocess.run(cmd, stdin=f, stdout=subprocess.PIPE,
                                           stderr=subprocess.PIPE, timeout=120)
                    except subprocess.TimeoutExpired:
                        raise Failure("mailsend timed out")
                if r.returncode != status:
                    raise Failure("mailsend %s: status %d, expected %d: %s"
                                  % (" ".join(extra), r.returncode, status,
                                     r.stderr.decode("utf-8", "replace")))
            return r

        expected = []
        cases = [
            ("bdat from a file", dotty_body(), [], False),
            ("data from a pipe", dotty_body(), ["--no-chunking"], True),
            ("no pipelining", dotty_body(), ["--no-chunking", "--no-pipelining"], False),
            ("bdat, no pipelining", dotty_body(), ["--no-pipelining"], True),
            ("8-bit", ["Grüße ½ €".encode("utf-8"), b".\xff\xfe"], [], False),
            ("auth", [b"with AUTH"], ["--user", "demo", "--password", "demo"], False),
            ("big bdat", big_body_fast(5 << 20), [], True),
            ("big data", big_body_fast(5 << 20), ["--no-chunking"], False),
        ]
        for name, body, extra, pipe in cases:
            msg = message("roundtrip " + name, body)
            send(msg, extra, pipe)
            expected.append(msg)
        # LF line ends: mailsend sends them as CRLF (RFC 5321 §2.3.8)
        lf = message("LF line ends", dotty_body()).replace(b"\r\n", b"\n")
        send(lf, (), True)
        send(lf, ["--no-chunking"], False)
        expected += [lf.replace(b"\n", b"\r\n")] * 2

        # -v shows the dialogue, never the password or its base64
        verbose_msg = message("verbose", [b"v"])
        r = send(verbose_msg, ["-v", "--user", "ann", "--password", "s3cret"],
                 False, to=("ann@example.org",))
        err = r.stderr.decode("utf-8", "replace")
        check("C: AUTH PLAIN ****" in err and "S: 235" in err,
              "mailsend -v: %s" % err[-2000:])
        secret_b64 = base64.b64encode(b"\0ann\0s3cret").decode()
        check("s3cret" not in err and secret_b64 not in err,
              "mailsend -v shows the password")

        # refusals and their exit statuses
        m = message("refusals", [b"x"])
        r = send(m, (), False, to=("demo@example.org", "nobody@example.org"), status=1)
        check(b"nobody@example.org" in r.stderr and b"550" in r.stderr,
              "partial refusal message: %r" % r.stderr)
        expected.append(m)
        r = send(m, (), False, to=("nobody@example.org",), status=4)
        check(b"550" in r.stderr, "all refused: %r" % r.stderr)
        r = send(m, ["--user", "demo", "--password", "wrong"], False, status=4)
        check(b"535" in r.stderr, "bad password: %r" % r.stderr)
        r = run([mailsend, "--server", "127.0.0.1:%d" % free_port(), "--from", "a@b",
                 "--to", "demo@example.org"], data=m)
        check(r.returncode == 3, "connection refused: status %d" % r.returncode)
        r = run([mailsend, "--from", "a@b"], data=m)
        check(r.returncode == 2, "usage: status %d" % r.returncode)
        r = run([mailsend, "--server", server, "--from", "a@b", "--to",
                 "bad address"], data=m)
        check(r.returncode == 2 and b"bad address" in r.stderr,
              "bad address: status %d %r" % (r.returncode, r.stderr))

        stored = mm.stored("demo")
        check(len(stored) == len(expected), "%d stored, %d expected"
              % (len(stored), len(expected)))
        check(sorted(strip_trace(s) for s in stored) == sorted(expected),
              "minimail stored something other than what mailsend sent")

        imap = None
        if "imap" in mm.ports and imap_in(mailfetch):
            imap = "imap://demo:demo@127.0.0.1:%d/INBOX" % mm.ports["imap"]
            out0 = os.path.join(tmp, "imap-keep")
            r = run([mailfetch, "-v", "--keep", "--maildir", out0, imap],
                    check_status=0)
            check(sorted(files(out0)) == sorted(stored),
                  "mailfetch imap:// --keep: not identical")
            check(b"LOGIN demo ****" in r.stderr and b" demo\r" not in r.stderr,
                  "mailfetch -v shows the IMAP password")
            check(len(mm.stored("demo")) == len(stored), "imap --keep deleted")
        else:
            print("note: IMAP legs left out (minimail or mailfetch without IMAP)")

        # mailfetch --keep, then mailfetch deleting
        out1 = os.path.join(tmp, "fetched-keep")
        run([mailfetch, "--maildir", out1, "--keep", pop], check_status=0)
        check(sorted(files(out1)) == sorted(stored), "mailfetch --keep: not identical")
        check(len(mm.stored("demo")) == len(stored), "--keep deleted messages")
        out2 = os.path.join(tmp, "fetched")
        r = run([mailfetch, "-v", "--maildir", out2, pop], check_status=0)
        check(b"PASS ****" in r.stderr and b"PASS demo" not in r.stderr,
              "mailfetch -v shows the password")
        check(sorted(files(out2)) == sorted(stored), "mailfetch: not identical")
        check(mm.stored("demo") == [], "mailfetch did not delete")
        out3 = os.path.join(tmp, "fetched-empty")
        run([mailfetch, "--maildir", out3, pop], check_status=0)
        check(files(out3) == [], "a second fetch found messages")

        # refusals of mailfetch
        r = run([mailfetch, "--maildir", out3,
                 "pop3://demo:wrong@127.0.0.1:%d" % mm.ports["pop3"]])
        check(r.returncode == 4 and b"[AUTH]" in r.stderr,
              "wrong password: %d %r" % (r.returncode, r.stderr))
        if imap is not None:
            imap_leg(mm, mailfetch, send, tmp)
        r = run([mailfetch, "--maildir", out3,
                 "pop3://demo:demo@127.0.0.1:%d" % free_port()])
        check(r.returncode == 3, "connection refused: %d" % r.returncode)
        # %XX in the URL: ann's password has no special character, so
        # encode every letter of it
        m = message("for ann", [b"ann"])
        send(m, (), False, to=("ann@example.org",))
        out4 = os.path.join(tmp, "ann")
        run([mailfetch, "--maildir", out4, "pop3://%%61nn:%%73%%33cret@127.0.0.1:%d"
             % mm.ports["pop3"]], check_status=0)
        check(sorted(strip_trace(x) for x in files(out4)) ==
              sorted([verbose_msg, m]), "ann's messages (%XX-encoded URL)")
        check(mm.stop() == 0, "minimail did not stop cleanly")

    # APOP against an --apop minimail
    if not has_feature(mailfetch, "SASL_CRAM_MD5"):
        # compiled out (MW_WITH_SASL_CRAM_MD5=OFF): both programs refuse the
        # option and say why
        for prog in (minimail, mailfetch):
            r = run([prog, "--apop", "--maildir", "unused", "pop3://a:b@127.0.0.1:1"],
                    check_status=2)
            check(b"no APOP" in r.stderr, "%s: --apop refused without a word" % prog)
        print("APOP not in this build: the APOP leg is left out")
        return
    with TempDir() as tmp, Minimail(minimail, tmp, args=("--apop",)) as mm:
        m = message("apop", dotty_body())
        run([mailsend, "--server", "127.0.0.1:%d" % mm.ports["smtp"], "--from",
             "a@example.org", "--to", "demo@example.org"], data=m, check_status=0)
        out = os.path.join(tmp, "apop")
        run([mailfetch, "--apop", "--maildir", out,
             "pop3://demo:demo@127.0.0.1:%d" % mm.ports["pop3"]], check_status=0)
        got = files(out)
        check(len(got) == 1 and strip_trace(got[0]) == m, "APOP fetch")
        check("C: APOP demo" in mm.log_text(), "mailfetch did not use APOP")
        check(mm.stop() == 0, "minimail did not stop cleanly")


if __name__ == "__main__":
    main(test)
