#include "encoding.h"

#include <errno.h>
#include <iconv.h>

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace gridbill::integrations {
namespace {

int LineAt(absl::string_view bytes, size_t offset) {
  return 1 + static_cast<int>(std::count(bytes.begin(), bytes.begin() + offset, '\n'));
}

// Converts with iconv; `lossy` replaces what cannot be converted by '?'.
absl::StatusOr<std::string> Convert(absl::string_view in, const char* from, const char* to,
                                    bool lossy) {
  iconv_t cd = iconv_open(to, from);
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return absl::InternalError(absl::StrCat("iconv cannot convert ", from, " to ", to));
  }
  std::string out;
  out.resize(in.size() * 4 + 16);
  char* src = const_cast<char*>(in.data());
  size_t src_left = in.size();
  char* dst = out.data();
  size_t dst_left = out.size();
  absl::Status error;
  while (src_left > 0) {
    if (iconv(cd, &src, &src_left, &dst, &dst_left) != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      const size_t used = out.size() - dst_left;
      out.resize(out.size() * 2);
      dst = out.data() + used;
      dst_left = out.size() - used;
      continue;
    }
    if (lossy && dst_left > 0) {
      ++src;
      --src_left;
      *dst++ = '?';
      --dst_left;
      continue;
    }
    const size_t offset = in.size() - src_left;
    error = absl::InvalidArgumentError(
        absl::StrCat("line ", LineAt(in, offset), ": byte 0x",
                     absl::Hex(static_cast<unsigned char>(in[offset]), absl::kZeroPad2), " is not ",
                     from, " text"));
    break;
  }
  iconv_close(cd);
  if (!error.ok()) return error;
  out.resize(out.size() - dst_left);
  return out;
}

}  // namespace

bool IsUtf8(absl::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    int n = 0;
    if (c < 0x80)
      n = 0;
    else if ((c & 0xE0) == 0xC0 && c >= 0xC2)
      n = 1;
    else if ((c & 0xF0) == 0xE0)
      n = 2;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
      n = 3;
    else
      return false;
    if (n > 0 && i + static_cast<size_t>(n) >= s.size()) return false;
    for (int k = 1; k <= n; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += n + 1;
  }
  return true;
}

absl::StatusOr<std::string> ToUtf8(absl::string_view bytes, const char* charset) {
  return Convert(bytes, charset, "UTF-8", false);
}

absl::StatusOr<std::string> FromUtf8(absl::string_view text, const char* charset) {
  return Convert(text, "UTF-8", charset, true);
}

}  // namespace gridbill::integrations
