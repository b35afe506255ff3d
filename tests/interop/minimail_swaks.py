#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""minimail against swaks, the SMTP test tool.

usage: minimail_swaks.py MINIMAIL

swaks sends with and without PIPELINING, with AUTH PLAIN and AUTH LOGIN,
and a message with dot lines; each must land byte-identical in the
Maildir. swaks ends the data with CRLF "." CRLF after the text it is
given, so the text is given without its last CRLF. A wrong password and an
unknown recipient must make swaks fail. Skipped (77) without swaks.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Minimail, TempDir, check, dotty_body, find_program,  # noqa: E402
                       main, message, run, skip, strip_trace)


def test():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    swaks = find_program("swaks")
    if swaks is None:
        skip("swaks is not installed (apt-get install swaks)")
    with TempDir() as tmp, Minimail(sys.argv[1], tmp) as mm:
        base = [swaks, "--server", "127.0.0.1", "--port", str(mm.ports["smtp"]),
                "--from", "sender@example.org", "--helo", "swaks.example",
                "--timeout", "60"]
        cases = [
            ("plain", []),
            ("pipelined", ["--pipeline"]),
            ("auth plain", ["--pipeline", "--auth", "PLAIN", "--auth-user", "demo",
                            "--auth-password", "demo"]),
            ("auth login", ["--auth", "LOGIN", "--auth-user", "demo",
                            "--auth-password", "demo"]),
        ]
        sent = []
        for i, (name, extra) in enumerate(cases):
            m = message("swaks " + name, dotty_body())
            path = os.path.join(tmp, "m%d.eml" % i)
            with open(path, "wb") as f:
                f.write(m[:-2])  # swaks adds the CRLF before "."
            run(base + ["--to", "demo@example.org", "--data", "@" + path] + extra,
                check_status=0)
            sent.append(m)
        stored = [strip_trace(x) for x in mm.stored("demo")]
        for m in sent:
            check(m in stored, "a swaks message is not stored byte-identical")
        log = mm.log_text()
        check(log.count("AUTH ok: demo") == 2, "swaks AUTH did not succeed twice")

        r = run(base + ["--to", "demo@example.org", "--auth", "PLAIN",
                        "--auth-user", "demo", "--auth-password", "bad",
                        "--data", "@" + os.path.join(tmp, "m0.eml")])
        check(r.returncode != 0 and b"535" in r.stdout,
              "wrong password: swaks status %d" % r.returncode)
        r = run(base + ["--to", "nobody@example.org", "--data",
                        "@" + os.path.join(tmp, "m0.eml")])
        check(r.returncode != 0 and b"550" in r.stdout,
              "unknown recipient: swaks status %d" % r.returncode)
        check(len(mm.stored("demo")) == len(cases), "a refused message was stored")
        check(mm.stop() == 0, "minimail did not stop cleanly")


if __name__ == "__main__":
    main(test)
