#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""A tour of mailwire from Python (ctypes, through mailwire.py).

Usage: demo.py [LIBMAILWIRE_SO] [MESSAGE_FILE]

Prints the library's version, splits a message's header and parses its
From, To and Date fields, then plays a client's SMTP session into an SMTP
server machine whose policy is written in Python, and prints the
transcript. Without arguments the library is found through $MAILWIRE_LIB
or the system's loader, and the message is examples/messages/sample.eml.
"""
import os
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import mailwire as mw  # noqa: E402


def show_header(lib, path):
    with open(path, "rb") as f:
        msg = f.read()
    # Any chunk size gives the same result; 512 bytes mimics a socket read.
    fields, defects, body = lib.split_header(msg, chunk=512)
    print("%s: %d header fields, %d defects, body at byte %d"
          % (os.path.basename(path), len(fields), len(defects), body))
    for name, raw, value, offset, flags in fields:
        lname = name.lower()
        if lname in (b"from", b"to", b"cc"):
            for a in lib.parse_addresses(value):
                if a["flags"] & mw.MW_HDR_ADDR_GROUP_EMPTY:
                    who = "(no address: empty group)"
                elif a["invalid"]:
                    who = "(invalid: %s)" % a["error"][2]
                else:
                    who = a["addr_spec"].decode("utf-8", "replace")
                print("  %-5s %s%s" % (name.decode() + ":", who,
                                       "  [group %s]" % a["group"].decode()
                                       if a["group"] else ""))
        elif lname == b"date":
            try:
                d = lib.parse_date(value)
                z = abs(d["zone"])
                print("  Date: %04d-%02d-%02d %02d:%02d:%02d %s%02d%02d, epoch %d"
                      % (d["year"], d["month"], d["day"], d["hour"], d["minute"],
                         d["second"], "-" if d["zone"] < 0 else "+", z // 60,
                         z % 60, d["epoch"]))
            except mw.MailwireError as e:
                print("  Date: not valid:", e)
    for code, kind, offset, reason, raw in defects:
        print("  defect at byte %d: %s (%s)" % (offset, reason, lib.status_name(code)))


def smtp_demo(lib):
    users = {b"bob@example.org"}
    received = []

    def on_command(s, cmd):
        # Policy in Python; protocol (syntax, order, replies' format) in C.
        if cmd.name == "RCPT" and cmd.mailbox not in users:
            return 550, b"5.1.1 No such user here"
        s.reply_default()  # 250, 354, 221...: the machine's own texts
        return None

    def on_data(s, chunk):
        received.append(chunk)  # unstuffed message bytes, in pieces

    def on_data_end(s, status):
        if status != mw.MW_OK:
            return None  # the machine has refused the message itself
        return 250, b"2.0.0 Queued as %d" % len(b"".join(received))

    transcript = []
    srv = mw.SmtpServer(lib, hostname=b"mx.example.org",
                        extensions=mw.MW_SMTP_EXT_PIPELINING |
                        mw.MW_SMTP_EXT_8BITMIME |
                        mw.MW_SMTP_EXT_ENHANCEDSTATUSCODES,
                        on_command=on_command, on_data=on_data,
                        on_data_end=on_data_end,
                        on_send=lambda b: transcript.append(("S", b)))
    srv.start(b"ESMTP mailwire demo")
    client = [b"EHLO laptop.example.net\r\n",
              # pipelined (RFC 2920): four commands in one packet
              b"MAIL FROM:<alice@example.net>\r\nRCPT TO:<bob@example.org>\r\n"
              b"RCPT TO:<eve@example.org>\r\nDATA\r\n",
              b"Subject: hi\r\n\r\nA line.\r\n..A line with a dot.\r\n.\r\n",
              b"QUIT\r\n"]
    for packet in client:
        transcript.append(("C", packet))
        rc, used = srv.feed_all(packet)
        if rc < 0:
            raise mw.MailwireError(lib, rc)
    for who, data in transcript:
        for line in data.decode("utf-8", "replace").splitlines():
            print("  %s: %s" % (who, line))
    print("  message received (%d bytes): %r" % (len(b"".join(received)),
                                                 b"".join(received)))


def main(argv):
    lib = mw.Library(argv[1] if len(argv) > 1 else None)
    here = os.path.dirname(os.path.abspath(__file__))
    msg = argv[2] if len(argv) > 2 else os.path.join(here, "..", "messages", "sample.eml")
    print("mailwire %s (%s), context sizes: mw_hdr_parser %d, mw_smtp_server %d bytes"
          % (lib.version_string(), lib.path, lib.dll.mw_hdr_parser_sizeof(),
             lib.dll.mw_smtp_server_sizeof()))
    print()
    show_header(lib, msg)
    print()
    print("An SMTP session (the server's policy is Python):")
    smtp_demo(lib)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
