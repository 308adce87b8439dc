#include "gridbill/zip/zip.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "absl/strings/str_cat.h"

namespace gridbill::zip {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kDataDescriptor = 0x08074b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentral = 0x06054b50;
constexpr uint16_t kVersion = 20;             // 2.0: deflate
constexpr uint16_t kFlagDescriptor = 1 << 3;  // CRC and sizes follow the data
constexpr uint16_t kFlagUtf8 = 1 << 11;       // names are UTF-8
// 1980-01-01 00:00:00, the earliest DOS time: every entry's.
constexpr uint16_t kDosTime = 0;
constexpr uint16_t kDosDate = (0 << 9) | (1 << 5) | 1;
constexpr uint64_t kMax32 = std::numeric_limits<uint32_t>::max();
constexpr size_t kDeflateBuffer = 64 * 1024;

void Put16(std::string& out, uint16_t v) {
  out.push_back(static_cast<char>(v & 0xff));
  out.push_back(static_cast<char>(v >> 8));
}
void Put32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint16_t Get16(std::string_view s, size_t at) {
  return static_cast<uint16_t>(static_cast<unsigned char>(s[at]) |
                               static_cast<unsigned char>(s[at + 1]) << 8);
}
uint32_t Get32(std::string_view s, size_t at) {
  return static_cast<uint32_t>(Get16(s, at)) | static_cast<uint32_t>(Get16(s, at + 2)) << 16;
}

uint32_t Crc(uint32_t crc, std::string_view bytes) {
  while (!bytes.empty()) {
    const uInt n = static_cast<uInt>(std::min<size_t>(bytes.size(), 1u << 30));
    crc = static_cast<uint32_t>(crc32(crc, reinterpret_cast<const Bytef*>(bytes.data()), n));
    bytes.remove_prefix(n);
  }
  return crc;
}

absl::Status Corrupt(const std::string& what) {
  return absl::InvalidArgumentError(absl::StrCat("zip: ", what));
}

}  // namespace

absl::StatusOr<std::vector<Entry>> ReadArchive(std::string_view a) {
  // The end of central directory record: 22 bytes and a comment of at most
  // 65535, found from the end.
  if (a.size() < 22) return Corrupt("too short for an archive");
  size_t end = std::string_view::npos;
  const size_t lowest = a.size() > 22 + 65535 ? a.size() - 22 - 65535 : 0;
  for (size_t at = a.size() - 22 + 1; at-- > lowest;) {
    if (Get32(a, at) == kEndOfCentral) {
      end = at;
      break;
    }
  }
  if (end == std::string_view::npos) return Corrupt("no end of central directory");
  const uint16_t count = Get16(a, end + 10);
  const uint32_t dir_size = Get32(a, end + 12);
  const uint32_t dir_offset = Get32(a, end + 16);
  if (static_cast<uint64_t>(dir_offset) + dir_size > end) {
    return Corrupt("the central directory lies outside the archive");
  }
  std::vector<Entry> entries;
  entries.reserve(count);
  size_t at = dir_offset;
  for (uint16_t i = 0; i < count; ++i) {
    if (at + 46 > end || Get32(a, at) != kCentralHeader) return Corrupt("bad central header");
    Entry e;
    const uint16_t flags = Get16(a, at + 8);
    e.method = Get16(a, at + 10);
    e.crc32 = Get32(a, at + 16);
    const uint32_t compressed = Get32(a, at + 20);
    e.size = Get32(a, at + 24);
    const uint16_t name_len = Get16(a, at + 28);
    const uint16_t extra_len = Get16(a, at + 30);
    const uint16_t comment_len = Get16(a, at + 32);
    const uint32_t local = Get32(a, at + 42);
    if ((flags & 1) != 0) return Corrupt("encrypted entries are not read");
    if (e.method != kStored && e.method != kDeflated) {
      return Corrupt(absl::StrCat("compression method ", e.method, " is not read"));
    }
    if (at + 46 + name_len > end) return Corrupt("a name runs past the central directory");
    e.name = std::string(a.substr(at + 46, name_len));
    if (static_cast<uint64_t>(local) + 30 > a.size() || Get32(a, local) != kLocalHeader) {
      return Corrupt(absl::StrCat("no local header for ", e.name));
    }
    const uint64_t data =
        static_cast<uint64_t>(local) + 30 + Get16(a, local + 26) + Get16(a, local + 28);
    if (data + compressed > a.size()) return Corrupt(absl::StrCat(e.name, " runs past the end"));
    e.data = a.substr(data, compressed);
    entries.push_back(std::move(e));
    at += 46 + name_len + extra_len + comment_len;
  }
  return entries;
}

