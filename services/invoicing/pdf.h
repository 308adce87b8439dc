// PDF renderings of documents (invoice for payment, act Р-1, credit and
// debit notes) with libHaru, the DejaVu Sans TrueType font embedded so that
// Cyrillic and Kazakh letters (ә ғ қ ң ө ұ ү һ і) print correctly.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "model.h"

namespace gridbill::invoicing {

// The font embedded by default (Debian's fonts-dejavu-core).
inline constexpr char kDefaultFontPath[] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

// Renders one document. The output depends only on the document, the seller
// and the font: the same document renders to the same bytes (no creation
// date or random id), so its SHA-256 is a stable fingerprint.
// The font file is read once per process and path and parsed from memory
// for each document (libHaru cannot share a parsed font between documents).
// UNAVAILABLE when the font cannot be read; INTERNAL on a libHaru error.
absl::StatusOr<std::string> RenderPdf(const Document& doc, const Seller& seller,
                                      const std::string& font_path = kDefaultFontPath);

// The document's title as printed ("Счёт на оплату № INV-2026-000001 от 31.03.2026").
std::string DocumentTitle(const Document& doc);

}  // namespace gridbill::invoicing
