// A libHaru PDF document with a TrueType font embedded, the one way the
// suite starts a PDF (invoicing's documents, reporting's exports): UTF-8
// text, compressed streams, no creation date (the same content renders to
// the same bytes). The font file is read once per process and path and
// parsed from memory for each document (libHaru cannot share a parsed font
// between documents: a document records the glyphs it used for embedding).
#pragma once

#include <hpdf.h>

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gridbill::pdf {

// The font embedded by default (Debian's fonts-dejavu-core).
inline constexpr char kDefaultFontPath[] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";

class Document {
 public:
  // UNAVAILABLE when the font cannot be read; INTERNAL on a libHaru error.
  static absl::StatusOr<std::unique_ptr<Document>> Create(
      const std::string& font_path = kDefaultFontPath);
  ~Document();
  Document(const Document&) = delete;
  Document& operator=(const Document&) = delete;

  HPDF_Doc doc() const { return doc_; }
  // The embedded font, UTF-8 encoded.
  HPDF_Font font() const { return font_; }
  // INTERNAL naming the first libHaru error met so far; OK when none.
  absl::Status status() const;
  // The document's bytes; the error of status() when there was one.
  absl::StatusOr<std::string> Save();

 private:
  Document() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  HPDF_Doc doc_ = nullptr;
  HPDF_Font font_ = nullptr;
};

}  // namespace gridbill::pdf
