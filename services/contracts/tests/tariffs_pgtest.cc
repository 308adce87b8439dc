// Tariffs against real PostgreSQL through the gRPC edge: the seeded KEGOC
// history, non-overlap, boundaries, retroactive changes and month splits.
#include "harness.h"

namespace gridbill::contracts::testing {
namespace {

using TS = v1::TariffService::Stub;

grpc::Status InForce(Harness& h, v1::ServiceType service, common::v1::Date date, v1::Tariff* out) {
  v1::GetTariffInForceRequest req;
  req.set_service_type(service);
  *req.mutable_date() = date;
  v1::GetTariffInForceResponse resp;
  grpc::Status st = h.Call(*h.tariff_stub, &TS::GetTariffInForce, req, &resp);
  *out = resp.tariff();
  return st;
}

std::string PriceOn(Harness& h, v1::ServiceType service, common::v1::Date date) {
  v1::Tariff t;
  REQUIRE_OK(InForce(h, service, date, &t));
  return t.price_per_kwh();
}

grpc::Status CreateTariff(Harness& h, v1::ServiceType service, const std::string& price,
                          common::v1::Date from, std::optional<common::v1::Date> to,
                          v1::Tariff* out, const std::string& request_id = NewRequestId()) {
  v1::CreateTariffRequest req;
  req.set_request_id(request_id);
  auto* t = req.mutable_tariff();
  t->set_service_type(service);
  t->set_price_per_kwh(price);
  *t->mutable_valid_from() = from;
  if (to) *t->mutable_valid_to() = *to;
  t->set_order_reference("Order No. 1-ОД of 2030 (test)");
  v1::CreateTariffResponse resp;
  grpc::Status st = h.Call(*h.tariff_stub, &TS::CreateTariff, req, &resp);
  if (out) *out = resp.tariff();
  return st;
}

TEST_CASE("the seeded KEGOC tariff history is in force on its dates") {
  Harness h;
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_TRANSMISSION, D(2018, 3, 15)) == "2.496");
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_TECHNICAL_DISPATCHING, D(2018, 8, 1)) == "0.237");
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_TECHNICAL_DISPATCHING, D(2018, 7, 31)) == "0.2482");
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_BALANCING, D(2025, 10, 1)) == "0.11");
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_BALANCING, D(2025, 9, 30)) == "0.108");
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_TRANSMISSION, D(2014, 11, 1)) == "1.954");
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_TRANSMISSION, D(2015, 3, 31)) == "1.954");
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_TRANSMISSION, D(2015, 4, 1)) == "1.943");
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_TRANSMISSION, D(2040, 1, 1)) == "3.134");

  v1::Tariff t;
  REQUIRE_OK(InForce(h, v1::SERVICE_TYPE_TRANSMISSION, D(2014, 11, 1), &t));
  REQUIRE(t.order_reference() == "Order No. 105-ОД of 2014");
  REQUIRE(t.valid_to().year() == 2015);
  REQUIRE(t.valid_to().month() == 3);
  REQUIRE(t.valid_to().day() == 31);
  REQUIRE_OK(InForce(h, v1::SERVICE_TYPE_TRANSMISSION, D(2025, 10, 1), &t));
  REQUIRE_FALSE(t.has_valid_to());
  REQUIRE_OK(InForce(h, v1::SERVICE_TYPE_GRID_USE, D(2023, 7, 1), &t));
  REQUIRE(absl::StrContains(t.note(), "demo value"));

  REQUIRE_GRPC(InForce(h, v1::SERVICE_TYPE_TRANSMISSION, D(2014, 10, 31), &t),
               grpc::StatusCode::NOT_FOUND, "2014-10-31");
  REQUIRE_GRPC(InForce(h, v1::SERVICE_TYPE_GRID_USE, D(2023, 6, 30), &t),
               grpc::StatusCode::NOT_FOUND, "GRID_USE");
  REQUIRE_GRPC(InForce(h, v1::SERVICE_TYPE_UNSPECIFIED, D(2023, 6, 30), &t),
               grpc::StatusCode::INVALID_ARGUMENT, "service_type");

  // 11 rows for each of three services plus the use-of-grid demo row, each with its history.
  v1::ListTariffsRequest list;
  list.set_service_type(v1::SERVICE_TYPE_TRANSMISSION);
  v1::ListTariffsResponse listed;
  REQUIRE_OK(h.Call(*h.tariff_stub, &TS::ListTariffs, list, &listed));
  REQUIRE(listed.total_size() == 11);
  REQUIRE(h.CountRows("tariffs") == 34);
  REQUIRE(h.CountRows("tariff_history") == 34);
}

