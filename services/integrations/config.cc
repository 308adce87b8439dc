#include "config.h"

#include <cstdio>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "documents.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"

namespace gridbill::integrations {

absl::StatusOr<Config> Config::Load(const ConfigSource& src) {
  Config c;
  ASSIGN_OR_RETURN(c.server,
                   ServerConfig::Load(src, "integrations", kDefaultGrpcPort, kDefaultMetricsPort));
  ASSIGN_OR_RETURN(c.db, DatabaseConfig::Load(src));
  ASSIGN_OR_RETURN(c.gateway_address, src.String("gateway_address", "127.0.0.1:7100"));
  if (!c.gateway_address.empty()) {
    ASSIGN_OR_RETURN(c.gateway_address, src.Address("gateway_address", "127.0.0.1:7100"));
  }
  ASSIGN_OR_RETURN(c.api_key, src.String("api_key", ""));
  ASSIGN_OR_RETURN(std::string key_file, src.String("api_key_file", ""));
  if (!key_file.empty()) {
    if (!c.api_key.empty())
      return InvalidField("api_key_file", "give api_key or api_key_file, not both");
    absl::StatusOr<std::string> key = ReadFile(key_file);
    if (!key.ok()) return InvalidField("api_key_file", ToStd(key.status().message()));
    c.api_key = std::string(absl::StripAsciiWhitespace(*key));
  }
  ASSIGN_OR_RETURN(c.call_timeout, src.Duration("call_timeout", absl::Seconds(30)));
  ASSIGN_OR_RETURN(c.poll_interval, src.Duration("poll_interval", absl::Seconds(2)));
  if (c.poll_interval < absl::Milliseconds(10)) {
    return InvalidField("poll_interval", "shorter than the minimum, 10ms");
  }
  ASSIGN_OR_RETURN(c.retry.first_delay, src.Duration("retry_first_delay", absl::Seconds(1)));
  ASSIGN_OR_RETURN(c.retry.max_delay, src.Duration("retry_max_delay", absl::Minutes(10)));
  if (c.retry.max_delay < c.retry.first_delay) {
    return InvalidField("retry_max_delay", "shorter than retry_first_delay");
  }
  ASSIGN_OR_RETURN(int64_t attempts, src.Int("max_attempts", 8, 1, 1000));
  c.retry.max_attempts = static_cast<int>(attempts);
  ASSIGN_OR_RETURN(c.retry.lease, src.Duration("delivery_lease", absl::Seconds(30)));
  if (c.retry.lease < absl::Seconds(1)) return InvalidField("delivery_lease", "shorter than 1s");
  ASSIGN_OR_RETURN(c.cms_inbound_dir, src.String("cms_inbound_dir", ""));
  ASSIGN_OR_RETURN(c.bank_inbound_dir, src.String("bank_inbound_dir", ""));
  ASSIGN_OR_RETURN(c.erp_outbox_dir, src.String("erp_outbox_dir", ""));
  ASSIGN_OR_RETURN(c.ecm_archive_dir, src.String("ecm_archive_dir", ""));
  ASSIGN_OR_RETURN(c.ecm_cmis.repository_url, src.String("ecm_cmis_url", ""));
  ASSIGN_OR_RETURN(c.ecm_cmis.user, src.String("ecm_cmis_user", ""));
  ASSIGN_OR_RETURN(c.ecm_cmis.password, src.String("ecm_cmis_password", ""));
  if (!c.ecm_cmis.repository_url.empty() && !c.ecm_archive_dir.empty()) {
    return InvalidField("ecm_cmis_url", "the archive is either ecm_archive_dir or ecm_cmis_url");
  }
  ASSIGN_OR_RETURN(c.esf.base_url, src.String("esf_url", ""));
  ASSIGN_OR_RETURN(c.esf.bin, src.String("esf_bin", ""));
  ASSIGN_OR_RETURN(c.esf.username, src.String("esf_username", ""));
  ASSIGN_OR_RETURN(c.esf.password, src.String("esf_password", ""));
  ASSIGN_OR_RETURN(c.esf.timeout, src.Duration("esf_timeout", absl::Seconds(10)));
  if (!c.esf.base_url.empty() && c.esf.bin.size() != 12) {
    return InvalidField("esf_bin", "the sender's BIN (12 digits) is required with esf_url");
  }
  ASSIGN_OR_RETURN(c.itsm.base_url, src.String("itsm_url", ""));
  ASSIGN_OR_RETURN(c.itsm.user, src.String("itsm_user", ""));
  ASSIGN_OR_RETURN(c.itsm.password, src.String("itsm_password", ""));
  ASSIGN_OR_RETURN(c.scada_listen_address, src.String("scada_listen_address", ""));
  if (!c.scada_listen_address.empty()) {
    ASSIGN_OR_RETURN(c.scada_listen_address, src.Address("scada_listen_address", ""));
  }
  ASSIGN_OR_RETURN(int64_t batch, src.Int("scada_batch_size", 2000, 1, 100000));
  c.scada_batch_size = static_cast<int>(batch);
  ASSIGN_OR_RETURN(std::string zone, src.String("time_zone", "Asia/Almaty"));
  ASSIGN_OR_RETURN(c.zone, LoadZone(zone, "time_zone"));
  ASSIGN_OR_RETURN(c.cms_import_wait, src.Duration("cms_import_wait", absl::Minutes(5)));
  ASSIGN_OR_RETURN(std::string unit, src.String("cms_unit", "kwh"));
  unit = absl::AsciiStrToLower(unit);
  if (unit == "wh") {
    c.cms_unit = 1;
  } else if (unit == "kwh") {
    c.cms_unit = 2;
  } else if (unit == "mwh") {
    c.cms_unit = 3;
  } else {
    return InvalidField("cms_unit", "wh, kwh or mwh");
  }
  ASSIGN_OR_RETURN(c.problem_check_interval,
                   src.Duration("problem_check_interval", absl::Minutes(1)));
  if (c.problem_check_interval != absl::ZeroDuration() &&
      c.problem_check_interval < absl::Milliseconds(100)) {
    return InvalidField("problem_check_interval", "shorter than the minimum, 100ms (0s: off)");
  }
  ASSIGN_OR_RETURN(c.run_stuck_after, src.Duration("run_stuck_after", absl::Hours(1)));
  ASSIGN_OR_RETURN(c.dwh_dir, src.String("dwh_dir", ""));
  ASSIGN_OR_RETURN(std::string at, src.String("dwh_export_at", "02:00"));
  {
    int h = -1, m = -1;
    char tail = 0;
    if (std::sscanf(at.c_str(), "%d:%d%c", &h, &m, &tail) != 2 || h < 0 || h > 23 || m < 0 ||
        m > 59) {
      return InvalidField("dwh_export_at", "a time of day HH:MM, e.g. 02:00");
    }
    c.dwh_export_at = absl::Hours(h) + absl::Minutes(m);
  }
  ASSIGN_OR_RETURN(int64_t risk_days, src.Int("esf_risk_days", 3, 0, 60));
  c.esf_risk_days = static_cast<int>(risk_days);
  const bool any_adapter = !c.cms_inbound_dir.empty() || !c.bank_inbound_dir.empty() ||
                           !c.erp_outbox_dir.empty() || !c.ecm_archive_dir.empty() ||
                           !c.ecm_cmis.repository_url.empty() || !c.scada_listen_address.empty() ||
                           !c.esf.base_url.empty() || !c.dwh_dir.empty();
  if (any_adapter && c.api_key.empty()) {
    return InvalidField("api_key", "an adapter is configured but no gateway API key is given");
  }
  if (any_adapter && c.gateway_address.empty()) {
    return InvalidField("gateway_address", "an adapter is configured but no gateway address");
  }
  ASSIGN_OR_RETURN(c.check_archive, src.Bool("check_archive", false));
  if (c.check_archive && (c.api_key.empty() || c.gateway_address.empty() ||
                          (c.ecm_archive_dir.empty() && c.ecm_cmis.repository_url.empty()))) {
    return InvalidField("check_archive",
                        "needs the archive (ecm_archive_dir or ecm_cmis_url), gateway_address and "
                        "api_key");
  }
  RETURN_IF_ERROR(src.CheckUnused());
  return c;
}

}  // namespace gridbill::integrations
