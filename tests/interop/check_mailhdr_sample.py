#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Run the mailhdr example on the sample messages and check its JSON output.

Usage: check_mailhdr_sample.py MAILHDR SOURCE_DIR

The expected values are worked out here from the messages and the RFCs, not
copied from mailhdr's output: encoded words are decoded by hand (the UTF-8
bytes written in the test), dates are converted with Python's datetime, and
offsets are found by searching the message bytes. Registered as the ctest
test "mailhdr_sample" by examples/CMakeLists.txt.
"""
import datetime
import json
import os
import subprocess
import sys

failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def run(mailhdr, args, stdin=None):
    p = subprocess.run([mailhdr] + args, input=stdin, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def epoch(y, mo, d, h, mi, s, zone_minutes):
    tz = datetime.timezone(datetime.timedelta(minutes=zone_minutes))
    return int(datetime.datetime(y, mo, d, h, mi, s, tzinfo=tz).timestamp())


def addr(d, display, address, group=None, invalid=False):
    return (d["display"], d["address"], d["group"], d["invalid"]) == \
        (display, address, group, invalid)


def check_sample(mailhdr, path):
    raw = open(path, "rb").read()
    rc, out, err = run(mailhdr, [path])
    check(rc == 0, "sample.eml: exit status 0 (got %d: %s)" % (rc, err))
    lines = out.splitlines()
    check(len(lines) == 1, "sample.eml: one JSON line")
    m = json.loads(lines[0])

    # Every field in order, each at its offset; the body after the first
    # empty line (RFC 5322 §2.1).
    head = raw[:raw.index(b"\r\n\r\n") + 2]
    names, offsets, pos = [], [], 0
    for line in head.split(b"\r\n")[:-1]:
        if line[:1] not in (b" ", b"\t"):
            names.append(line.split(b":", 1)[0].decode())
            offsets.append(pos)
        pos += len(line) + 2
    check([f["name"] for f in m["fields"]] == names, "sample.eml: field names")
    check([f["offset"] for f in m["fields"]] == offsets,
          "sample.eml: field offsets")
    check(m["body_offset"] == raw.index(b"\r\n\r\n") + 4,
          "sample.eml: body offset")
    subj = [f for f in m["fields"] if f["name"] == "Subject"][0]
    check(subj["raw"].endswith("?=\r\n meeting") and
          subj["value"].endswith("?= meeting") and
          subj["flags"] == ["folded"], "sample.eml: raw and unfolded Subject")

    # Subject: a B word and a Q word, adjacent, so the space between them
    # goes (RFC 2047 §6.2); "_" in Q is a space (§4.2).
    check(m["subject"] == "R\u00e9sum\u00e9 of the \u20ac100 budget meeting",
          "sample.eml: subject decoded (got %r)" % m["subject"])

    check(len(m["from"]) == 1 and addr(m["from"][0], "Al\u00efce Li\u00f0ell",
                                       "alice@example.org"),
          "sample.eml: From display name decoded")
    check(len(m["sender"]) == 1 and addr(m["sender"][0], "Mailing List",
                                         "list-owner@example.org"),
          "sample.eml: Sender")
    check(len(m["reply_to"]) == 1 and addr(m["reply_to"][0], None,
                                           "alice+replies@example.org"),
          "sample.eml: Reply-To")
    to = m["to"]
    check(len(to) == 2 and addr(to[0], "Bob", "bob@example.net") and
          addr(to[1], "Smith, Carol", "carol@example.net"),
          "sample.eml: To (quoted display name with a comma)")
    # Cc: a group "Team" with two members, then a mailbox outside it
    # (RFC 5322 §3.4 group).
    cc = m["cc"]
    check(len(cc) == 3 and addr(cc[0], None, "dave@example.com", "Team") and
          addr(cc[1], "Erin", "erin@example.com", "Team") and
          addr(cc[2], None, "frank@example.com"),
          "sample.eml: Cc group members and the mailbox after the group")
    check(m["bcc"] is None, "sample.eml: no Bcc")

    # Date: 06:16:19 at +0100 is 05:16:19 UTC.
    check(m["date"] == {"rfc3339": "2026-11-26T06:16:19+01:00",
                        "epoch": epoch(2026, 11, 26, 6, 16, 19, 60)},
          "sample.eml: date (got %r)" % m["date"])
    check(m["message_id"] == "20261126051619.GA4242@mail.example.org",
          "sample.eml: Message-ID")
    check(m["in_reply_to"] == ["prev.1234@example.net"],
          "sample.eml: In-Reply-To")
    check(m["references"] == ["root.0001@example.com",
                              "prev.1234@example.net"],
          "sample.eml: References (folded)")
    check(m["keywords"] == ["budget", "r\u00e9sum\u00e9", "Q4 plan"],
          "sample.eml: Keywords")
    check(m["content_type"] == {"type": "text", "subtype": "plain",
                                "params": {"charset": "utf-8",
                                           "format": "flowed"}},
          "sample.eml: Content-Type")
    check(m["content_transfer_encoding"] == "8bit", "sample.eml: CTE")
    # RFC 2231 §4: charset'language'percent-encoded value.
    check(m["content_disposition"] ==
          {"type": "inline", "params": {"filename": "r\u00e9sum\u00e9.txt"}},
          "sample.eml: Content-Disposition filename* (RFC 2231)")
    check(m["return_path"] == "alice@example.org", "sample.eml: Return-Path")
    rcv = m["received"]
    check(len(rcv) == 1, "sample.eml: one Received")
    if len(rcv) == 1:
        cl = [(c["name"], c["value"]) for c in rcv[0]["clauses"]]
        check(cl == [("from", "mail.example.org"), ("by", "mx.example.net"),
                     ("with", "ESMTPS"), ("id", "4QXz1m2Kqgz9sWd"),
                     ("for", "<bob@example.net>")],
              "sample.eml: Received clauses (got %r)" % cl)
        check(rcv[0]["clauses"][0]["comment"] ==
              "mail.example.org [192.0.2.25]", "sample.eml: Received comment")
        check(rcv[0]["date"]["epoch"] == epoch(2026, 11, 26, 5, 16, 19, 0),
              "sample.eml: Received date")
    check(m["defects"] == [], "sample.eml: no defects")
    return m


def check_rfc2231(mailhdr, path):
    rc, out, err = run(mailhdr, [path])
    check(rc == 0, "rfc2231.eml: exit status 0 (got %d: %s)" % (rc, err))
    m = json.loads(out)
    # RFC 2231 §4.1's own example: three sections, the first two
    # percent-encoded, the last quoted, joined in section order.
    check(m["content_type"] == {
        "type": "application", "subtype": "x-stuff",
        "params": {"title": "This is even more ***fun*** isn't it!"}},
        "rfc2231.eml: Content-Type title (got %r)" % m["content_type"])
    # ISO-8859-1 0xE9 is U+00E9.
    check(m["content_disposition"] == {
        "type": "attachment",
        "params": {"filename": "caf\u00e9.txt", "size": "1024"}},
        "rfc2231.eml: Content-Disposition")
    check(m["date"]["epoch"] == epoch(2025, 2, 1, 12, 0, 0, -8 * 60),
          "rfc2231.eml: date")
    check(m["content_transfer_encoding"] == "base64", "rfc2231.eml: CTE")


def check_broken(mailhdr, path):
    raw = open(path, "rb").read()
    rc, out, err = run(mailhdr, [path])
    check(rc == 1, "broken.eml: exit status 1 (got %d)" % rc)
    m = json.loads(out)
    d = {(x["kind"], x["field"], x["code"]): x for x in m["defects"]}

    def at(s):
        return raw.index(s)

    def has(kind, field, code, offset):
        x = d.get((kind, field, code))
        check(x is not None and x["offset"] == offset,
              "broken.eml: defect %s %s %s at %d (got %r)" %
              (kind, field, code, offset, x))

    # The line without a colon is skipped; the fields after it are kept.
    has("no-colon", None, "MW_E_SYNTAX", at(b"this line"))
    check(d[("no-colon", None, "MW_E_SYNTAX")].get("bytes") ==
          "this line has no colon", "broken.eml: bytes of the skipped line")
    check("Subject" in [f["name"] for f in m["fields"]],
          "broken.eml: fields after the bad line are kept")
    # b@@example.org: the second '@' is where the domain should start.
    has("value", "To", "MW_E_SYNTAX", at(b"b@@") + 2)
    to = m["to"]
    check([(a["address"], a["group"], a["invalid"]) for a in to] ==
          [("a@example.org", "Team", False), (None, "Team", True),
           ("c@example.org", "Team", False), ("d@example.org", None, False)],
          "broken.eml: the bad address does not lose the rest of the list")
    # 31 November does not exist (RFC 5322 §3.3: semantically valid).
    has("value", "Date", "MW_E_DATE", at(b"31 Nov"))
    check(m["date"] is None, "broken.eml: no date")
    # A bad Q escape: the word stays as written (RFC 2047 §6.3), the first
    # one is still decoded.
    has("value", "Subject", "MW_E_ENCODED_WORD", at(b"=ZZ"))
    check(m["subject"] == "caf\u00e9 =?utf-8?q?_broken=ZZ?= ok",
          "broken.eml: subject (got %r)" % m["subject"])
    # An id without '@' (RFC 5322 §3.6.4): reported at its '<'.
    has("value", "Message-ID", "MW_E_SYNTAX", at(b"<no-at-sign>"))
    check(m["message_id"] is None, "broken.eml: no Message-ID")
    check(m["references"] == ["a@example.org", "c@example.org"],
          "broken.eml: References keeps the ids around the bad one")
    # "text/" has no subtype: RFC 2045 §5.2 default.
    check(m["content_type"] == {"type": "text", "subtype": "plain",
                                "params": {"charset": "us-ascii"}},
          "broken.eml: Content-Type defaulted")
    check(("value", "Content-Type", "MW_E_SYNTAX") in d,
          "broken.eml: Content-Type defect")
    has("value", "Content-Transfer-Encoding", "MW_E_SYNTAX", at(b"extra"))
    check(m["content_transfer_encoding"] == "base64",
          "broken.eml: CTE mechanism before the junk")


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    mailhdr, src = sys.argv[1], sys.argv[2]
    msgs = os.path.join(src, "examples", "messages")
    sample = os.path.join(msgs, "sample.eml")

    m = check_sample(mailhdr, sample)
    check_rfc2231(mailhdr, os.path.join(msgs, "rfc2231.eml"))
    check_broken(mailhdr, os.path.join(msgs, "broken.eml"))

    # Standard input gives the same object, named "-".
    rc, out, _ = run(mailhdr, [], stdin=open(sample, "rb").read())
    s = json.loads(out)
    check(rc == 0 and s.pop("file") == "-" and
          {k: v for k, v in m.items() if k != "file"} == s,
          "stdin: same result as the file")

    # Several files: one JSON object per line, in order; the exit status is
    # the worst one. --pretty gives the same objects.
    files = [sample, os.path.join(msgs, "broken.eml"), sample]
    rc, out, _ = run(mailhdr, files)
    objs = [json.loads(line) for line in out.splitlines()]
    check(rc == 1 and [o["file"] for o in objs] == files,
          "several files: JSON Lines in order, exit status 1")
    rc, out, _ = run(mailhdr, ["--pretty"] + files)
    dec, pos, pretty = json.JSONDecoder(), 0, []
    while pos < len(out):
        o, pos = dec.raw_decode(out, pos)
        pretty.append(o)
        while pos < len(out) and out[pos].isspace():
            pos += 1
    check(pretty == objs and out.count("\n") > 3 * len(files),
          "--pretty: same objects, indented")

    # Usage and I/O errors.
    rc, out, _ = run(mailhdr, ["--help"])
    check(rc == 0 and "usage: mailhdr" in out, "--help")
    rc, _, err = run(mailhdr, ["--no-such-option"])
    check(rc == 2 and "unknown option" in err, "unknown option: status 2")
    rc, out, _ = run(mailhdr, [os.path.join(msgs, "no-such-file.eml"),
                               sample])
    check(rc == 2 and len(out.splitlines()) == 1,
          "missing file: status 2, the other file still printed")

    if failures:
        print("%d check(s) failed" % len(failures))
        return 1
    print("mailhdr sample checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