TEST_CASE("overlapping tariffs of one service are refused, naming the conflict") {
  Harness h;
  v1::Tariff created;
  // Open-ended seeded TRANSMISSION tariff from 2025-10-01.
  REQUIRE_GRPC(
      CreateTariff(h, v1::SERVICE_TYPE_TRANSMISSION, "3.5", D(2030, 1, 1), std::nullopt, &created),
      grpc::StatusCode::FAILED_PRECONDITION, "tariff.valid_from");
  REQUIRE_GRPC(
      CreateTariff(h, v1::SERVICE_TYPE_TRANSMISSION, "3.5", D(2030, 1, 1), std::nullopt, &created),
      grpc::StatusCode::FAILED_PRECONDITION, "[2025-10-01 .. open end]");
  // A closed period inside an old tariff.
  REQUIRE_GRPC(
      CreateTariff(h, v1::SERVICE_TYPE_BALANCING, "0.2", D(2016, 5, 1), D(2016, 5, 31), &created),
      grpc::StatusCode::FAILED_PRECONDITION, "[2016-01-01 .. 2016-12-31]");
  // An open-ended one starting before the first seeded tariff overlaps all.
  REQUIRE_GRPC(
      CreateTariff(h, v1::SERVICE_TYPE_BALANCING, "0.2", D(2010, 1, 1), std::nullopt, &created),
      grpc::StatusCode::FAILED_PRECONDITION, "tariff.valid_from");
  // Ending the day before the first seeded tariff does not overlap.
  REQUIRE_OK(CreateTariff(h, v1::SERVICE_TYPE_BALANCING, "0.07", D(2014, 1, 1), D(2014, 10, 31),
                          &created));
  REQUIRE(created.version() == 1);
  // ... but ending on its first day does.
  REQUIRE_GRPC(CreateTariff(h, v1::SERVICE_TYPE_TRANSMISSION, "1.5", D(2014, 1, 1), D(2014, 11, 1),
                            &created),
               grpc::StatusCode::FAILED_PRECONDITION, "tariff.valid_from");
  REQUIRE(h.CountRows("tariffs") == 35);

  // The exclusion constraint itself, bypassing the domain's check, maps to the same field.
  Tariff raw;
  raw.service_type = ServiceType::kTransmission;
  raw.price_per_kwh = *Decimal::Parse("9");
  raw.valid_from = absl::CivilDay(2031, 1, 1);
  raw.order_reference = "x";
  raw.version = 1;
  auto st = h.store.InsertTariff(raw);
  REQUIRE(st.status().code() == absl::StatusCode::kFailedPrecondition);
  REQUIRE(FieldOf(st.status()) == "tariff.valid_from");
}

