# SPDX-License-Identifier: MIT
"""mailwire from Python through ctypes: the patterns a binding needs.

This module loads libmailwire.so and wraps a few parts of it, chosen to show
every technique a binding for any language has to get right with mailwire's
plain C ABI (design.md principle 12):

* Loading and prototypes. Every function gets its argtypes and restype
  before it is called; without them ctypes guesses int and truncates
  pointers and size_t on 64-bit machines. (Library.__init__)
* Version check. mw_version() is the library that was loaded, which may not
  be the one whose headers the mirrors below follow. (Library.version)
* Errors as values. Every function returns a status; mw_strerror() and
  mw_status_name() give its text; mw_error carries the byte offset and a
  static reason. Here they become a MailwireError. (MailwireError)
* Contexts by size. A context's fields are private and change between
  releases, so it is not mirrored: its size comes from mw_X_sizeof() at run
  time and the binding allocates that many zeroed, aligned bytes that never
  move. (Library.context)
* Struct mirrors. The value structs that cross the ABI (spans, fields,
  commands, configs, callback tables) are mirrored field by field, in the
  header's order with the header's types; test_binding.py checks each
  mirror's size and every offset against the C compiler's (layout.c).
  Enums are C ints; `unsigned long` is c_ulong (its size differs between
  platforms); bytes that may hold NUL are c_void_p plus a length, never
  c_char_p, which stops at the first NUL.
* Spans. An mw_span handed to a callback points into the bytes being fed or
  into a buffer of the context, and is valid only until the callback
  returns: copy it (ctypes.string_at) before returning. (_bytes)
* Callbacks. Each Python callback becomes a CFUNCTYPE object. The library
  copies the callbacks struct at init but keeps the function pointers, so
  the CFUNCTYPE objects must stay referenced for as long as the context is
  used: they are attributes of the wrapper object here. If one were
  collected, the next call from C would jump into freed memory.
* Exceptions cannot cross C frames. A Python exception inside a callback is
  caught, kept, and turned into a negative return value (the library's
  "abort" convention, MW_E_CALLBACK); the wrapper re-raises it when the C
  call returns. (_guard)
* Strings the library keeps. The SMTP server config's hostname and EHLO
  lines are stored as pointers by mw_smtp_server_init(), so the bytes
  objects they point to are kept by the wrapper for the session's lifetime.

Wrapped: mw_version, mw_strerror, mw_status_name, the RFC 5322 header
splitter (HeaderSplitter, split_header), the address and date parsers
(parse_addresses, parse_date), and the SMTP server machine (SmtpServer),
driven by Python callbacks.

Python 3.6 or later, standard library only.
"""
import ctypes
import ctypes.util
import os
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_int, c_int8,
                    c_int16, c_int32, c_int64, c_size_t, c_uint, c_uint8,
                    c_uint32, c_uint64, c_ulong, c_void_p)

# ---------------------------------------------------------------------------
# Constants of the headers the binding uses (values are ABI: fixed forever)

MW_OK, MW_PAUSED, MW_DONE = 0, 1, 2
MW_E_SYNTAX = -1
MW_E_INVAL = -6
MW_E_NOSPACE = -7
MW_E_DATE = -22
MW_E_CALLBACK = -100
MW_E_CLOSED = -101

MW_HDR_MBOX_FROM = 0x01
MW_HDR_ADDR_INVALID = 0x01
MW_HDR_ADDR_GROUP_EMPTY = 0x04
MW_HDR_ADDR_MAILBOX_LIST = 0x0001

MW_SMTP_EXT_SIZE = 0x1
MW_SMTP_EXT_PIPELINING = 0x2
MW_SMTP_EXT_8BITMIME = 0x4
MW_SMTP_EXT_ENHANCEDSTATUSCODES = 0x20
MW_SMTP_EXT_CHUNKING = 0x100
MW_SMTP_SERVER_LMTP = 0x01
MW_SMTP_SERVER_WANT_INPUT = 0x01
MW_SMTP_SERVER_WANT_REPLY = 0x02
MW_SMTP_SERVER_WANT_TLS = 0x04
MW_SMTP_SERVER_WANT_CLOSED = 0x08

