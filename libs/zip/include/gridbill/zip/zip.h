// Zip archives (PKWARE APPNOTE 6.3) as the suite's document formats need
// them: XLSX, and anything else that is a zip of parts.
//
// Writer streams an archive to an output function in pieces of a fixed
// size: whole entries (deflated from memory), entries copied compressed
// from another archive, and streamed entries whose bytes arrive in pieces
// (CRC-32 and sizes follow the data in a data descriptor, so nothing is
// held or seeked back). Every entry carries the same fixed time
// (1980-01-01 00:00), so the same entries give the same bytes. No Zip64:
// an entry or archive over 4 GiB is an error.
//
// ReadArchive lists the entries of an archive held in memory (from its
// central directory) and Inflate gives an entry's bytes back.
#pragma once

#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace gridbill::zip {

// Compression methods.
inline constexpr uint16_t kStored = 0;
inline constexpr uint16_t kDeflated = 8;

// One entry of an archive read by ReadArchive: `data` are its bytes as
// stored (compressed if `method` is kDeflated) and point into the archive.
struct Entry {
  std::string name;
  uint16_t method = kStored;
  uint32_t crc32 = 0;
  uint64_t size = 0;  // uncompressed
  std::string_view data;
};

absl::StatusOr<std::vector<Entry>> ReadArchive(std::string_view archive);

// The entry's uncompressed bytes, their CRC-32 checked.
absl::StatusOr<std::string> Inflate(const Entry& entry);

class Writer {
 public:
  // Gets the archive in pieces of exactly `chunk_bytes` (the last may be
  // shorter); an error stops the writer (every later call returns it).
  using Output = std::function<absl::Status(std::string_view)>;

  // `level`: zlib's deflate level, 1 (fastest) to 9.
  Writer(Output output, size_t chunk_bytes, int level);
  ~Writer();
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;

  // A whole entry, deflated.
  absl::Status Add(std::string_view name, std::string_view bytes);
  // An entry copied as stored in another archive (no recompression).
  absl::Status AddCopy(const Entry& entry);

  // A streamed entry: Begin, Write any number of times, End.
  absl::Status Begin(std::string_view name);
  absl::Status Write(std::string_view bytes);
  absl::Status End();

  // The central directory; then flushes the last piece. Nothing may be
  // added after.
  absl::Status Finish();

  // Bytes handed to the output so far and pending.
  uint64_t offset() const { return offset_; }

 private:
  struct Written {
    std::string name;
    uint16_t flags;
    uint16_t method;
    uint32_t crc32;
    uint64_t compressed;
    uint64_t size;
    uint64_t offset;
  };

  absl::Status Emit(std::string_view bytes);
  absl::Status LocalHeader(std::string_view name, uint16_t flags, uint16_t method, uint32_t crc,
                           uint64_t compressed, uint64_t size);
  absl::Status Deflate(std::string_view bytes, int flush);
  absl::Status Fail(absl::Status status);

  Output output_;
  size_t chunk_bytes_;
  int level_;
  std::string pending_;
  uint64_t offset_ = 0;
  std::vector<Written> written_;
  absl::Status failed_;
  bool finished_ = false;
  // The entry being streamed.
  bool streaming_ = false;
  z_stream stream_{};
  bool stream_ready_ = false;
  std::vector<unsigned char> deflated_;
  Written current_{};
};

}  // namespace gridbill::zip
