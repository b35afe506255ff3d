# SPDX-License-Identifier: MIT
"""Shared helpers of the interoperability tests of minimail, mailsend and
mailfetch (tests/interop/*.py).

Everything a test starts runs on 127.0.0.1, in a temporary folder, is
stopped by its PID, and every wait is bounded. A test that cannot run for
want of a program calls skip(), which prints why and exits with 77 (ctest's
SKIP_RETURN_CODE): it never passes silently.
"""
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77


def skip(why):
    print("SKIP: " + why)
    sys.stdout.flush()
    sys.exit(SKIP)


class Failure(Exception):
    pass


def check(cond, what):
    """Fail the test with `what` unless `cond`."""
    if not cond:
        raise Failure(what)


def find_program(name, extra_dirs=("/usr/sbin", "/usr/lib/postfix/sbin",
                                   "/sbin")):
    path = shutil.which(name)
    if path:
        return path
    for d in extra_dirs:
        p = os.path.join(d, name)
        if os.access(p, os.X_OK):
            return p
    return None


def features(program):
    """The features (MW_ENABLE_* of features.h, "SMTP_CHUNKING": 1, ...) of
    the mailwire build `program` belongs to: the generated features.h is
    looked for in the build tree above the program. When there is none (an
    installed program), everything counts as on."""
    d = os.path.dirname(os.path.abspath(program))
    while True:
        h = os.path.join(d, "include", "mailwire", "features.h")
        if os.path.isfile(h):
            with open(h, "r", encoding="utf-8") as f:
                return dict((m.group(1), int(m.group(2))) for m in re.finditer(
                    r"^#define MW_ENABLE_([A-Z0-9_]+) ([01])$", f.read(), re.M))
        up = os.path.dirname(d)
        if up == d:
            return {}
        d = up


def has_feature(program, name):
    """True unless the build of `program` has MW_ENABLE_<name> 0."""
    return features(program).get(name, 1) == 1


def free_port():
    """A TCP port free on 127.0.0.1 right now (for programs that cannot
    be told to pick one themselves)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_port(port, timeout=30.0, proc=None):
    """Wait until something accepts connections on 127.0.0.1:port."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc is not None and proc.poll() is not None:
            raise Failure("the server exited early (status %s)" % proc.returncode)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)
    raise Failure("nothing listens on port %d after %.0fs" % (port, timeout))


