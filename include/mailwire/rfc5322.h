/* SPDX-License-Identifier: MIT */
/**
 * @file rfc5322.h
 * @brief RFC 5322 message headers: the streaming splitter, the structured
 *        field parsers and the header writer.
 *
 * The module has one part header per job; this file includes them all:
 *
 * | header          | what                                                    |
 * |-----------------|---------------------------------------------------------|
 * | hdr_split.h     | streaming splitter: fields in order, then the body start |
 * | hdr_address.h   | address-list, mailbox-list, Return-Path (§3.4, §3.6.7)  |
 * | hdr_date.h      | date-time (§3.3, §4.3), formatting, RFC 3339            |
 * | hdr_fields.h    | msg-id lists, Received, Keywords (§3.6.4-3.6.7)         |
 * | hdr_decode.h    | RFC 2047 encoded words, phrases, charsets to UTF-8      |
 * | hdr_mime.h      | Content-Type/-Disposition/-Transfer-Encoding, RFC 2231  |
 * | hdr_writer.h    | header writer: folding, encoded words, addresses, dates |
 *
 * Lifecycle of a typical reader: place an ::mw_hdr_parser and a buffer,
 * feed the message in chunks of any size; the `field` callback receives
 * each field with its name, raw value and unfolded value as spans valid for
 * the duration of the call. Structured parsers take one complete value (raw
 * or unfolded) and write into caller arrays; none allocates, none keeps a
 * pointer after it returns, and all are linear in the input.
 */
#ifndef MAILWIRE_RFC5322_H
#define MAILWIRE_RFC5322_H

#include "core.h"
#include "config.h"
#include "hdr_split.h"
#include "hdr_address.h"
#include "hdr_date.h"
#include "hdr_fields.h"
#include "hdr_decode.h"
#include "hdr_mime.h"
#include "hdr_writer.h"

#endif
