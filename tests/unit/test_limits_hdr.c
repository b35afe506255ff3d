/* SPDX-License-Identifier: MIT */
/*
 * Limits of the header decoders at cap-1, cap and cap+1 (issue 8) that no
 * other suite names: MW_HDR_EW_MAX_LEN, the 75-octet encoded word of
 * RFC 2047 §2. The library decodes a longer word anyway (real mail has
 * them) and flags it MW_HDR_EW_TOO_LONG, so cap+1 is "flagged", not
 * refused; the flag, the word's offset and the words after it are
 * checked. tests/LIMITS.md lists which test covers which limit.
 *
 * Built whatever modules are on: the tests exist only with the header
 * module.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mailwire/mailwire.h"
#include "evlog.h"
#include "limits_common.h"

#if MW_ENABLE_HDR

/* "=?utf-8?q?" and "?=" around the encoded text. */
#define EW_FRAME 12u

/* A value "a <word of `len` octets> b =?utf-8?q?z?=": the long word's
 * encoded text is 'x's (Q: themselves). Iterating it gives text "a ",
 * the word (flagged TOO_LONG only above the cap, at offset 2), text
 * " b ", and the short word, never flagged. Decoding it gives the 'x's
 * and both words decoded whatever the long word's length. */
static void test_hdr_ew_max_len(void **state)
{
    size_t len;
    (void)state;
    for (len = MW_HDR_EW_MAX_LEN - 1; len <= MW_HDR_EW_MAX_LEN + 1; len++) {
        inbuf v = {0};
        mw_hdr_ew_iter it;
        mw_hdr_ew_segment seg;
        char out[256];
        size_t outlen = 0, tail;
        mw_error err;
        in_str(&v, "a =?utf-8?q?");
        in_fill(&v, 'x', len - EW_FRAME);
        in_str(&v, "?= b ");
        tail = v.len;
        in_str(&v, "=?utf-8?q?z?=");

        mw_hdr_ew_iter_init(&it, v.p, v.len, 0);
        assert_int_equal(mw_hdr_ew_next(&it, &seg), MW_OK);
        assert_int_equal(seg.kind, MW_HDR_SEG_TEXT);
        assert_int_equal(mw_hdr_ew_next(&it, &seg), MW_OK);
        assert_int_equal(seg.kind, MW_HDR_SEG_WORD);
        assert_int_equal(seg.offset, 2);
        assert_int_equal(seg.raw.len, len);
        assert_int_equal(seg.flags,
                         len > MW_HDR_EW_MAX_LEN ? MW_HDR_EW_TOO_LONG : 0u);
        assert_int_equal(mw_hdr_ew_next(&it, &seg), MW_OK);
        assert_int_equal(seg.kind, MW_HDR_SEG_TEXT);
        assert_int_equal(mw_hdr_ew_next(&it, &seg), MW_OK);
        assert_int_equal(seg.kind, MW_HDR_SEG_WORD);
        assert_int_equal(seg.offset, tail);
        assert_int_equal(seg.flags, 0u);
        assert_int_equal(mw_hdr_ew_next(&it, &seg), MW_DONE);

        memset(&err, 0, sizeof err);
        assert_int_equal(mw_hdr_decode_unstructured(v.p, v.len, NULL, out,
                                                    sizeof out, &outlen, &err),
                         MW_OK);
        assert_int_equal(outlen, 2 + (len - EW_FRAME) + 3 + 1);
        assert_memory_equal(out, "a x", 3);
        assert_memory_equal(out + outlen - 5, "x b z", 5);
        free(v.p);
    }
}

#endif /* MW_ENABLE_HDR */

int main(void)
{
#if MW_ENABLE_HDR
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hdr_ew_max_len),
    };
    return cmocka_run_group_tests_name("limits_hdr", tests, NULL, NULL);
#else
    puts("limits_hdr: no header module in this build, nothing to test");
    return 0;
#endif
}
