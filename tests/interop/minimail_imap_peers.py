#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""minimail's IMAP server against real mail fetchers: fetchmail or mbsync.

usage: minimail_imap_peers.py MINIMAIL fetchmail|mbsync

fetchmail (IMAP, fetchall): messages sent by SMTP (lines starting with
".", 8-bit, 5 MB) are fetched with `keep` and stay on the server, then
fetched again and deleted (STORE \\Deleted and EXPUNGE), each delivered to
a little MDA that writes it to a file. fetchmail hands its MDA LF line
ends and reads the message as RFC822.HEADER plus BODY.PEEK[TEXT], so the
check is: the delivered bytes, with CRLF restored, are minimail's stored
file.

mbsync (isync): a two-way sync of every folder with a local Maildir.
Messages sent by SMTP must arrive locally byte-identical (mbsync keeps
them as they come); a message written into the local Maildir, a local
folder, a flag set locally and a message deleted locally must reach the
server (APPEND with APPENDUID, CREATE, STORE, EXPUNGE); a flag set on the
server comes back. The private configuration files are mode 0600 in a
private home folder, as both programs ask.

Skipped (77) when the program is not installed, or minimail was built
without IMAP.
"""
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Failure, Minimail, TempDir, big_body_fast, check,  # noqa: E402
                       dotty_body, find_program, main, message, run, skip)
import imaplib  # noqa: E402
import smtplib  # noqa: E402

DELIVER = """\
import os, sys
out = sys.argv[1]
data = sys.stdin.buffer.read()
n = len(os.listdir(out))
with open(os.path.join(out, "%05d.eml" % n), "wb") as f:
    f.write(data)
"""


def send_all(mm, msgs, to="demo@example.org"):
    with smtplib.SMTP("127.0.0.1", mm.ports["smtp"], timeout=120) as s:
        for i, m in enumerate(msgs):
            opts = ["SMTPUTF8", "BODY=8BITMIME"] if b"\xc3" in m else []
            check(s.sendmail("sender@example.org", [to], m, mail_options=opts) == {},
                  "SMTP refused a message")


def workload():
    return [message("peer dots", dotty_body()),
            message("peer 8bit", ["Grüße ½ €".encode("utf-8"), b".\xc3\xa9t\xc3\xa9"],
                    [b"MIME-Version: 1.0", b"Content-Type: text/plain; charset=utf-8",
                     b"Content-Transfer-Encoding: 8bit"]),
            message("peer big", big_body_fast(5 << 20))]


def test_fetchmail(exe, tmp):
    fm = find_program("fetchmail")
    if fm is None:
        skip("fetchmail is not installed (apt-get install fetchmail)")
    home = os.path.join(tmp, "home")
    out = os.path.join(tmp, "out")
    os.makedirs(home)
    os.makedirs(out)
    with open(os.path.join(tmp, "deliver.py"), "w") as f:
        f.write(DELIVER)
    with Minimail(exe, tmp, users=("demo:demo",)) as mm:
        if "imap" not in mm.ports:
            skip("minimail was built without IMAP")
        msgs = workload()
        send_all(mm, msgs)
        stored = sorted(mm.stored("demo"))

        def fetch(keep):
            rc = os.path.join(home, ".fetchmailrc")
            with open(rc, "w") as f:
                f.write("set no syslog\nset invisible\n"
                        "poll 127.0.0.1 with service %d protocol IMAP auth password\n"
                        "  user \"demo\" there with password \"demo\" is \"root\" here\n"
                        "  mda \"%s %s %s\"\n"
                        "  fetchall no rewrite sslproto ''%s\n"
                        % (mm.ports["imap"], sys.executable,
                           os.path.join(tmp, "deliver.py"), out,
                           " keep" if keep else ""))
            os.chmod(rc, 0o600)
            # its own pid file: as root fetchmail would lock
            # /var/run/fetchmail.pid, which other tests (or a system
            # fetchmail) may hold
            env = dict(os.environ, HOME=home, FETCHMAILHOME=home)
            r = run([fm, "-v", "-f", rc, "--pidfile",
                     os.path.join(home, "fetchmail.pid")], env=env, timeout=300)
            if r.returncode != 0:
                raise Failure("fetchmail status %d:\n%s" % (
                    r.returncode, r.stderr.decode("utf-8", "replace")[-3000:]))
            return (r.stdout + r.stderr).decode("utf-8", "replace")

        def delivered():
            got = []
            for n in sorted(os.listdir(out)):
                with open(os.path.join(out, n), "rb") as f:
                    got.append(f.read().replace(b"\n", b"\r\n"))
            shutil.rmtree(out)
            os.makedirs(out)
            return sorted(got)

        log = fetch(keep=True)
        check("LOGIN" in log, "fetchmail did not log in: %s" % log[-2000:])
        check(delivered() == stored, "fetchmail (keep): messages differ")
        check(len(mm.stored("demo")) == len(msgs), "keep: messages were removed")
        log = fetch(keep=False)
        check(delivered() == stored, "fetchmail: messages differ")
        check(re.search(r"STORE [\d,:]+ \+FLAGS \(\\Seen \\Deleted\)", log) and
              "EXPUNGE" in log, "fetchmail did not delete: %s" % log[-2000:])
        check(mm.stored("demo") == [], "fetchmail left messages on the server")
        check(mm.stop() == 0, "minimail did not stop cleanly")


MBSYNCRC = """\
IMAPAccount mm
Host 127.0.0.1
Port {port}
User demo
Pass demo
SSLType None
AuthMechs {mech}