absl::StatusOr<std::string> Inflate(const Entry& e) {
  std::string out;
  if (e.method == kStored) {
    out = std::string(e.data);
  } else {
    out.resize(e.size);
    z_stream zs{};
    if (inflateInit2(&zs, -MAX_WBITS) != Z_OK) return absl::InternalError("zip: inflateInit2");
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(e.data.data()));
    zs.avail_in = static_cast<uInt>(e.data.size());
    zs.next_out = reinterpret_cast<Bytef*>(out.data());
    zs.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&zs, Z_FINISH);
    const uint64_t made = zs.total_out;
    inflateEnd(&zs);
    if (rc != Z_STREAM_END || made != e.size) {
      return Corrupt(absl::StrCat(e.name, " does not inflate to its size"));
    }
  }
  if (out.size() != e.size || Crc(0, out) != e.crc32) {
    return Corrupt(absl::StrCat(e.name, ": CRC-32 mismatch"));
  }
  return out;
}

Writer::Writer(Output output, size_t chunk_bytes, int level)
    : output_(std::move(output)), chunk_bytes_(std::max<size_t>(chunk_bytes, 1)), level_(level) {
  pending_.reserve(chunk_bytes_);
}

Writer::~Writer() {
  if (stream_ready_) deflateEnd(&stream_);
}

absl::Status Writer::Fail(absl::Status status) {
  if (failed_.ok()) failed_ = status;
  return status;
}

absl::Status Writer::Emit(std::string_view bytes) {
  offset_ += bytes.size();
  while (!bytes.empty()) {
    const size_t n = std::min(bytes.size(), chunk_bytes_ - pending_.size());
    pending_.append(bytes.data(), n);
    bytes.remove_prefix(n);
    if (pending_.size() == chunk_bytes_) {
      if (absl::Status s = output_(pending_); !s.ok()) return Fail(s);
      pending_.clear();
    }
  }
  return absl::OkStatus();
}

absl::Status Writer::LocalHeader(std::string_view name, uint16_t flags, uint16_t method,
                                 uint32_t crc, uint64_t compressed, uint64_t size) {
  if (name.empty() || name.size() > 0xffff) {
    return Fail(absl::InvalidArgumentError("zip: an entry name is empty or too long"));
  }
  if (offset_ > kMax32) return Fail(absl::OutOfRangeError("zip: the archive is over 4 GiB"));
  std::string h;
  h.reserve(30 + name.size());
  Put32(h, kLocalHeader);
  Put16(h, kVersion);
  Put16(h, flags);
  Put16(h, method);
  Put16(h, kDosTime);
  Put16(h, kDosDate);
  Put32(h, crc);
  Put32(h, static_cast<uint32_t>(compressed));
  Put32(h, static_cast<uint32_t>(size));
  Put16(h, static_cast<uint16_t>(name.size()));
  Put16(h, 0);
  h.append(name);
  return Emit(h);
}

absl::Status Writer::Add(std::string_view name, std::string_view bytes) {
  if (absl::Status s = Begin(name); !s.ok()) return s;
  if (absl::Status s = Write(bytes); !s.ok()) return s;
  return End();
}

absl::Status Writer::AddCopy(const Entry& e) {
  if (!failed_.ok()) return failed_;
  if (streaming_ || finished_) {
    return Fail(absl::FailedPreconditionError("zip: AddCopy while an entry is open or finished"));
  }
  if (e.size > kMax32 || e.data.size() > kMax32) {
    return Fail(absl::OutOfRangeError(absl::StrCat("zip: ", e.name, " is over 4 GiB")));
  }
  const Written w{e.name, kFlagUtf8, e.method, e.crc32, e.data.size(), e.size, offset_};
  if (absl::Status s = LocalHeader(w.name, w.flags, w.method, w.crc32, w.compressed, w.size);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Emit(e.data); !s.ok()) return s;
  written_.push_back(w);
  return absl::OkStatus();
}

