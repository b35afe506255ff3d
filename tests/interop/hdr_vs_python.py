#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Cross-check mailwire's header parsing (through the mailhdr example)
against Python's email package, message by message and field by field.

Usage: hdr_vs_python.py [-v] MAILHDR SOURCE_DIR

Messages: every msg_*.txt of CPython's email test data (Lib/test/test_email/
data), plus our own examples/messages/*.eml and tests/vectors/rfc5322/*.eml.
The data directory is $MW_PY_EMAIL_DATA if set, else the running
interpreter's own, else the first match of the patterns that
tests/common/testdata.c uses (e.g. Debian's libpython3.X-testsuite). Without
it the test is skipped (exit status 77).

Each message goes through mailhdr twice, `mailhdr --mbox` (strict RFC 2047,
the default) and `mailhdr --mbox --lenient` (Python takes a first "From "
line as the envelope too, and decodes encoded words where RFC 2047 §5 does
not allow them), and once through
BytesParser(policy=email.policy.default).parse(f, headersonly=True).
Compared, for each mode:

  fields      names (case kept) and order, and unfolded values. Both sides
              are normalised the same way: every CRLF or LF followed by SP
              or HTAB is removed (RFC 5322 §2.2.3), then SP and HTAB at both
              ends are stripped. Bytes that are not well-formed UTF-8 count
              as one U+FFFD each, as mailhdr prints them. Python's mbox line
              (get_unixfrom()) is compared with mailhdr's "From " field.
  from, sender, reply-to, to, cc, bcc
              the list of (display name, addr_spec) of the first such
              field; group members are listed in place, empty groups give
              nothing, a missing display name is "". An entry with no
              address (mailhdr: invalid, address null; Python: empty
              username and domain, addr_spec "<>") counts as address None.
  subject     decoded text (str(msg['Subject'])), both ends stripped.
  date        epoch seconds (a date without a usable zone counts as UTC on
              both sides).
  message-id  the identifier between '<' and '>', without the white space
              and comments the obsolete syntax allows inside it (not
              compared with Pythons before 3.8, which do not parse it).
  content-type, content-disposition
              the type (type/subtype, lower case) and the parameters:
              name (lower case) to decoded value (RFC 2231), None for a
              value mailhdr cannot decode.

When Python's parser raises an exception on a field, its value is the
string "Python raised <exception>", which disagrees with anything.

A check is skipped when neither side has the field. Every disagreement must
be explained by an ALLOWLIST entry below (message, check, modes: one-line
reason); anything else fails the test (exit status 1), and so does an entry
that no longer matches a disagreement in each mode it names (a stale entry
would hide a future regression). -v prints the values that differ.
"""
import codecs
import datetime
import email
import email.errors
import email.policy
import glob
import json
import os
import re
import subprocess
import sys
import sysconfig
from email.parser import BytesParser

# (message file name, check) -> (modes, reason): why mailwire and Python
# legitimately differ, in which of mailhdr's modes ("strict", "lenient" or
# "both", see MODES). Check "*" stands for every check of the message. One
# line per reason, saying who is right and by which RFC rule.
ALLOWLIST = {
    ("msg_47.txt", "date"): (
        "both", "'00:01+0000' has no white space before the zone, which "
        "RFC 5322 §3.3 requires (zone = FWS sign 4DIGIT; §4.3 has no form "
        "without it); Python accepts it"),
    ("msg_25.txt", "content-type"): (
        "both", "a parameter 'bo' with no '=' and no value (the field was "
        "cut): RFC 2045 §5.1 needs attribute \"=\" value; mailhdr drops it "
        "with a defect, Python keeps it with an empty value"),
    ("broken.eml", "fields"): (
        "both", "Python ends the header at the line without a colon "
        "(MissingHeaderBodySeparatorDefect); mailhdr skips that line as a "
        "defect and reads on to the empty line (RFC 5322 §2.1)"),
    ("broken.eml", "subject"): (
        "both", "the Subject comes after the line without a colon, where "
        "Python has already ended the header (see 'fields')"),
    ("broken.eml", "content-type"): (
        "both", "Content-Type comes after the line without a colon too"),
    ("encoded-words.eml", "reply-to"): (
        "strict", "an encoded word inside a quoted string must not be "
        "decoded (RFC 2047 §5(3)); Python decodes it, as mailhdr --lenient "
        "does"),
    ("encoded-words.eml", "to"): (
        "both", "Python keeps the space between two adjacent encoded words "
        "in a display name; RFC 2047 §6.2 says it is not displayed"),
    ("obsolete.eml", "message-id"): (
        "both", "Python refuses the CFWS that obs-id-left and obs-id-right "
        "allow inside a msg-id (RFC 5322 §4.5.4: local-part, domain)"),
    ("a6_3.eml", "*"): (
        "both", "RFC 5322 A.6.3 has white space before every colon "
        "(obsolete, §4.5); Python takes 'From  :' for an mbox From_ line "
        "and ends the header at 'To    :'"),
}

# --------------------------------------------------------------------------
# Finding the messages


def python_data_dir():
    env = os.environ.get("MW_PY_EMAIL_DATA")
    if env:
        return env if os.path.isdir(env) else None
    own = os.path.join(sysconfig.get_paths()["stdlib"], "test", "test_email",
                       "data")
    if os.path.isdir(own):
        return own
    for pattern in ("/usr/lib/python3*", "/usr/local/lib/python3*",
                    "/root/.pyenv/versions/*/lib/python3*",
                    "/opt/*/lib/python3*"):
        found = sorted(glob.glob(pattern + "/test/test_email/data"))
        if found:
            return found[-1]
    return None


