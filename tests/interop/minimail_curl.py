#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""minimail against curl: smtp:// uploads, pop3:// and imap:// downloads.

usage: minimail_curl.py MINIMAIL

curl (libcurl) is an independent SMTP, POP3 and IMAP client: it
dot-stuffs on upload and unstuffs on download itself. A message uploaded
with `curl smtp://` must come back byte-identical with `curl pop3://.../N`
and with `curl imap://.../INBOX;UID=N` (after minimail's Return-Path and
Received fields): lines starting with ".", 8-bit text, a 5 MB message;
with AUTH PLAIN and AUTH LOGIN; LIST, UIDL, TOP through custom requests,
and DELE. IMAP also: LIST, SEARCH through the URL's query, sections
(;SECTION=), APPEND with `curl -T`, and custom requests (UID FETCH,
STORE, EXPUNGE). Skipped (77) without curl.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Minimail, TempDir, big_body_fast, check, dotty_body,  # noqa: E402
                       find_program, main, message, run, skip, strip_trace)


def test():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    curl = find_program("curl")
    if curl is None:
        skip("curl is not installed (apt-get install curl)")
    with TempDir() as tmp, Minimail(sys.argv[1], tmp,
                                    users=("demo:demo", "u2:p w",
                                           "u3:p3")) as mm:
        smtp = "smtp://127.0.0.1:%d" % mm.ports["smtp"]
        pop3 = "pop3://127.0.0.1:%d" % mm.ports["pop3"]
        msgs = [
            message("curl dots", dotty_body()),
            message("curl 8bit", ["Grüße, ça va? ½".encode("utf-8"), b".\xe9t\xe9"]),
            message("curl big", big_body_fast(5 * 1024 * 1024)),
        ]
        for i, (m, login) in enumerate(zip(msgs, ("", "AUTH=LOGIN", ""))):
            path = os.path.join(tmp, "m%d.eml" % i)
            with open(path, "wb") as f:
                f.write(m)
            cmd = [curl, "-sS", "--url", smtp, "--mail-from", "sender@example.org",
                   "--mail-rcpt", "demo@example.org", "--upload-file", path,
                   "--user", "demo:demo"]
            if login:
                cmd += ["--login-options", login]
            run(cmd, check_status=0)
        log = mm.log_text()
        check(log.count("AUTH ok: demo") == 3, "curl did not authenticate 3 times")
        check("C: AUTH LOGIN" in log, "curl did not use AUTH LOGIN when told")

        user = ["--user", "demo:demo"]
        listing = run([curl, "-sS"] + user + [pop3 + "/"], check_status=0).stdout
        lines = listing.split(b"\r\n")
        check(len(lines) == 4 and lines[3] == b"", "LIST: %r" % listing)
        for i, m in enumerate(msgs, 1):
            got = run([curl, "-sS"] + user + ["%s/%d" % (pop3, i)],
                      check_status=0).stdout
            check(strip_trace(got) == m, "message %d differs after curl pop3://" % i)
            size = int(lines[i - 1].split()[1])
            check(size == len(got), "LIST %d says %d, RETR gave %d"
                  % (i, size, len(got)))
        uidl = run([curl, "-sS", "-X", "UIDL"] + user + [pop3 + "/"],
                   check_status=0).stdout.split(b"\r\n")
        check(len(uidl) == 4 and len({u.split()[1] for u in uidl[:3]}) == 3,
              "UIDL: %r" % uidl)
        top = run([curl, "-sS", "-X", "TOP 1 0"] + user + [pop3 + "/"],
                  check_status=0).stdout
        check(strip_trace(top) == msgs[0].split(b"\r\n\r\n")[0] + b"\r\n\r\n",
              "TOP 1 0: %r" % top)
        run([curl, "-sS", "-X", "DELE 2", "-I"] + user + [pop3 + "/"],
            check_status=0)
        listing = run([curl, "-sS"] + user + [pop3 + "/"], check_status=0).stdout
        check(listing.count(b"\r\n") == 2, "after DELE: %r" % listing)
        # a wrong password: curl fails with its login error (67)
        r = run([curl, "-sS", "--user", "demo:nope", pop3 + "/"])
        check(r.returncode == 67, "wrong POP3 password: curl status %d" % r.returncode)
        r = run([curl, "-sS", "--url", smtp, "--mail-from", "a@b.example",
                 "--mail-rcpt", "nobody@example.org", "--upload-file",
                 os.path.join(tmp, "m0.eml")])
        check(r.returncode != 0 and b"550" in r.stderr,
              "unknown recipient: %d %r" % (r.returncode, r.stderr))
        # a password with a space, in the URL
        run([curl, "-sS", "--url", smtp, "--mail-from", "a@b.example",
             "--mail-rcpt", "u2@example.org", "--upload-file",
             os.path.join(tmp, "m1.eml"), "--user", "u2:p w"], check_status=0)
        got = run([curl, "-sS", "pop3://u2:p%%20w@127.0.0.1:%d/1" % mm.ports["pop3"]],
                  check_status=0).stdout
        check(strip_trace(got) == msgs[1], "u2's message")
        if "imap" in mm.ports:
            imap_leg(curl, mm, tmp, msgs)
        else:
            print("note: minimail built without IMAP, imap:// not tried")
        check(mm.stop() == 0, "minimail did not stop cleanly")


