// ESF, the state's e-invoice system: each ESF document is submitted as a
// small state machine, carried by the outbox (outbox.h):
//
//   queued (a pending delivery) -> sent (uploaded; the system's invoice id
//   is known, registration awaited: the delivery stays pending and the next
//   attempt only asks for the status) -> delivered (registration number,
//   the delivery's receipt) | failed (the system's reason: a dead letter) |
//   cancelled (an operator skips the dead letter).
//
// The API shape is the real service's, over HTTP with JSON bodies: a
// session made with the sender's BIN and credentials, invoice upload
// (idempotent by the X-Idempotency-Key header, so a resent upload is the
// same invoice, never a second registration), status by invoice id, and
// invoices by date range in pages. The ESF of a credit or debit note
// (ADDITIONAL_INVOICE) is uploaded as the correction of the original ESF by
// its registration number (related_registration_number), so it waits until
// the original is registered. tools/standins/
// esf_standin.cc implements it for up and the tests.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "outbox.h"
#include "suite.h"

namespace gridbill::integrations {

struct EsfConfig {
  std::string base_url;  // "http://127.0.0.1:7208"
  std::string bin;       // the sender's BIN
  std::string username;
  std::string password;
  absl::Duration timeout = absl::Seconds(10);
};

// The legal deadline of an ESF for electricity: the 20th of the month after
// the turnover (the month of `turnover_day`).
absl::CivilDay EsfDeadline(absl::CivilDay turnover_day);

// The value of a JSON string or number field `"key": ...` in a flat object
// ("" when absent): enough for the small answers of ESF and ITSM.
std::string JsonField(absl::string_view json, absl::string_view key);

// An ESF submission not registered yet and its deadline.
struct EsfRisk {
  Delivery delivery;
  std::string document_number;
  absl::CivilMonth period;
  absl::CivilDay deadline;
  int days_left = 0;
};

// Of `deliveries` (the "esf" adapter's), those not delivered or skipped
// whose deadline is at most `within_days` after `today` (or past), nearest
// first.
std::vector<EsfRisk> EsfAtRisk(const std::vector<Delivery>& deliveries, absl::CivilDay today,
                               int within_days);

class EsfReceiver final : public Receiver {
 public:
  // `registrations`: the outbox, where a correction finds its original's
  // registration number (the receipt of the original ESF's delivery).
  EsfReceiver(EsfConfig config, Suite& suite, OutboxStore& registrations)
      : config_(std::move(config)), suite_(suite), registrations_(registrations) {}
  SendResult Send(const Delivery& delivery) override;

 private:
  // The session id, made once and again after the system drops it.
  absl::StatusOr<std::string> Session(bool renew);

  // The registration number of the ESF `esf_id`, once its delivery is done;
  // UNAVAILABLE (retry) while it is not.
  absl::StatusOr<std::string> RegistrationOf(const std::string& esf_id, const std::string& number);

  EsfConfig config_;
  Suite& suite_;
  OutboxStore& registrations_;
  absl::Mutex mu_;
  std::string session_ ABSL_GUARDED_BY(mu_);
};

}  // namespace gridbill::integrations