# --------------------------------------------------------------------------
# Normalisation shared by both sides


def _one_byte_replace(exc):
    # One U+FFFD per byte of an ill-formed sequence, as mailhdr does.
    return ("\ufffd", exc.start + 1)


codecs.register_error("mw_onebyte", _one_byte_replace)


def as_mailhdr_text(s):
    """A Python header string (bytes smuggled as surrogates by BytesParser)
    in the form mailhdr prints it."""
    b = s.encode("utf-8", "surrogateescape")
    return b.decode("utf-8", "mw_onebyte")


UNFOLD = re.compile(r"\r?\n(?=[ \t])")


def norm_value(s):
    return UNFOLD.sub("", s).strip(" \t")


# --------------------------------------------------------------------------
# Python's view of a message


def py_addresses(h):
    # Python stands for "no address here" (an invalid mailbox, "<>") with
    # an Address whose username and domain are both empty and whose
    # addr_spec is "<>"; mailhdr prints null for the address of such an
    # entry.
    if h is None:
        return None
    return [(as_mailhdr_text(a.display_name),
             as_mailhdr_text(a.addr_spec) if a.username or a.domain
             else None)
            for a in h.addresses]


# A value Python does not parse (in this Python version): not compared.
NOT_PARSED = "(not parsed by this Python)"


def py_msgid(h):
    """The id of a Message-ID header object: the msg-id token's text
    without CFWS, or None when Python found no valid msg-id."""
    if h is None:
        return None
    tree = getattr(h, "_parse_tree", None)
    if tree is None or tree.token_type != "message-id":
        return NOT_PARSED  # before 3.8 Message-ID was unstructured text
    if any(not isinstance(d, email.errors.ObsoleteHeaderDefect)
           for d in h.defects):
        return None

    def leaves(tok):
        if tok.token_type == "bare-quoted-string":
            yield str(tok)  # the quoted string, quotes put back
        elif isinstance(tok, list):
            if tok.token_type not in ("cfws", "comment"):
                for t in tok:
                    yield from leaves(t)
        elif tok.token_type != "fws":
            yield str(tok)

    text = "".join(leaves(tree)).strip()
    if text.startswith("<") and text.endswith(">"):
        return as_mailhdr_text(text[1:-1])
    return None


def py_view(path):
    with open(path, "rb") as f:
        msg = BytesParser(policy=email.policy.default).parse(
            f, headersonly=True)
    v = {"fields": [], "defects": [repr(d) for d in msg.defects]}
    if msg.get_unixfrom():
        v["fields"].append(("From ", norm_value(
            as_mailhdr_text(msg.get_unixfrom()[5:]))))
    for name, value in msg.raw_items():
        v["fields"].append((as_mailhdr_text(name),
                            norm_value(as_mailhdr_text(value))))
    v["present"] = {k.lower() for k in msg.keys()}
    for key, get in (("from", py_addresses), ("sender", py_addresses),
                     ("reply-to", py_addresses), ("to", py_addresses),
                     ("cc", py_addresses), ("bcc", py_addresses),
                     ("subject", py_subject), ("date", py_date),
                     ("message-id", py_msgid),
                     ("content-type", py_content_type),
                     ("content-disposition", py_content_disposition)):
        v[key] = None
        if key not in msg:
            continue
        try:
            h = msg[key]  # the header registry parses it here
            v[key] = get(h)
        except Exception as e:  # Python's parser has crashed on bad input
            v[key] = "Python raised %s" % type(e).__name__
            v["defects"].append("%s: %r" % (key, e))
            continue
        if getattr(h, "defects", ()):
            v["defects"].append("%s: %s" % (key, ", ".join(map(repr,
                                                              h.defects))))
    return v