def stop(proc, timeout=30.0):
    """SIGTERM, wait (bounded), SIGKILL if need be. Returns the status."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
            raise Failure("pid %d did not stop on SIGTERM" % proc.pid)
    return proc.returncode


def run(cmd, data=None, timeout=120, check_status=None, env=None):
    """Run a program to completion (bounded); returns CompletedProcess."""
    try:
        r = subprocess.run(cmd, input=data, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        raise Failure("timed out after %ss: %s" % (timeout, " ".join(cmd)))
    if check_status is not None and r.returncode != check_status:
        raise Failure("%s: exit status %d, expected %d\nstdout: %s\nstderr: %s"
                      % (" ".join(cmd), r.returncode, check_status,
                         r.stdout.decode("utf-8", "replace")[-2000:],
                         r.stderr.decode("utf-8", "replace")[-2000:]))
    return r


class TempDir:
    """A temporary folder, removed at the end unless MW_KEEP_TMP is set."""

    def __init__(self, prefix="mwinterop-"):
        self.path = tempfile.mkdtemp(prefix=prefix)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        if os.environ.get("MW_KEEP_TMP"):
            print("kept " + self.path)
        else:
            shutil.rmtree(self.path, ignore_errors=True)


class Minimail:
    """minimail on 127.0.0.1 with kernel-chosen ports (SMTP, POP3, IMAP:
    `ports` has the ones this build serves), read from its log."""

    def __init__(self, exe, workdir, users=("demo:demo",), args=(),
                 wrapper=(), name="minimail"):
        self.exe = exe
        self.root = os.path.join(workdir, name + "-mail")
        self.logpath = os.path.join(workdir, name + ".log")
        cmd = list(wrapper) + [exe, "--maildir", self.root, "--smtp-port", "0",
                               "--pop3-port", "0", "--imap-port", "0", "-v"]
        for u in users:
            cmd += ["--user", u]
        cmd += list(args)
        self.cmd = cmd
        self.proc = None
        self.ports = {}

    def start(self, timeout=60.0):
        self.log = open(self.logpath, "wb")
        self.proc = subprocess.Popen(self.cmd, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            text = self.log_text()
            if " ready: " in text:
                for m in re.finditer(r"minimail: (\w+) listening on \S+ port (\d+)",
                                     text):
                    self.ports[m.group(1)] = int(m.group(2))
                return self
            if self.proc.poll() is not None:
                raise Failure("minimail exited at start (%d):\n%s"
                              % (self.proc.returncode, text))
            time.sleep(0.05)
        self.proc.kill()
        raise Failure("minimail not ready after %.0fs" % timeout)

    def stop(self, timeout=60.0):
        if self.proc is None:
            return 0
        status = stop(self.proc, timeout)
        self.log.close()
        self.proc = None
        return status

    def log_text(self):
        with open(self.logpath, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def maildir(self, user):
        return os.path.join(self.root, user)

    def stored(self, user):
        """Every message file of a user (new/ and cur/), sorted by name."""
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.maildir(user), sub)
            for n in sorted(os.listdir(d)):
                with open(os.path.join(d, n), "rb") as f:
                    out.append(f.read())
        return out

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


TRACE = re.compile(
    rb"\AReturn-Path: <[^\r\n]*>\r\n"
    rb"Received: from [^\r\n]*\r\n(?:\t[^\r\n]*\r\n)+")


def strip_trace(stored):
    """minimail puts Return-Path and Received first (RFC 5321 §4.4); the
    rest must be the message exactly as the client sent it."""
    m = TRACE.match(stored)
    if m is None:
        raise Failure("no trace fields at the top of the stored message:\n%r"
                      % stored[:300])
    return stored[m.end():]


def message(subject, body_lines, extra_headers=()):
    """A message with CRLF line ends."""
    head = [b"From: Sender <sender@example.org>",
            b"To: Demo <demo@example.org>",
            b"Subject: " + subject.encode("utf-8"),
            b"Message-ID: <%d.%d@interop.example>" % (os.getpid(),
                                                      random.randrange(1 << 30)),
            b"Date: Thu, 26 Nov 2026 06:16:19 +0100"]
    head += list(extra_headers)
    return b"\r\n".join(head + [b""] + list(body_lines)) + b"\r\n"


def dotty_body():
    """Lines that dot-stuffing must survive (RFC 5321 §4.5.2)."""
    return [b"first line", b".", b"..", b". leading dot and space",
            b"...three", b"", b".\t", b"last line ."]


def big_body(size, seed=7):
    """About `size` bytes of lines under 998 octets, some starting with
    dots, some 8-bit (when eight_bit), deterministic."""
    rnd = random.Random(seed)
    lines, total = [], 0
    alphabet = b"abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789.,;:-"
    while total < size:
        n = rnd.randrange(0, 200)
        line = bytes(rnd.choice(alphabet) for _ in range(n))
        r = rnd.random()
        if r < 0.05:
            line = b"." + line
        elif r < 0.07:
            line = b"."
        lines.append(line)
        total += len(line) + 2
    return lines


def big_body_fast(size):
    """Like big_body, built quickly from repeated blocks (5 MB in ms)."""
    block = big_body(64 * 1024)
    out = []
    total = 0
    while total < size:
        out.extend(block)
        total += sum(len(x) + 2 for x in block)
    return out


# ---- a private Dovecot (mailfetch_dovecot.py, imap_catenate_dovecot.py) --

def dovecot_users():
    """The users a private Dovecot runs as: (mail user's pwd entry, login
    user, internal user, internal group). As root the mail processes run
    as "nobody" (Dovecot refuses root) and the login processes as
    Dovecot's own users (skip() when those do not exist); otherwise
    everything runs as the current user."""
    import grp
    import pwd
    if os.geteuid() == 0:
        mail_user = pwd.getpwnam("nobody")
        try:
            return (mail_user, pwd.getpwnam("dovenull").pw_name,
                    pwd.getpwnam("dovecot").pw_name,
                    grp.getgrnam("dovecot").gr_name)
        except KeyError:
            skip("Dovecot's users dovenull and dovecot do not exist")
    mail_user = pwd.getpwuid(os.geteuid())
    return (mail_user, mail_user.pw_name, mail_user.pw_name,
            grp.getgrgid(os.getegid()).gr_name)


def chown_tree(top, user):
    """Give top and everything under it to user (a pwd entry): the mail
    processes read and write the Maildirs."""
    for root, dirs, names in os.walk(top):
        for n in dirs + names:
            os.chown(os.path.join(root, n), user.pw_uid, user.pw_gid)
    os.chown(top, user.pw_uid, user.pw_gid)


def maildir_files(path):
    """The messages of a Maildir (new/ then cur/, each sorted by name)."""
    out = []
    for sub in ("new", "cur"):
        d = os.path.join(path, sub)
        for n in sorted(os.listdir(d)):
            with open(os.path.join(d, n), "rb") as f:
                out.append(f.read())
    return out


DOVECOT_CONF = """\
base_dir = {base}/run
state_dir = {base}/state
instance_name = mwtest{instance}
log_path = {base}/dovecot.log
protocols = {protocols}
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_login_user = {login_user}
default_internal_user = {internal_user}
default_internal_group = {internal_group}
first_valid_uid = 1
mail_location = maildir:~/Maildir
pop3_uidl_format = %08Xu%08Xv
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {base}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={base}/home/%u
}}
namespace inbox {{
  inbox = yes
  separator = .
}}
service anvil {{
  chroot =
}}
service stats {{
  unix_listener stats-reader {{
    mode = 0666
  }}
  unix_listener stats-writer {{
    mode = 0666
  }}
}}
"""

DOVECOT_LISTENER = """\
service {proto}-login {{
  inet_listener {proto} {{
    port = {port}
  }}
  inet_listener {proto}s {{
    port = 0
  }}
  chroot =
}}
"""


def setup_dovecot(base, user, password, pop3_port=None, imap_port=None):
    """A private Dovecot configuration in base (base/dovecot.conf, which
    never reads /etc/dovecot): listeners on 127.0.0.1 at the ports given
    (POP3, IMAP or both), no TLS, plaintext authentication allowed, one
    user with its password in a passwd-file, mail in base/home/USER/Maildir
    (created). Returns (the mail user's pwd entry, the Maildir's path);
    chown_tree(base/home) once the Maildir is filled."""
    mail_user, login_user, internal_user, internal_group = dovecot_users()
    protocols = [name for name, port in (("pop3", pop3_port),
                                          ("imap", imap_port)) if port]
    conf = DOVECOT_CONF.format(
        base=base, instance=pop3_port or imap_port,
        protocols=" ".join(protocols), uid=mail_user.pw_uid,
        gid=mail_user.pw_gid, login_user=login_user,
        internal_user=internal_user, internal_group=internal_group)
    for name, port in (("pop3", pop3_port), ("imap", imap_port)):
        if port:
            conf += DOVECOT_LISTENER.format(proto=name, port=port)
    with open(os.path.join(base, "dovecot.conf"), "w") as f:
        f.write(conf)
    with open(os.path.join(base, "passwd"), "w") as f:
        f.write("%s:{PLAIN}%s::::::\n" % (user, password))
    maildir = os.path.join(base, "home", user, "Maildir")
    for sub in ("new", "cur", "tmp"):
        os.makedirs(os.path.join(maildir, sub))
    return mail_user, maildir


def start_dovecot(dovecot, base):
    """Dovecot in the foreground from base/dovecot.conf, its output in
    base/dovecot.out; stop() it when done."""
    with open(os.path.join(base, "dovecot.out"), "wb") as log:
        # the child keeps its own copy of the descriptor
        return subprocess.Popen([dovecot, "-F", "-c",
                                 os.path.join(base, "dovecot.conf")],
                                stdout=log, stderr=log,
                                stdin=subprocess.DEVNULL)


def main(fn):
    """Run a test function: exit 0, 1 on a Failure (printed), 77 on skip."""
    try:
        fn()
    except Failure as e:
        print("FAIL: %s" % e)
        sys.stdout.flush()
        sys.exit(1)
    print("PASS")
    sys.exit(0)
