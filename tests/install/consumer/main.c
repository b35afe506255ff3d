/* SPDX-License-Identifier: MIT */
/* A program built against an installed mailwire, the way a user would. */
#include <mailwire/mailwire.h>
#include <stdio.h>

int main(void)
{
    if (mw_version() != MW_VERSION_NUM) {
        fprintf(stderr, "header %s, library %s\n", MW_VERSION_STRING,
                mw_version_string());
        return 1;
    }
    printf("mailwire %s: %s\n", mw_version_string(), mw_strerror(MW_E_SYNTAX));
    return 0;
}
