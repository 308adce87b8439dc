// The PDF export of a report table (libHaru through libs/pdf, the DejaVu
// font embedded): A4 landscape, the title and parameters, a bar chart of the
// report's main figure summed per period, then the table on as many pages
// as it takes (the header repeated on each). No creation date: the same
// table gives the same bytes.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "reports.h"

namespace gridbill::reporting {

// Renders the whole document, then hands it to `sink` in pieces of `chunk_bytes`.
absl::Status WritePdf(const Table& table, const Query& query, Language language, size_t chunk_bytes,
                      const std::function<absl::Status(std::string_view, int64_t)>& sink);

}  // namespace gridbill::reporting
