#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""minimail's IMAP server against Python's imaplib (and raw sockets where
imaplib has no command or would hide what is checked: pipelining, IDLE,
a client that stops reading).

usage: minimail_imap.py MINIMAIL [--valgrind] [--sanitized]

Starts minimail on 127.0.0.1 with kernel-chosen ports and a temporary
Maildir, then checks:
- a message sent by SMTP comes back byte-identical through IMAP BODY[]
  (after the Return-Path and Received fields minimail adds, RFC 5321
  §4.4): lines starting with ".", an 8-bit body, a 5 MB message; and
  RFC822.SIZE is the length of BODY[];
- ENVELOPE and BODYSTRUCTURE of a MIME message built here part by part
  (so every size, line count and section is known), cross-checked with
  Python's email package; every kind of section (part numbers, HEADER,
  TEXT, MIME, HEADER.FIELDS[.NOT], partials, missing parts);
- LOGIN, AUTHENTICATE PLAIN, CAPABILITY, LIST/LSUB, CREATE, DELETE,
  RENAME, SUBSCRIBE, STATUS, SELECT/EXAMINE, FETCH (and BODY vs
  BODY.PEEK and \\Seen), SEARCH (flags, UID and sequence sets,
  FROM/TO/SUBJECT/HEADER/BODY/TEXT, BEFORE/ON/SINCE, SENT*, LARGER,
  SMALLER, NOT, OR, parentheses), STORE (the flags land in the Maildir
  file names, ":2,S" and so on), EXPUNGE, APPEND (APPENDUID,
  byte-identical), COPY and MOVE (COPYUID), the UID forms, NAMESPACE, ID,
  ENABLE, UNSELECT, CLOSE, CHECK;
- two sessions on one mailbox see each other's changes; IDLE reports a
  message delivered by SMTP (EXISTS) and one appended by another session;
- pipelined commands are answered in order; a client that asks for a
  big body and stops reading does not stop the server, which keeps only
  a bounded queue for it.

