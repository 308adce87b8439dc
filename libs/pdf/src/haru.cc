#include "gridbill/pdf/haru.h"

#include <hpdf_doc.h>
#include <hpdf_fontdef.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/synchronization/mutex.h"

namespace gridbill::pdf {
namespace {

struct HaruError {
  HPDF_STATUS code = 0;
  HPDF_STATUS detail = 0;
};

void OnHaruError(HPDF_STATUS code, HPDF_STATUS detail, void* data) {
  auto* e = static_cast<HaruError*>(data);
  if (e->code == 0) {
    e->code = code;
    e->detail = detail;
  }
}

// The font files' bytes, read once per process and path.
class FontFiles {
 public:
  // UNAVAILABLE when the file cannot be read (not cached: a later call
  // tries again).
  absl::StatusOr<std::shared_ptr<const std::string>> Get(const std::string& path) {
    {
      absl::MutexLock lock(&mu_);
      auto it = files_.find(path);
      if (it != files_.end()) return it->second;
    }
    std::ifstream in(path, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      return absl::UnavailableError(absl::StrCat("pdf: cannot read font ", path));
    }
    if (bytes.empty()) return absl::UnavailableError(absl::StrCat("pdf: cannot read font ", path));
    auto shared = std::make_shared<const std::string>(std::move(bytes));
    absl::MutexLock lock(&mu_);
    return files_.emplace(path, std::move(shared)).first->second;
  }

 private:
  absl::Mutex mu_;
  std::map<std::string, std::shared_ptr<const std::string>> files_ ABSL_GUARDED_BY(mu_);
};

FontFiles& Fonts() {
  static FontFiles* files = new FontFiles;
  return *files;
}

// A read-only libHaru stream over bytes the caller keeps alive.
struct MemoryFont {
  const std::string* bytes = nullptr;
  size_t pos = 0;
};

HPDF_STATUS FontRead(HPDF_Stream stream, HPDF_BYTE* ptr, HPDF_UINT* size) {
  auto* f = static_cast<MemoryFont*>(stream->attr);
  const size_t left = f->pos < f->bytes->size() ? f->bytes->size() - f->pos : 0;
  const size_t n = std::min<size_t>(*size, left);
  std::memcpy(ptr, f->bytes->data() + f->pos, n);
  f->pos += n;
  if (n == *size) return HPDF_OK;
  // As libHaru's file reader: a short read is the end of the stream, not an
  // error, and the rest of the buffer is zero.
  std::memset(ptr + n, 0, *size - n);
  *size = static_cast<HPDF_UINT>(n);
  return HPDF_STREAM_EOF;
}

HPDF_STATUS FontSeek(HPDF_Stream stream, HPDF_INT pos, HPDF_WhenceMode mode) {
  auto* f = static_cast<MemoryFont*>(stream->attr);
  int64_t to = pos;
  if (mode == HPDF_SEEK_CUR) to += static_cast<int64_t>(f->pos);
  if (mode == HPDF_SEEK_END) to += static_cast<int64_t>(f->bytes->size());
  if (to < 0) return HPDF_SetError(stream->error, HPDF_FILE_IO_ERROR, 0);
  f->pos = static_cast<size_t>(to);
  return HPDF_OK;
}

HPDF_INT32 FontTell(HPDF_Stream stream) {
  return static_cast<HPDF_INT32>(static_cast<MemoryFont*>(stream->attr)->pos);
}

HPDF_UINT32 FontSize(HPDF_Stream stream) {
  return static_cast<HPDF_UINT32>(static_cast<MemoryFont*>(stream->attr)->bytes->size());
}

// Embeds the TrueType font in `bytes` as HPDF_LoadTTFontFromFile would (the
// same definition and the same tag, so the same PDF bytes), reading it from
// memory. `font` must outlive the document. Returns the font's name, or
// null on error (recorded in the document's error handler).
const char* LoadFontFromMemory(HPDF_Doc d, MemoryFont& font) {
  HPDF_Stream stream =
      HPDF_CallbackReader_New(d->mmgr, FontRead, FontSeek, FontTell, FontSize, &font);
  if (stream == nullptr) return nullptr;
  HPDF_FontDef def = HPDF_TTFontDef_Load(d->mmgr, stream, HPDF_TRUE);  // owns the stream
  if (def == nullptr) return nullptr;
  if (HPDF_Doc_RegisterFontDef(d, def) != HPDF_OK) return nullptr;  // frees def on error
  // The tag of a document's first embedded font ("HPDFAA+DejaVuSans").
  std::memcpy(d->ttfont_tag, "HPDFAA", 6);
  HPDF_TTFontDef_SetTagName(def, reinterpret_cast<char*>(d->ttfont_tag));
  return def->base_font;
}

}  // namespace

struct Document::Impl {
  HaruError error;
  std::shared_ptr<const std::string> font_bytes;
  MemoryFont font_stream;
};

absl::StatusOr<std::unique_ptr<Document>> Document::Create(const std::string& font_path) {
  auto font_bytes = Fonts().Get(font_path);
  if (!font_bytes.ok()) return font_bytes.status();
  std::unique_ptr<Document> out(new Document());
  out->impl_ = std::make_unique<Impl>();
  out->impl_->font_bytes = *font_bytes;
  out->impl_->font_stream = MemoryFont{out->impl_->font_bytes.get(), 0};
  out->doc_ = HPDF_New(OnHaruError, &out->impl_->error);
  if (out->doc_ == nullptr) return absl::InternalError("pdf: cannot create a document");
  HPDF_SetCompressionMode(out->doc_, HPDF_COMP_ALL);
  HPDF_UseUTFEncodings(out->doc_);
  HPDF_SetCurrentEncoder(out->doc_, "UTF-8");
  const char* name = LoadFontFromMemory(out->doc_, out->impl_->font_stream);
  if (name == nullptr || out->impl_->error.code != 0) {
    return absl::InternalError(absl::StrFormat("pdf: cannot embed font %s (libharu 0x%04X)",
                                               font_path,
                                               static_cast<unsigned>(out->impl_->error.code)));
  }
  out->font_ = HPDF_GetFont(out->doc_, name, "UTF-8");
  return out;
}

Document::~Document() {
  if (doc_ != nullptr) HPDF_Free(doc_);
}

absl::Status Document::status() const {
  if (impl_->error.code == 0) return absl::OkStatus();
  return absl::InternalError(absl::StrFormat("pdf: libharu error 0x%04X (detail %d)",
                                             static_cast<unsigned>(impl_->error.code),
                                             static_cast<int>(impl_->error.detail)));
}

absl::StatusOr<std::string> Document::Save() {
  if (absl::Status s = status(); !s.ok()) return s;
  if (HPDF_SaveToStream(doc_) != HPDF_OK) return absl::InternalError("pdf: cannot save");
  std::string out;
  out.reserve(HPDF_GetStreamSize(doc_));
  HPDF_ResetStream(doc_);
  for (;;) {
    HPDF_BYTE buf[8192];
    HPDF_UINT32 size = sizeof(buf);
    HPDF_STATUS st = HPDF_ReadFromStream(doc_, buf, &size);
    out.append(reinterpret_cast<const char*>(buf), size);
    if (st == HPDF_STREAM_EOF) break;
    if (st != HPDF_OK) return absl::InternalError("pdf: cannot read the stream");
  }
  return out;
}

}  // namespace gridbill::pdf
