# libFuzzer targets, built with Debian's clang-14 (libFuzzer comes with
# libclang-rt-14-dev) beside the main compiler's targets, each with
# AddressSanitizer and UndefinedBehaviorSanitizer.
#
# gridbill_fuzz_target(NAME <name> SOURCE <fuzz.cc> LINK <items...> CORPUS <dir>
#                      [MAX_LEN <bytes>])
#
# SOURCE defines LLVMFuzzerTestOneInput. Each LINK item is one of:
#   - a source file (*.cc): compiled into the fuzzer, instrumented; list the
#     parser under test and what it calls that should be checked with it;
#   - a CMake library target (gridbill_proto_common_messages): its archive,
#     built by the main compiler, linked as is (not instrumented; an
#     interface library adds nothing: its headers are on the paths below);
#   - "-l..." or another flag: passed to the link verbatim;
#   - anything else: a pkg-config module (expat, protobuf, absl_strings).
# Abseil's strings, status and time modules are always linked. Include
# paths: the calling folder, the repository root, every libs/*/include and
# the generated protobuf headers.
#
# CORPUS is the committed seed folder. The test <name> runs the fuzzer for
# GRIDBILL_FUZZ_SECONDS (default 5) over the seeds plus a corpus of its
# own in the build tree (fuzz/<name>_corpus, kept between runs, where
# libFuzzer writes what it finds); a crash leaves fuzz/<name>-crash-* there
# and fails the test. The longer run is the same test with more time:
#   GRIDBILL_FUZZ_SECONDS=600 ctest --test-dir build -L fuzz --output-on-failure
find_program(GRIDBILL_CLANGXX NAMES clang++-14)
find_package(PkgConfig REQUIRED)

set(GRIDBILL_FUZZ_DEFAULT_MODULES
    absl_strings absl_str_format absl_status absl_statusor absl_time absl_civil_time)

function(gridbill_fuzz_target)
  cmake_parse_arguments(ARG "" "NAME;SOURCE;CORPUS;MAX_LEN" "LINK" ${ARGN})
  if(NOT ARG_NAME OR NOT ARG_SOURCE OR NOT ARG_CORPUS)
    message(FATAL_ERROR "gridbill_fuzz_target: NAME, SOURCE and CORPUS are required")
  endif()
  # Under GRIDBILL_SANITIZE the archives carry GCC's sanitizer runtime,
  # which clang's cannot link with: the fuzzers are built in the plain tree.
  if(NOT GRIDBILL_BUILD_TESTS OR GRIDBILL_SANITIZE)
    return()
  endif()
  if(NOT GRIDBILL_CLANGXX)
    message(STATUS "${ARG_NAME}: needs clang++-14 (deploy/install-deps.sh)")
    return()
  endif()
  if(NOT ARG_MAX_LEN)
    set(ARG_MAX_LEN 65536)
  endif()

  get_filename_component(main "${ARG_SOURCE}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  get_filename_component(corpus "${ARG_CORPUS}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  set(sources "${main}")
  set(archives "")
  set(target_deps "")
  set(flags "")
  set(modules ${GRIDBILL_FUZZ_DEFAULT_MODULES})
  foreach(item ${ARG_LINK})
    if(TARGET "${item}")
      get_target_property(type "${item}" TYPE)
      if(NOT type STREQUAL "INTERFACE_LIBRARY")
        list(APPEND archives "$<TARGET_FILE:${item}>")
        list(APPEND target_deps "${item}")
      endif()
    elseif(item MATCHES "\\.(cc|cpp|c)$")
      get_filename_component(src "${item}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      list(APPEND sources "${src}")
    elseif(item MATCHES "^-")
      list(APPEND flags "${item}")
    else()
      list(APPEND modules "${item}")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES modules)
  pkg_check_modules(GRIDBILL_FUZZ_${ARG_NAME} REQUIRED ${modules})

  set(includes "-I${CMAKE_CURRENT_SOURCE_DIR}" "-I${CMAKE_SOURCE_DIR}" "-I${CMAKE_BINARY_DIR}/gen")
  file(GLOB lib_includes LIST_DIRECTORIES true "${CMAKE_SOURCE_DIR}/libs/*/include")
  foreach(dir ${lib_includes})
    list(APPEND includes "-I${dir}")
  endforeach()
  set(headers "")
  foreach(src ${sources})
    get_filename_component(dir "${src}" DIRECTORY)
    list(APPEND includes "-I${dir}")
    file(GLOB dir_headers "${dir}/*.h")
    list(APPEND headers ${dir_headers})
  endforeach()
  list(REMOVE_DUPLICATES includes)
  list(REMOVE_DUPLICATES headers)

  # In a folder of its own: the target has the fuzzer's name.
  set(fuzzer "${CMAKE_CURRENT_BINARY_DIR}/fuzz/${ARG_NAME}")
  add_custom_command(
    OUTPUT "${fuzzer}"
    COMMAND ${CMAKE_COMMAND} -E make_directory "${CMAKE_CURRENT_BINARY_DIR}/fuzz"
    COMMAND ${GRIDBILL_CLANGXX} -std=c++20 -O1 -g -fno-omit-frame-pointer
            -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
            -Wno-unused-command-line-argument
            ${includes} ${GRIDBILL_FUZZ_${ARG_NAME}_CFLAGS_OTHER}
            ${sources} ${archives} ${flags} ${GRIDBILL_FUZZ_${ARG_NAME}_LDFLAGS}
            -o "${fuzzer}"
    DEPENDS ${sources} ${headers} ${target_deps}
    COMMENT "clang++-14 -fsanitize=fuzzer,address,undefined ${ARG_NAME}"
    VERBATIM)
  add_custom_target(${ARG_NAME} ALL DEPENDS "${fuzzer}")

  set(work "${CMAKE_CURRENT_BINARY_DIR}/fuzz/${ARG_NAME}_corpus")
  add_test(NAME ${ARG_NAME}
    COMMAND sh -c "mkdir -p \"$1\" && exec \"$0\" -max_total_time=\${GRIDBILL_FUZZ_SECONDS:-5} -timeout=10 -max_len=$3 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=\"$0-\" \"$1\" \"$2\""
            "${fuzzer}" "${work}" "${corpus}" "${ARG_MAX_LEN}")
  set_tests_properties(${ARG_NAME} PROPERTIES
    LABELS fuzz
    TIMEOUT 86400
    ENVIRONMENT "ASAN_OPTIONS=detect_leaks=1;UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endfunction()