IMAPStore mm-remote
Account mm

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel mm
Far :mm-remote:
Near :local:
Patterns *
Create Both
Remove None
Expunge Both
SyncState *
"""


def as_sent(local):
    """A message mbsync stored: it keeps LF line ends and adds its own
    X-TUID field at the end of the header; undo both."""
    head, body = local.split(b"\n\n", 1)
    head = re.sub(rb"\nX-TUID: [^\n]*", b"", head)
    return (head + b"\n\n" + body).replace(b"\n", b"\r\n")


def maildir_files(path):
    out = {}
    for sub in ("new", "cur"):
        d = os.path.join(path, sub)
        if os.path.isdir(d):
            for n in os.listdir(d):
                with open(os.path.join(d, n), "rb") as f:
                    out[os.path.join(sub, n)] = f.read()
    return out


def test_mbsync(exe, tmp):
    mb = find_program("mbsync")
    if mb is None:
        skip("mbsync is not installed (apt-get install isync)")
    home = os.path.join(tmp, "home")
    local = os.path.join(tmp, "local")
    os.makedirs(home)
    os.makedirs(local)
    with Minimail(exe, tmp, users=("demo:demo",)) as mm:
        if "imap" not in mm.ports:
            skip("minimail was built without IMAP")
        rc = os.path.join(home, ".mbsyncrc")

        def sync(mech="LOGIN"):
            with open(rc, "w") as f:
                f.write(MBSYNCRC.format(port=mm.ports["imap"], local=local,
                                        mech=mech))
            os.chmod(rc, 0o600)
            r = run([mb, "-V", "-c", rc, "-a"], env=dict(os.environ, HOME=home),
                    timeout=300)
            text = (r.stdout + r.stderr).decode("utf-8", "replace")
            if r.returncode != 0:
                raise Failure("mbsync status %d:\n%s" % (r.returncode, text[-3000:]))
            return text

        msgs = workload()
        send_all(mm, msgs)
        sync()
        inbox = os.path.join(local, "INBOX")
        got = sorted(as_sent(x) for x in maildir_files(inbox).values())
        check(got == sorted(mm.stored("demo")), "mbsync: messages differ")

        # local changes go up: a new message, a new folder, a flag, a
        # deletion
        new_local = message("written locally", dotty_body())
        with open(os.path.join(inbox, "new", "1700000000.local1.host"), "wb") as f:
            f.write(new_local)
        os.makedirs(os.path.join(local, "Archive", "cur"))
        os.makedirs(os.path.join(local, "Archive", "new"))
        os.makedirs(os.path.join(local, "Archive", "tmp"))
        archived = message("archived locally", [b"old"])
        with open(os.path.join(local, "Archive", "cur", "1600000000.a1.host:2,S"),
                  "wb") as f:
            f.write(archived)
        files = maildir_files(inbox)
        dots = [k for k, v in files.items() if b"Subject: peer dots" in v][0]
        big = [k for k, v in files.items() if b"Subject: peer big" in v][0]
        base = os.path.basename(dots).split(":")[0]
        os.rename(os.path.join(inbox, dots), os.path.join(inbox, "cur", base + ":2,F"))
        os.unlink(os.path.join(inbox, big))
        sync("PLAIN")
        m = imaplib.IMAP4("127.0.0.1", mm.ports["imap"], timeout=60)
        m.login("demo", "demo")
        typ, data = m.list()
        check(any(x.endswith(b"Archive") for x in data), "folder not created: %r" % data)
        m.select("INBOX")
        typ, data = m.search(None, "ALL")
        check(len(data[0].split()) == 3, "server INBOX after sync: %r" % data)
        typ, data = m.search(None, "FLAGGED")
        check(len(data[0].split()) == 1, "the local flag did not go up: %r" % data)
        typ, data = m.search(None, "SUBJECT", '"written locally"')
        n = data[0].split()
        check(len(n) == 1, "the local message did not go up: %r" % data)
        typ, data = m.fetch(n[0], "(BODY.PEEK[])")
        # mbsync tags what it uploads with X-TUID (and keeps CRLF)
        up = re.sub(rb"\r\nX-TUID: [^\r\n]*", b"", data[0][1], count=1)
        check(up == new_local, "the uploaded message differs: %r" % up[:600])
        typ, data = m.search(None, "SUBJECT", '"peer big"')
        check(data[0] == b"", "the local deletion did not go up: %r" % data)
        m.select("Archive")
        typ, data = m.fetch("1", "(FLAGS BODY.PEEK[])")
        up = re.sub(rb"\r\nX-TUID: [^\r\n]*", b"", data[0][1], count=1)
        check(up == archived and b"\\Seen" in data[0][0],
              "the archived message: %r" % data[0][0])
        # a change on the server comes down
        m.select("INBOX")
        typ, data = m.search(None, "SUBJECT", '"peer 8bit"')
        m.store(data[0].split()[0], "+FLAGS", "(\\Answered)")
        m.logout()
        sync()
        files = maildir_files(inbox)
        eight = [k for k, v in files.items() if b"Subject: peer 8bit" in v]
        check(len(eight) == 1 and re.search(r":2,[A-Z]*R", eight[0]),
              "the server's flag did not come down: %r" % eight)
        check(mm.stop() == 0, "minimail did not stop cleanly")


def test():
    if len(sys.argv) < 3 or sys.argv[2] not in ("fetchmail", "mbsync"):
        print(__doc__)
        sys.exit(2)
    with TempDir() as tmp:
        if sys.argv[2] == "fetchmail":
            test_fetchmail(sys.argv[1], tmp)
        else:
            test_mbsync(sys.argv[1], tmp)


if __name__ == "__main__":
    main(test)
