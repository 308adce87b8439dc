# Script mode: writes OUT, a C++ file returning the migrations in FILES.
string(REPLACE " " ";" FILES "${FILES}")
set(body "")
foreach(f ${FILES})
  if(f STREQUAL "")
    continue()
  endif()
  get_filename_component(name "${f}" NAME)
  file(READ "${f}" sql)
  string(LENGTH "${sql}" len)
  # Raw string literals keep the SQL byte for byte (the checksum depends on it).
  string(APPEND body "      {\"${name}\", R\"gbsql(${sql})gbsql\"},\n")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from migrations/*.sql; do not edit.
#include <string>
#include <vector>
#include \"gridbill/pg/migrations.h\"

namespace gridbill::pg {
std::vector<MigrationFile> EmbeddedMigrations() {
  return {
${body}  };
}
}  // namespace gridbill::pg
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
