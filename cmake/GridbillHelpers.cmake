# Helpers shared by every part of the build.

# gridbill_proto_library(<target> PROTOS <files relative to proto/> [DEPS <targets>])
# Generates C++ messages and gRPC stubs at build time into the build tree:
# <target>_messages holds the messages only (protobuf, no gRPC: what a
# domain target may link), <target> adds the gRPC stubs and services.
function(gridbill_proto_library target)
  cmake_parse_arguments(ARG "" "" "PROTOS;DEPS" ${ARGN})
  set(out_dir "${CMAKE_BINARY_DIR}/gen")
  set(message_srcs "")
  set(srcs "")
  foreach(proto ${ARG_PROTOS})
    get_filename_component(dir "${proto}" DIRECTORY)
    get_filename_component(stem "${proto}" NAME_WE)
    set(base "${out_dir}/${dir}/${stem}")
    list(APPEND message_srcs "${base}.pb.cc")
    list(APPEND srcs "${base}.grpc.pb.cc")
    add_custom_command(
      OUTPUT "${base}.pb.cc" "${base}.pb.h" "${base}.grpc.pb.cc" "${base}.grpc.pb.h"
      COMMAND ${CMAKE_COMMAND} -E make_directory "${out_dir}"
      COMMAND protobuf::protoc
        --proto_path=${GRIDBILL_PROTO_ROOT}
        --cpp_out=${out_dir}
        --grpc_out=${out_dir}
        --plugin=protoc-gen-grpc=$<TARGET_FILE:gRPC::grpc_cpp_plugin>
        "${GRIDBILL_PROTO_ROOT}/${proto}"
      DEPENDS "${GRIDBILL_PROTO_ROOT}/${proto}" protobuf::protoc gRPC::grpc_cpp_plugin
      COMMENT "protoc ${proto}"
      VERBATIM)
  endforeach()
  set(message_deps "")
  foreach(dep ${ARG_DEPS})
    list(APPEND message_deps "${dep}_messages")
  endforeach()
  add_library(${target}_messages STATIC ${message_srcs})
  target_include_directories(${target}_messages PUBLIC "${out_dir}")
  target_link_libraries(${target}_messages PUBLIC protobuf::libprotobuf ${message_deps})
  target_compile_options(${target}_messages PRIVATE -w)
  add_library(${target} STATIC ${srcs})
  target_link_libraries(${target} PUBLIC ${target}_messages gRPC::grpc++ ${ARG_DEPS})
  target_compile_options(${target} PRIVATE -w)
endfunction()

# gridbill_embed_migrations(<target> <dir>)
# Compiles the Vnnn__name.sql files of <dir> (the migrations folder, or a
# service folder holding migrations/) into <target> so a service binary
# carries its own schema; exposes gridbill::pg::EmbeddedMigrations()
# (declared in gridbill/pg/migrations.h). Every V*.sql is embedded, so a
# badly named file is rejected by Migrate() instead of silently skipped.
function(gridbill_embed_migrations target dir)
  get_filename_component(dir "${dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(IS_DIRECTORY "${dir}/migrations")
    set(dir "${dir}/migrations")
  endif()
  file(GLOB files CONFIGURE_DEPENDS "${dir}/V*.sql")
  list(SORT files)
  # A list cannot cross the command line as one argument: "|" separates.
  string(REPLACE ";" "|" files_arg "${files}")
  set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} "-DOUT=${out}" "-DFILES=${files_arg}"
            -P "${GRIDBILL_CMAKE_DIR}/EmbedMigrations.cmake"
    DEPENDS ${files} "${GRIDBILL_CMAKE_DIR}/EmbedMigrations.cmake"
    COMMENT "embedding migrations of ${target}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()

# gridbill_catch_test(<name> SOURCES ... LIBS ...)   pure tests, one ctest per case
function(gridbill_catch_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE gridbill_catch_main ${ARG_LIBS})
  catch_discover_tests(${name} TEST_PREFIX "${name}:" PROPERTIES LABELS unit)
endfunction()

# gridbill_pg_test(<name> SOURCES ... LIBS ...)   real-PostgreSQL tests: one
# ctest per binary so that one throwaway cluster serves all of its cases.
function(gridbill_pg_test name)
  if(NOT GRIDBILL_BUILD_TESTS)
    return()
  endif()
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE gridbill_catch_main gridbill_pgtest ${ARG_LIBS})
  add_test(NAME ${name} COMMAND ${name})
  set_tests_properties(${name} PROPERTIES LABELS pg TIMEOUT 900)
endfunction()
