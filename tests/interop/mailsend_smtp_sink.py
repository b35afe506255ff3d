#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""mailsend against Postfix's smtp-sink.

usage: mailsend_smtp_sink.py MAILSEND

smtp-sink (package postfix) is a test SMTP server that writes every message
it accepts to a file: its own X-* fields and a Received field, then the
message as received (lines ended by LF), then an empty line. mailsend
sends messages with dot lines, 8-bit text, LF line ends, several
recipients, AUTH, and 5 MB from a pipe, pipelined and (against
`smtp-sink -p`) not; each dump must hold exactly the message and envelope
sent. Against `smtp-sink -r RCPT` (4xx to RCPT) and `-Q DATA` (421 and
hang up at DATA) mailsend must fail with status 4 and show the reply.
Skipped (77) when smtp-sink is not installed.
"""
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Failure, TempDir, big_body_fast, check, dotty_body,  # noqa: E402
                       find_program, free_port, main, message, run, skip, stop,
                       wait_port)


class Sink:
    def __init__(self, exe, tmp, name, args=()):
        self.dir = os.path.join(tmp, name)
        os.mkdir(self.dir)
        os.chmod(tmp, 0o755)
        os.chmod(self.dir, 0o777)  # smtp-sink drops to "nobody" as root
        self.port = free_port()
        self.seen = set()
        cmd = [exe]
        if os.geteuid() == 0:
            cmd += ["-u", "nobody"]
        cmd += list(args) + ["-d", os.path.join(self.dir, "%Y%m%d%H%M%S."),
                             "127.0.0.1:%d" % self.port, "64"]
        self.log = open(os.path.join(tmp, name + ".log"), "wb")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     stdin=subprocess.DEVNULL)
        wait_port(self.port, 30, self.proc)

    def next_dump(self, timeout=30):
        """The dump of the message just sent (names are only unique by a
        random suffix within a second, so we look for the new file)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            new = sorted(set(os.listdir(self.dir)) - self.seen)
            if new:
                check(len(new) == 1, "several new dumps: %r" % new)
                self.seen.add(new[0])
                path = os.path.join(self.dir, new[0])
                # complete when it ends with the empty line after the message
                while time.monotonic() < end:
                    with open(path, "rb") as f:
                        data = f.read()
                    if data.endswith(b"\n\n"):
                        return data
                    time.sleep(0.05)
            time.sleep(0.05)
        raise Failure("smtp-sink wrote no (complete) dump in %ss" % timeout)

    def stop(self):
        stop(self.proc)
        self.log.close()


def parse_dump(d):
    """(envelope fields, message with LF line ends)."""
    lines = d.split(b"\n")
    env = []
    i = 0
    while not lines[i].startswith(b"Received: "):
        env.append(lines[i])
        i += 1
    i += 1
    while lines[i].startswith(b"\t"):
        i += 1
    body = b"\n".join(lines[i:])
    check(body.endswith(b"\n\n"), "dump does not end with an empty line")
    return env, body[:-1]


def test():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    mailsend = sys.argv[1]
    sink_exe = find_program("smtp-sink")
    if sink_exe is None:
        skip("smtp-sink is not installed (apt-get install postfix)")
    with TempDir() as tmp:
        sink = Sink(sink_exe, tmp, "sink")
        server = "127.0.0.1:%d" % sink.port
        sent = []
        dumps = []
        try:
            cases = [
                ("dots", dotty_body(), [], ["demo@example.org"], False),
                ("8bit", ["Grüße ½".encode("utf-8"), b".\xe9"], [],
                 ["a@example.org", "b@example.net"], False),
                ("auth", [b"auth"], ["--user", "u", "--password", "p"],
                 ["demo@example.org"], False),
                ("big", big_body_fast(5 << 20), [], ["demo@example.org"], True),
                ("no pipelining", dotty_body(), ["--no-pipelining"],
                 ["demo@example.org"], True),
            ]
            for name, body, extra, to, pipe in cases:
                msg = message("sink " + name, body)
                cmd = [mailsend, "--server", server, "--from", "sender@example.org"]
                for t in to:
                    cmd += ["--to", t]
                if pipe:
                    run(cmd + extra, data=msg, check_status=0)
                else:
                    path = os.path.join(tmp, "m.eml")
                    with open(path, "wb") as f:
                        f.write(msg)
                    with open(path, "rb") as f:
                        r = subprocess.run(cmd + extra, stdin=f, timeout=120,
                                           stderr=subprocess.PIPE)
                    check(r.returncode == 0, "mailsend %s: %d %r"
                          % (name, r.returncode, r.stderr))
                sent.append((msg, to))
                dumps.append(sink.next_dump())
            # LF line ends are sent as CRLF (smtp-sink shows LF either way,
            # so this checks the dot-stuffing of LF input)
            lf = message("lf", dotty_body()).replace(b"\r\n", b"\n")
            run([mailsend, "--server", server, "--from", "sender@example.org",
                 "--to", "demo@example.org"], data=lf, check_status=0)
            sent.append((lf.replace(b"\n", b"\r\n"), ["demo@example.org"]))
            dumps.append(sink.next_dump())
        finally:
            sink.stop()
        got = [parse_dump(d) for d in dumps]
        check(len(got) == len(sent), "%d dumps for %d messages" % (len(got), len(sent)))
        for (env, body), (msg, to) in zip(got, sent):
            check(body == msg.replace(b"\r\n", b"\n"),
                  "smtp-sink got a different message (%r...)" % body[:200])
            rcpts = [e.split(b": ", 1)[1] for e in env if e.startswith(b"X-Rcpt-Args:")]
            check(rcpts == [b"<%s>" % t.encode() for t in to],
                  "recipients: %r" % rcpts)
            check(b"X-Mail-Args: <sender@example.org>" in b"\n".join(env),
                  "sender: %r" % env)

        # without PIPELINING and 8BITMIME offered at all
        sink = Sink(sink_exe, tmp, "sink-plain", ["-p"])
        try:
            msg = message("plain sink", dotty_body())
            r = run([mailsend, "-v", "--server", "127.0.0.1:%d" % sink.port,
                     "--from", "a@example.org", "--to", "demo@example.org"],
                    data=msg, check_status=0)
            check(b"PIPELINING" not in r.stderr, "smtp-sink -p offered PIPELINING")
            env, body = parse_dump(sink.next_dump())
            check(body == msg.replace(b"\r\n", b"\n"), "message via smtp-sink -p")
        finally:
            sink.stop()

        # refusals
        for name, args, expect in (("reject-rcpt", ["-r", "RCPT"], b"RCPT"),
                                   ("quit-data", ["-Q", "DATA"], b"421")):
            sink = Sink(sink_exe, tmp, name, args)
            try:
                r = run([mailsend, "--server", "127.0.0.1:%d" % sink.port,
                         "--from", "a@example.org", "--to", "demo@example.org"],
                        data=message(name, [b"x"]))
                err = r.stderr.decode("utf-8", "replace")
                check(r.returncode == 4, "%s: mailsend status %d: %s"
                      % (name, r.returncode, err))
                check("not sent" in err, "%s: no clear message: %s" % (name, err))
                print("%s: %s" % (name, err.strip().replace("\n", " | ")))
            finally:
                sink.stop()


if __name__ == "__main__":
    main(test)