SMTP_VERBS = {0: "UNKNOWN", 1: "HELO", 2: "EHLO", 3: "MAIL", 4: "RCPT",
              5: "DATA", 6: "RSET", 7: "NOOP", 8: "QUIT", 9: "VRFY",
              10: "EXPN", 11: "HELP", 12: "AUTH", 13: "STARTTLS", 14: "BDAT",
              15: "LHLO", 16: "ETRN"}


def hdr_buflen(max_field):
    """MW_HDR_BUFLEN(): a macro, so the binding restates it (hdr_split.h)."""
    return 2 * max_field + 2


# ---------------------------------------------------------------------------
# Struct mirrors. _c_name_ names the C type for the layout check.

class Span(Structure):
    """mw_span: pointer and length; ptr is c_void_p so that NUL is data."""
    _c_name_ = "mw_span"
    _fields_ = [("ptr", c_void_p), ("len", c_size_t)]


class Error(Structure):
    """mw_error: reason points to a static string, so c_char_p is safe."""
    _c_name_ = "mw_error"
    _fields_ = [("code", c_int), ("offset", c_size_t), ("reason", c_char_p)]


class HdrConfig(Structure):
    _c_name_ = "mw_hdr_config"
    _fields_ = [("max_line", c_size_t), ("max_field", c_size_t),
                ("max_fields", c_size_t), ("max_header", c_size_t),
                ("flags", c_uint)]


class HdrField(Structure):
    _c_name_ = "mw_hdr_field"
    _fields_ = [("name", Span), ("raw", Span), ("value", Span),
                ("offset", c_size_t), ("flags", c_uint)]


class HdrDefect(Structure):
    _c_name_ = "mw_hdr_defect"
    _fields_ = [("code", c_int), ("kind", c_int), ("offset", c_size_t),
                ("reason", c_char_p), ("bytes", Span)]


# Callback types: (context, user, ...). Pointers to contexts are c_void_p:
# the binding never looks inside them.
HDR_FIELD_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(HdrField))
HDR_DEFECT_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(HdrDefect))
HDR_END_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)


class HdrCallbacks(Structure):
    _c_name_ = "mw_hdr_callbacks"
    _fields_ = [("field", HDR_FIELD_FN), ("defect", HDR_DEFECT_FN),
                ("end", HDR_END_FN)]


class HdrAddress(Structure):
    _c_name_ = "mw_hdr_address"
    _fields_ = [("raw", Span), ("display", Span), ("local", Span),
                ("domain", Span), ("route", Span), ("comment", Span),
                ("group", Span), ("flags", c_uint32), ("offset", c_size_t),
                ("error", Error)]


class HdrDatetime(Structure):
    _c_name_ = "mw_hdr_datetime"
    _fields_ = [("year", c_int32), ("month", c_uint8), ("day", c_uint8),
                ("hour", c_uint8), ("minute", c_uint8), ("second", c_uint8),
                ("wday", c_int8), ("zone", c_int16), ("flags", c_uint),
                ("epoch", c_int64)]


class SmtpPath(Structure):
    _c_name_ = "mw_smtp_path"
    _fields_ = [("mailbox", Span), ("local", Span), ("domain", Span),
                ("flags", c_uint)]


class SmtpParam(Structure):
    _c_name_ = "mw_smtp_param"
    _fields_ = [("name", Span), ("value", Span)]


class SmtpMailParams(Structure):
    _c_name_ = "mw_smtp_mail_params"
    _fields_ = [("present", c_uint), ("body", c_int), ("ret", c_int),
                ("mt_priority", c_int), ("size", c_uint64), ("envid", Span),
                ("auth", Span)]


class SmtpRcptParams(Structure):
    _c_name_ = "mw_smtp_rcpt_params"
    _fields_ = [("present", c_uint), ("notify", c_uint),
                ("orcpt_type", Span), ("orcpt", Span)]


