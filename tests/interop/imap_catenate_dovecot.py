#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The IMAP client's APPEND, MULTIAPPEND and CATENATE against Dovecot.

usage: imap_catenate_dovecot.py IMAP_APPEND_PEER

Starts Dovecot's IMAP server (package dovecot-imapd) in the foreground
from a private configuration that never reads /etc/dovecot (the same
approach as mailfetch_dovecot.py, IMAP only): a listener on 127.0.0.1 at
a free port, ssl = no, plaintext LOGIN allowed, a passwd-file passdb, a
static userdb, a Maildir under the test folder. One message goes into the
Maildir's new/. Python's imaplib then checks that Dovecot advertises
CATENATE and MULTIAPPEND after LOGIN (RFC 4469, RFC 3502; without
CATENATE the test is skipped with a note saying so).

imap_append_peer (tests/interop/imap_append_peer.c, on mw_imap_client)
runs twice: with LITERAL+ (RFC 7888), then with --sync (the client's
MW_IMAP_CLIENT_NO_LITERAL_PLUS: every literal waits for Dovecot's "+").
Each run: APPEND of a plain message; one MULTIAPPEND of a plain message
and two CATENATE messages built from TEXT parts and URL parts referencing
the message in the Maildir (whole, ;SECTION=HEADER, ;SECTION=TEXT); two
CATENATEs with a URL Dovecot cannot use (NO [BADURL ...], the session goes
on: NOOP); UID FETCH BODY[] of every new message compared byte for byte
with what was sent or referenced. The program checks the referenced
message against the file given here (--orig), and this script checks
Dovecot's Maildir afterwards: the four new messages of each run, no
message stored by a refused CATENATE, and the catenated ones holding the
original message's bytes. Skipped (77) when Dovecot's IMAP server is not
installed.
"""
import imaplib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (TempDir, check, chown_tree, dotty_body,  # noqa: E402
                       setup_dovecot, find_program, free_port, maildir_files,
                       main, message, run, skip, start_dovecot, stop,
                       wait_port)


USER, PASSWORD = "demo", "s3cret"


def capabilities(port):
    """Dovecot's capabilities after LOGIN, by imaplib."""
    m = imaplib.IMAP4("127.0.0.1", port, timeout=30)
    try:
        m.login(USER, PASSWORD)
        typ, data = m.capability()
        check(typ == "OK", "CAPABILITY: %s %r" % (typ, data))
        return data[0].decode("ascii", "replace").upper().split()
    finally:
        try:
            m.logout()
        except Exception:
            pass


def test():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    peer = sys.argv[1]
    dovecot = find_program("dovecot")
    if dovecot is None or not os.path.exists("/usr/lib/dovecot/imap"):
        skip("Dovecot's IMAP server is not installed "
             "(apt-get install dovecot-imapd)")
    # a short folder (/tmp/mwinterop-XXXX): UNIX socket paths in base_dir
    with TempDir() as base:
        os.chmod(base, 0o755)
        port = free_port()
        mail_user, maildir = setup_dovecot(base, USER, PASSWORD,
                                           imap_port=port)
        # the message the CATENATE URLs reference: dot lines, 8-bit
        orig = message("catenate source",
                       dotty_body() + ["Grüße ½".encode("utf-8"), b"end"])
        orig_path = os.path.join(base, "orig.eml")
        with open(orig_path, "wb") as f:
            f.write(orig)
        with open(os.path.join(maildir, "new", "1.mwtest"), "wb") as f:
            f.write(orig)
        chown_tree(os.path.join(base, "home"), mail_user)

        proc = start_dovecot(dovecot, base)
        try:
            wait_port(port, 30, proc)
            caps = capabilities(port)
            print("Dovecot %s: %s" % (
                run([dovecot, "--version"]).stdout.decode().strip(),
                " ".join(caps)))
            if "CATENATE" not in caps:
                skip("this Dovecot does not advertise CATENATE")
            check("MULTIAPPEND" in caps, "Dovecot without MULTIAPPEND")
            check("LITERAL+" in caps, "Dovecot without LITERAL+")
            before = len(maildir_files(maildir))
            for mode in ([], ["--sync"]):
                cmd = [peer, "-v"] + mode + ["--orig", orig_path,
                                            "127.0.0.1", str(port), USER,
                                            PASSWORD]
                r = run(cmd, timeout=120)
                out = r.stderr.decode("utf-8", "replace")
                check(r.returncode == 0, "%s: exit status %d\n%s%s"
                      % (" ".join(cmd), r.returncode, out[-6000:],
                         r.stdout.decode("utf-8", "replace")))
                print("%s: %s" % (" ".join(mode) or "LITERAL+",
                                  r.stdout.decode().strip()))
                # the literal mode the run used, from its own trace
                if mode:
                    check("{" in out and "+}" not in out,
                          "--sync sent a LITERAL+ literal:\n" + out[-3000:])
                else:
                    check("+}" in out,
                          "no LITERAL+ literal without --sync:\n" + out[-3000:])
                check("BADURL" in out, "no BADURL in the trace")
            # Dovecot's Maildir keeps LF line ends (mail_save_crlf = no):
            # compare with CRLF made LF on both sides
            files = [f.replace(b"\r\n", b"\n") for f in maildir_files(maildir)]
            orig = orig.replace(b"\r\n", b"\n")
            # per run: APPEND (1) + MULTIAPPEND (3); refused CATENATEs: 0
            check(len(files) == before + 2 * 4,
                  "Dovecot holds %d messages, expected %d"
                  % (len(files), before + 8))
            # the two CATENATE messages of each run: TEXT + the whole
            # message by URL + TEXT, and TEXT + HEADER by URL + TEXT by URL
            # (which together are the whole message again)
            cat = [m for m in files if m != orig and orig in m]
            check(len(cat) == 4, "%d stored messages hold the original "
                  "(expected 4, two per run)" % len(cat))
            whole = [m for m in cat if b"Subject: mailwire CATENATE\n" in m
                     and m.endswith(b"\n" + orig + b"\n--mw-cat--\n")]
            check(len(whole) == 2, "%d TEXT + URL + TEXT messages, expected 2"
                  % len(whole))
            split = [m for m in cat if m == b"X-Catenated: header and text "
                     b"by URL\n" + orig]
            check(len(split) == 2, "%d TEXT + URL HEADER + URL TEXT messages, "
                  "expected 2" % len(split))
        except Exception:
            with open(os.path.join(base, "dovecot.log"), "rb") as f:
                print(f.read().decode("utf-8", "replace")[-4000:])
            raise
        finally:
            stop(proc)


if __name__ == "__main__":
    main(test)
