/* SPDX-License-Identifier: MIT */
/**
 * @file mailwire.h
 * @brief Umbrella header: includes every module this build contains.
 */
#ifndef MAILWIRE_H
#define MAILWIRE_H

#include "core.h"
#include "config.h"
#include "codec.h"
#include "framing.h"
#include "sasl.h"

#if MW_ENABLE_HDR
#include "rfc5322.h"
#endif

#if MW_ENABLE_SMTP_SERVER || MW_ENABLE_SMTP_CLIENT || MW_ENABLE_SMTP_SENDER
#include "smtp.h"
#endif

#if MW_ENABLE_POP3_SERVER || MW_ENABLE_POP3_CLIENT
#include "pop3.h"
#endif

#if MW_ENABLE_IMAP_SERVER || MW_ENABLE_IMAP_CLIENT
#include "imap.h"
#endif

#endif