class SmtpServerConfig(Structure):
    _c_name_ = "mw_smtp_server_config"
    _fields_ = [("flags", c_uint), ("extensions", c_ulong),
                ("hostname", c_char_p), ("auth_mechanisms", c_char_p),
                ("ehlo_lines", POINTER(c_char_p)),
                ("max_message_size", c_uint64),
                ("max_command_line", c_size_t), ("max_text_line", c_size_t),
                ("max_auth_line", c_size_t), ("max_recipients", c_uint),
                ("max_bad_commands", c_uint), ("command_newlines", c_int),
                ("data_newlines", c_int)]


class SmtpSasl(Structure):
    _c_name_ = "mw_smtp_sasl"
    _fields_ = [("b64", Span), ("decoded", Span)]


class SmtpCmd(Structure):
    _c_name_ = "mw_smtp_cmd"
    _fields_ = [("verb", c_int), ("offset", c_size_t), ("line", Span),
                ("arg", Span), ("path", SmtpPath), ("mail", SmtpMailParams),
                ("rcpt", SmtpRcptParams), ("params", POINTER(SmtpParam)),
                ("nparams", c_size_t), ("has_initial", c_int),
                ("auth_initial", SmtpSasl)]


SMTP_SEND_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p, c_size_t)
SMTP_COMMAND_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(SmtpCmd))
SMTP_DATA_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_void_p, c_size_t)
SMTP_DATA_END_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_int)
SMTP_AUTH_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, POINTER(SmtpSasl))
SMTP_ERROR_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_int, c_size_t,
                          c_char_p)


class SmtpServerCallbacks(Structure):
    _c_name_ = "mw_smtp_server_callbacks"
    _fields_ = [("send", SMTP_SEND_FN), ("command", SMTP_COMMAND_FN),
                ("data", SMTP_DATA_FN), ("data_end", SMTP_DATA_END_FN),
                ("auth_response", SMTP_AUTH_FN), ("error", SMTP_ERROR_FN)]


# Every mirror, for the layout check in test_binding.py.
MIRRORS = [Span, Error, HdrConfig, HdrField, HdrDefect, HdrCallbacks,
           HdrAddress, HdrDatetime, SmtpPath, SmtpParam, SmtpMailParams,
           SmtpRcptParams, SmtpServerConfig, SmtpSasl, SmtpCmd,
           SmtpServerCallbacks]


def _bytes(span):
    """Copy a span's bytes. Call it inside the callback that got the span:
    afterwards the memory belongs to the library again."""
    if not span.len:
        return b""
    return ctypes.string_at(span.ptr, span.len)


# ---------------------------------------------------------------------------
# Errors

class MailwireError(Exception):
    """A negative status, with its name, text, and (when the function gave
    an mw_error) the byte offset and reason."""

    def __init__(self, lib, status, offset=None, reason=None):
        self.status = status
        self.name = lib.status_name(status)
        self.message = lib.strerror(status)
        self.offset = offset
        self.reason = reason
        where = "" if offset is None else " at byte %d" % offset
        why = "" if not reason else ": " + reason
        super().__init__("%s (%s)%s%s" % (self.name, self.message, where, why))


# ---------------------------------------------------------------------------
# The library

