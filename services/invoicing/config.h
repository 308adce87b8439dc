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
