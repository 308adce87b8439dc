// The integrations service's configuration: one validated struct.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "documents.h"
#include "esf.h"
#include "gridbill/server/config.h"
#include "itsm.h"
#include "outbox.h"

namespace gridbill::integrations {

inline constexpr int kDefaultGrpcPort = 7107;
inline constexpr int kDefaultMetricsPort = 9107;

struct Config {
  ServerConfig server;
  DatabaseConfig db;
  // gateway_address: the suite's gRPC door; empty: no adapter calls the suite.
  std::string gateway_address;
  // api_key / api_key_file: the gateway API key (role integration client).
  std::string api_key;
  // call_timeout: deadline of one call through the gateway.
  absl::Duration call_timeout;
  // poll_interval: how often the feeds are read and the folders scanned.
  absl::Duration poll_interval;
  // retry_first_delay, retry_max_delay, max_attempts, delivery_lease.
  RetryPolicy retry;
  // Adapter folders; empty: the adapter is off.
  std::string cms_inbound_dir;   // CMS metering files in (done/, rejected/)
  std::string bank_inbound_dir;  // bank statements in
  std::string erp_outbox_dir;    // documents out to ERP
  std::string ecm_archive_dir;   // documents archived
  // ecm_cmis_url (a CMIS browser binding repository URL), ecm_cmis_user,
  // ecm_cmis_password: the archive over CMIS instead of ecm_archive_dir.
  CmisConfig ecm_cmis;
  // esf_url, esf_bin, esf_username, esf_password: the e-invoice system; empty url: off.
  EsfConfig esf;
  // itsm_url, itsm_user, itsm_password: the ITSM Table API; empty url: off.
  ItsmConfig itsm;
  // scada_listen_address: the SCADA line protocol listener (host:port); empty: off.
  std::string scada_listen_address;
  // scada_batch_size: values per IngestReadings call.
  int scada_batch_size = 2000;
  // time_zone: the operator's zone (ESF deadlines are its civil days).
  absl::TimeZone zone;
  // cms_import_wait: how long the CMS adapter waits for one import to end.
  absl::Duration cms_import_wait;
  // cms_unit: the unit of the CMS files' values (wh, kwh, mwh; default kwh)
  // as metering's EnergyUnit.
  int cms_unit = 2;
  // problem_check_interval: how often runs, applications and ESF deadlines
  // are checked for ITSM incidents (0s: never; needs itsm_url).
  absl::Duration problem_check_interval;
  // run_stuck_after: a run without progress this long is stuck.
  absl::Duration run_stuck_after;
  // dwh_dir: the warehouse export's folder (empty: off); dwh_export_at:
  // the nightly time of day, HH:MM of time_zone.
  std::string dwh_dir;
  absl::Duration dwh_export_at;
  // esf_risk_days: unregistered ESF this many days before the deadline open an incident.
  int esf_risk_days = 3;
  // check_archive: instead of serving, check every archived document
  // against invoicing's hash (CheckArchive / CheckCmisArchive), print the
  // findings and exit (1 when there is one). Touches no database.
  bool check_archive = false;

  // Reads every key; refuses unknown keys (typos) with INVALID_ARGUMENT.
  static absl::StatusOr<Config> Load(const ConfigSource& src);
};

}  // namespace gridbill::integrations
