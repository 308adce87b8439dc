// For tests of a migration that carries stored rows over: a database
// migrated up to that migration, rows stored there as the versions before
// it stored them, then migrated to the end as a new version starts.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "gridbill/pgtest/pgtest.h"

namespace gridbill::pgtest {

// The migrations of `dir` before the one named `migration` (say
// "V003__jobs.sql"), then the `seed` statements, then the rest. Fails the
// test when there is no such migration, or a statement or migration fails.
std::unique_ptr<Database> MigratedOver(const std::string& dir, std::string_view migration,
                                       const std::vector<std::string>& seed);

}  // namespace gridbill::pgtest