class Library:
    """libmailwire.so with its prototypes. `path`: the shared object; None
    means $MAILWIRE_LIB, else what the loader finds as "mailwire"."""

    def __init__(self, path=None):
        path = path or os.environ.get("MAILWIRE_LIB") or \
            ctypes.util.find_library("mailwire")
        if not path:
            raise OSError("libmailwire not found: pass its path or set MAILWIRE_LIB")
        self.path = path
        self.dll = ctypes.CDLL(path)
        b = self._bind
        b("mw_version", c_ulong, [])
        b("mw_version_string", c_char_p, [])
        b("mw_strerror", c_char_p, [c_int])
        b("mw_status_name", c_char_p, [c_int])
        b("mw_is_fatal", c_int, [c_int])
        # RFC 5322 (optional: absent when the library was built without it)
        b("mw_hdr_config_init", None, [POINTER(HdrConfig)], True)
        b("mw_hdr_parser_sizeof", c_size_t, [], True)
        b("mw_hdr_parser_init", c_int, [c_void_p, POINTER(HdrConfig),
                                        POINTER(HdrCallbacks), c_void_p,
                                        c_void_p, c_size_t], True)
        b("mw_hdr_parser_feed", c_int, [c_void_p, c_void_p, c_size_t,
                                        POINTER(c_size_t)], True)
        b("mw_hdr_parser_finish", c_int, [c_void_p], True)
        b("mw_hdr_parser_error", c_int, [c_void_p, POINTER(Error)], True)
        b("mw_hdr_parse_addresses", c_int, [c_void_p, c_size_t, c_uint,
                                            POINTER(HdrAddress), c_size_t,
                                            POINTER(c_size_t), POINTER(Error)],
          True)
        b("mw_hdr_addr_spec", c_int, [POINTER(HdrAddress), c_void_p, c_size_t,
                                      POINTER(c_size_t)], True)
        b("mw_hdr_parse_date", c_int, [c_void_p, c_size_t, POINTER(HdrDatetime),
                                       POINTER(Error)], True)
        # SMTP server (optional too)
        b("mw_smtp_server_sizeof", c_size_t, [], True)
        b("mw_smtp_server_config_init", None, [POINTER(SmtpServerConfig)], True)
        b("mw_smtp_server_init", c_int, [c_void_p, POINTER(SmtpServerConfig),
                                         POINTER(SmtpServerCallbacks), c_void_p,
                                         c_void_p, c_size_t], True)
        b("mw_smtp_server_start", c_int, [c_void_p, c_char_p], True)
        b("mw_smtp_server_feed", c_int, [c_void_p, c_void_p, c_size_t,
                                         POINTER(c_size_t)], True)
        b("mw_smtp_server_reply", c_int, [c_void_p, c_uint, c_char_p], True)
        b("mw_smtp_server_reply_more", c_int, [c_void_p, c_uint, c_char_p], True)
        b("mw_smtp_server_reply_default", c_int, [c_void_p], True)
        b("mw_smtp_server_eof", c_int, [c_void_p], True)
        b("mw_smtp_server_want", c_uint, [c_void_p], True)
        b("mw_smtp_server_pending", c_int, [c_void_p], True)
        b("mw_smtp_server_error", c_int, [c_void_p, POINTER(Error)], True)

    def _bind(self, name, restype, argtypes, optional=False):
        try:
            fn = getattr(self.dll, name)
        except AttributeError:
            if optional:
                return
            raise
        fn.restype = restype
        fn.argtypes = argtypes

    def has(self, name):
        return hasattr(self.dll, name)

    # ---- core ----
    def version(self):
        """(major, minor, patch) of the library loaded (MW_VERSION_NUM is
        0xMMmmpp)."""
        v = self.dll.mw_version()
        return (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff

    def version_string(self):
        return self.dll.mw_version_string().decode("ascii")

    def strerror(self, status):
        return self.dll.mw_strerror(status).decode("ascii")

    def status_name(self, status):
        return self.dll.mw_status_name(status).decode("ascii")

    def error_texts(self):
        """False for a library built without error texts
        (MW_WITH_ERROR_TEXT=OFF): every reason is then "" and strerror()
        gives the status's name."""
        return self.strerror(0) != self.status_name(0)

    def check(self, status, err=None):
        """Raise MailwireError for a negative status; return it otherwise."""
        if status < 0:
            if err is not None and err.code == status:
                raise MailwireError(self, status, err.offset,
                                    (err.reason or b"").decode("ascii", "replace"))
            raise MailwireError(self, status)
        return status

    def context(self, sizeof_name, align=16):
        """Zeroed memory for a context of mw_X_sizeof() bytes, aligned for
        any C type (a context holds pointers and uint64_t). The memory is a
        ctypes buffer: Python never moves it, and it lives as long as the
        returned object."""
        return _Aligned(getattr(self.dll, sizeof_name)(), align)

    # ---- RFC 5322 ----
    def split_header(self, data, chunk=None, flags=0):
        """Split a message's header: (fields, defects, body_offset). Each
        field is (name, raw, value, offset, flags), each defect (code,
        kind, offset, reason, bytes). `chunk` feeds that many bytes at a
        time (None: all at once); the result is the same for any chunking."""
        p = HeaderSplitter(self, flags=flags)
        step = chunk or max(len(data), 1)
        for i in range(0, len(data), step):
            if p.feed(data[i:i + step]) == MW_DONE:
                break
        p.finish()
        return p.fields, p.defects, p.body_offset

    def parse_addresses(self, value, opts=0):
        """An address-list or mailbox-list field value (RFC 5322 §3.4):
        a list of dicts, invalid entries included (flag "invalid")."""
        buf = ctypes.create_string_buffer(value, len(value))
        base = ctypes.addressof(buf)
        cap = 8
        while True:
            out = (HdrAddress * cap)()
            count = c_size_t(0)
            err = Error()
            rc = self.dll.mw_hdr_parse_addresses(buf, len(value), opts, out, cap,
                                                 ctypes.byref(count),
                                                 ctypes.byref(err))
            if rc == MW_E_NOSPACE:
                cap *= 4
                continue
            if rc not in (MW_OK, MW_E_SYNTAX):
                self.check(rc, err)
            break
        result = []
        for a in out[:count.value]:
            spec = None
            if not a.flags & (MW_HDR_ADDR_INVALID | MW_HDR_ADDR_GROUP_EMPTY):
                n = a.local.len + a.domain.len + 3
                sbuf = ctypes.create_string_buffer(n)
                slen = c_size_t(0)
                self.check(self.dll.mw_hdr_addr_spec(ctypes.byref(a), sbuf, n,
                                                     ctypes.byref(slen)))
                spec = sbuf.raw[:slen.value]
            result.append({
                "display": _bytes(a.display), "local": _bytes(a.local),
                "domain": _bytes(a.domain), "group": _bytes(a.group),
                "addr_spec": spec, "flags": a.flags,
                "invalid": bool(a.flags & MW_HDR_ADDR_INVALID),
                "offset": a.offset,
                # The spans point into `buf`: their offsets are positions in
                # the value.
                "raw_offset": (a.raw.ptr - base) if a.raw.len else a.offset,
                "error": (a.error.code, a.error.offset,
                          (a.error.reason or b"").decode("ascii", "replace")),
            })
        return result

    def parse_date(self, value):
        """A date-time field value (RFC 5322 §3.3): a dict of the fields and
        `epoch`; MailwireError with the offset when it is not one."""
        dt = HdrDatetime()
        err = Error()
        self.check(self.dll.mw_hdr_parse_date(value, len(value), ctypes.byref(dt),
                                              ctypes.byref(err)), err)
        return {name: getattr(dt, name) for name, _ in HdrDatetime._fields_}


class _Aligned:
    """`size` zeroed bytes at an `align`-aligned address inside a ctypes
    buffer that this object keeps alive. `ptr` is what C gets."""

    def __init__(self, size, align):
        self.size = size
        self._raw = ctypes.create_string_buffer(size + align)
        addr = ctypes.addressof(self._raw)
        self.ptr = c_void_p((addr + align - 1) & ~(align - 1))


def _guard(owner, fn):
    """Call fn; a Python exception is kept on `owner` and becomes -1, the
    library's abort (it cannot unwind through the C frames)."""
    try:
        r = fn()
        return 0 if r is None else int(r)
    except BaseException as e:  # noqa: B902 - re-raised by the owner
        if owner._exc is None:
            owner._exc = e
        return -1


# ---------------------------------------------------------------------------
# The header splitter

class HeaderSplitter:
    """A streaming mw_hdr_parser: feed() chunks, finish(); the fields and
    defects collect in lists (copied out of the spans during callbacks)."""

    def __init__(self, lib, flags=0, max_field=None):
        self.lib = lib
        self.fields = []
        self.defects = []
        self.body_offset = None
        self._exc = None
        cfg = HdrConfig()
        lib.dll.mw_hdr_config_init(ctypes.byref(cfg))
        cfg.flags = flags
        if max_field is not None:
            cfg.max_field = max_field
        # Context and working buffer: both must live as long as the parser
        # (the parser stores the buffer's address).
        self._ctx = lib.context("mw_hdr_parser_sizeof")
        self._buf = ctypes.create_string_buffer(hdr_buflen(cfg.max_field))
        # The CFUNCTYPE objects: kept here, or the C side would call freed
        # trampolines.
        self._cb = HdrCallbacks(HDR_FIELD_FN(self._on_field),
                                HDR_DEFECT_FN(self._on_defect),
                                HDR_END_FN(self._on_end))
        lib.check(lib.dll.mw_hdr_parser_init(self._ctx.ptr, ctypes.byref(cfg),
                                             ctypes.byref(self._cb), None,
                                             self._buf, len(self._buf)))

    def _on_field(self, parser, user, f):
        f = f.contents
        return _guard(self, lambda: self.fields.append(
            (_bytes(f.name), _bytes(f.raw), _bytes(f.value), f.offset, f.flags)))

    def _on_defect(self, parser, user, d):
        d = d.contents
        return _guard(self, lambda: self.defects.append(
            (d.code, d.kind, d.offset, d.reason.decode("ascii", "replace"),
             _bytes(d.bytes))))

    def _on_end(self, parser, user, body_offset):
        self.body_offset = body_offset
        return 0

    def _raise_pending(self):
        if self._exc is not None:
            e, self._exc = self._exc, None
            raise e

    def feed(self, data):
        """Feed a chunk; returns MW_OK or MW_DONE (the header ended in it);
        raises MailwireError when the parser stopped."""
        used = c_size_t(0)
        rc = self.lib.dll.mw_hdr_parser_feed(self._ctx.ptr, data, len(data),
                                             ctypes.byref(used))
        self._raise_pending()
        if rc < 0:
            err = Error()
            self.lib.dll.mw_hdr_parser_error(self._ctx.ptr, ctypes.byref(err))
            self.lib.check(rc, err)
        return rc

    def finish(self):
        rc = self.lib.dll.mw_hdr_parser_finish(self._ctx.ptr)
        self._raise_pending()
        return self.lib.check(rc)


# ---------------------------------------------------------------------------
# The SMTP server machine

class SmtpCommand:
    """A command copied out of mw_smtp_cmd (the struct's spans die with the
    callback)."""

    def __init__(self, c):
        self.verb = c.verb
        self.name = SMTP_VERBS.get(c.verb, "?")
        self.offset = c.offset
        self.line = _bytes(c.line)
        self.arg = _bytes(c.arg)
        self.mailbox = _bytes(c.path.mailbox)
        self.path_flags = c.path.flags
        self.mail_present = c.mail.present
        self.size = c.mail.size
        self.params = [(_bytes(c.params[i].name), _bytes(c.params[i].value))
                       for i in range(c.nparams)]

    def __repr__(self):
        return "<SmtpCommand %s %r>" % (self.name, self.line)


class SmtpServer:
    """An SMTP server session driven from Python.

    Handlers (all optional), called during feed():
      on_command(server, SmtpCommand) -> (code, text) | None
          Return a reply, or reply yourself with server.reply(), now or
          later; None without a reply leaves it owed: feed() then returns
          MW_PAUSED and reads no further command until server.reply().
          Without on_command every command gets the machine's default.
      on_data(server, bytes)           a piece of the message (unstuffed)
      on_data_end(server, status) -> (code, text) | None
          status MW_OK: reply (default 250); otherwise the machine has
          rejected the message itself and the return value is ignored.
      on_error(server, status, offset, reason)  an error the machine
          answered by itself (syntax, sequence, limits).
    What the machine sends collects in `self.output` (bytes, in order) and
    goes to on_send(bytes) when given.
    """

    def __init__(self, lib, hostname=b"localhost", extensions=None,
                 max_message_size=0, flags=0, on_command=None, on_data=None,
                 on_data_end=None, on_error=None, on_send=None,
                 linebuf_size=894):
        self.lib = lib
        self.output = bytearray()
        self.on_command, self.on_data = on_command, on_data
        self.on_data_end, self.on_error, self.on_send = on_data_end, on_error, on_send
        self._exc = None
        cfg = SmtpServerConfig()
        lib.dll.mw_smtp_server_config_init(ctypes.byref(cfg))
        # The machine keeps this pointer: the bytes must outlive it.
        self._hostname = bytes(hostname)
        cfg.hostname = self._hostname
        if extensions is not None:
            cfg.extensions = extensions
        cfg.max_message_size = max_message_size
        cfg.flags = flags
        self._ctx = lib.context("mw_smtp_server_sizeof")
        # MW_SMTP_SERVER_LINEBUF_SIZE (894 with the default AUTH line limit)
        # is a macro: restated here. The machine keeps the buffer.
        self._line = ctypes.create_string_buffer(linebuf_size)
        self._cb = SmtpServerCallbacks(
            SMTP_SEND_FN(self._send), SMTP_COMMAND_FN(self._command),
            SMTP_DATA_FN(self._data), SMTP_DATA_END_FN(self._data_end),
            SMTP_AUTH_FN(), SMTP_ERROR_FN(self._error))  # NULL auth_response
        lib.check(lib.dll.mw_smtp_server_init(
            self._ctx.ptr, ctypes.byref(cfg), ctypes.byref(self._cb), None,
            self._line, len(self._line)))

    # ---- callbacks (C -> Python) ----
    def _send(self, srv, user, data, n):
        def go():
            b = ctypes.string_at(data, n)
            self.output += b
            if self.on_send is not None:
                self.on_send(b)
        return _guard(self, go)

    def _command(self, srv, user, cmd):
        def go():
            c = SmtpCommand(cmd.contents)
            if self.on_command is None:
                self.reply_default()
                return
            r = self.on_command(self, c)
            if r is not None:
                self.reply(*r)
        return _guard(self, go)

    def _data(self, srv, user, data, n):
        if self.on_data is None:
            return 0
        return _guard(self, lambda: self.on_data(self, ctypes.string_at(data, n)))

    def _data_end(self, srv, user, status):
        def go():
            r = self.on_data_end(self, status) if self.on_data_end else None
            if status == MW_OK and r is None and self.on_data_end is None:
                r = (250, b"2.0.0 Ok")
            if status == MW_OK and r is not None:
                self.reply(*r)
        return _guard(self, go)

    def _error(self, srv, user, status, offset, reason):
        if self.on_error is None:
            return 0
        return _guard(self, lambda: self.on_error(
            self, status, offset, (reason or b"").decode("ascii", "replace")))

    # ---- calls (Python -> C) ----
    def _raise_pending(self):
        if self._exc is not None:
            e, self._exc = self._exc, None
            raise e

    def start(self, text=None):
        return self.lib.check(self.lib.dll.mw_smtp_server_start(self._ctx.ptr, text))

    def reply(self, code, text=b""):
        if isinstance(text, str):
            text = text.encode("utf-8")
        return self.lib.check(self.lib.dll.mw_smtp_server_reply(self._ctx.ptr, code, text))

    def reply_more(self, code, text=b""):
        if isinstance(text, str):
            text = text.encode("utf-8")
        return self.lib.check(self.lib.dll.mw_smtp_server_reply_more(self._ctx.ptr, code, text))

    def reply_default(self):
        return self.lib.check(self.lib.dll.mw_smtp_server_reply_default(self._ctx.ptr))

    def feed(self, data):
        """One mw_smtp_server_feed(): (status, bytes consumed)."""
        used = c_size_t(0)
        rc = self.lib.dll.mw_smtp_server_feed(self._ctx.ptr, data, len(data),
                                              ctypes.byref(used))
        self._raise_pending()
        return rc, used.value

    def feed_all(self, data):
        """Feed until all of `data` is consumed, the session ends, or a
        reply is owed by the application. Returns (status, consumed)."""
        off = 0
        while True:
            rc, used = self.feed(data[off:])
            off += used
            if rc == MW_PAUSED and not self.want() & MW_SMTP_SERVER_WANT_REPLY \
                    and off < len(data):
                continue  # a callback paused; nothing owed: go on
            return rc, off

    def eof(self):
        return self.lib.dll.mw_smtp_server_eof(self._ctx.ptr)

    def want(self):
        return self.lib.dll.mw_smtp_server_want(self._ctx.ptr)

    def pending(self):
        return SMTP_VERBS.get(self.lib.dll.mw_smtp_server_pending(self._ctx.ptr), "?")

    def error(self):
        err = Error()
        self.lib.dll.mw_smtp_server_error(self._ctx.ptr, ctypes.byref(err))
        return err.code, err.offset, (err.reason or b"").decode("ascii", "replace")
