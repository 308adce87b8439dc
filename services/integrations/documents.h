// Issued documents out of the suite: the change feed that fills the outbox
// (one fact per document and outbound adapter) and the two file receivers,
// the ERP outbox folder and the document archive (ECM as a directory).
// Pure: files and the Suite interface, no gRPC, no SQL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "outbox.h"
#include "suite.h"

namespace gridbill::integrations {

inline constexpr char kDocumentsFeed[] = "invoicing.documents";
inline constexpr char kDocumentIssued[] = "document.issued";

// Reads invoicing's document change feed from the stored cursor to its end,
// writing each page's facts with the page's cursor (one transaction each).
// Every document makes one fact per adapter in `adapters`; "esf" gets only
// ESF documents. Returns the facts stored new.
absl::StatusOr<int> PumpDocuments(OutboxStore& store, Suite& suite,
                                  const std::vector<std::string>& adapters, absl::Time now,
                                  int page_size = 500);

// The ERP outbox folder: per document `<dir>/<period>/<type>-<number>.csv`
// (its lines and totals) and `<name>.manifest` (idempotency key, rows,
// totals, SHA-256 of the CSV), each written as .tmp and renamed, the
// manifest last: an ERP importer takes a CSV only once its manifest is
// there. A delivery whose manifest already holds its key is delivered
// again as a no-op ("already present"); every file written is appended to
// `<dir>/received.log`, so a duplicate would show there.
//
// A finished invoice run's fact (erp.h) is its entries file (SendRunEntries),
// read from `suite`; without a suite such a fact is refused.
class ErpFolderReceiver final : public Receiver {
 public:
  explicit ErpFolderReceiver(std::string dir, Suite* suite = nullptr)
      : dir_(std::move(dir)), suite_(suite) {}
  SendResult Send(const Delivery& delivery) override;

 private:
  std::string dir_;
  Suite* suite_;
};

// The document archive as a directory: per document
// `<dir>/<period>/<number>/` with document.pdf (an ESF: document.xml, its only form),
// metadata.txt (number, type, participant, period, SHA-256, retention
// class, idempotency key), written as .tmp and renamed, metadata last.
class DirectoryArchiveReceiver final : public Receiver {
 public:
  DirectoryArchiveReceiver(std::string dir, Suite& suite) : dir_(std::move(dir)), suite_(suite) {}
  SendResult Send(const Delivery& delivery) override;

 private:
  std::string dir_;
  Suite& suite_;
};

// The document archive over the CMIS 1.1 browser binding (`repository_url`
// e.g. http://ecm:8080/cmis/browser/gridbill, basic authentication): per
// document the folders `/<period>/<number>` (createFolder; one that exists
// is taken) and in it `document.pdf` (an ESF: `document.xml`) by
// createDocument, its metadata as `gridbill:*` properties (document id,
// number, type, participant, BIN, period, issue date, SHA-256, retention
// class, idempotency key). Before creating, the object is read by path
// (cmisselector=object): present with this delivery's key, it is delivered
// again as a no-op; with another key, a permanent refusal.
struct CmisConfig {
  std::string repository_url;
  std::string user;
  std::string password;
  absl::Duration timeout = absl::Seconds(30);
};

class CmisArchiveReceiver final : public Receiver {
 public:
  CmisArchiveReceiver(CmisConfig config, Suite& suite)
      : config_(std::move(config)), suite_(suite) {}
  SendResult Send(const Delivery& delivery) override;

 private:
  CmisConfig config_;
  Suite& suite_;
};

// One archived document whose PDF does not hash to what invoicing holds.
struct IntegrityFinding {
  std::string document_number;
  std::string reason;
};

// Recomputes every archived PDF's (an ESF's XML's) SHA-256 against its metadata and, for
// each, against invoicing's (Suite::DocumentPdf). Returns the mismatches.
absl::StatusOr<std::vector<IntegrityFinding>> CheckArchive(const std::string& dir, Suite& suite,
                                                           int* checked);

// The same check over the CMIS archive: every document under the
// repository's root (`/<period>/<number>/<document>`, walked by
// cmisselector=children in pages), its content read (cmisselector=content)
// and its SHA-256 compared with its gridbill:sha256 property and with
// invoicing's. UNAVAILABLE when the repository cannot be read (each read
// is tried 4 times).
absl::StatusOr<std::vector<IntegrityFinding>> CheckCmisArchive(const CmisConfig& config,
                                                               Suite& suite, int* checked);

// The ERP and archive folders' file helpers: a name safe as one path
// segment, tiyn as tenge text ("-12.34"), the value of a `key=value` line of
// a manifest or metadata file ("" when absent), a line appended to a log.
std::string SafeName(absl::string_view s);
std::string Tenge(int64_t tiyn);
std::string ValueOf(absl::string_view text, absl::string_view key);
absl::Status AppendLog(const std::string& path, absl::string_view line);

// Writes `content` to `path` through `path.tmp` and a rename (parents made).
absl::Status WriteFileAtomically(const std::string& path, absl::string_view content);
absl::StatusOr<std::string> ReadFile(const std::string& path);

}  // namespace gridbill::integrations