def imap_leg(curl, mm, tmp, msgs):
    """The same messages through curl imap:// (RFC 5092 URLs)."""
    smtp = "smtp://127.0.0.1:%d" % mm.ports["smtp"]
    imap = "imap://127.0.0.1:%d" % mm.ports["imap"]
    user = ["--user", "u3:p3"]
    for i in range(len(msgs)):
        run([curl, "-sS", "--url", smtp, "--mail-from", "sender@example.org",
             "--mail-rcpt", "u3@example.org", "--upload-file",
             os.path.join(tmp, "m%d.eml" % i)], check_status=0)
    listing = run([curl, "-sS"] + user + [imap + "/"], check_status=0).stdout
    check(listing == b'* LIST (\\HasNoChildren) "." INBOX\r\n',
          "imap LIST: %r" % listing)
    sizes = {}
    for i, m in enumerate(msgs, 1):
        got = run([curl, "-sS"] + user + ["%s/INBOX;UID=%d" % (imap, i)],
                  check_status=0).stdout
        check(strip_trace(got) == m, "message %d differs after curl imap://" % i)
        sizes[i] = len(got)
    # AUTHENTICATE PLAIN instead of LOGIN, and a section
    got = run([curl, "-sS", "--login-options", "AUTH=PLAIN"] + user +
              ["%s/INBOX;UID=1;SECTION=HEADER.FIELDS%%20(SUBJECT)" % imap],
              check_status=0).stdout
    check(got == b"Subject: curl dots\r\n\r\n", "SECTION=HEADER.FIELDS: %r" % got)
    got = run([curl, "-sS"] + user + ["%s/INBOX;UID=2;SECTION=TEXT" % imap],
              check_status=0).stdout
    check(got == msgs[1].split(b"\r\n\r\n", 1)[1], "SECTION=TEXT: %r" % got)
    # SEARCH from the URL's query
    got = run([curl, "-sS"] + user + ["%s/INBOX?SUBJECT%%20big" % imap],
              check_status=0).stdout
    check(got == b"* SEARCH 3\r\n", "SEARCH: %r" % got)
    # APPEND with an upload, then fetched back byte-identical
    run([curl, "-sS"] + user + ["-T", os.path.join(tmp, "m0.eml"), imap + "/INBOX"],
        check_status=0)
    got = run([curl, "-sS"] + user + ["%s/INBOX;UID=4" % imap],
              check_status=0).stdout
    check(got == msgs[0], "APPENDed message differs: %r" % got[:200])
    # custom requests: STORE, EXPUNGE, UID FETCH
    run([curl, "-sS"] + user + ["-X", "STORE 1:2 +FLAGS (\\Deleted)",
                                imap + "/INBOX"], check_status=0)
    got = run([curl, "-sS"] + user + ["-X", "EXPUNGE", imap + "/INBOX"],
              check_status=0).stdout
    check(got == b"* 1 EXPUNGE\r\n* 1 EXPUNGE\r\n", "EXPUNGE: %r" % got)
    got = run([curl, "-sS"] + user + ["-X", "UID FETCH 1:* (UID RFC822.SIZE)",
                                      imap + "/INBOX"], check_status=0).stdout
    check(got == b"* 1 FETCH (UID 3 RFC822.SIZE %d)\r\n* 2 FETCH (UID 4 "
          b"RFC822.SIZE %d)\r\n" % (sizes[3], len(msgs[0])),
          "UID FETCH: %r" % got)
    r = run([curl, "-sS", "--user", "u3:wrong", imap + "/"])
    check(r.returncode == 67, "wrong IMAP password: curl status %d" % r.returncode)


if __name__ == "__main__":
    main(test)
