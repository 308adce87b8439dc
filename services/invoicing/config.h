// The invoicing service's configuration: one validated struct.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "gridbill/domain/decimal.h"
#include "gridbill/server/config.h"
#include "model.h"

namespace gridbill::invoicing {

inline constexpr int kDefaultGrpcPort = 7104;
inline constexpr int kDefaultMetricsPort = 9104;

// How invoice runs behave.
struct RunOptions {
  // A document is provisional when more than this share of its volume rests
  // on estimated or missing data (provisional_share, default 0.05).
  Decimal provisional_share = Decimal::FromUnits(50'000);
  // Contracts issued per transaction (issue_batch).
  int batch = 200;
  // Render and store the PDFs of a run's documents when it ends (render_pdf_in_run).
  bool render_pdfs = true;
  // Days a credit or debit note is due after its issue (note_due_days).
  int note_due_days = 10;
  // A piece of a run claimed by a replica that stopped renewing it (it died)
  // is taken over by another replica after this long (run_lease).
  absl::Duration lease = absl::Minutes(1);
  // This replica's name in claims (worker_id); empty: host and process id.
  std::string worker_id;
};

struct Config {
  ServerConfig server;
  DatabaseConfig db;
  // The operator's time zone: billing months, issue dates (time_zone).
  std::string time_zone = "Asia/Almaty";
  absl::TimeZone zone;
  // The contracts service (contracts_address), required.
  std::string contracts_address;
  // The balance service (balance_address); empty: runs fail with a clear error.
  std::string balance_address;
  // Invoice runs worked on at once (run_workers, 1..16).
  int run_workers = 2;
  RunOptions run;
  // The TrueType font embedded in PDFs (pdf_font).
  std::string pdf_font = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  // The seller printed on documents (seller_bin, seller_name, seller_address,
  // seller_iik, seller_bik, seller_kbe, seller_vat_series, seller_vat_number,
  // seller_signatory_position, seller_signatory_name).
  Seller seller;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::invoicing
