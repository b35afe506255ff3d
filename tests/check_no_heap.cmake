# SPDX-License-Identifier: MIT
# Fails if any given library references malloc, calloc, realloc or free.
# Run as: cmake -DLIBS="a;b" -DNM=nm -P check_no_heap.cmake
foreach(_lib ${LIBS})
  execute_process(COMMAND ${NM} -u ${_lib} OUTPUT_VARIABLE _out
                  RESULT_VARIABLE _rc ERROR_VARIABLE _err)
  if(NOT _rc EQUAL 0)
    message(FATAL_ERROR "nm failed on ${_lib}: ${_err}")
  endif()
  string(REGEX MATCHALL "[ \t](malloc|calloc|realloc|free)(@[^\n]*)?\n" _hits "${_out}")
  if(_hits)
    message(FATAL_ERROR "${_lib} references the heap:${_hits}")
  endif()
  message(STATUS "${_lib}: no heap symbols")
endforeach()
