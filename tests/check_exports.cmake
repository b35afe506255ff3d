# SPDX-License-Identifier: MIT
# Fails if the shared library exports a symbol without the mw_ prefix.
# Run as: cmake -DLIB=libmailwire.so -DNM=nm -P check_exports.cmake
execute_process(COMMAND ${NM} -D --defined-only ${LIB} OUTPUT_VARIABLE _out
                RESULT_VARIABLE _rc)
if(NOT _rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIB}")
endif()
string(REPLACE "\n" ";" _lines "${_out}")
set(_bad "")
set(_count 0)
foreach(_l ${_lines})
  if(_l MATCHES "^[0-9a-fA-F]+ [TDBRVW] ([^ ]+)$")
    set(_sym ${CMAKE_MATCH_1})
    math(EXPR _count "${_count} + 1")
    if(NOT _sym MATCHES "^mw_" OR _sym MATCHES "^mw__")
      list(APPEND _bad ${_sym})
    endif()
  endif()
endforeach()
if(_bad)
  message(FATAL_ERROR "exported symbols without the mw_ prefix: ${_bad}")
endif()
message(STATUS "${_count} exported symbols, all mw_-prefixed")
