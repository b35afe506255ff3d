#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mailfetch against Dovecot's POP3 and IMAP servers.

usage: mailfetch_dovecot.py MAILFETCH

Starts Dovecot (packages dovecot-pop3d, dovecot-imapd) in the foreground
from a private configuration that never reads /etc/dovecot: listeners on
127.0.0.1 at free ports, ssl = no, plaintext authentication allowed, a
passwd-file passdb and a static userdb, mail in a Maildir under the test
folder, state and sockets under a short base_dir. As root the mail
processes run as "nobody" (Dovecot refuses root) and the login processes
as Dovecot's own users; otherwise everything runs as the current user.

Messages are put into the Maildir (CRLF and LF line ends, dot lines, 8-bit,
5 MB); mailfetch --keep must fetch each byte-identical (LF made CRLF, as a
POP3 or IMAP server sends it) and leave them; mailfetch without --keep
must fetch them again and leave the Maildir empty. This is done by POP3
(pop3://), then, with the same messages put back, by IMAP
(imap://.../INBOX, and a second folder by name). A wrong password must
give status 4; --sasl-plain must log in with AUTH PLAIN (RFC 5034); a
mailbox that does not exist status 4. Skipped (77) when Dovecot is not
installed; the IMAP half is skipped (with a note) when only
dovecot-pop3d is, or mailfetch was built without its IMAP part.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (TempDir, big_body_fast, check, chown_tree,  # noqa: E402
                       dotty_body, setup_dovecot, find_program, free_port,
                       maildir_files, main, message, run, skip,
                       start_dovecot, stop, wait_port)




def imap_in(mailfetch):
    """Whether this mailfetch was built with its IMAP part."""
    r = run([mailfetch, "--maildir", "/nonexistent/x",
             "imap://u:p@127.0.0.1:1/INBOX"])
    return b"unknown scheme" not in r.stderr


def imap_leg(mailfetch, base, maildir, port, fill, expected):
    """The same by IMAP: --keep (EXAMINE, BODY.PEEK), then deleting (UID
    STORE \\Deleted, UID EXPUNGE), INBOX and a folder by name."""
    fill(tag="imap")  # new names: Dovecot remembers the POP3 leg's
    url = "imap://demo:p%%40ss%%20w0rd@127.0.0.1:%d" % port
    out1 = os.path.join(base, "imap-keep")
    r = run([mailfetch, "-v", "--keep", "--maildir", out1, url + "/INBOX"],
            check_status=0)
    got = sorted(maildir_files(out1))
    check(got == expected, "mailfetch imap:// --keep: messages differ from "
          "Dovecot's (%d of %d): %s" % (len(got), len(expected),
                                        r.stderr[-1500:].decode("utf-8", "replace")))
    check(b"LOGIN demo ****" in r.stderr and b"w0rd" not in r.stderr,
          "mailfetch -v shows the password: %r" % r.stderr[-500:])
    check(len(maildir_files(maildir)) == len(expected),
          "imap --keep: Dovecot lost messages")
    out2 = os.path.join(base, "imap")
    r = run([mailfetch, "-v", "--maildir", out2, url], check_status=0)
    check(sorted(maildir_files(out2)) == expected,
          "mailfetch imap://: messages differ from Dovecot's")
    check(b"UID EXPUNGE" in r.stderr, "mailfetch did not use UID EXPUNGE")
    check(maildir_files(maildir) == [], "mailfetch left messages on Dovecot")
    # a folder by name (Maildir++ .Archive), and one that does not exist
    folder = os.path.join(os.path.dirname(maildir), "Maildir", ".Archive")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(folder, sub))
    fill(folder, "archive")
    out3 = os.path.join(base, "imap-archive")
    run([mailfetch, "--maildir", out3, url + "/Archive"], check_status=0)
    check(sorted(maildir_files(out3)) == expected, "imap:// Archive differs")
    r = run([mailfetch, "--maildir", out3, url + "/NoSuchFolder"])
    check(r.returncode == 4, "a missing mailbox: status %d %r"
          % (r.returncode, r.stderr))
    r = run([mailfetch, "--maildir", out3,
             "imap://demo:wrong@127.0.0.1:%d/INBOX" % port])
    check(r.returncode == 4, "imap wrong password: status %d %r"
          % (r.returncode, r.stderr))


def test():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    mailfetch = sys.argv[1]
    dovecot = find_program("dovecot")
    if dovecot is None or not os.path.exists("/usr/lib/dovecot/pop3"):
        skip("Dovecot's POP3 server is not installed "
             "(apt-get install dovecot-pop3d)")
    # tempfile's folder is short (/tmp/mwinterop-XXXX): UNIX socket paths
    # under base_dir must stay under ~100 bytes.
    with TempDir() as base:
        os.chmod(base, 0o755)
        port = free_port()
        imap_port = free_port()
        with_imap = os.path.exists("/usr/lib/dovecot/imap") and imap_in(mailfetch)
        mail_user, maildir = setup_dovecot(
            base, "demo", "p@ss w0rd", pop3_port=port,
            imap_port=imap_port if with_imap else None)

        msgs = [message("dovecot dots", dotty_body()),
                message("dovecot 8bit", ["Grüße ½".encode("utf-8"), b".\xe9"]),
                message("dovecot big", big_body_fast(5 << 20)),
                message("dovecot lf", dotty_body()).replace(b"\r\n", b"\n")]
        def fill(folder=maildir, tag="mwtest"):
            for i, m in enumerate(msgs):
                with open(os.path.join(folder, "new", "%d.%s" % (i, tag)),
                          "wb") as f:
                    f.write(m)
            chown_tree(os.path.join(base, "home"), mail_user)

        fill()
        expected = sorted(m.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
                          for m in msgs)

        proc = start_dovecot(dovecot, base)
        try:
            wait_port(port, 30, proc)
            if with_imap:
                wait_port(imap_port, 30, proc)
            url = "pop3://demo:p%%40ss%%20w0rd@127.0.0.1:%d" % port
            out1 = os.path.join(base, "fetched-keep")
            run([mailfetch, "--keep", "--maildir", out1, url], check_status=0)
            check(sorted(maildir_files(out1)) == expected,
                  "mailfetch --keep: messages differ from Dovecot's")
            check(len(maildir_files(maildir)) == len(msgs),
                  "--keep: Dovecot lost messages")
            # AUTH PLAIN (RFC 5034), which Dovecot lists in CAPA's SASL
            out_sasl = os.path.join(base, "fetched-sasl")
            r = run([mailfetch, "-v", "--keep", "--sasl-plain", "--maildir", out_sasl,
                     url], check_status=0)
            check(b"C: AUTH ****" in r.stderr and b"w0rd" not in r.stderr,
                  "mailfetch --sasl-plain: %r" % r.stderr[-500:])
            check(sorted(maildir_files(out_sasl)) == expected,
                  "mailfetch --sasl-plain: messages differ from Dovecot's")
            out2 = os.path.join(base, "fetched")
            r = run([mailfetch, "-v", "--maildir", out2, url], check_status=0)
            check(b"C: PASS ****" in r.stderr and b"w0rd" not in r.stderr,
                  "mailfetch -v shows the password")
            check(sorted(maildir_files(out2)) == expected,
                  "mailfetch: messages differ from Dovecot's")
            check(b"C: USER demo" in r.stderr, "mailfetch did not use USER/PASS")
            check(maildir_files(maildir) == [], "mailfetch left messages on Dovecot")
            r = run([mailfetch, "--maildir", out2,
                     "pop3://demo:wrong@127.0.0.1:%d" % port])
            check(r.returncode == 4, "wrong password: status %d %r"
                  % (r.returncode, r.stderr))
            if with_imap:
                imap_leg(mailfetch, base, maildir, imap_port, fill, expected)
            else:
                print("note: IMAP not tried (dovecot-imapd missing, or "
                      "mailfetch without IMAP)")
        except Exception:
            with open(os.path.join(base, "dovecot.log"), "rb") as f:
                print(f.read().decode("utf-8", "replace")[-4000:])
            raise
        finally:
            stop(proc)


if __name__ == "__main__":
    main(test)
