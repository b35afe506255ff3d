#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerate the seed corpora of the libFuzzer targets in tests/fuzz/corpus/.
# Every seed is written here, by hand or from the project's own RFC 5322
# test vectors (tests/vectors/rfc5322); nothing is copied from elsewhere.
# Each target's input starts with a few option bytes (see the comment at
# the top of each fuzz_<name>.c); the seeds below spell them out first.
# Crash reproducers found while fuzzing are kept at the end as regression
# seeds ("regress-*").
#   tests/fuzz/make_seeds.sh        # rewrites tests/fuzz/corpus/*
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
C="$here/corpus"
V="$here/../vectors/rfc5322"

for d in base64 utf8 line dot hdr_split hdr_address hdr_date hdr_fields \
         hdr_decode hdr_mime hdr_writer imap_roundtrip; do
  rm -rf "${C:?}/$d"
  mkdir -p "$C/$d"
done

# s DIR NAME FORMAT: write printf FORMAT (\xHH, \r, \n escapes; %% for %)
s() { printf "$3" > "$C/$1/$2"; }

# ---- field values from the RFC 5322 Appendix A messages ----------------
# Print the raw value (after the first colon, folding CRLFs kept, final
# line end dropped) of every field of a message whose name matches $2.
values() {
  awk -v want="$2" '
    function flush() {
      if (have) {
        sub(/\r$/, "", cur)
        n = index(cur, ":")
        name = substr(cur, 1, n - 1)
        gsub(/[ \t]+$/, "", name)
        if (n > 0 && tolower(name) ~ want) {
          printf "%s", substr(cur, n + 1) > (out "." (++k))
        }
      }
      have = 0
    }
    BEGIN { out = ENVIRON["OUT"]; k = 0 }
    /^\r?$/ { flush(); exit }
    /^[ \t]/ { cur = cur "\n" $0; next }
    { flush(); cur = $0; have = 1 }
    END { flush() }
  ' "$1"
}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in "$V"/*.eml; do
  b=$(basename "$f" .eml)
  OUT="$tmp/addr-$b" values "$f" '^(resent-)?(from|sender|to|cc|bcc|reply-to)$'
  OUT="$tmp/date-$b" values "$f" '^(resent-)?date$'
  OUT="$tmp/fields-$b" values "$f" '^(message-id|in-reply-to|references|received|keywords|resent-message-id)$'
  OUT="$tmp/text-$b" values "$f" '^(subject|comments)$'
done
for v in "$tmp"/addr-*; do
  [ -f "$v" ] || continue
  { printf '\x00'; cat "$v"; } > "$C/hdr_address/rfc-$(basename "$v")"
done
for v in "$tmp"/date-*; do
  [ -f "$v" ] || continue
  cp "$v" "$C/hdr_date/rfc-$(basename "$v")"
done
for v in "$tmp"/fields-*; do
  [ -f "$v" ] || continue
  cp "$v" "$C/hdr_fields/rfc-$(basename "$v")"
done
for v in "$tmp"/text-*; do
  [ -f "$v" ] || continue
  { printf '\x00\x07'; cat "$v"; } > "$C/hdr_decode/rfc-$(basename "$v")"
done

# ---- hdr_split: whole messages -------------------------------------------
# Option bytes: flags (bit0 mbox, bit1 lenient lines, bit2 small limits,
# bit3 pauses, bit4 abort, bits 5-7 chunk size), limits, limits, seed, seed.
for f in "$V"/*.eml; do
  b=$(basename "$f" .eml)
  { printf '\x60\x00\x00\x12\x34'; cat "$f"; } > "$C/hdr_split/rfc-$b"
done
{ printf '\x2d\x4a\xf3\x07\x77'; cat "$V/a1_1a.eml"; } > "$C/hdr_split/rfc-a1_1a-small"
{ printf '\xa8\x00\x00\x31\x41'; cat "$V/a5.eml"; } > "$C/hdr_split/rfc-a5-pauses"
{ printf '\x50\x00\x00\x00\x05'; cat "$V/a3.eml"; } > "$C/hdr_split/rfc-a3-abort"
s hdr_split mbox-lf '\x61\x00\x00\x01\x02From alice@example.org Mon Jan  5 10:00:00 2026\nReturn-Path: <alice@example.org>\nReceived: by mx.example.net (Postfix, from userid 1001)\n\tid 4F2A1C0E7; Mon,  5 Jan 2026 10:00:00 +0100 (CET)\nFrom: alice@example.org (Alice A. Example)\nTo: bob@example.net\nSubject: lunch\nDate: Mon, 5 Jan 2026 10:00:00 +0100\n\n>From the kitchen.\n'
s hdr_split mbox-field-first '\x01\x00\x00\x01\x02From : obsolete@example.org\r\nTo: x@y\r\n\r\n'
s hdr_split report-params '\x80\x00\x00\x0a\x0b'\
'MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;\r\n\tboundary="AB12.345/mx.example.com"\r\nMessage-Id: <20260105101500.AB12@mx.example.com>\r\n\r\n--AB12.345/mx.example.com\r\n'
s hdr_split received-chain '\xc0\x00\x00\x0f\x0f'\
'Received: from relay.example.org (relay.example.org [192.0.2.7])\r\n    by mx.example.net (node=mx2) with ESMTPS id 7QZ\r\n    for <carol@example.net>; Tue, 06 Jan 2026 09:15:02 +0100\r\nReceived: from [198.51.100.3] (helo=client)\r\n\tby relay.example.org with esmtpa (Exim 4.96)\r\n\t(envelope-from <dave@example.org>)\r\n\tid 1vX; Tue, 06 Jan 2026 08:15:01 +0000\r\nFrom: Dave <dave@example.org>\r\n\r\nhi\r\n'
s hdr_split defects '\x20\x00\x00\x02\x03'\
' starts with a continuation\r\nno colon here\r\nBad Name: x\r\nX-Nul: a\x00b\r\nX-CR: a\rb\r\nX-LF: bare\nX-Latin1: caf\xe9\r\nX-UTF8: caf\xc3\xa9\r\nSubject : obsolete wsp\r\nX-Fws: a\r\n \r\n b\r\n\n'
s hdr_split no-body '\x40\x00\x00\x04\x04From: a@b\r\nSubject: no empty line\r\n'
s hdr_split no-eol '\x40\x00\x00\x04\x04From: a@b\r\nSubject: cut in the mid'
s hdr_split empty-header '\x00\x00\x00\x01\x01\r\nbody only\r\n'
s hdr_split lone-cr '\x00\x00\x00\x01\x01\r'
s hdr_split bare-lf-end '\x60\x00\x00\x01\x01To: x@y\nCc: z@w\n\nbody\n'
s hdr_split caps '\x04\x23\x21\x01\x01Subject: a rather long line that goes past the limit\r\nX: 1\r\nX: 2\r\nX: 3\r\nX: 4\r\n\r\n'
{ printf '\xe0\x00\x00\x05\x06Subject: '; head -c 1100 /dev/zero | tr '\0' 'x'; printf '\r\n folded\r\nX-Long: '; head -c 1200 /dev/zero | tr '\0' 'y'; printf '\r\n\r\n'; } > "$C/hdr_split/long-lines"
{ printf '\xe2\x00\x00\x05\x06Subject: '; head -c 1100 /dev/zero | tr '\0' 'x'; printf '\r\n\r\n'; } > "$C/hdr_split/long-lines-lenient"

# ---- hdr_address: option byte (bit0 mailbox-list, bit1 strict) -----------
s hdr_address display '\x00"Joe Q. Public" <john.q.public@example.com>'
s hdr_address list '\x00Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>'
s hdr_address quoted-specials '\x02<boss@nil.test>, "Giant; \\"Big\\" Box" <sysservices@example.net>'
s hdr_address group '\x00A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;'
s hdr_address group-empty '\x00Undisclosed recipients:;'
s hdr_address group-mailbox '\x01A Group:Ed Jones <c@a.test>;'
s hdr_address route '\x00Mary Smith <@node.test,@b.test:mary@example.net>, , jdoe@test  . example'
s hdr_address obs-local '\x00"john"."public"@example.com, mary . smith@y.test, first(a).(b)last@iana.org'
s hdr_address literal '\x00a@[IPv6:2001:db8::1], b@[192.0.2.1], c@[1.2\\.3]'
s hdr_address encoded '\x00=?utf-8?q?J=C3=B6rg?= =?utf-8?b?TcO8bGxlcg==?= <j@x.example>'
s hdr_address utf8 '\x00J\xc3\xb6rg <j\xc3\xb6rg@b\xc3\xbccher.example>, \xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a'
s hdr_address bad '\x00Last, First <x@y>, j\xf6rg@x, <unclosed@x, a@b@c, "q" (c (d) e) <q@x>'
s hdr_address semicolon '\x00a@b; c@d;; e@f'
s hdr_address bare-local '\x00root, <postmaster>'
s hdr_address return-path '\x00<>'
s hdr_address nested-comments '\x00a@b (((((((((((((((((((((((((((((((((((x))))))))))))))))))))))))))))))))))'

# ---- hdr_date: the value only -------------------------------------------
s hdr_date current 'Fri, 21 Nov 1997 09:55:06 -0600'
s hdr_date no-wday '13 Feb 1969 23:32:00 -0330'
s hdr_date obs-zone 'Thu, 1 Jan 2004 00:00 GMT'
s hdr_date obs-year '21 Nov 97 09:55:06 EST'
s hdr_date three-digit '1 Jan 103 00:00:00 +0000'
s hdr_date military 'Mon, 5 Jan 2026 10:00:00 Z'
s hdr_date unknown 'Mon, 5 Jan 2026 10:00:00 -0000 (no idea)'
s hdr_date leap 'Wed, 31 Dec 2008 23:59:60 +0000'
s hdr_date extremes 'Fri, 31 Dec 9999 23:59:59 -9959'
s hdr_date mismatch 'Sat, 21 Nov 1997 09:55:06 -0600'
s hdr_date feb29 '29 Feb 2000 12:00:00 +0100'
s hdr_date postfix 'Fri,  4 May 2026 14:05:44 -0400 (EDT)'
s hdr_date obs-cfws 'Fri , 21 (x) Nov 1997 09 : 55 : 06 -0600'
s hdr_date squeezed '21Nov97 9:55:06 GMT'

# ---- hdr_fields: msg-ids, Received, Keywords -----------------------------
s hdr_fields msgids '<1234@local.machine.example> <3456@example.net>'
s hdr_fields msgid-obs ' <1234   @   local(blah)  .machine .example>'
s hdr_fields msgid-phrase 'Your message of "Mon, 5 Jan" <abc@x.example> and <"q s"@[192.0.2.1]>'
s hdr_fields msgid-bad '<no-at-sign> <a@b'
s hdr_fields received-postfix 'by mail.example.org (Postfix, from userid 889)\r\n\tid 27CEAD38CC; Fri,  4 May 2001 14:05:44 -0400 (EDT)'
s hdr_fields received-exim 'from [198.51.100.3] (helo=client)\r\n\tby relay.example.org with esmtpa (Exim 4.96)\r\n\t(envelope-from <dave@example.org>)\r\n\tid 1vX-0001; Tue, 06 Jan 2026 08:15:01 +0000'
s hdr_fields received-qmail '(qmail 1234 invoked by uid 0); 5 Jan 2026 10:00:00 -0000'
s hdr_fields received-nodate 'from x by y via z with SMTP id 5 for <a@b>'
s hdr_fields received-unbalanced 'from x (unclosed; comment; Mon, 5 Jan 2026 10:00:00 +0000'
s hdr_fields keywords 'mail, "quoted phrase", (c) dots.in.it, , =?utf-8?q?k=C3=A9?='

# ---- hdr_decode: flags byte (bit0 safe, bit1 glued, bit2 quoted, bit3
# trim, bit4 hook, bit5 comment iterator), small capacity byte ------------
s hdr_decode rfc2047-pair '\x00\x05=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?='
s hdr_decode rfc2047-ws '\x08\x03 =?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?= c '
s hdr_decode rfc2047-names '\x00\x10=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>, =?ISO-8859-1?Q?Andr=E9?= Pirard'
s hdr_decode b64-split '\x00\x04=?UTF-8?B?5pel5g==?= =?UTF-8?B?nKzoqp4=?='
s hdr_decode lang '\x00\x02=?US-ASCII*EN?Q?Keith_Moore?='
s hdr_decode glued '\x02\x06Re:=?utf-8?q?x?==?utf-8?q?y?=plain'
s hdr_decode injection '\x01\x00=?utf-8?q?a=0D=0Ab=00c?='
s hdr_decode injection-raw '\x00\x09=?utf-8?q?a=0D=0ABcc:_evil@x?='
s hdr_decode quoted '\x04\x07"=?utf-8?q?J=C3=B6rg?=" (=?utf-8?q?c?= x) Doe'
s hdr_decode comment '\x20\x03(=?ISO-8859-1?Q?a?= b (nested \\) x))'
s hdr_decode hook-cyr '\x10\x02=?x-cyr?q?=E0=E1=E2?= =?x-cyr?b?4OHi?='
s hdr_decode hook-errors '\x10\x00=?x-fail?q?a?= =?x-bad?q?b?= =?x-nospace?q?c?= =?x-fatal?q?d?= =?x-pos?q?e?='
s hdr_decode bad-words '\x00\x01=?utf-8?q?=G1?= =?utf-8?b?#?= =?utf-8?x?y?= =?utf-8?q??= =?=?=?utf-8?q?x?='
s hdr_decode latin1-8bit '\x00\x02=?latin1?q?=00=85=0A?= caf\xe9 =?us-ascii?q?caf=C3?= =?us-ascii?q?=A9?='
s hdr_decode long-word '\x00\x20=?utf-8?q?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa?='
s hdr_decode trim '\x09\x01  \t lead and trail \t \r\n '
s hdr_decode phrase-obs '\x00\x02Joe Q. Public "quoted \\" pair" (unclosed'

# ---- hdr_mime: parameter capacity byte; flags byte (bit0 safe, bit1 glued,
# bit2 quoted, bit3 hook, bits 4-7 small capacity / 3) --------------------
s hdr_mime ct-plain '\x07\x50text/plain; charset="us-ascii"; format=flowed'
s hdr_mime ct-multipart '\x07\x30multipart/alternative;\r\n\tboundary="----=_Part_0_1.2"'
s hdr_mime ct-rfc2231 "\x07\x20application/x-stuff;\r\n title*0*=us-ascii'en'This%%20is%%20even%%20more%%20;\r\n title*1*=%%2A%%2A%%2Afun%%2A%%2A%%2A%%20;\r\n title*2=\"isn't it!\""
s hdr_mime cd-filename '\x07\x04attachment; filename=genome.jpeg;\r\n modification-date="Wed, 12 Feb 1997 16:29:51 -0500"'
s hdr_mime cd-2231-utf8 "\x07\x10attachment; filename*=UTF-8''%%e2%%82%%ac%%20rates.pdf; filename=\"rates.pdf\""
s hdr_mime cd-2231-latin1 "\x07\x10attachment; filename*=iso-8859-1'fr'%%E9t%%E9.txt"
s hdr_mime cd-sections "\x07\x10attachment; filename*1*=%%64e; filename*0*=utf-8''ab%%63; filename*3=gap"
s hdr_mime cd-ew '\x07\x04attachment; filename="=?utf-8?B?w6l0w6kudHh0?="'
s hdr_mime cd-hook "\x07\x08attachment; filename*0*=x-cyr''%%E0%%E1; filename*1=b.txt; name=\"=?x-cyr?q?=E2?=\""
s hdr_mime cd-nul "\x07\x00attachment; filename*=utf-8''evil.exe%%00.txt; name=\"a\\\\\"b\""
s hdr_mime ct-bad '\x03\x00text/; charset=utf-8; x; =y; z="unterminated'
s hdr_mime ct-tspecials '\x07\x40application/octet-stream; name=dir/file@host?.bin; x=a=b,c:d[e]<f>'
s hdr_mime ct-comments '\x07\x00(c) text (x) / (y) plain (z) ; (a) charset (b) = (c) utf-8 (d)'
s hdr_mime ct-truncated '\x02\x00text/plain; a=1; b=2; c=3; d=4'
s hdr_mime cte '\x00\x00 Quoted-Printable (comment)'
s hdr_mime cd-duplicate '\x07\x20inline; filename=a.txt; filename=b.txt; filename*=utf-8'"''"'c.txt'
s hdr_mime external-body '\x07\x10message/external-body; access-type=URL;\r\n URL*0="ftp://";\r\n URL*1="cs.utk.edu/pub/moore/bulk-mailer/bulk-mailer.tar"'

# ---- hdr_writer: flags (bit0 UTF8, bit1 two entries, bit2 raw date
# fields), shared capacity / 8, 8 date bytes, then pieces separated by
# 0xFF: name, subject, display, local, domain, group, id 1, id 2, raw ------
W() { s hdr_writer "$1" "$2"; }
W ascii '\x02\x20\x00\x00\x00\x10\x00\x00\x01\x00Subject\xffHello world, this is a plain subject line\xffJoe Q. Public\xffjohn.q.public\xffexample.com\xff\xff1234@local.machine.example\xff5678@example.net\xfftext/plain; charset=us-ascii'
W utf8 '\x03\x40\x00\x00\x00\x69\x00\x00\x02\x20Subject\xffGr\xc3\xbc\xc3\x9fe aus M\xc3\xbcnchen \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xffJ\xc3\xb6rg M\xc3\xbcller\xffj\xc3\xb6rg\xffb\xc3\xbccher.example\xff\xffa.b@c.example\xff\xffx'
W encoded '\x00\x10\x00\x00\x00\x69\x00\x00\x02\x20Subject\xffGr\xc3\xbc\xc3\x9fe =?x?= \x01ctl and a longer tail of words to make it fold over seventy-eight columns of text\xffJ\xc3\xb6rg\xffjoerg\xffexample.org\xffFriends \xc3\xa9\xffid@[192.0.2.1]\xff\xff'
W quoted-local '\x02\x08\x00\x00\x00\x69\x00\x00\x02\x20To\xff  lead and trail  \xff"Giant; Big" Box\xffjohn..doe "x"\\y\xff[IPv6:2001:db8::1]\xffA Group\xffa@b\xffc@d\xff'
W group-empty '\x00\x08\x00\x00\x00\x69\x00\x00\x02\x20Bcc\xff\xff\xff\xff\xffUndisclosed recipients\xff\xff\xff'
W raw-date '\x04\x08\x01\x02\x03\x04\x05\x06\x07\x08Date\xff\xff\xff\xff\xff\xff\xff\xff'
W bad '\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00Bad Name\xffa\rb\xffx\x00y\xffl\xc3\xb6cal\xff-bad-.\xff\xffno-at\xff\xffctl\x07'
{ printf '\x00\x80\x00\x00\x00\x10\x00\x00\x01\x00Subject\xff'; head -c 1200 /dev/zero | tr '\0' 'w'; printf ' short\xff\xff\xff\xff\xff\xff\xffX '; head -c 1000 /dev/zero | tr '\0' 'r'; } > "$C/hdr_writer/long-words"

# ---- base64, utf8 ---------------------------------------------------------
s base64 strict 'TWFu'
s base64 padded 'TWE='
s base64 padded2 'TQ=='
s base64 lenient 'TW\r\nF u\tYQ'
s base64 bad-bits 'TR=='
s base64 bad-pad 'T===QQ'
s base64 binary '\x00\x01\xfe\xff\x80'
s utf8 mixed 'a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80'
s utf8 overlong '\xc0\xaf\xe0\x80\xaf\xf0\x80\x80\xaf'
s utf8 surrogate '\xed\xa0\x80\xed\xbf\xbf'
s utf8 too-big '\xf4\x90\x80\x80\xf5\x80'
s utf8 truncated 'abc\xe6\x97'
s utf8 lone-cont '\x80\xbf'

# ---- line: policy byte (value mod 3: reject, accept, pass; the rest picks
# the chunk size), max byte, 2 seed bytes --------------------------------
s line smtp '\x00\xc5\x12\x34EHLO client.example\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n'
s line bare '\x01\x10\x00\x07one\ntwo\rthree\r\nfour\r'
s line pass '\x02\x08\x00\x09a\nb\rc\r\nd\x00e\r\r\n'
s line long '\x04\x03\x00\x01abcdef\r\nxy\r\nabcd\rx\r\nabc\r\n'
s line reject-nul '\x03\x20\x00\x02a\x00b\r\nc\rd\r\ne\nf'
s line incomplete '\x00\x06\x00\x03last line without end'

# ---- dot: policy byte (mod 3; the rest picks the chunk size), 2 seed
# bytes ---------------------------------------------------------------------
s dot body '\x00\x00\x01Subject: x\r\n\r\n..leading dot\r\n.\r\nQUIT\r\n'
s dot smuggle-lf '\x00\x00\x02data\n.\nmore\r\n.\r\n'
s dot smuggle-cr '\x01\x00\x03data\r.\rmore\r\n.\r\n'
s dot pass '\x02\x00\x04a\n.\r\nb\r\n.\r\n'
s dot empty '\x00\x00\x05.\r\n'
s dot dot-cr '\x04\x00\x06x\r\n.\rx\r\n.\r\n'

# ---- imap_roundtrip: options byte (bit0 LITERAL+ else LITERAL-, bit1
# UTF8=ACCEPT, bit2 small command buffer, bit3 synchronising literals
# only), then operations. Operation 9 is a MULTIAPPEND of plain and
# CATENATE (RFC 4469) messages: count byte (1 + bits 0-1), per message a
# byte (bit0 CATENATE, bit1 \Seen, bits 2-4 parts - 1), then a plain
# message's length byte and bytes, or per part a byte (bit0 URL, else TEXT),
# a length byte and the bytes. A URL starting with "!" is refused by the
# server (NO [BADURL url], RFC 4469 §4.1).
# The RFC 4469 §5 example's parts (TEXT parts cut to 42 bytes) as a
# CATENATE message with \Seen, then a plain message; with LITERAL+, and
# with synchronising literals (each TEXT part waits for its "+").
s imap_roundtrip catenate-rfc4469 '\x01\x09\x01\x17\x015/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\x00*\r\n--------------030308070208000400050907\r\n\x015/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\x010/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\x00*\r\n--------------030308070208000400050907\r\n\x01%%/Drafts;UIDVALIDITY=385759045/;UID=30\x00\x15Subject: x\r\n\r\nplain\r\n'
s imap_roundtrip catenate-rfc4469-sync '\x08\x09\x01\x17\x015/Drafts;UIDVALIDITY=385759045/;UID=20/;section=HEADER\x00*\r\n--------------030308070208000400050907\r\n\x015/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1.MIME\x010/Drafts;UIDVALIDITY=385759045/;UID=20/;section=1\x00*\r\n--------------030308070208000400050907\r\n\x01%%/Drafts;UIDVALIDITY=385759045/;UID=30\x00\x15Subject: x\r\n\r\nplain\r\n'
# four messages: plain with \Seen, CATENATE TEXT+URL, a binary plain
# message (literal8, NUL inside), CATENATE with one imap:// URL
s imap_roundtrip catenate-mixed '\x00\x09\x03\x02\x03a\r\n\x05\x00\x0eSubject: y\r\n\r\n\x01)/INBOX;UIDVALIDITY=1/;UID=2/;section=TEXT\x00\x07bin\x00ary\x03\x013imap://fred@example.com/INBOX;UIDVALIDITY=1/;UID=20'
# a URL refused between a TEXT part and the TEXT part after it (LITERAL+:
# the whole command is out when the server answers; the plain message
# after it is dropped with the rest of the command)
s imap_roundtrip catenate-badurl '\x01\x09\x02\x00\x04ok\r\n\x09\x00\x06head\r\n\x017!/INBOX;UIDVALIDITY=785799047/;UID=113330;section=1.5.9\x00\x06tail\r\n\x00\x07never\r\n'
# the same refusal with synchronising literals: NO [BADURL] instead of the
# "+" of the TEXT part after the URL
s imap_roundtrip catenate-badurl-sync '\x08\x09\x01\x05\x017!/INBOX;UIDVALIDITY=785799047/;UID=113330;section=1.5.9\x00\x07after\r\n\x00\x07never\r\n'
# a refused URL holding "]": the server answers a plain NO
s imap_roundtrip catenate-badurl-bracket '\x09\x09\x00\x09\x00\x01x\x01\x05!/a]b\x01\x02/c'
# URLs the client refuses (empty, 8-bit, CR LF): the message gets an empty
# TEXT part instead; a TEXT part with NUL (made "@"), a URL with '"' and
# '\' (quoted by the client, unquoted by the server)
s imap_roundtrip catenate-bad-parts '\x00\x09\x01\x09\x01\x00\x01\x06/caf\xc3\xa9\x01\x05/a\r\nb\x05\x00\x0bnul\x00in text\x01\x06/"q"\\x'
# UTF8=ACCEPT and a small command buffer, then a plain APPEND (operation 4)
s imap_roundtrip catenate-utf8-small '\x06\x09\x00\x07\x00\x04\xc3\xa9\r\n\x01\r/INBOX/;UID=1\x04\x05hello'

# ---- regression seeds (reproducers of bugs found by fuzzing) -------------
# dot.c: after a REJECT stuffer dropped a bare LF or CR that stood at a line
# start, the line start was forgotten, so a following "." CRLF went out
# unstuffed and ended the DATA early (the rest ran as SMTP commands).
s dot regress-reject-drop-linestart '\x00\x00\x00a\r\n\n.\r\nRCPT TO:<x@y>\r\n'
s dot regress-reject-drop-lf-only '\xff\x8a\x0a\x0a'
s dot regress-reject-drop-cr-held '\x0c\x00\x00a\r\n\r.\r\nQUIT\r\n'
# addr.c: a quoted-pair of CR or LF in a quoted local part (RFC 5322 §4.1
# obs-qp) was accepted even with MW_HDR_ADDR_STRICT, unflagged, and
# mw_hdr_addr_spec() wrote the CR and LF raw into the canonical address
# ("a<CR><LF>RCPT TO:<x@y>"@example.com); in a domain literal the escaped
# CR/LF were dropped as white space, leaving the backslashes to escape
# whatever followed.
s hdr_address regress-spec-qp-crlf '\x02"a\\\r\\\nRCPT TO:<x@y>"@example.com'
s hdr_address regress-spec-qp-cr-fws '\x00"krr@hn"."puknpj@hn>"."publ\x01\\\r\n gublicbl\x01\\."@exams.org'
s hdr_address regress-literal-qp-crlf '\x00a@[1.2\\\r\\\n.3]'
# fuzz_hdr_mime (target bug): a defaulted type may come with MW_E_DEPTH
# when a too deeply nested comment is the first problem.
{ printf '\x07\x10at-fat'; head -c 40 /dev/zero | tr '\0' '('; printf 'x'; head -c 40 /dev/zero | tr '\0' ')'; printf '; e=\r\r-3'; } > "$C/hdr_mime/regress-defaulted-depth"
s hdr_address regress-literal-qp-ws-bracket '\x00a@[1.2.3\\\r:?\\\n]'
# writer.c: a white-space-only value after a long field name was folded
# onto a line of its own, which a reader can take for the header's end.
s hdr_writer regress-ws-only-value-long-name '\x04.\x0e\x07\x08Date?rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrr%%rrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrrwwwwwwwwwwwwwwwwww=?\xff\t\xff\xff'
# grammar.c: a date-time with the zone "-0000" was written back "+0000";
# the sign (RFC 5322 §3.3: no zone information) is now kept.
s imap_grammar regress-datetime-minus-zero '\x02"17-Jul-1996 02:44:25 -0000"'
# fuzz_imap_roundtrip (target bug): CREATE "INbOX" reaches the server as
# "INBOX" with MW_IMAP_MBOX_INBOX (RFC 9051 §5.1), which the target
# compared as a modified UTF-7 name.
s imap_roundtrip regress-create-inbox-case '\xd4[zINbOX'
