# Script mode: writes OUT, a C++ file returning the migrations in FILES
# ("|"-separated paths). Each file becomes an escaped string literal, one
# literal per line, so the embedded text is byte for byte the file (the
# checksum depends on it) whatever characters it holds.
string(REPLACE "|" ";" FILES "${FILES}")
set(body "")
foreach(f IN LISTS FILES)
  if(f STREQUAL "")
    continue()
  endif()
  get_filename_component(name "${f}" NAME)
  file(READ "${f}" sql)
  string(REPLACE "\\" "\\\\" sql "${sql}")
  string(REPLACE "\"" "\\\"" sql "${sql}")
  string(REPLACE "\r" "\\r" sql "${sql}")
  string(REPLACE "\t" "\\t" sql "${sql}")
  string(REPLACE "?" "\\?" sql "${sql}")
  string(REPLACE "\n" "\\n\"\n       \"" sql "${sql}")
  string(APPEND body "      {\"${name}\",\n       \"${sql}\"},\n")
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
file(REMOVE "${OUT}.tmp")