absl::Status Writer::Begin(std::string_view name) {
  if (!failed_.ok()) return failed_;
  if (streaming_ || finished_) {
    return Fail(absl::FailedPreconditionError("zip: Begin while an entry is open or finished"));
  }
  current_ = Written{std::string(name), kFlagUtf8 | kFlagDescriptor, kDeflated, 0, 0, 0, offset_};
  if (absl::Status s = LocalHeader(name, current_.flags, kDeflated, 0, 0, 0); !s.ok()) return s;
  if (!stream_ready_) {
    if (deflateInit2(&stream_, level_, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
      return Fail(absl::InternalError("zip: deflateInit2"));
    }
    stream_ready_ = true;
    deflated_.resize(kDeflateBuffer);
  } else if (deflateReset(&stream_) != Z_OK) {
    return Fail(absl::InternalError("zip: deflateReset"));
  }
  streaming_ = true;
  return absl::OkStatus();
}

absl::Status Writer::Deflate(std::string_view bytes, int flush) {
  stream_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream_.avail_in = static_cast<uInt>(bytes.size());
  for (;;) {
    stream_.next_out = deflated_.data();
    stream_.avail_out = static_cast<uInt>(deflated_.size());
    const int rc = deflate(&stream_, flush);
    if (rc == Z_STREAM_ERROR) return Fail(absl::InternalError("zip: deflate failed"));
    const size_t made = deflated_.size() - stream_.avail_out;
    current_.compressed += made;
    if (made > 0) {
      const std::string_view out(reinterpret_cast<const char*>(deflated_.data()), made);
      if (absl::Status s = Emit(out); !s.ok()) return s;
    }
    if (flush == Z_FINISH ? rc == Z_STREAM_END : stream_.avail_out != 0) break;
  }
  return absl::OkStatus();
}

absl::Status Writer::Write(std::string_view bytes) {
  if (!failed_.ok()) return failed_;
  if (!streaming_) return Fail(absl::FailedPreconditionError("zip: Write without Begin"));
  current_.crc32 = Crc(current_.crc32, bytes);
  current_.size += bytes.size();
  if (current_.size > kMax32) {
    return Fail(absl::OutOfRangeError(absl::StrCat("zip: ", current_.name, " is over 4 GiB")));
  }
  // avail_in is 32 bits wide: feed at most 1 GiB at a time.
  while (!bytes.empty()) {
    const size_t n = std::min<size_t>(bytes.size(), 1u << 30);
    if (absl::Status s = Deflate(bytes.substr(0, n), Z_NO_FLUSH); !s.ok()) return s;
    bytes.remove_prefix(n);
  }
  return absl::OkStatus();
}

absl::Status Writer::End() {
  if (!failed_.ok()) return failed_;
  if (!streaming_) return Fail(absl::FailedPreconditionError("zip: End without Begin"));
  if (absl::Status s = Deflate({}, Z_FINISH); !s.ok()) return s;
  streaming_ = false;
  if (current_.compressed > kMax32) {
    return Fail(absl::OutOfRangeError(absl::StrCat("zip: ", current_.name, " is over 4 GiB")));
  }
  std::string d;
  Put32(d, kDataDescriptor);
  Put32(d, current_.crc32);
  Put32(d, static_cast<uint32_t>(current_.compressed));
  Put32(d, static_cast<uint32_t>(current_.size));
  if (absl::Status s = Emit(d); !s.ok()) return s;
  written_.push_back(std::move(current_));
  return absl::OkStatus();
}

absl::Status Writer::Finish() {
  if (!failed_.ok()) return failed_;
  if (streaming_ || finished_) {
    return Fail(absl::FailedPreconditionError("zip: Finish while an entry is open or finished"));
  }
  if (written_.size() > 0xffff) return Fail(absl::OutOfRangeError("zip: over 65535 entries"));
  const uint64_t start = offset_;
  if (start > kMax32) return Fail(absl::OutOfRangeError("zip: the archive is over 4 GiB"));
  std::string dir;
  for (const Written& w : written_) {
    dir.clear();
    Put32(dir, kCentralHeader);
    Put16(dir, kVersion);  // made by: MS-DOS, 2.0
    Put16(dir, kVersion);
    Put16(dir, w.flags);
    Put16(dir, w.method);
    Put16(dir, kDosTime);
    Put16(dir, kDosDate);
    Put32(dir, w.crc32);
    Put32(dir, static_cast<uint32_t>(w.compressed));
    Put32(dir, static_cast<uint32_t>(w.size));
    Put16(dir, static_cast<uint16_t>(w.name.size()));
    Put16(dir, 0);  // extra
    Put16(dir, 0);  // comment
    Put16(dir, 0);  // disk
    Put16(dir, 0);  // internal attributes
    Put32(dir, 0);  // external attributes
    Put32(dir, static_cast<uint32_t>(w.offset));
    dir.append(w.name);
    if (absl::Status s = Emit(dir); !s.ok()) return s;
  }
  const uint64_t size = offset_ - start;
  dir.clear();
  Put32(dir, kEndOfCentral);
  Put16(dir, 0);
  Put16(dir, 0);
  Put16(dir, static_cast<uint16_t>(written_.size()));
  Put16(dir, static_cast<uint16_t>(written_.size()));
  Put32(dir, static_cast<uint32_t>(size));
  Put32(dir, static_cast<uint32_t>(start));
  Put16(dir, 0);
  if (absl::Status s = Emit(dir); !s.ok()) return s;
  finished_ = true;
  if (!pending_.empty()) {
    if (absl::Status s = output_(pending_); !s.ok()) return Fail(s);
    pending_.clear();
  }
  return absl::OkStatus();
}

}  // namespace gridbill::zip
