// A named SQL statement: the name is the prepared statement's name and the
// metric label (userver's Query{sql, name}).
#pragma once

namespace gridbill::pg {

struct Query {
  const char* name;
  const char* sql;
};

}  // namespace gridbill::pg
