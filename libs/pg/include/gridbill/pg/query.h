// A named SQL statement: the name is the prepared statement's name and the
// metric label (userver's Query{sql, name}).
#pragma once

namespace gridbill::pg {

// An empty name runs the statement unprepared (one-off SQL such as DDL).
struct Query {
  const char* name;
  const char* sql;
};

}  // namespace gridbill::pg