def py_params(h):
    return {k.lower(): as_mailhdr_text(v) for k, v in h.params.items()}


def py_content_type(h):
    return (h.content_type, py_params(h))


def py_content_disposition(h):
    return (h.content_disposition, py_params(h))


def py_subject(h):
    return as_mailhdr_text(str(h)).strip(" \t")


def py_date(h):
    dt = h.datetime
    if dt is None:
        return None
    if dt.tzinfo is None:  # -0000 and unknown zones: UTC, as mailhdr
        dt = dt.replace(tzinfo=datetime.timezone.utc)
    return int(dt.timestamp())


# --------------------------------------------------------------------------
# mailhdr's view of a message


def mw_addresses(entries):
    if entries is None:
        return None
    out = []
    for a in entries:
        if a["address"] is None and a["group"] is not None and \
                not a["invalid"]:
            continue  # an empty group: no address
        out.append((a["display"] or "", a["address"]))
    return out


def mw_view(obj):
    v = {"fields": [(f["name"], norm_value(f["value"]))
                    for f in obj["fields"]]}
    for key in ("from", "sender", "reply_to", "to", "cc", "bcc"):
        v[key.replace("_", "-")] = mw_addresses(obj[key])
    v["subject"] = obj["subject"]
    v["date"] = obj["date"]["epoch"] if obj["date"] else None
    v["message-id"] = obj["message_id"]
    ct = obj["content_type"]
    v["content-type"] = ("%s/%s" % (ct["type"], ct["subtype"]),
                         ct["params"]) if ct else None
    cd = obj["content_disposition"]
    v["content-disposition"] = (cd["type"], cd["params"]) if cd else None
    v["defects"] = [(d["kind"], d["field"], d["code"], d["reason"])
                    for d in obj["defects"]]
    v["present"] = {f["name"].lower() for f in obj["fields"]}
    return v


# --------------------------------------------------------------------------


# mailhdr runs twice: with its defaults (strict RFC 2047) and with
# --lenient, which decodes the encoded words Python decodes although RFC 2047
# §5 does not allow them there.
MODES = {"strict": ["--mbox"], "lenient": ["--mbox", "--lenient"]}
MODE_SETS = {"strict": {"strict"}, "lenient": {"lenient"},
             "both": {"strict", "lenient"}}

CHECKS = ("fields", "from", "sender", "reply-to", "to", "cc", "bcc",
          "subject", "date", "message-id", "content-type",
          "content-disposition")


def fields_diff(mw, py):
    """Describe where two field lists differ (None when they agree)."""
    if mw == py:
        return None
    out = []
    for i in range(max(len(mw), len(py))):
        a = mw[i] if i < len(mw) else None
        b = py[i] if i < len(py) else None
        if a != b:
            out.append("#%d mailhdr %r / python %r" % (i, a, b))
            if len(out) == 3:
                break
    return "; ".join(out)


def run_mailhdr(mailhdr, opts, files):
    p = subprocess.run([mailhdr] + opts + files, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE)
    if p.returncode not in (0, 1):
        raise RuntimeError("mailhdr %s failed with status %d: %s" %
                           (" ".join(opts), p.returncode,
                            p.stderr.decode(errors="replace")))
    objs = [json.loads(line) for line in p.stdout.decode().splitlines()]
    if [o["file"] for o in objs] != files:
        raise RuntimeError("mailhdr did not print one object per message")
    return objs


def compare(mw, py, c):
    """None when mailhdr and Python agree on check c, else a description.
    False when neither side has anything to compare."""
    if c == "fields":
        return fields_diff(mw["fields"], py["fields"])
    if py[c] is NOT_PARSED:
        return False
    if mw[c] is None and py[c] is None and c not in mw["present"] and \
            c not in py["present"]:
        return False
    if mw[c] == py[c]:
        return None
    return "mailhdr %r / python %r" % (mw[c], py[c])


