// ITSM incidents in the ServiceNow Table API's shape: one incident per
// problem, found by its correlation_id (`GET /api/now/table/incident?
// sysparm_query=correlation_id=<id>^active=true`), created with
// `POST /api/now/table/incident` when none is open, updated (work notes)
// when one is, and resolved (`PATCH .../incident/<sys_id>`, state 6) when
// the problem clears. Problems are facts in the outbox (adapter "itsm"):
// kind "incident.open" or "incident.resolve", id = the correlation id,
// payload = "<short description>\t<description>". Pure: HTTP only.
#pragma once

#include <string>

#include "absl/time/time.h"
#include "outbox.h"

namespace gridbill::integrations {

inline constexpr char kIncidentOpen[] = "incident.open";
inline constexpr char kIncidentResolve[] = "incident.resolve";
inline constexpr char kProblemsFeed[] = "itsm.problems";

struct ItsmConfig {
  std::string base_url;  // "http://127.0.0.1:7209"
  std::string user;
  std::string password;
  absl::Duration timeout = absl::Seconds(10);
};

// The facts of a problem that appeared or cleared.
Fact IncidentOpen(const std::string& correlation_id, const std::string& version,
                  const std::string& short_description, const std::string& description);
Fact IncidentResolve(const std::string& correlation_id, const std::string& version,
                     const std::string& note);

class ItsmReceiver final : public Receiver {
 public:
  explicit ItsmReceiver(ItsmConfig config) : config_(std::move(config)) {}
  SendResult Send(const Delivery& delivery) override;

 private:
  ItsmConfig config_;
};

}  // namespace gridbill::integrations