With --valgrind minimail runs under valgrind (errors and definite leaks
fail the test) with a smaller workload; --sanitized leaves out the
memory check, as in minimail_python.py. Skipped (77) when minimail was
built without IMAP.
"""
import base64
import email
import email.utils
import imaplib
import os
import re
import smtplib
import socket
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mwinterop import (Failure, Minimail, TempDir, big_body_fast, check,  # noqa: E402
                       dotty_body, find_program, main, message, skip,
                       strip_trace)
from imapwire import NIL, Raw, fetch_dicts, parse, wire  # noqa: E402

USERS = ("demo:demo", "alice:wonder land", "bob:builder", "carol:c4rol")


def mime_message():
    """A MIME message and, for each section, the bytes it must have."""
    part1_body = b"Hello =C3=A9 world\r\n.dot line"
    part1_head = (b"Content-Type: text/plain; charset=utf-8\r\n"
                  b"Content-Transfer-Encoding: quoted-printable\r\n\r\n")
    part2_body = b"AAECAwQ="
    part2_head = (b"Content-Type: application/octet-stream; name=\"a.bin\"\r\n"
                  b"Content-Transfer-Encoding: base64\r\n"
                  b"Content-Disposition: attachment; filename=\"a.bin\"\r\n"
                  b"Content-ID: <part2@x.test>\r\n"
                  b"Content-Description: some bytes\r\n"
                  b"Content-Language: en, de\r\n\r\n")
    in_p1 = b"plain text"
    in_p2 = b"<p>html</p>\r\n"
    inner_head = (b"From: Inner Sender <inner@x.test>\r\n"
                  b"Subject: inner\r\n"
                  b"MIME-Version: 1.0\r\n"
                  b"Content-Type: multipart/alternative; boundary=inner-b\r\n\r\n")
    inner_text = (b"--inner-b\r\nContent-Type: text/plain\r\n\r\n" + in_p1 +
                  b"\r\n--inner-b\r\nContent-Type: text/html; charset=us-ascii\r\n\r\n"
                  + in_p2 + b"\r\n--inner-b--")
    inner = inner_head + inner_text
    part3_head = b"Content-Type: message/rfc822\r\n\r\n"
    head = (b"From: \"Doe, John\" <john.doe@example.org>\r\n"
            b"To: Mary <mary@x.test>, jane@y.test\r\n"
            b"Cc: undisclosed-recipients:;\r\n"
            b"Reply-To: \"Q \\\"quoted\\\"\" <q@x.test>\r\n"
            b"Subject: mime test\r\n"
            b"Date: Thu, 26 Nov 2026 06:16:19 +0100\r\n"
            b"Message-ID: <mime@x.test>\r\n"
            b"In-Reply-To: <parent@x.test>\r\n"
            b"MIME-Version: 1.0\r\n"
            b"Content-Type: multipart/mixed; boundary=\"outer-b\"\r\n\r\n")
    text = (b"This is a preamble\r\n--outer-b\r\n" + part1_head + part1_body +
            b"\r\n--outer-b\r\n" + part2_head + part2_body +
            b"\r\n--outer-b\r\n" + part3_head + inner +
            b"\r\n--outer-b--\r\nepilogue\r\n")
    sections = {
        "TEXT": text,
        "1": part1_body, "1.MIME": part1_head,
        "2": part2_body, "2.MIME": part2_head,
        "3": inner, "3.MIME": part3_head, "3.HEADER": inner_head,
        "3.TEXT": inner_text, "3.1": in_p1, "3.2": in_p2,
        "3.2.MIME": b"Content-Type: text/html; charset=us-ascii\r\n\r\n",
    }
    return head + text, head, sections


def lines(b):
    """Number of lines of a body (RFC 9051 body-fld-lines)."""
    return b.count(b"\r\n") + (0 if b == b"" or b.endswith(b"\r\n") else 1)


class Test:
    def __init__(self, exe, valgrind, sanitized, mm=None):
        self.exe = exe
        self.valgrind = valgrind
        self.sanitized = sanitized
        self.mm = mm
        self.big = 5 * 1024 * 1024 if not valgrind else 1024 * 1024

    # ---- helpers ----------------------------------------------------------

    def imap(self, user="demo", password="demo"):
        m = imaplib.IMAP4("127.0.0.1", self.mm.ports["imap"], timeout=120)
        if user is not None:
            typ, _ = m.login(user, password)
            check(typ == "OK", "LOGIN %s" % user)
        return m

    def smtp_send(self, msg, to="demo@example.org", options=()):
        with smtplib.SMTP("127.0.0.1", self.mm.ports["smtp"], timeout=120) as s:
            refused = s.sendmail("sender@example.org", [to], msg,
                                 mail_options=list(options))
            check(refused == {}, "SMTP refused %r" % refused)

    def ok(self, res, what):
        typ, data = res
        check(typ == "OK", "%s: %s %r" % (what, typ, data))
        return data

    def fetch1(self, m, seq, items, uid=False):
        if uid:
            data = self.ok(m.uid("FETCH", seq, items), "UID FETCH %s %s" % (seq, items))
        else:
            data = self.ok(m.fetch(seq, items), "FETCH %s %s" % (seq, items))
        d = fetch_dicts(data)
        check(len(d) == 1, "FETCH %s %s: %r" % (seq, items, data))
        return list(d.values())[0]

    def files(self, user, folder=""):
        d = os.path.join(self.mm.maildir(user), ("." + folder) if folder else "",
                         "cur")
        return sorted(os.listdir(d)) if os.path.isdir(d) else []

    # ---- tests ------------------------------------------------------------

    def test_login(self):
        m = self.imap(None)
        caps = m.capabilities
        for c in ("IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "NAMESPACE", "ID",
                  "ENABLE", "UNSELECT", "AUTH=PLAIN", "LITERAL+"):
            check(c in caps, "CAPABILITY lacks %s: %r" % (c, caps))
        check("STARTTLS" not in caps, "STARTTLS offered without TLS")
        try:
            m.login("demo", "wrong")
            raise Failure("a wrong password was accepted")
        except imaplib.IMAP4.error as e:
            check("AUTHENTICATIONFAILED" in str(e), "wrong password: %s" % e)
        typ, _ = m.authenticate("PLAIN", lambda _: b"\0alice\0wonder land")
        check(typ == "OK", "AUTHENTICATE PLAIN")
        check(m.state == "AUTH", "not authenticated")
        m.logout()
        # SASL-IR (RFC 4959), by hand
        r = Raw(self.mm.ports["imap"])
        ir = base64.b64encode(b"\0bob\0builder")
        got = r.command(b"a1", b"AUTHENTICATE PLAIN " + ir)
        check(got[-1].startswith(b"a1 OK"), "SASL-IR: %r" % got)
        got = r.command(b"a2", b"LOGOUT")
        check(got[0].startswith(b"* BYE") and got[-1].startswith(b"a2 OK"),
              "LOGOUT: %r" % got)
        r.close()
        log = self.mm.log_text()
        check("wonder" not in log and "builder" not in log.replace("bob:builder", ""),
              "a password is in the log")

    def test_roundtrip(self):
        """SMTP in, IMAP BODY[] out, byte for byte (dots, 8-bit, 5 MB)."""
        msgs = [
            message("imap dots", dotty_body()),
            message("imap 8bit", ["Grüße aus Köln — ünïcödé".encode("utf-8"),
                                  ".ëlan".encode("utf-8"), b"\xff\xfe raw"],
                    [b"MIME-Version: 1.0",
                     b"Content-Type: text/plain; charset=utf-8",
                     b"Content-Transfer-Encoding: 8bit"]),
            message("imap big", big_body_fast(self.big)),
        ]
        for i, msg in enumerate(msgs):
            self.smtp_send(msg, "alice@example.org",
                           ["SMTPUTF8", "BODY=8BITMIME"] if i == 1 else [])
        m = self.imap("alice", "wonder land")
        data = self.ok(m.select("INBOX"), "SELECT")
        check(int(data[0]) >= 3, "EXISTS %r" % data)
        n = int(data[0])
        for k, msg in enumerate(msgs):
            seq = n - len(msgs) + 1 + k
            d = self.fetch1(m, str(seq), "(RFC822.SIZE BODY.PEEK[])")
            body = d["BODY[]"]
            check(strip_trace(body) == msg, "message %d differs after IMAP" % k)
            check(int(d["RFC822.SIZE"]) == len(body),
                  "RFC822.SIZE %s, BODY[] %d" % (d["RFC822.SIZE"], len(body)))
            # and the same through the UID form and RFC822
            uid = self.fetch1(m, str(seq), "(UID)")["UID"]
            d = self.fetch1(m, uid.decode(), "(RFC822)", uid=True)
            check(strip_trace(d["RFC822"]) == msg, "RFC822 %d differs" % k)
        # BODY.PEEK left \Seen alone, RFC822 set it (RFC 9051 §6.4.5)
        flags = self.fetch1(m, str(n), "(FLAGS)")["FLAGS"]
        check(b"\\Seen" in flags, "RFC822 did not set \\Seen: %r" % flags)
        m.logout()

    def test_structure(self):
        msg, head, sections = mime_message()
        self.smtp_send(msg, "bob@example.org")
        m = self.imap("bob", "builder")
        n = int(self.ok(m.select("INBOX"), "SELECT")[0])
        d = self.fetch1(m, str(n), "(ENVELOPE BODYSTRUCTURE BODY)")
        env = d["ENVELOPE"]
        check(env[0] == b"Thu, 26 Nov 2026 06:16:19 +0100", "env date %r" % env[0])
        check(env[1] == b"mime test", "env subject %r" % env[1])
        check(env[2] == [[b"Doe, John", NIL, b"john.doe", b"example.org"]],
              "env from %r" % env[2])
        check(env[3] == env[2], "env sender (defaults to From) %r" % env[3])
        check(env[4] == [[b'Q "quoted"', NIL, b"q", b"x.test"]],
              "env reply-to %r" % env[4])
        check(env[5] == [[b"Mary", NIL, b"mary", b"x.test"],
                         [NIL, NIL, b"jane", b"y.test"]], "env to %r" % env[5])
        check(env[6] == [[NIL, NIL, b"undisclosed-recipients", NIL],
                         [NIL, NIL, NIL, NIL]], "env cc (a group) %r" % env[6])
        check(env[7] is NIL, "env bcc %r" % env[7])
        check(env[8] == b"<parent@x.test>" and env[9] == b"<mime@x.test>",
              "env ids %r %r" % (env[8], env[9]))
        # the same addresses as Python's email package reads them
        pm = email.message_from_bytes(msg)
        for field, got in (("From", env[2]), ("To", env[5])):
            want = email.utils.getaddresses([pm[field]])
            have = [((a[0] if a[0] is not NIL else b"").decode(),
                     (a[2] + b"@" + a[3]).decode()) for a in got]
            check(have == want, "%s: %r vs email %r" % (field, have, want))

        bs = d["BODYSTRUCTURE"]
        p1, p2, p3 = bs[0], bs[1], bs[2]
        check(bs[3].lower() == b"mixed" and bs[4] == [b"boundary", b"outer-b"],
              "multipart %r" % bs[3:])
        check([x.lower() for x in p1[:2]] == [b"text", b"plain"] and
              p1[2] == [b"charset", b"utf-8"] and
              p1[5].upper() == b"QUOTED-PRINTABLE" and
              int(p1[6]) == len(sections["1"]) and
              int(p1[7]) == lines(sections["1"]), "part 1 %r" % p1)
        check([x.lower() for x in p2[:2]] == [b"application", b"octet-stream"] and
              p2[2] == [b"name", b"a.bin"] and p2[3] == b"<part2@x.test>" and
              p2[4] == b"some bytes" and p2[5].upper() == b"BASE64" and
              int(p2[6]) == len(sections["2"]), "part 2 %r" % p2)
        check(p2[7] is NIL and p2[8] == [b"attachment", [b"filename", b"a.bin"]] and
              p2[9] == [b"en", b"de"], "part 2 extension data %r" % p2[7:])
        check([x.lower() for x in p3[:2]] == [b"message", b"rfc822"] and
              int(p3[6]) == len(sections["3"]) and
              int(p3[9]) == lines(sections["3"]), "part 3 %r" % p3)
        inner_env, inner_body = p3[7], p3[8]
        check(inner_env[1] == b"inner" and
              inner_env[2] == [[b"Inner Sender", NIL, b"inner", b"x.test"]],
              "inner envelope %r" % inner_env)
        alt_plain, alt_html = inner_body[0], inner_body[1]
        check(inner_body[2].lower() == b"alternative", "inner %r" % inner_body)
        check(int(alt_plain[6]) == len(sections["3.1"]) and
              int(alt_plain[7]) == lines(sections["3.1"]) and
              int(alt_html[6]) == len(sections["3.2"]) and
              int(alt_html[7]) == lines(sections["3.2"]),
              "inner parts %r %r" % (alt_plain, alt_html))
        # the parts in the order Python's email package finds them
        types = [p.get_content_type() for p in pm.walk()]
        check(types == ["multipart/mixed", "text/plain", "application/octet-stream",
                        "message/rfc822", "multipart/alternative", "text/plain",
                        "text/html"], "email types %r" % types)
        # BODY: the same without extension data
        body = d["BODY"]
        check(len(body[1]) == 7 and len(body) == 4 and body[3].lower() == b"mixed",
              "BODY (no extension data) %r" % body)

        # every section
        for sec, want in sections.items():
            got = self.fetch1(m, str(n), "(BODY.PEEK[%s])" % sec)
            check(got["BODY[%s]" % sec] == want,
                  "BODY[%s]: %r, want %r" % (sec, got["BODY[%s]" % sec][:100],
                                             want[:100]))
        d = self.fetch1(m, str(n), "(BODY.PEEK[HEADER] BODY.PEEK[] RFC822.HEADER)")
        whole = d["BODY[]"]
        check(strip_trace(whole) == msg, "BODY[]")
        check(strip_trace(d["BODY[HEADER]"]) == head, "BODY[HEADER]")
        check(d["RFC822.HEADER"] == d["BODY[HEADER]"], "RFC822.HEADER")
        d = self.fetch1(m, str(n), "(BODY.PEEK[HEADER.FIELDS (Subject TO)])")
        check(d["BODY[HEADER.FIELDS (SUBJECT TO)]"] ==
              b"To: Mary <mary@x.test>, jane@y.test\r\nSubject: mime test\r\n\r\n",
              "HEADER.FIELDS %r" % d)
        d = self.fetch1(m, str(n), "(BODY.PEEK[3.HEADER.FIELDS.NOT (From)])")
        check(list(d.values())[0] == b"Subject: inner\r\nMIME-Version: 1.0\r\n"
              b"Content-Type: multipart/alternative; boundary=inner-b\r\n\r\n",
              "HEADER.FIELDS.NOT %r" % d)
        # partials (RFC 9051 §6.4.5): <origin.length>, past the end, and
        # a part that does not exist
        d = self.fetch1(m, str(n), "(BODY.PEEK[3]<5.10> BODY.PEEK[]<0.20> "
                                   "BODY.PEEK[1]<9999.5>)")
        check(d["BODY[3]<5>"] == sections["3"][5:15], "partial 3 %r" % d)
        check(d["BODY[]<0>"] == whole[:20], "partial [] %r" % d)
        check(d["BODY[1]<9999>"] == b"", "partial past the end %r" % d)
        d = self.fetch1(m, str(n), "(BODY.PEEK[9] BODY.PEEK[1.1])")
        check(d["BODY[9]"] is NIL and d["BODY[1.1]"] is NIL,
              "missing parts %r" % d)
        # BODY[] sets \Seen and the FETCH says so
        flags = self.fetch1(m, str(n), "(FLAGS)")["FLAGS"]
        check(b"\\Seen" not in flags, "PEEK set \\Seen: %r" % flags)
        d = self.fetch1(m, str(n), "(BODY[2])")
        check(b"\\Seen" in d.get("FLAGS", []), "BODY[2] without FLAGS %r" % d)
        check(self.files("bob")[-1].endswith(":2,S"),
              "\\Seen is not in the file name: %r" % self.files("bob"))
        m.logout()

    def test_odd_messages(self):
        """Files other programs put into the Maildir (LF line ends, no
        final line end, no size in the name) are served in CRLF form,
        with sizes and sections counted in it; odd MIME structures (a
        digest, a multipart without its boundary, deep nesting) still
        give a valid BODYSTRUCTURE."""
        def crlf(b):
            b = re.sub(rb"\r\n|\r|\n", b"\r\n", b)
            return b if b.endswith(b"\r\n") else b + b"\r\n"

        deep = b"Subject: deep\nContent-Type: multipart/mixed; boundary=b0\n\n"
        for k in range(1, 40):
            deep += b"--b%d\nContent-Type: multipart/mixed; boundary=b%d\n\n" % (
                k - 1, k)
        deep += b"--b39\n\ninnermost\n"
        files = [
            b"From: x@y.test\nSubject: lf\nContent-Type: multipart/mixed; "
            b"boundary=b\n\n--b\n\nfirst\n--b\nContent-Type: text/plain\n\n"
            b"second\r\nthird\r--b--\n",
            b"Subject: no final line end\n\nlast line",
            b"Subject: digest\nContent-Type: multipart/digest; boundary=d\n\n"
            b"--d\n\nSubject: in digest\nFrom: d@x.test\n\nbody\n--d--\n",
            b"Subject: lost boundary\nContent-Type: multipart/mixed; "
            b"boundary=zzz\n\nno boundary here\n",
            deep,
        ]
        d = os.path.join(self.mm.maildir("bob"), "new")
        for k, data in enumerate(files):
            with open(os.path.join(d, "1600000000.odd%d.host" % k), "wb") as f:
                f.write(data)
        m = self.imap("bob", "builder")
        n = int(self.ok(m.select("INBOX"), "SELECT")[0])
        first = n - len(files) + 1
        for k, data in enumerate(files):
            want = crlf(data)
            got = self.fetch1(m, str(first + k), "(RFC822.SIZE BODY.PEEK[] "
                              "BODY.PEEK[]<7.9> BODYSTRUCTURE)")
            check(got["BODY[]"] == want, "odd %d: BODY[] %r" % (k, got["BODY[]"][:80]))
            check(int(got["RFC822.SIZE"]) == len(want), "odd %d: size" % k)
            check(got["BODY[]<7>"] == want[7:16], "odd %d: partial" % k)
        got = self.fetch1(m, str(first), "(BODY.PEEK[2] BODY.PEEK[1] "
                          "BODY.PEEK[TEXT]<2.10>)")
        check(got["BODY[2]"] == b"second\r\nthird" and got["BODY[1]"] == b"first",
              "LF file sections %r" % got)
        check(got["BODY[TEXT]<2>"] == crlf(files[0]).split(b"\r\n\r\n", 1)[1][2:12],
              "LF file TEXT partial %r" % got)
        bs = self.fetch1(m, str(first + 2), "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
        check(bs[0][:2] == [b"MESSAGE", b"RFC822"] and bs[0][7][1] == b"in digest",
              "digest default %r" % bs)
        bs = self.fetch1(m, str(first + 3), "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
        check(isinstance(bs[0], list) and bs[1].lower() == b"mixed",
              "lost boundary %r" % bs)
        bs = self.fetch1(m, str(first + 4), "(BODYSTRUCTURE)")["BODYSTRUCTURE"]
        depth = 0
        while isinstance(bs, list) and isinstance(bs[0], list):
            bs = bs[0]
            depth += 1
        check(depth >= 20, "deep nesting: depth %d" % depth)
        m.logout()

    def test_search_store(self):
        m = self.imap("carol", "c4rol")
        for i, (subj, body) in enumerate((("alpha", b"red apples"),
                                          ("beta", b"green pears"),
                                          ("gamma", b"red cherries " * 200))):
            self.smtp_send(message(subj, [body], [b"X-Index: %d" % i]),
                           "carol@example.org")
        self.ok(m.select("INBOX"), "SELECT")

        def search(*crit, uid=False):
            if uid:
                data = self.ok(m.uid("SEARCH", *crit), "UID SEARCH %r" % (crit,))
            else:
                data = self.ok(m.search(None, *crit), "SEARCH %r" % (crit,))
            return [int(x) for x in data[0].split()]

        check(search("ALL") == [1, 2, 3], "ALL")
        check(search("SUBJECT", "beta") == [2], "SUBJECT")
        check(search("FROM", "SENDER@EXAMPLE") == [1, 2, 3], "FROM, any case")
        check(search("TO", "demo") == [1, 2, 3], "TO")
        check(search("HEADER", "X-Index", "2") == [3], "HEADER")
        check(search("HEADER", "X-Index", '""') == [1, 2, 3], "HEADER present")
        check(search("BODY", "red") == [1, 3], "BODY")
        check(search("TEXT", "GAMMA") == [3], "TEXT")
        check(search("NOT", "BODY", "red") == [2], "NOT")
        check(search("OR", "SUBJECT", "alpha", "SUBJECT", "gamma") == [1, 3], "OR")
        check(search("(BODY red SUBJECT gamma)") == [3],
              "parentheses")
        check(search("LARGER", "2000") == [3] and search("SMALLER", "2000") == [1, 2],
              "LARGER/SMALLER")
        today = time.strftime("%d-%b-%Y", time.gmtime())
        check(search("ON", today) == [1, 2, 3] and search("BEFORE", today) == [] and
              search("SINCE", today) == [1, 2, 3], "ON/BEFORE/SINCE %s" % today)
        check(search("SENTON", "26-Nov-2026") == [1, 2, 3] and
              search("SENTBEFORE", "1-Jan-2020") == [], "SENT*")
        check(search("2:3") == [2, 3] and search("2:*", "SUBJECT", "gamma") == [3],
              "sequence sets")
        uids = search("ALL", uid=True)
        check(len(uids) == 3 and search("UID", "%d" % uids[1]) == [2], "UID key")
        check(search("UID", "%d:*" % uids[1], uid=True) == uids[1:], "UID SEARCH")
        check(search("UNSEEN") == [1, 2, 3] and search("SEEN") == [], "UNSEEN")
        # STORE: the replies, the flags in the file names (Maildir "info")
        data = self.ok(m.store("1", "+FLAGS", "(\\Seen \\Flagged)"), "STORE")
        check(set(fetch_dicts(data)[1]["FLAGS"]) - {b"\\Recent"} ==
              {b"\\Seen", b"\\Flagged"}, "STORE reply %r" % data)
        self.ok(m.uid("STORE", str(uids[1]), "+FLAGS.SILENT", "(\\Answered \\Draft)"),
                "UID STORE .SILENT")
        self.ok(m.store("3", "FLAGS", "(\\Deleted)"), "STORE FLAGS")
        self.ok(m.store("1", "-FLAGS", "(\\Flagged)"), "STORE -FLAGS")
        names = self.files("carol")
        check([n.split(":2,")[1] for n in names] == ["S", "DR", "T"],
              "file names: %r" % names)
        check(search("SEEN") == [1] and search("ANSWERED") == [2] and
              search("DRAFT") == [2] and search("DELETED") == [3] and
              search("UNDELETED") == [1, 2] and search("FLAGGED") == [],
              "flag keys")
        # EXAMINE is read-only
        self.ok(m.select("INBOX", readonly=True), "EXAMINE")
        typ, _ = m.store("1", "+FLAGS", "(\\Flagged)")
        check(typ == "NO", "STORE in EXAMINE: %s" % typ)
        self.ok(m.select("INBOX"), "SELECT again")
        # EXPUNGE says which went
        typ, data = m.expunge()
        check(typ == "OK" and data == [b"3"], "EXPUNGE %r" % (data,))
        check(len(self.files("carol")) == 2, "the file was not removed")
        # UID EXPUNGE (RFC 4315) takes only the UIDs named
        self.ok(m.store("1:2", "+FLAGS", "(\\Deleted)"), "STORE 1:2")
        data = self.ok(m.uid("EXPUNGE", str(uids[1])), "UID EXPUNGE")
        check(m.untagged_responses.get("EXPUNGE", [b"2"]) is not None,
              "UID EXPUNGE %r" % data)
        check(search("ALL") == [1] and search("ALL", uid=True) == [uids[0]],
              "after UID EXPUNGE")
        self.ok(m.store("1", "-FLAGS", "(\\Deleted)"), "undelete")
        # CLOSE expunges quietly, UNSELECT does not (RFC 3691)
        self.ok(m.store("1", "+FLAGS", "(\\Deleted)"), "STORE")
        self.ok(m.unselect(), "UNSELECT")
        check(len(self.files("carol")) == 1, "UNSELECT expunged")
        self.ok(m.select("INBOX"), "SELECT")
        self.ok(m.close(), "CLOSE")
        check(self.files("carol") == [], "CLOSE did not expunge")
        m.logout()

    def test_folders(self):
        m = self.imap()
        self.ok(m.create("Archive"), "CREATE")
        self.ok(m.create("Lists.ietf"), "CREATE Lists.ietf")
        # "Grüße" in modified UTF-7 (RFC 3501 §5.1.3; imaplib leaves it to us)
        self.ok(m.create("Gr&APwA3w-e"), "CREATE (non-ASCII: modified UTF-7)")
        typ, _ = m.create("Archive")
        check(typ == "NO", "CREATE of an existing mailbox")
        data = self.ok(m.list(), "LIST")
        lst = b"\n".join(data)
        for name in (b'"." INBOX', b'"." Archive', b'"." Lists.ietf',
                     b'"." Gr&APwA3w-e'):
            check(name in lst, "LIST lacks %r: %r" % (name, data))
        check(os.path.isdir(os.path.join(self.mm.maildir("demo"), ".Grüße", "cur")),
              "the folder is not in UTF-8 on disk")
        data = self.ok(m.list('""', "%"), "LIST %")
        check(any(b"\\Noselect" in x and x.endswith(b"Lists") for x in data) and
              not any(x.endswith(b"ietf") for x in data), "LIST %%: %r" % data)
        data = self.ok(m.list('""', "inbox"), "LIST inbox")
        check(len(data) == 1 and data[0].endswith(b"INBOX"), "LIST inbox %r" % data)
        self.ok(m.rename("Lists.ietf", "Lists.w3c"), "RENAME")
        self.ok(m.subscribe("Archive"), "SUBSCRIBE")
        data = self.ok(m.lsub(), "LSUB")
        check(len(data) == 2 and data[-1].endswith(b"Archive"), "LSUB %r" % data)
        self.ok(m.unsubscribe("Archive"), "UNSUBSCRIBE")
        self.ok(m.delete("Lists.w3c"), "DELETE")
        typ, _ = m.delete("Nope")
        check(typ == "NO", "DELETE of a missing mailbox")
        typ, _ = m.delete("INBOX")
        check(typ == "NO", "DELETE INBOX")
        # APPEND: flags, date, APPENDUID, byte-identical back
        sent = [message("appended dots", dotty_body()),
                message("appended 8bit", ["ça va ½".encode("utf-8"), b"\xe9\xff"]),
                message("appended big", big_body_fast(self.big // 2))]
        for msg in sent:
            typ, data = m.append("Archive", "(\\Seen \\Flagged)",
                                 imaplib.Time2Internaldate(1700000000), msg)
            check(typ == "OK" and b"APPENDUID" in data[0], "APPEND %r" % data)
        typ, data = m.append("Nope", None, None, sent[0])
        check(typ == "NO" and b"TRYCREATE" in data[0], "APPEND to nowhere %r" % data)
        data = self.ok(m.status("Archive", "(MESSAGES UIDNEXT UNSEEN UIDVALIDITY)"),
                       "STATUS")
        check(re.search(rb"MESSAGES 3\b", data[0]) and re.search(rb"UNSEEN 0\b", data[0]),
              "STATUS %r" % data)
        self.ok(m.select("Archive"), "SELECT Archive")
        for k, msg in enumerate(sent, 1):
            d = self.fetch1(m, str(k), "(FLAGS INTERNALDATE BODY.PEEK[])")
            check(d["BODY[]"] == msg, "appended message %d differs" % k)
            check(sorted(d["FLAGS"]) == [b"\\Flagged", b"\\Seen"], "flags %r" % d)
            check(d["INTERNALDATE"] == b"14-Nov-2023 22:13:20 +0000",
                  "INTERNALDATE %r" % d["INTERNALDATE"])
        # COPY and MOVE with COPYUID (RFC 4315, RFC 6851)
        typ, data = m.copy("1:2", "INBOX")
        check(typ == "OK" and b"COPYUID" in data[0], "COPY %r" % data)
        uids = self.ok(m.uid("SEARCH", None, "ALL"), "UID SEARCH")[0].split()
        m.untagged_responses.pop("OK", None)
        typ, data = m.uid("MOVE", uids[-1].decode(), "INBOX")
        check(typ == "OK", "UID MOVE %r" % data)
        check(any(b"COPYUID" in x for x in m.untagged_responses.get("OK", [])),
              "MOVE without an untagged COPYUID: %r" % m.untagged_responses)
        check(len(self.files("demo", "Archive")) == 2, "MOVE left the message")
        typ, data = m.copy("1", "Nope")
        check(typ == "NO" and b"TRYCREATE" in data[0], "COPY to nowhere %r" % data)
        self.ok(m.select("INBOX"), "SELECT INBOX")
        d = self.fetch1(m, "*", "(BODY.PEEK[] FLAGS)")
        check(d["BODY[]"] == sent[2] and b"\\Seen" in d["FLAGS"], "moved message")
        # NAMESPACE, ID, ENABLE, CHECK
        data = self.ok(m.namespace(), "NAMESPACE")
        check(data[0] == b'(("" ".")) NIL NIL', "NAMESPACE %r" % data)
        typ, data = m.xatom("ID", '("name" "minimail_imap.py")')
        check(typ == "OK" and b"minimail" in m.untagged_responses.get("ID", [b""])[0],
              "ID %r" % (m.untagged_responses,))
        self.ok(m.check(), "CHECK")
        self.ok(m.unselect(), "UNSELECT")
        self.ok(m.enable("CONDSTORE"), "ENABLE")  # RFC 5161: not when selected
        check(m.untagged_responses.get("ENABLED") == [b""] or
              m.untagged_responses.get("ENABLED") == [None], "ENABLED %r" % (
                  m.untagged_responses,))
        m.logout()

    def test_two_sessions_and_idle(self):
        a = self.imap()
        b = self.imap()
        self.ok(a.select("INBOX"), "SELECT a")
        n = int(self.ok(b.select("INBOX"), "SELECT b")[0])
        # b changes flags: a hears of it at its next command (NOOP)
        self.ok(b.store("1", "+FLAGS", "(\\Answered)"), "STORE b")
        a.noop()
        fl = [x for x in a.untagged_responses.get("FETCH", []) if b"\\Answered" in x]
        check(fl, "a did not see b's flag: %r" % a.untagged_responses)
        # IDLE (RFC 2177): a message delivered by SMTP shows as EXISTS
        r = Raw(self.mm.ports["imap"])
        r.command(b"i1", b"LOGIN demo demo")
        r.command(b"i2", b"SELECT INBOX")
        r.send(b"i3 IDLE\r\n")
        check(r.response().startswith(b"+ "), "no IDLE continuation")
        self.smtp_send(message("during idle", [b"wake up"]))
        got = r.response()
        check(got == b"* %d EXISTS" % (n + 1), "IDLE after SMTP: %r" % got)
        got = r.response()
        check(got.endswith(b" RECENT"), "IDLE RECENT: %r" % got)
        # ... and one appended by another IMAP session
        self.ok(b.append("INBOX", None, None, message("appended", [b"x"])), "APPEND")
        got = r.response()
        check(got == b"* %d EXISTS" % (n + 2), "IDLE after APPEND: %r" % got)
        r.response()
        # ... and an expunge by another session
        self.ok(b.store("%d" % (n + 2), "+FLAGS", "(\\Deleted)"), "STORE")
        got = r.response()
        check(got.startswith(b"* %d FETCH" % (n + 2)), "IDLE FLAGS: %r" % got)
        self.ok(b.expunge(), "EXPUNGE b")
        got = r.response()
        check(got == b"* %d EXPUNGE" % (n + 2), "IDLE EXPUNGE: %r" % got)
        r.send(b"DONE\r\n")
        check(r.response().startswith(b"i3 OK"), "DONE")
        r.command(b"i4", b"LOGOUT")
        r.close()
        a.logout()
        b.logout()

    def test_pipelining(self):
        r = Raw(self.mm.ports["imap"])
        r.send(b"p1 LOGIN demo demo\r\np2 SELECT INBOX\r\np3 FETCH 1 (UID)\r\n"
               b"p4 NOOP\r\np5 BOGUS\r\np6 FETCH 1 (BODY.PEEK[HEADER.FIELDS (Subject)])\r\n"
               b"p7 LOGOUT\r\n")
        tagged = []
        while len(tagged) < 7:
            got = r.response()
            if not got.startswith(b"* ") and not got.startswith(b"+ "):
                tagged.append(got.split(b" ")[:2])
        r.close()
        check(tagged == [[b"p1", b"OK"], [b"p2", b"OK"], [b"p3", b"OK"], [b"p4", b"OK"],
                         [b"p5", b"BAD"], [b"p6", b"OK"], [b"p7", b"OK"]],
              "pipelined: %r" % tagged)

    def test_backpressure(self):
        """A client asks for a big body and does not read: others are
        served meanwhile, the server's memory stays far below the size,
        and every byte arrives once the client reads."""
        size = 24 * 1024 * 1024 if not self.valgrind else 2 * 1024 * 1024
        msg = message("stall", big_body_fast(size))
        self.smtp_send(msg, "alice@example.org")
        r = Raw(self.mm.ports["imap"])
        r.send(b's1 LOGIN alice "wonder land"\r\ns2 SELECT INBOX\r\n'
               b"s3 FETCH * (BODY.PEEK[])\r\ns4 NOOP\r\ns5 LOGOUT\r\n")
        time.sleep(0.5)
        # someone else meanwhile
        m = self.imap("alice", "wonder land")
        self.ok(m.select("INBOX"), "SELECT (meanwhile)")
        m.logout()
        status = "/proc/%d/status" % self.mm.proc.pid
        got = r.until(b"s5")
        r.close()
        body = [x for x in got if b"FETCH (BODY[] {" in x]
        check(body, "no BODY[] in %r" % [x[:80] for x in got])
        data = body[0].split(b"}\r\n", 1)[1]
        check(strip_trace(data[:-1]) == msg, "stalled FETCH differs")
        check([x.split(b" ")[:2] for x in got if x[:1] == b"s"] ==
              [[b"s1", b"OK"], [b"s2", b"OK"], [b"s3", b"OK"], [b"s4", b"OK"],
               [b"s5", b"OK"]], "tagged after the stall")
        if not self.valgrind and not self.sanitized and os.path.exists(status):
            with open(status) as f:
                hwm = [x for x in f if x.startswith("VmHWM:")]
            if hwm:
                peak = int(hwm[0].split()[1]) * 1024
                print("     minimail peak RSS %.1f MB for a %d MB FETCH"
                      % (peak / 1048576.0, size >> 20))
                check(peak < size // 2, "minimail peak memory %d: the message "
                      "was buffered" % peak)

    def test_bad_input(self):
        r = Raw(self.mm.ports["imap"])
        got = r.command(b"b1", b"SELECT INBOX")
        check(got[-1].startswith(b"b1 BAD"), "SELECT before LOGIN: %r" % got)
        r.command(b"b2", b"LOGIN demo demo")
        got = r.command(b"b3", b"FETCH 1 (UID)")
        check(got[-1].startswith(b"b3 BAD"), "FETCH without SELECT: %r" % got)
        r.command(b"b4", b"SELECT INBOX")
        got = r.command(b"b5", b"FETCH 999999 (UID)")
        check(got[-1].startswith(b"b5 BAD"), "FETCH of a missing number: %r" % got)
        got = r.command(b"b6", b"UID FETCH 999999 (UID)")
        check(got == [b"b6 OK FETCH completed"], "UID FETCH of a missing UID: %r" % got)
        got = r.command(b"b7", b"SEARCH CHARSET KOI8-R ALL")
        check(got[-1].startswith(b"b7 NO [BADCHARSET"), "BADCHARSET: %r" % got)
        got = r.command(b"b8", b"SELECT ../../etc")
        check(got[-1].startswith(b"b8 NO"), "a path as a mailbox: %r" % got)
        got = r.command(b"b9", b"CREATE \"a/b\"")
        check(got[-1].startswith(b"b9 NO"), "a '/' in a name: %r" % got)
        r.command(b"b10", b"LOGOUT")
        r.close()

    # ---- run --------------------------------------------------------------

    def steps(self):
        return [self.test_login, self.test_roundtrip, self.test_structure,
                self.test_odd_messages, self.test_search_store, self.test_folders,
                self.test_two_sessions_and_idle, self.test_pipelining,
                self.test_bad_input, self.test_backpressure]

    def run_steps(self):
        for step in self.steps():
            t0 = time.monotonic()
            step()
            print("ok   imap %-26s %.2fs" % (step.__name__, time.monotonic() - t0))
            sys.stdout.flush()

    def run(self):
        wrapper = ()
        if self.valgrind:
            vg = find_program("valgrind")
            if vg is None:
                skip("valgrind is not installed")
            wrapper = (vg, "--error-exitcode=1", "--leak-check=full",
                       "--errors-for-leak-kinds=definite", "-q")
        with TempDir() as tmp:
            self.mm = Minimail(self.exe, tmp, users=USERS, wrapper=wrapper)
            self.mm.start()
            if "imap" not in self.mm.ports:
                self.mm.stop()
                skip("minimail was built without IMAP")
            try:
                self.run_steps()
            except Exception:
                print(self.mm.log_text()[-6000:])
                raise
            finally:
                status = self.mm.stop()
            log = self.mm.log_text()
            if status != 0:
                print(log[-8000:])
            check(status == 0, "minimail exit status %d on SIGTERM" % status)
            check(log.rstrip().endswith("minimail: stopped"),
                  "no clean stop in the log")


def run():
    if len(sys.argv) < 2:
        print(__doc__)
        sys.exit(2)
    Test(sys.argv[1], "--valgrind" in sys.argv[2:],
         "--sanitized" in sys.argv[2:]).run()


if __name__ == "__main__":
    main(run)