def main(argv):
    verbose = "-v" in argv
    argv = [a for a in argv if a != "-v"]
    if len(argv) != 3:
        print(__doc__)
        return 2
    mailhdr, src = argv[1], argv[2]
    data = python_data_dir()
    if data is None:
        print("SKIP: Python's email test data not found "
              "(set MW_PY_EMAIL_DATA or install libpython3-testsuite)")
        return 77
    files = sorted(glob.glob(os.path.join(data, "msg_*.txt")))
    ours = sorted(glob.glob(os.path.join(src, "examples", "messages",
                                         "*.eml")) +
                  glob.glob(os.path.join(src, "tests", "vectors", "rfc5322",
                                         "*.eml")))
    print("mailhdr vs Python %s email (policy=default)" %
          sys.version.split()[0])
    print("data: %s (%d messages) + %d of ours" % (data, len(files),
                                                    len(ours)))
    files += ours

    try:
        runs = {mode: run_mailhdr(mailhdr, opts, files)
                for mode, opts in MODES.items()}
    except RuntimeError as e:
        print(e)
        return 1

    counts = {(c, mode): [0, 0, 0] for c in CHECKS for mode in MODES}
    matched = {}  # allowlist key -> modes it matched in
    compared = {}  # (name, check) -> modes in which it was compared
    unexpected = []
    allowed = {}  # allowlist key -> (checks it covered, details)
    nfields = 0
    for i, path in enumerate(files):
        name = os.path.basename(path)
        py = py_view(path)
        for mode in MODES:
            mw = mw_view(runs[mode][i])
            if mode == "strict":
                nfields += max(len(mw["fields"]), len(py["fields"]))
            for c in CHECKS:
                diff = compare(mw, py, c)
                if diff is False:
                    continue
                compared.setdefault((name, c), set()).add(mode)
                compared.setdefault((name, "*"), set()).add(mode)
                n = counts[(c, mode)]
                if diff is None:
                    n[0] += 1
                    continue
                key = (name, c)
                entry = ALLOWLIST.get(key)
                if entry is None and (name, "*") in ALLOWLIST:
                    key = (name, "*")
                    entry = ALLOWLIST[key]
                if entry and mode in MODE_SETS[entry[0]]:
                    n[1] += 1
                    matched.setdefault(key, set()).add(mode)
                    a = allowed.setdefault(key, ([], []))
                    if c not in a[0]:
                        a[0].append(c)
                    if verbose:
                        a[1].append("%s [%s]: %s" % (c, mode, diff))
                else:
                    n[2] += 1
                    unexpected.append(
                        "%s %s [%s]: %s\n      mailhdr defects: %s\n"
                        "      python defects: %s" %
                        (name, c, mode, diff, mw["defects"], py["defects"]))

    print("%d messages, %d header fields, each read in %d modes" %
          (len(files), nfields, len(MODES)))
    print("%-20s %s" % ("", "   ".join("%-27s" % ("--- " + m + " ---")
                                      for m in MODES)))
    print("%-20s %s" % ("check", "   ".join(
        "%6s %8s %11s" % ("agree", "allowed", "unexpected") for _ in MODES)))
    total = [0, 0, 0]
    for c in CHECKS:
        cols = []
        for mode in MODES:
            n = counts[(c, mode)]
            cols.append("%6d %8d %11d" % tuple(n))
            total = [t + x for t, x in zip(total, n)]
        print("%-20s %s" % (c, "   ".join(cols)))
    print("total: %d comparisons, %d agree, %d allowed, %d unexpected" %
          (sum(total), total[0], total[1], total[2]))
    if allowed:
        print("\nallowed disagreements:")
        for key, (checks, details) in allowed.items():
            print("  %s %s: %s" % (key[0], ",".join(checks),
                                   ALLOWLIST[key][1]))
            for line in details:
                print("      " + line)
    # An entry must match in every mode it names, wherever the check was
    # made (a message may be missing from older data directories, and old
    # Pythons do not parse every field).
    stale = ["%s %s (expected in %s, seen in %s)" %
             (k[0], k[1], v[0], ",".join(sorted(matched.get(k, ()))) or
              "none")
             for k, v in ALLOWLIST.items()
             if matched.get(k, set()) !=
             MODE_SETS[v[0]] & compared.get(k, set())]
    if stale:
        print("\nstale allowlist entries (fix or remove them):")
        for line in stale:
            print("  " + line)
    if unexpected:
        print("\nUNEXPECTED disagreements:")
        for line in unexpected:
            print("  " + line)
    return 1 if unexpected or stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
