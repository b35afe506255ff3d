/* SPDX-License-Identifier: MIT */
/**
 * @file version.h
 * @brief Compile-time version of the mailwire headers.
 *
 * CMake reads the three numbers below to set the project version and the
 * shared library's SONAME, so this file is the single place a release bumps.
 * Compare MW_VERSION_NUM (compile time) with mw_version() (run time) to catch
 * a program built against one release and run against another.
 */
#ifndef MAILWIRE_VERSION_H
#define MAILWIRE_VERSION_H

/** Major version: changes when the API breaks (from 1.0 on). */
#define MW_VERSION_MAJOR 0
/** Minor version: new features; in 0.x also ABI changes. */
#define MW_VERSION_MINOR 1
/** Patch version: fixes only. */
#define MW_VERSION_PATCH 0

/** Version as a string, "MAJOR.MINOR.PATCH". */
#define MW_VERSION_STRING "0.1.0"

/** Version as one number, 0xMMmmpp: 0x000100 is 0.1.0. */
#define MW_VERSION_NUM                                                       \
    ((MW_VERSION_MAJOR << 16) | (MW_VERSION_MINOR << 8) | MW_VERSION_PATCH)

#endif
