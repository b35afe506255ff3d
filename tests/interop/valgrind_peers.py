#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The peers the networked examples talk to while valgrind_examples.sh runs
them under memcheck: SMTP sinks for mailsend and the firmware example, and
a minimail (not under valgrind: minimail_valgrind covers it) whose SMTP
takes mail from mailsend and whose POP3 and IMAP serve it to mailfetch;
and, when minimail has TLS and the openssl command is there, a second
minimail offering STARTTLS with a fresh self-signed certificate (TLS_SMTP,
its port, and CAFILE, the certificate's path).

usage: valgrind_peers.py WORKDIR [MINIMAIL]

Everything listens on 127.0.0.1 on ports the kernel picks. Once all peers
are up it writes WORKDIR/peers.env, lines NAME=PORT (only for the peers it
has), then WORKDIR/peers.ready, and waits. It stops its peers and exits on
SIGTERM or SIGINT, and by itself after MAX_LIFETIME seconds, so that it
never outlives the script that started it. Python 3.6 or later, standard
library only.
"""
import os
import signal
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import Failure, Minimail, find_program, run  # noqa: E402
from minimail_tls import make_cert  # noqa: E402
from smtp_sink import Sink  # noqa: E402

MAX_LIFETIME = 1200.0  # seconds; ctest's limit for examples_valgrind is 600


class Stop(Exception):
    pass


def on_signal(signum, frame):
    raise Stop()


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    work = argv[1]
    minimail = argv[2] if len(argv) > 2 else None
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    ports = {}
    mm = tls = None
    try:
        # count=None: sessions one after the other for as long as we live
        for name, exts in (("SINK", ["PIPELINING", "CHUNKING", "8BITMIME"]),
                           ("SINK_PLAIN", []),
                           ("SINK_PIPE", ["PIPELINING", "8BITMIME"])):
            ports[name] = Sink(exts, count=None).start().port
        if minimail:
            # users: demo receives, ann is the wrong-password target
            mm = Minimail(minimail, work, users=("demo:demo", "ann:s3cret"))
            mm.start()
            for proto, port in mm.ports.items():
                ports[proto.upper()] = port
            r = run([minimail, "--help"])
            if b"--tls-cert" in r.stdout + r.stderr and find_program("openssl"):
                cert, key = make_cert(work)
                tls = Minimail(minimail, work, name="minimail-tls",
                               args=("--tls-cert", cert, "--tls-key", key))
                tls.start()
                ports["TLS_SMTP"] = tls.ports["smtp"]
                ports["CAFILE"] = cert
        tmp = os.path.join(work, "peers.env.tmp")
        with open(tmp, "w") as f:
            for k, v in sorted(ports.items()):
                f.write("%s=%s\n" % (k, v))
        os.rename(tmp, os.path.join(work, "peers.env"))
        open(os.path.join(work, "peers.ready"), "w").close()
        end = time.monotonic() + MAX_LIFETIME
        while time.monotonic() < end:
            for m in (mm, tls):
                if m is not None and m.proc.poll() is not None:
                    print("valgrind_peers: minimail exited (%s)" % m.proc.returncode)
                    return 1
            time.sleep(0.2)
        print("valgrind_peers: %d s are up, stopping" % MAX_LIFETIME)
    except Stop:
        pass
    except Failure as e:
        print("valgrind_peers: %s" % e)
        return 1
    finally:
        for m in (mm, tls):
            if m is not None:
                m.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
