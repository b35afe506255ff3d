/* SPDX-License-Identifier: MIT */
/*
 * layout.c: prints the size of every struct examples/python/mailwire.py
 * mirrors with ctypes, and the offset of each of its fields, as the C
 * compiler lays them out; plus sizeof of the contexts the binding
 * allocates through mw_*_sizeof(). test_binding.py compares every line
 * with the ctypes mirrors, so a header change that the binding has not
 * followed fails the test instead of corrupting memory.
 *
 * Output, one item per line:
 *     sizeof <struct> <bytes>
 *     offsetof <struct> <field> <bytes>
 *     context <type> <bytes>
 *     feature <NAME> <0|1>      (MW_ENABLE_<NAME> of features.h)
 *
 * A binding generator would produce this program from the headers; here it
 * is written out, one line per field, in the order of the headers.
 */
#include <mailwire/mailwire.h>

#include <stddef.h>
#include <stdio.h>

#define S(t) printf("sizeof %s %lu\n", #t, (unsigned long)sizeof(t))
#define F(t, f) printf("offsetof %s %s %lu\n", #t, #f, (unsigned long)offsetof(t, f))
#define C(t) printf("context %s %lu\n", #t, (unsigned long)sizeof(t))

int main(void)
{
    /* core.h */
    S(mw_span);
    F(mw_span, ptr);
    F(mw_span, len);
    S(mw_error);
    F(mw_error, code);
    F(mw_error, offset);
    F(mw_error, reason);

#if MW_ENABLE_HDR
    /* hdr_split.h */
    S(mw_hdr_config);
    F(mw_hdr_config, max_line);
    F(mw_hdr_config, max_field);
    F(mw_hdr_config, max_fields);
    F(mw_hdr_config, max_header);
    F(mw_hdr_config, flags);
    S(mw_hdr_field);
    F(mw_hdr_field, name);
    F(mw_hdr_field, raw);
    F(mw_hdr_field, value);
    F(mw_hdr_field, offset);
    F(mw_hdr_field, flags);
    S(mw_hdr_defect);
    F(mw_hdr_defect, code);
    F(mw_hdr_defect, kind);
    F(mw_hdr_defect, offset);
    F(mw_hdr_defect, reason);
    F(mw_hdr_defect, bytes);
    S(mw_hdr_callbacks);
    F(mw_hdr_callbacks, field);
    F(mw_hdr_callbacks, defect);
    F(mw_hdr_callbacks, end);
    C(mw_hdr_parser);
    /* hdr_address.h */
    S(mw_hdr_address);
    F(mw_hdr_address, raw);
    F(mw_hdr_address, display);
    F(mw_hdr_address, local);
    F(mw_hdr_address, domain);
    F(mw_hdr_address, route);
    F(mw_hdr_address, comment);
    F(mw_hdr_address, group);
    F(mw_hdr_address, flags);
    F(mw_hdr_address, offset);
    F(mw_hdr_address, error);
    /* hdr_date.h */
    S(mw_hdr_datetime);
    F(mw_hdr_datetime, year);
    F(mw_hdr_datetime, month);
    F(mw_hdr_datetime, day);
    F(mw_hdr_datetime, hour);
    F(mw_hdr_datetime, minute);
    F(mw_hdr_datetime, second);
    F(mw_hdr_datetime, wday);
    F(mw_hdr_datetime, zone);
    F(mw_hdr_datetime, flags);
    F(mw_hdr_datetime, epoch);
#endif

#if MW_ENABLE_SMTP_SERVER
    /* smtp.h */
    S(mw_smtp_path);
    F(mw_smtp_path, mailbox);
    F(mw_smtp_path, local);
    F(mw_smtp_path, domain);
    F(mw_smtp_path, flags);
    S(mw_smtp_param);
    F(mw_smtp_param, name);
    F(mw_smtp_param, value);
    S(mw_smtp_mail_params);
    F(mw_smtp_mail_params, present);
    F(mw_smtp_mail_params, body);
    F(mw_smtp_mail_params, ret);
    F(mw_smtp_mail_params, mt_priority);
    F(mw_smtp_mail_params, size);
    F(mw_smtp_mail_params, envid);
    F(mw_smtp_mail_params, auth);
    S(mw_smtp_rcpt_params);
    F(mw_smtp_rcpt_params, present);
    F(mw_smtp_rcpt_params, notify);
    F(mw_smtp_rcpt_params, orcpt_type);
    F(mw_smtp_rcpt_params, orcpt);
    /* smtp_server.h */
    S(mw_smtp_server_config);
    F(mw_smtp_server_config, flags);
    F(mw_smtp_server_config, extensions);
    F(mw_smtp_server_config, hostname);
    F(mw_smtp_server_config, auth_mechanisms);
    F(mw_smtp_server_config, ehlo_lines);
    F(mw_smtp_server_config, max_message_size);
    F(mw_smtp_server_config, max_command_line);
    F(mw_smtp_server_config, max_text_line);
    F(mw_smtp_server_config, max_auth_line);
    F(mw_smtp_server_config, max_recipients);
    F(mw_smtp_server_config, max_bad_commands);
    F(mw_smtp_server_config, command_newlines);
    F(mw_smtp_server_config, data_newlines);
    S(mw_smtp_sasl);
    F(mw_smtp_sasl, b64);
    F(mw_smtp_sasl, decoded);
    S(mw_smtp_cmd);
    F(mw_smtp_cmd, verb);
    F(mw_smtp_cmd, offset);
    F(mw_smtp_cmd, line);
    F(mw_smtp_cmd, arg);
    F(mw_smtp_cmd, path);
    F(mw_smtp_cmd, mail);
    F(mw_smtp_cmd, rcpt);
    F(mw_smtp_cmd, params);
    F(mw_smtp_cmd, nparams);
    F(mw_smtp_cmd, has_initial);
    F(mw_smtp_cmd, auth_initial);
    S(mw_smtp_server_callbacks);
    F(mw_smtp_server_callbacks, send);
    F(mw_smtp_server_callbacks, command);
    F(mw_smtp_server_callbacks, data);
    F(mw_smtp_server_callbacks, data_end);
    F(mw_smtp_server_callbacks, auth_response);
    F(mw_smtp_server_callbacks, error);
    C(mw_smtp_server);
#endif

    /* Contexts the binding does not drive but a binding author would
     * allocate the same way. */
#if MW_ENABLE_SMTP_CLIENT
    C(mw_smtp_client);
#endif
#if MW_ENABLE_POP3_SERVER
    C(mw_pop3_server);
#endif
#if MW_ENABLE_POP3_CLIENT
    C(mw_pop3_client);
#endif

    /* The features this build was made with: what the library does
     * depends on them, not the layout (every symbol stays). */
    printf("feature ERROR_TEXT %d\n", MW_ENABLE_ERROR_TEXT);
    printf("feature SASL_CRAM_MD5 %d\n", MW_ENABLE_SASL_CRAM_MD5);
    printf("feature SASL_OAUTH %d\n", MW_ENABLE_SASL_OAUTH);
    printf("feature SMTP_CHUNKING %d\n", MW_ENABLE_SMTP_CHUNKING);
    printf("feature FAST_PATHS %d\n", MW_ENABLE_FAST_PATHS);
    return ferror(stdout) ? 1 : 0;
}
