# SPDX-License-Identifier: MIT
# CMake toolchain file for a bare-metal Cortex-M4 build of mailwire with
# the GNU Arm Embedded toolchain (Debian: gcc-arm-none-eabi and
# libnewlib-arm-none-eabi). It proves the library is what the design
# promises a firmware team: plain C99 over string.h, no heap, no stdio,
# compiled in or out per protocol and role (design.md principle 11).
#
#   cmake -S . -B build-arm \
#         -DCMAKE_TOOLCHAIN_FILE=tests/embedded/arm-none-eabi.cmake \
#         -DMW_BUILD_TESTS=OFF -DMW_BUILD_EXAMPLES=OFF
#
# Only the static library is built (there is no shared object on bare
# metal). tests/embedded/size_table.sh builds every module alone with this
# file and prints the sizes.

# This file is read twice: as the toolchain file, and again (through
# CMAKE_USER_MAKE_RULES_OVERRIDE, below) once CMake knows the compiler. The
# second pass only switches position-independent code off: the project
# asks for PIC objects (they feed the shared library on a host), which on
# bare metal would cost a GOT load per global access and gain nothing.
if(CMAKE_C_COMPILER_ID)
  set(CMAKE_C_COMPILE_OPTIONS_PIC "")
  set(CMAKE_C_COMPILE_OPTIONS_PIE "")
  return()
endif()
set(CMAKE_USER_MAKE_RULES_OVERRIDE "${CMAKE_CURRENT_LIST_FILE}")

set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR arm)

# A prefix other than arm-none-eabi- (a vendor's toolchain in a private
# directory) can be given with -DMW_ARM_PREFIX=/opt/gcc-arm/bin/arm-none-eabi-
set(MW_ARM_PREFIX "arm-none-eabi-" CACHE STRING "Prefix of the cross tools")
set(CMAKE_C_COMPILER "${MW_ARM_PREFIX}gcc")
set(CMAKE_AR "${MW_ARM_PREFIX}ar" CACHE FILEPATH "")
set(CMAKE_RANLIB "${MW_ARM_PREFIX}ranlib" CACHE FILEPATH "")
set(CMAKE_NM "${MW_ARM_PREFIX}nm" CACHE FILEPATH "")
set(CMAKE_OBJDUMP "${MW_ARM_PREFIX}objdump" CACHE FILEPATH "")
set(CMAKE_SIZE "${MW_ARM_PREFIX}size" CACHE FILEPATH "")

# CMake's compiler checks link a test program by default, which needs a
# startup file and a linker script that a library build has no business
# choosing; check by building a static library instead.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# The target: Cortex-M4, Thumb-2, soft-float calling convention (the
# library has no floating point; the objects link into hard-float
# firmware only when built with that ABI: override MW_ARM_CPU_FLAGS, e.g.
# "-mcpu=cortex-m4 -mthumb -mfpu=fpv4-sp-d16 -mfloat-abi=hard").
set(MW_ARM_CPU_FLAGS "-mcpu=cortex-m4 -mthumb -mfloat-abi=soft"
    CACHE STRING "CPU flags of the Cortex-M build")

# Size first: -Os, one section per function and per object so that the
# firmware's linker (--gc-sections) keeps only what it calls; newlib-nano's
# headers and libraries (the ones a small device links).
set(CMAKE_C_FLAGS_INIT
    "${MW_ARM_CPU_FLAGS} -Os -ffunction-sections -fdata-sections --specs=nano.specs")
# Every build type stays -Os (CMake's Release would append -O3).
foreach(_cfg DEBUG RELEASE RELWITHDEBINFO MINSIZEREL)
  set(CMAKE_C_FLAGS_${_cfg}_INIT "-Os")
endforeach()
set(CMAKE_C_FLAGS_RELWITHDEBINFO_INIT "-Os -g")
set(CMAKE_C_FLAGS_DEBUG_INIT "-Os -g")
# For any program linked in this build (the firmware example): newlib-nano
# (from the C flags, which CMake passes to the link too: naming it twice is
# an error) with the nosys stubs, and unused sections dropped.
set(CMAKE_EXE_LINKER_FLAGS_INIT "--specs=nosys.specs -Wl,--gc-sections")

# Static library only.
set(MW_BUILD_SHARED OFF CACHE BOOL "no shared libraries on bare metal" FORCE)
set(MW_BUILD_STATIC ON CACHE BOOL "" FORCE)
set(BUILD_SHARED_LIBS OFF)
# The unit tests need cmocka and a host to run on, and most examples need
# sockets: off unless asked for (-D on the command line wins). With
# examples on, examples/firmware builds smtp_send_stub for the device.
set(MW_BUILD_TESTS OFF CACHE BOOL "Build the cmocka unit tests")
set(MW_BUILD_EXAMPLES OFF CACHE BOOL "Build the example programs")

# Libraries and headers come from the target's sysroot only; programs
# (doxygen, python) from the build machine.
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
