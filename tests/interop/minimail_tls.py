#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""STARTTLS (SMTP, IMAP) and STLS (POP3) between minimail and real clients.

usage: minimail_tls.py MINIMAIL [MAILSEND]

Makes a throw-away self-signed certificate for localhost and 127.0.0.1
with the openssl command, starts minimail with it, and checks:
smtplib's starttls() then AUTH and a message (Received says ESMTPSA);
poplib's stls() then USER/PASS and RETR byte-identical; curl with
--ssl-reqd on smtp:// and pop3://; mailsend --starttls (certificate
checked against the test CA; refused without it); imaplib's starttls()
then LOGIN and FETCH byte-identical, and curl --ssl-reqd on imap://; and
the CVE-2011-0411 defence: a command sent in the same packet as STARTTLS
or STLS is discarded, never answered, and logged (SMTP, POP3, IMAP). Skipped (77) when minimail was
built without OpenSSL or the openssl command is missing; the curl part is
skipped without curl.
"""
import imaplib
import os
import poplib
import smtplib
import socket
import ssl
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Minimail, TempDir, check, dotty_body, find_program,  # noqa: E402
                       main, message, run, skip, strip_trace)


def make_cert(tmp):
    openssl = find_program("openssl")
    if openssl is None:
        skip("the openssl command is not installed")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
         "-out", cert, "-days", "2", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"], check_status=0)
    return cert, key


def read_line(sock):
    data = b""
    while not data.endswith(b"\r\n"):
        c = sock.recv(1)
        if not c:
            break
        data += c
    return data


def read_reply(sock):
    """One SMTP reply, all its lines, reading byte by byte so that nothing
    after it is consumed (the TLS handshake follows)."""
    lines = []
    while True:
        line = read_line(sock)
        lines.append(line)
        if len(line) < 4 or line[3:4] != b"-":
            return lines


def test():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    exe = sys.argv[1]
    mailsend = sys.argv[2] if len(sys.argv) > 2 else None
    helptext = run([exe, "--help"], check_status=0).stdout
    if b"--tls-cert" not in helptext:
        skip("minimail was built without OpenSSL: no STARTTLS")
    with TempDir() as tmp:
        cert, key = make_cert(tmp)
        ctx = ssl.create_default_context(cafile=cert)
        with Minimail(exe, tmp, args=("--tls-cert", cert, "--tls-key", key)) as mm:
            sp, pp = mm.ports["smtp"], mm.ports["pop3"]
            # smtplib
            msg = message("over TLS", dotty_body())
            with smtplib.SMTP("127.0.0.1", sp, timeout=60) as s:
                s.ehlo()
                check(s.has_extn("starttls"), "STARTTLS not offered")
                s.starttls(context=ctx)
                s.ehlo()
                check(not s.has_extn("starttls"), "STARTTLS offered again under TLS")
                s.login("demo", "demo")
                check(s.sendmail("a@example.org", ["demo@x"], msg) == {}, "refused")
            stored = mm.stored("demo")
            check(len(stored) == 1 and strip_trace(stored[0]) == msg, "stored")
            check(b"with ESMTPSA" in stored[0], "Received does not say ESMTPSA")
            # poplib
            p = poplib.POP3("127.0.0.1", pp, timeout=60)
            check("STLS" in p.capa(), "STLS not in CAPA")
            p.stls(context=ctx)
            p.user("demo")
            p.pass_("demo")
            _, lines, _ = p.retr(1)
            check(strip_trace(b"\r\n".join(lines) + b"\r\n") == msg, "RETR over TLS")
            p.quit()
            # mailsend
            if mailsend is not None:
                m2 = message("mailsend TLS", [b"tls"])
                r = run([mailsend, "-v", "--starttls", "--cafile", cert, "--server",
                         "127.0.0.1:%d" % sp, "--user", "demo", "--password", "demo",
                         "--from", "a@example.org", "--to", "demo@x"], data=m2)
                check(r.returncode == 0, "mailsend --starttls: %d %r"
                      % (r.returncode, r.stderr[-1500:]))
                check(b"TLS up" in r.stderr, "mailsend -v does not show TLS")
                check(any(strip_trace(x) == m2 for x in mm.stored("demo")),
                      "mailsend's TLS message")
                r = run([mailsend, "--starttls", "--server", "127.0.0.1:%d" % sp,
                         "--from", "a@example.org", "--to", "demo@x"], data=m2)
                check(r.returncode == 3 and b"TLS" in r.stderr,
                      "an unknown certificate was accepted: %d %r"
                      % (r.returncode, r.stderr))
            # curl
            curl = find_program("curl")
            if curl is not None:
                m3 = message("curl TLS", [b"curl"])
                path = os.path.join(tmp, "m3.eml")
                with open(path, "wb") as f:
                    f.write(m3)
                run([curl, "-sS", "--ssl-reqd", "--cacert", cert, "--url",
                     "smtp://127.0.0.1:%d" % sp, "--mail-from", "a@example.org",
                     "--mail-rcpt", "demo@x", "--upload-file", path,
                     "--user", "demo:demo"], check_status=0)
                n = len(mm.stored("demo"))
                got = run([curl, "-sS", "--ssl-reqd", "--cacert", cert,
                           "pop3://demo:demo@127.0.0.1:%d/%d" % (pp, n)],
                          check_status=0).stdout
                check(strip_trace(got) == m3, "curl over TLS")
            else:
                print("curl not installed: its TLS part skipped")

            # CVE-2011-0411: plaintext behind STARTTLS is never executed
            sock = socket.create_connection(("127.0.0.1", sp), timeout=30)
            read_reply(sock)
            sock.sendall(b"EHLO inject.example\r\n")
            read_reply(sock)
            sock.sendall(b"STARTTLS\r\nMAIL FROM:<evil@example.org>\r\n")
            reply = read_reply(sock)
            check(reply[0].startswith(b"220"), "STARTTLS: %r" % reply)
            tls = ctx.wrap_socket(sock, server_hostname="localhost")
            tls.sendall(b"EHLO inject.example\r\n")
            ehlo = read_reply(tls)
            check(ehlo[0].startswith(b"250"),
                  "the injected command was answered: %r" % ehlo)
            tls.sendall(b"RCPT TO:<demo@x>\r\n")
            r = read_reply(tls)
            check(r[0].startswith(b"503"),
                  "the injected MAIL was executed (RCPT answered %r)" % r)
            tls.sendall(b"QUIT\r\n")
            read_reply(tls)
            tls.close()
            sock = socket.create_connection(("127.0.0.1", pp), timeout=30)
            read_line(sock)
            sock.sendall(b"STLS\r\nUSER demo\r\n")
            check(read_line(sock).startswith(b"+OK"), "STLS refused")
            tls = ctx.wrap_socket(sock, server_hostname="localhost")
            tls.sendall(b"PASS demo\r\n")
            r = read_line(tls)
            check(r.startswith(b"-ERR"),
                  "the injected USER was executed (PASS answered %r)" % r)
            tls.sendall(b"QUIT\r\n")
            read_line(tls)
            tls.close()
            leftovers = 2
            if "imap" in mm.ports:
                imap_tls(mm, ctx, cert, msg, curl)
                leftovers += 1
            log = mm.log_text()
            check(log.count("MW_E_TLS_LEFTOVER") >= leftovers,
                  "the discarded plaintext is not logged")
            check(mm.stop() == 0, "minimail did not stop cleanly")


def imap_tls(mm, ctx, cert, msg, curl):
    """IMAP STARTTLS (RFC 9051 §6.2.1): imaplib, curl, and plaintext sent
    behind the command."""
    ip = mm.ports["imap"]
    m = imaplib.IMAP4("127.0.0.1", ip, timeout=60)
    check("STARTTLS" in m.capabilities, "IMAP STARTTLS not offered")
    m.starttls(ssl_context=ctx)
    check("STARTTLS" not in m.capabilities, "STARTTLS offered again under TLS")
    m.login("demo", "demo")
    m.select("INBOX")
    typ, data = m.fetch("1", "(BODY.PEEK[])")
    check(typ == "OK" and strip_trace(data[0][1]) == msg, "IMAP FETCH over TLS")
    m.logout()
    if curl is not None:
        got = run([curl, "-sS", "--ssl-reqd", "--cacert", cert,
                   "imap://demo:demo@127.0.0.1:%d/INBOX;UID=1" % ip],
                  check_status=0).stdout
        check(strip_trace(got) == msg, "curl imap:// over TLS")
    # a LOGIN sent in clear behind STARTTLS is dropped: after the
    # handshake the session is still not authenticated
    sock = socket.create_connection(("127.0.0.1", ip), timeout=30)
    read_line(sock)
    sock.sendall(b"t1 STARTTLS\r\nt2 LOGIN demo demo\r\n")
    check(read_line(sock).startswith(b"t1 OK"), "IMAP STARTTLS refused")
    tls = ctx.wrap_socket(sock, server_hostname="localhost")
    tls.sendall(b"t3 SELECT INBOX\r\n")
    r = read_line(tls)
    check(r.startswith(b"t3 BAD"),
          "the injected LOGIN was executed (SELECT answered %r)" % r)
    tls.sendall(b"t4 LOGOUT\r\n")
    read_line(tls)
    tls.close()


if __name__ == "__main__":
    main(test)
