/* SPDX-License-Identifier: MIT */
/**
 * @file rfc5322.h
 * @brief RFC 5322 message headers: the streaming splitter, the structured
 *        field parsers and the header writer.
 */
#ifndef MAILWIRE_RFC5322_H
#define MAILWIRE_RFC5322_H

#include "core.h"
#include "config.h"

#endif