TEST_CASE("tariff validation names the field") {
  Harness h;
  v1::Tariff t;
  REQUIRE_GRPC(
      CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "1.1234567", D(2010, 1, 1), D(2010, 12, 31), &t),
      grpc::StatusCode::INVALID_ARGUMENT, "tariff.price_per_kwh: more than 6 fractional digits");
  REQUIRE_GRPC(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "0", D(2010, 1, 1), D(2010, 12, 31), &t),
               grpc::StatusCode::INVALID_ARGUMENT, "tariff.price_per_kwh: must be greater than 0");
  REQUIRE_GRPC(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "-1", D(2010, 1, 1), D(2010, 12, 31), &t),
               grpc::StatusCode::INVALID_ARGUMENT, "tariff.price_per_kwh");
  REQUIRE_GRPC(
      CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "abc", D(2010, 1, 1), D(2010, 12, 31), &t),
      grpc::StatusCode::INVALID_ARGUMENT, "tariff.price_per_kwh");
  REQUIRE_GRPC(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "", D(2010, 1, 1), D(2010, 12, 31), &t),
               grpc::StatusCode::INVALID_ARGUMENT, "tariff.price_per_kwh: required");
  REQUIRE_GRPC(
      CreateTariff(h, v1::SERVICE_TYPE_UNSPECIFIED, "1", D(2010, 1, 1), D(2010, 12, 31), &t),
      grpc::StatusCode::INVALID_ARGUMENT, "tariff.service_type: required");
  REQUIRE_GRPC(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "1", D(2010, 1, 1), D(2009, 12, 31), &t),
               grpc::StatusCode::INVALID_ARGUMENT, "tariff.valid_to: before valid_from");
  REQUIRE_GRPC(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "1", D(2010, 2, 30), std::nullopt, &t),
               grpc::StatusCode::INVALID_ARGUMENT, "tariff.valid_from");
  REQUIRE_GRPC(
      CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "1", common::v1::Date(), std::nullopt, &t),
      grpc::StatusCode::INVALID_ARGUMENT, "tariff.valid_from");
  v1::CreateTariffRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_tariff()->set_service_type(v1::SERVICE_TYPE_GRID_USE);
  req.mutable_tariff()->set_price_per_kwh("1");
  *req.mutable_tariff()->mutable_valid_from() = D(2010, 1, 1);
  v1::CreateTariffResponse resp;
  REQUIRE_GRPC(h.Call(*h.tariff_stub, &TS::CreateTariff, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "tariff.order_reference: required");
  // A participant's user cannot set tariffs.
  req.mutable_tariff()->set_order_reference("x");
  REQUIRE_GRPC(h.Call(*h.tariff_stub, &TS::CreateTariff, req, &resp,
                      ParticipantUser("00000000-0000-0000-0000-000000000001")),
               grpc::StatusCode::PERMISSION_DENIED,
               "(roles ROLE_PARTICIPANT_USER) may not call "
               "/gridbill.contracts.v1.TariffService/CreateTariff");
  REQUIRE(h.CountRows("tariffs") == 34);
}

