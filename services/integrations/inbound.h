// Inbound folders: CMS metering files (80020 XML, CSV) and bank statements
// (1C Client-Bank, MT940) dropped by outside systems. Pure: files and the
// Suite interface.
//
// The folder rule, the same for both:
// - a file is taken once it is complete: names ending in .tmp (a sender
//   writes name.tmp, then renames) and hidden files are never taken, and a
//   file must show the same size and modification time on two scans in a
//   row (a sender that writes in place);
// - the file's SHA-256 is its identity: the request id of the suite call
//   ("<adapter>-<sha256>"), so a file dropped twice, or taken again after a
//   crash, imports once;
// - after the call it moves to done/ or to rejected/ with a `<name>.reason`
//   file saying why; a call that could not be made (the suite unavailable)
//   leaves it in place for the next scan.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/base/clock.h"
#include "store.h"
#include "suite.h"

namespace gridbill::integrations {

// What an adapter made of one complete file.
struct FileOutcome {
  enum class Kind { kImported, kRejected, kRetryLater } kind = Kind::kImported;
  std::string detail;  // summary, reason of the rejection, or why later
};

class FileHandler {
 public:
  virtual ~FileHandler() = default;
  virtual FileOutcome Handle(const std::string& name, const std::string& content,
                             const std::string& sha256) = 0;
};

// Watches one folder for one adapter.
class InboundFolder {
 public:
  InboundFolder(std::string adapter, std::string dir, FileHandler& handler, Store& store,
                const Clock& clock)
      : adapter_(std::move(adapter)),
        dir_(std::move(dir)),
        handler_(handler),
        store_(store),
        clock_(clock) {}

  // Rejections open (and a later import of a file of the same name
  // resolves) an ITSM incident "<adapter>/<file name>" through the outbox.
  void ReportProblems(bool on) { report_ = on; }

  // One scan: handles every complete file. Returns how many were handled
  // (moved to done/ or rejected/).
  absl::StatusOr<int> Scan();
  // Files seen but not yet complete or not yet handled.
  int64_t backlog() const { return backlog_; }

 private:
  std::string adapter_;
  std::string dir_;
  FileHandler& handler_;
  Store& store_;
  const Clock& clock_;
  // name -> (size, mtime ns) at the previous scan.
  std::map<std::string, std::pair<uintmax_t, int64_t>> seen_;
  int64_t backlog_ = 0;
  bool report_ = false;
};

// CMS: metering's ImportService (80020 XML by the content's "<message",
// else CSV), then waits for the import job to end (up to `wait`).
class CmsFileHandler final : public FileHandler {
 public:
  // unit: metering's EnergyUnit of the files' values (1 Wh, 2 kWh, 3 MWh).
  CmsFileHandler(Suite& suite, absl::Duration wait, int unit = 2)
      : suite_(suite), wait_(wait), unit_(unit) {}
  FileOutcome Handle(const std::string& name, const std::string& content,
                     const std::string& sha256) override;

 private:
  Suite& suite_;
  absl::Duration wait_;
  int unit_;
};

// Bank statements: 1C Client-Bank or MT940 (by content), parsed whole (a bad
// line rejects the file naming it), then invoicing's ImportPayments.
class BankFileHandler final : public FileHandler {
 public:
  explicit BankFileHandler(Suite& suite) : suite_(suite) {}
  FileOutcome Handle(const std::string& name, const std::string& content,
                     const std::string& sha256) override;

 private:
  Suite& suite_;
};

}  // namespace gridbill::integrations
