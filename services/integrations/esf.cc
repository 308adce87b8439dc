#include "esf.h"

#include <httplib.h>

#include <algorithm>
#include <tuple>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gridbill/base/json.h"

namespace gridbill::integrations {
namespace {

std::unique_ptr<httplib::Client> ClientFor(const EsfConfig& c) {
  auto client = std::make_unique<httplib::Client>(c.base_url);
  const int64_t ms = absl::ToInt64Milliseconds(c.timeout);
  client->set_connection_timeout(ms / 1000, (ms % 1000) * 1000);
  client->set_read_timeout(ms / 1000, (ms % 1000) * 1000);
  client->set_write_timeout(ms / 1000, (ms % 1000) * 1000);
  return client;
}

// An HTTP answer as what the outbox does next: 5xx, 429 and no answer are
// retried; other 4xx are permanent.
SendResult Failure(const httplib::Result& r, absl::string_view what) {
  if (!r) return SendResult::Retry(absl::StrCat(what, ": ", httplib::to_string(r.error())));
  const std::string reason = JsonField(r->body, "error");
  const std::string text =
      absl::StrCat(what, ": HTTP ", r->status, reason.empty() ? "" : absl::StrCat(" ", reason));
  if (r->status >= 500 || r->status == 429 || r->status == 401) return SendResult::Retry(text);
  return SendResult::Permanent(text);
}

}  // namespace

std::vector<EsfRisk> EsfAtRisk(const std::vector<Delivery>& deliveries, absl::CivilDay today,
                               int within_days) {
  std::vector<EsfRisk> out;
  for (const Delivery& d : deliveries) {
    if (d.state == DeliveryState::kDelivered || d.state == DeliveryState::kSkipped) continue;
    absl::StatusOr<DocumentFact> doc = DocumentFact::Decode(d.payload);
    absl::CivilMonth period;
    if (!doc.ok() || !absl::ParseCivilTime(doc->period, &period)) continue;
    EsfRisk r;
    r.delivery = d;
    r.document_number = doc->number;
    r.period = period;
    r.deadline = EsfDeadline(absl::CivilDay(period + 1) - 1);
    r.days_left = static_cast<int>(r.deadline - today);
    if (r.days_left <= within_days) out.push_back(std::move(r));
  }
  std::sort(out.begin(), out.end(), [](const EsfRisk& a, const EsfRisk& b) {
    return std::tie(a.deadline, a.delivery.id) < std::tie(b.deadline, b.delivery.id);
  });
  return out;
}

absl::CivilDay EsfDeadline(absl::CivilDay turnover_day) {
  const absl::CivilMonth next = absl::CivilMonth(turnover_day) + 1;
  return absl::CivilDay(next.year(), next.month(), 20);
}

std::string JsonField(absl::string_view json, absl::string_view key) {
  const std::string mark = absl::StrCat("\"", key, "\"");
  size_t p = json.find(mark);
  if (p == absl::string_view::npos) return "";
  p = json.find(':', p + mark.size());
  if (p == absl::string_view::npos) return "";
  ++p;
  while (p < json.size() && json[p] == ' ') ++p;
  if (p < json.size() && json[p] == '"') {
    std::string out;
    for (size_t i = p + 1; i < json.size(); ++i) {
      if (json[i] == '\\' && i + 1 < json.size()) {
        out.push_back(json[++i]);
      } else if (json[i] == '"') {
        return out;
      } else {
        out.push_back(json[i]);
      }
    }
    return out;
  }
  size_t end = json.find_first_of(",}", p);
  return std::string(
      json.substr(p, end == absl::string_view::npos ? absl::string_view::npos : end - p));
}

absl::StatusOr<std::string> EsfReceiver::Session(bool renew) {
  absl::MutexLock lock(&mu_);
  if (!session_.empty() && !renew) return session_;
  auto client = ClientFor(config_);
  std::string body = json::ObjectWriter()
                         .Add("bin", config_.bin)
                         .Add("username", config_.username)
                         .Add("password", config_.password)
                         .Finish();
  httplib::Result r = client->Post("/esf/v1/sessions", body, "application/json");
  if (!r || r->status != 200) {
    return absl::UnavailableError(
        absl::StrCat("ESF session: ", r ? absl::StrCat("HTTP ", r->status, " ", r->body)
                                        : httplib::to_string(r.error())));
  }
  session_ = JsonField(r->body, "session_id");
  if (session_.empty()) return absl::UnavailableError("ESF session: no session_id in the answer");
  return session_;
}

absl::StatusOr<std::string> EsfReceiver::RegistrationOf(const std::string& esf_id,
                                                        const std::string& number) {
  DeliveryFilter filter;
  filter.adapter = "esf";
  filter.fact_id = esf_id;
  absl::StatusOr<paging::PageOf<Delivery>> found = registrations_.List(filter, paging::Page{});
  if (!found.ok()) return found.status();
  for (const Delivery& d : found->items) {
    if (d.state == DeliveryState::kDelivered && !d.receipt.empty()) return d.receipt;
  }
  return absl::UnavailableError(
      absl::StrCat("the original ESF ", number, " is not registered yet: the correction waits"));
}

SendResult EsfReceiver::Send(const Delivery& delivery) {
  absl::StatusOr<DocumentFact> doc = DocumentFact::Decode(delivery.payload);
  if (!doc.ok()) return SendResult::Permanent(std::string(doc.status().message()));
  // The ESF of a credit or debit note names the original ESF: it corrects
  // the original's registration, which must exist first.
  std::string corrects;
  if (!doc->related_document_id.empty()) {
    absl::StatusOr<std::string> reg =
        RegistrationOf(doc->related_document_id, doc->related_document_number);
    if (!reg.ok()) return SendResult::Retry(std::string(reg.status().message()));
    corrects = *reg;
  }
  for (int round = 0; round < 2; ++round) {
    absl::StatusOr<std::string> session = Session(round > 0);
    if (!session.ok()) return SendResult::Retry(std::string(session.status().message()));
    absl::StatusOr<std::string> xml = suite_.DocumentXml(doc->id);
    if (!xml.ok()) return SendResult::Retry(absl::StrCat("ESF XML: ", xml.status().message()));
    auto client = ClientFor(config_);
    httplib::Headers headers = {{"X-Session-Id", *session},
                                {"X-Idempotency-Key", delivery.idempotency_key}};
    std::string path = "/esf/v1/invoices";
    if (!doc->related_document_number.empty()) {
      // The document the ESF accompanies (an invoice, or a note correcting one).
      path +=
          "?related_document=" + httplib::detail::encode_query_param(doc->related_document_number);
    }
    if (!corrects.empty()) {
      path += "&related_registration_number=" + httplib::detail::encode_query_param(corrects);
    }
    httplib::Result up = client->Post(path, headers, *xml, "application/xml");
    if (up && up->status == 401) continue;  // the session expired: a new one, once
    if (!up || up->status != 200) return Failure(up, "ESF upload");
    const std::string id = JsonField(up->body, "invoice_id");
    if (id.empty()) return SendResult::Retry("ESF upload: no invoice_id in the answer");
    httplib::Result st = client->Get(absl::StrCat("/esf/v1/invoices/", id), headers);
    if (st && st->status == 401) continue;
    if (!st || st->status != 200) return Failure(st, "ESF status");
    const std::string status = JsonField(st->body, "status");
    if (status == "DELIVERED") {
      return SendResult::Delivered(JsonField(st->body, "registration_number"));
    }
    if (status == "FAILED" || status == "DECLINED") {
      return SendResult::Permanent(
          absl::StrCat("ESF ", status, ": ", JsonField(st->body, "reason")));
    }
    // Sent, registration awaited: asked again at the next attempt.
    return SendResult::Retry(absl::StrCat("sent as ", id, ", ", status));
  }
  return SendResult::Retry("ESF refused the new session");
}

}  // namespace gridbill::integrations