TEST_CASE("a retroactive tariff change keeps the old price in its history") {
  Harness h;
  v1::Tariff old;
  REQUIRE_OK(InForce(h, v1::SERVICE_TYPE_BALANCING, D(2024, 12, 1), &old));
  REQUIRE(old.price_per_kwh() == "0.108");

  v1::UpdateTariffRequest req;
  req.set_request_id(NewRequestId());
  req.mutable_tariff()->set_id(old.id());
  req.mutable_tariff()->set_price_per_kwh("0.1075");
  req.mutable_update_mask()->add_paths("price_per_kwh");
  v1::UpdateTariffResponse resp;
  REQUIRE_GRPC(h.Call(*h.tariff_stub, &TS::UpdateTariff, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "reason: required");
  req.set_reason("Regulator's order amended the 2024/25 tariff");
  req.set_expected_version(7);
  REQUIRE_GRPC(h.Call(*h.tariff_stub, &TS::UpdateTariff, req, &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "expected_version");
  req.set_expected_version(1);
  req.mutable_update_mask()->add_paths("service_type");
  REQUIRE_GRPC(h.Call(*h.tariff_stub, &TS::UpdateTariff, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "update_mask");
  req.mutable_update_mask()->clear_paths();
  req.mutable_update_mask()->add_paths("price_per_kwh");
  REQUIRE_OK(h.Call(*h.tariff_stub, &TS::UpdateTariff, req, &resp,
                    Who{"tariff.admin@kegoc.kz", "ROLE_ADMIN", ""}));
  REQUIRE(resp.tariff().price_per_kwh() == "0.1075");
  REQUIRE(resp.tariff().version() == 2);
  REQUIRE(PriceOn(h, v1::SERVICE_TYPE_BALANCING, D(2024, 12, 1)) == "0.1075");

  v1::ListTariffHistoryRequest hist;
  hist.set_id(old.id());
  v1::ListTariffHistoryResponse entries;
  REQUIRE_OK(h.Call(*h.tariff_stub, &TS::ListTariffHistory, hist, &entries));
  REQUIRE(entries.entries_size() == 2);
  const auto& e = entries.entries(1);
  REQUIRE(e.version() == 2);
  REQUIRE(e.actor() == "tariff.admin@kegoc.kz");
  REQUIRE(e.reason() == "Regulator's order amended the 2024/25 tariff");
  REQUIRE(e.request_id() == req.request_id());
  REQUIRE(e.changes_size() == 1);
  REQUIRE(e.changes(0).field() == "price_per_kwh");
  REQUIRE(e.changes(0).old_value() == "0.108");
  REQUIRE(e.changes(0).new_value() == "0.1075");

  // Moving its end into the next tariff is refused.
  v1::UpdateTariffRequest extend;
  extend.set_request_id(NewRequestId());
  extend.mutable_tariff()->set_id(old.id());
  *extend.mutable_tariff()->mutable_valid_to() = D(2025, 10, 5);
  extend.mutable_update_mask()->add_paths("valid_to");
  extend.set_reason("typo");
  REQUIRE_GRPC(h.Call(*h.tariff_stub, &TS::UpdateTariff, extend, &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "tariff.valid_from");
}

TEST_CASE("a tariff change inside February 2024 splits the month's 697 hours") {
  Harness h;
  v1::Tariff grid_use;
  REQUIRE_OK(InForce(h, v1::SERVICE_TYPE_GRID_USE, D(2024, 2, 1), &grid_use));
  v1::UpdateTariffRequest end;
  end.set_request_id(NewRequestId());
  end.mutable_tariff()->set_id(grid_use.id());
  *end.mutable_tariff()->mutable_valid_to() = D(2024, 2, 14);
  end.mutable_update_mask()->add_paths("valid_to");
  end.set_reason("New tariff from 2024-02-15");
  v1::UpdateTariffResponse ended;
  REQUIRE_OK(h.Call(*h.tariff_stub, &TS::UpdateTariff, end, &ended));
  v1::Tariff next;
  REQUIRE_OK(
      CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "1.2", D(2024, 2, 15), std::nullopt, &next));

  v1::ListTariffsForPeriodRequest req;
  req.set_service_type(v1::SERVICE_TYPE_GRID_USE);
  req.mutable_period()->set_year(2024);
  req.mutable_period()->set_month(2);
  v1::ListTariffsForPeriodResponse resp;
  REQUIRE_OK(h.Call(*h.tariff_stub, &TS::ListTariffsForPeriod, req, &resp));
  REQUIRE(resp.period_hours() == 697);
  REQUIRE(resp.fully_covered());
  REQUIRE(resp.slices_size() == 2);
  REQUIRE(resp.slices(0).tariff().id() == grid_use.id());
  REQUIRE(resp.slices(0).from_date().day() == 1);
  REQUIRE(resp.slices(0).to_date().day() == 14);
  REQUIRE(resp.slices(0).hours() == 336);
  REQUIRE(resp.slices(1).tariff().price_per_kwh() == "1.2");
  REQUIRE(resp.slices(1).from_date().day() == 15);
  REQUIRE(resp.slices(1).to_date().day() == 29);
  REQUIRE(resp.slices(1).hours() == 361);
  REQUIRE(resp.slices(0).hours() + resp.slices(1).hours() == resp.period_hours());
  // 2024-02-01 00:00 in Almaty (UTC+6) is 2024-01-31 18:00 UTC; the month
  // ends at 2024-03-01 00:00 UTC+5 = 2024-02-29 19:00 UTC.
  REQUIRE(resp.slices(0).start_time().seconds() ==
          absl::ToUnixSeconds(
              absl::FromCivil(absl::CivilSecond(2024, 1, 31, 18, 0, 0), absl::UTCTimeZone())));
  REQUIRE(resp.slices(0).end_time().seconds() == resp.slices(1).start_time().seconds());
  REQUIRE(resp.slices(1).end_time().seconds() ==
          absl::ToUnixSeconds(
              absl::FromCivil(absl::CivilSecond(2024, 2, 29, 19, 0, 0), absl::UTCTimeZone())));

  // A month before the first tariff has no slices; the first month is covered.
  req.set_service_type(v1::SERVICE_TYPE_TRANSMISSION);
  req.mutable_period()->set_year(2014);
  req.mutable_period()->set_month(10);
  REQUIRE_OK(h.Call(*h.tariff_stub, &TS::ListTariffsForPeriod, req, &resp));
  REQUIRE(resp.slices_size() == 0);
  REQUIRE_FALSE(resp.fully_covered());
  REQUIRE(resp.period_hours() == 31 * 24);
  req.mutable_period()->set_month(11);
  REQUIRE_OK(h.Call(*h.tariff_stub, &TS::ListTariffsForPeriod, req, &resp));
  REQUIRE(resp.slices_size() == 1);
  REQUIRE(resp.fully_covered());
  req.mutable_period()->set_month(13);
  REQUIRE_GRPC(h.Call(*h.tariff_stub, &TS::ListTariffsForPeriod, req, &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "period");
}

TEST_CASE("tariff creation is idempotent by request id") {
  Harness h;
  v1::Tariff first, again;
  REQUIRE_OK(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "0.9", D(2020, 1, 1), D(2020, 12, 31),
                          &first, "tariff-2020"));
  REQUIRE_OK(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "0.9", D(2020, 1, 1), D(2020, 12, 31),
                          &again, "tariff-2020"));
  REQUIRE(again.SerializeAsString() == first.SerializeAsString());
  REQUIRE(h.CountRows("tariffs") == 35);
  REQUIRE(h.CountRows("tariff_history") == 35);
  REQUIRE_GRPC(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "0.95", D(2020, 1, 1), D(2020, 12, 31),
                            &again, "tariff-2020"),
               grpc::StatusCode::INVALID_ARGUMENT, "request_id");
  REQUIRE_GRPC(CreateTariff(h, v1::SERVICE_TYPE_GRID_USE, "0.95", D(2021, 1, 1), D(2021, 12, 31),
                            &again, ""),
               grpc::StatusCode::INVALID_ARGUMENT, "request_id: required");
  REQUIRE(h.CountRows("tariffs") == 35);
}

grpc::Status ChangeTariff(Harness& h, v1::ServiceType service, common::v1::Date from,
                          const std::string& price, const std::string& order,
                          v1::ChangeTariffResponse* out,
                          const std::string& request_id = NewRequestId()) {
  v1::ChangeTariffRequest req;
  req.set_request_id(request_id);
  req.set_service_type(service);
  *req.mutable_valid_from() = from;
  req.set_price_per_kwh(price);
  req.set_order_reference(order);
  return h.Call(*h.tariff_stub, &TS::ChangeTariff, req, out);
}

TEST_CASE("a new tariff from a date by an order closes the one in force the day before") {
  Harness h;
  v1::Tariff old;
  REQUIRE_OK(InForce(h, v1::SERVICE_TYPE_BALANCING, D(2025, 3, 1), &old));
  REQUIRE(old.price_per_kwh() == "0.108");
  REQUIRE(old.valid_to().year() == 2025);

  v1::ChangeTariffResponse resp;
  REQUIRE_GRPC(ChangeTariff(h, v1::SERVICE_TYPE_BALANCING, D(2025, 3, 16), "0.112", "", &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "order_reference: required");
  REQUIRE_GRPC(ChangeTariff(h, v1::SERVICE_TYPE_BALANCING, D(2025, 3, 16), "0", "No. 42-ОД", &resp),
               grpc::StatusCode::INVALID_ARGUMENT, "price_per_kwh");
  // Nothing in force the day before: there is nothing to close.
  REQUIRE_GRPC(
      ChangeTariff(h, v1::SERVICE_TYPE_TRANSMISSION, D(2014, 11, 1), "1.9", "No. 1", &resp),
      grpc::StatusCode::FAILED_PRECONDITION, "2014-10-31");
  // The tariff of the day before already ends then (another starts on the
  // date): refused, nothing changed.
  REQUIRE_GRPC(ChangeTariff(h, v1::SERVICE_TYPE_BALANCING, D(2025, 10, 1), "0.2", "No. 2", &resp),
               grpc::StatusCode::FAILED_PRECONDITION, "already ends that day");
  REQUIRE(h.CountRows("tariffs") == 34);
  REQUIRE(h.CountRows("tariff_history") == 34);

  const std::string request_id = NewRequestId();
  REQUIRE_OK(ChangeTariff(h, v1::SERVICE_TYPE_BALANCING, D(2025, 3, 16), "0.112",
                          "Order No. 42-ОД of 2025-04-02", &resp, request_id));
  CHECK(resp.closed().id() == old.id());
  CHECK(resp.closed().version() == old.version() + 1);
  CHECK(resp.closed().valid_to().day() == 15);
  CHECK(resp.tariff().price_per_kwh() == "0.112");
  CHECK(resp.tariff().valid_from().day() == 16);
  // The new tariff ends where the closed one ended.
  CHECK(resp.tariff().valid_to().SerializeAsString() == old.valid_to().SerializeAsString());
  CHECK(resp.tariff().order_reference() == "Order No. 42-ОД of 2025-04-02");
  CHECK(PriceOn(h, v1::SERVICE_TYPE_BALANCING, D(2025, 3, 15)) == "0.108");
  CHECK(PriceOn(h, v1::SERVICE_TYPE_BALANCING, D(2025, 3, 16)) == "0.112");
  CHECK(PriceOn(h, v1::SERVICE_TYPE_BALANCING, D(2025, 9, 30)) == "0.112");
  CHECK(PriceOn(h, v1::SERVICE_TYPE_BALANCING, D(2025, 10, 1)) == "0.11");

  // March 2025 is now split in two.
  v1::ListTariffsForPeriodRequest period;
  period.set_service_type(v1::SERVICE_TYPE_BALANCING);
  period.mutable_period()->set_year(2025);
  period.mutable_period()->set_month(3);
  v1::ListTariffsForPeriodResponse slices;
  REQUIRE_OK(h.Call(*h.tariff_stub, &TS::ListTariffsForPeriod, period, &slices));
  REQUIRE(slices.slices_size() == 2);
  CHECK(slices.fully_covered());

  // Both histories name the order.
  for (const auto& [id, action] : {std::pair{old.id(), std::string("update")},
                                   std::pair{resp.tariff().id(), std::string("create")}}) {
    v1::ListTariffHistoryRequest hist;
    hist.set_id(id);
    v1::ListTariffHistoryResponse entries;
    REQUIRE_OK(h.Call(*h.tariff_stub, &TS::ListTariffHistory, hist, &entries));
    const auto& last = entries.entries(entries.entries_size() - 1);
    CHECK(last.action() == action);
    CHECK(absl::StrContains(last.reason(), "Order No. 42-ОД of 2025-04-02"));
    CHECK(absl::StrContains(last.reason(), "2025-03-16"));
    CHECK(last.request_id() == request_id);
  }

  // A retry returns the same answer and changes nothing more.
  v1::ChangeTariffResponse again;
  REQUIRE_OK(ChangeTariff(h, v1::SERVICE_TYPE_BALANCING, D(2025, 3, 16), "0.112",
                          "Order No. 42-ОД of 2025-04-02", &again, request_id));
  CHECK(again.SerializeAsString() == resp.SerializeAsString());
  CHECK(h.CountRows("tariffs") == 35);
  CHECK(h.CountRows("tariff_history") == 36);
}

}  // namespace
}  // namespace gridbill::contracts::testing
