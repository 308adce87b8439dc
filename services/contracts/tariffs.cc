#include "tariffs.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "checks.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::contracts {

FieldTexts FieldsOf(const Tariff& t) {
  return {
      {"service_type", std::string(Name(t.service_type))},
      {"price_per_kwh", t.price_per_kwh.ToString()},
      {"valid_from", DateText(t.valid_from)},
      {"valid_to", DateText(t.valid_to)},
      {"order_reference", t.order_reference},
      {"note", t.note},
  };
}

PeriodTariffs SliceTariffs(std::vector<Tariff> tariffs, const BillingPeriod& period,
                           absl::TimeZone zone) {
  std::sort(tariffs.begin(), tariffs.end(),
            [](const Tariff& a, const Tariff& b) { return a.valid_from < b.valid_from; });
  PeriodTariffs out;
  out.period_hours = period.Hours(zone);
  const absl::CivilDay first = period.first_day();
  const absl::CivilDay last = period.last_day();
  int64_t covered_days = 0;
  for (auto& t : tariffs) {
    if (!Overlaps(t.valid_from, t.valid_to, first, last)) continue;
    TariffSlice s;
    s.from_date = std::max(t.valid_from, first);
    s.to_date = t.valid_to ? std::min(*t.valid_to, last) : last;
    TimeRange range = DaysRange(s.from_date, s.to_date, zone);
    s.start_time = range.start;
    s.end_time = range.end;
    s.hours = HoursIn(range);
    covered_days += (s.to_date - s.from_date) + 1;
    s.tariff = std::move(t);
    out.slices.push_back(std::move(s));
  }
  out.fully_covered = covered_days == period.days();
  return out;
}

absl::Status Tariffs::Validate(const Tariff& t, const std::string& self_id) {
  if (t.service_type == ServiceType::kUnspecified) {
    return InvalidField("tariff.service_type", "required");
  }
  if (t.price_per_kwh <= Decimal::FromInt(0)) {
    return InvalidField("tariff.price_per_kwh", "must be greater than 0");
  }
  RETURN_IF_ERROR(CheckValidity("tariff", t.valid_from, t.valid_to));
  RETURN_IF_ERROR(CheckText("tariff.order_reference", t.order_reference, true, 500));
  RETURN_IF_ERROR(CheckText("tariff.note", t.note, false, 2000));
  ASSIGN_OR_RETURN(std::vector<Tariff> overlapping,
                   store_.TariffsOverlapping(t.service_type, t.valid_from, t.valid_to));
  for (const auto& other : overlapping) {
    if (other.id == self_id) continue;
    return FailedPrecondition(
        "tariff.valid_from",
        absl::StrCat("the validity ", ValidityText(t.valid_from, t.valid_to), " overlaps the ",
                     Name(t.service_type), " tariff ", other.price_per_kwh.ToString(), " valid ",
                     ValidityText(other.valid_from, other.valid_to), " (id ", other.id, ")"));
  }
  return absl::OkStatus();
}

absl::StatusOr<Tariff> Tariffs::Create(const Tariff& input, const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "create tariffs"));
  Tariff t = input;
  t.id.clear();
  Tariff out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    RETURN_IF_ERROR(Validate(t, ""));
    t.version = 1;
    t.create_time = t.update_time = clock_.Now();
    ASSIGN_OR_RETURN(out, store_.InsertTariff(t));
    return store_.AppendHistory(
        Resource::kTariff, out.id,
        HistoryEntry(who, 1, t.create_time, "create", "", Diff({}, FieldsOf(out))));
  }));
  return out;
}

absl::StatusOr<Tariff> Tariffs::Get(const std::string& id) { return store_.GetTariff(id); }

absl::StatusOr<ListPage<Tariff>> Tariffs::List(ServiceType service, const PageRequest& page) {
  return store_.ListTariffs(service, page);
}

absl::StatusOr<Tariff> Tariffs::Update(const Tariff& input, const Mask& mask,
                                       int64_t expected_version, const std::string& reason,
                                       const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "change tariffs"));
  if (input.id.empty()) return InvalidField("tariff.id", "required");
  RETURN_IF_ERROR(CheckText("reason", reason, true, 2000));
  Tariff out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(Tariff current, store_.GetTariff(input.id));
    RETURN_IF_ERROR(CheckExpectedVersion(expected_version, current.version));
    Tariff next = current;
    if (Has(mask, "price_per_kwh")) next.price_per_kwh = input.price_per_kwh;
    if (Has(mask, "valid_from")) next.valid_from = input.valid_from;
    if (Has(mask, "valid_to")) next.valid_to = input.valid_to;
    if (Has(mask, "order_reference")) next.order_reference = input.order_reference;
    if (Has(mask, "note")) next.note = input.note;
    RETURN_IF_ERROR(Validate(next, current.id));
    std::vector<FieldChange> changes = Diff(FieldsOf(current), FieldsOf(next));
    if (changes.empty()) {
      out = current;
      return absl::OkStatus();
    }
    next.version = current.version + 1;
    next.update_time = clock_.Now();
    RETURN_IF_ERROR(store_.UpdateTariff(next, current.version));
    out = next;
    return store_.AppendHistory(
        Resource::kTariff, next.id,
        HistoryEntry(who, next.version, next.update_time, "update", reason, std::move(changes)));
  }));
  return out;
}

absl::StatusOr<TariffChanged> Tariffs::Change(const TariffChange& change, const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "change tariffs"));
  if (change.service_type == ServiceType::kUnspecified) {
    return InvalidField("service_type", "required");
  }
  if (change.price_per_kwh <= Decimal::FromInt(0)) {
    return InvalidField("price_per_kwh", "must be greater than 0");
  }
  RETURN_IF_ERROR(CheckText("order_reference", change.order_reference, true, 500));
  const absl::CivilDay day_before = change.valid_from - 1;
  TariffChanged out;
  RETURN_IF_ERROR(store_.Atomically([&]() -> absl::Status {
    ASSIGN_OR_RETURN(std::vector<Tariff> before,
                     store_.TariffsOverlapping(change.service_type, day_before, day_before));
    if (before.empty()) {
      return FailedPrecondition(
          "valid_from",
          absl::StrCat("no ", Name(change.service_type), " tariff is in force on ",
                       FormatDate(day_before), " to close; create the new tariff instead"));
    }
    const Tariff current = before.front();
    RETURN_IF_ERROR(CheckExpectedVersion(change.expected_version, current.version));
    if (current.valid_to && *current.valid_to < change.valid_from) {
      return FailedPrecondition(
          "valid_from",
          absl::StrCat("the ", Name(change.service_type), " tariff in force on ",
                       FormatDate(day_before), " (id ", current.id, ") already ends that day; ",
                       "change the tariff that starts on ", FormatDate(change.valid_from),
                       " with UpdateTariff, or create one if none does"));
    }
    const absl::Time now = clock_.Now();
    const std::string order = absl::StrCat("order ", change.order_reference);

    Tariff closed = current;
    closed.valid_to = day_before;
    closed.version = current.version + 1;
    closed.update_time = now;
    RETURN_IF_ERROR(store_.UpdateTariff(closed, current.version));
    RETURN_IF_ERROR(store_.AppendHistory(
        Resource::kTariff, closed.id,
        HistoryEntry(who, closed.version, now, "update",
                     absl::StrCat("superseded from ", FormatDate(change.valid_from), " by ", order),
                     Diff(FieldsOf(current), FieldsOf(closed)))));

    Tariff next;
    next.service_type = change.service_type;
    next.price_per_kwh = change.price_per_kwh;
    next.valid_from = change.valid_from;
    next.valid_to = current.valid_to;
    next.order_reference = change.order_reference;
    next.note = change.note;
    // Also refuses a tariff that already starts on D (it overlaps).
    RETURN_IF_ERROR(Validate(next, ""));
    next.version = 1;
    next.create_time = next.update_time = now;
    ASSIGN_OR_RETURN(Tariff created, store_.InsertTariff(next));
    RETURN_IF_ERROR(store_.AppendHistory(
        Resource::kTariff, created.id,
        HistoryEntry(who, 1, now, "create",
                     absl::StrCat("replaces tariff ", current.id, " from ",
                                  FormatDate(change.valid_from), " by ", order),
                     Diff({}, FieldsOf(created)))));
    out.closed = std::move(closed);
    out.created = std::move(created);
    return absl::OkStatus();
  }));
  return out;
}

absl::StatusOr<Tariff> Tariffs::InForce(ServiceType service, absl::CivilDay day) {
  if (service == ServiceType::kUnspecified) return InvalidField("service_type", "required");
  ASSIGN_OR_RETURN(std::vector<Tariff> found, store_.TariffsOverlapping(service, day, day));
  if (found.empty()) {
    return NotFoundField(
        "date", absl::StrCat("no ", Name(service), " tariff in force on ", FormatDate(day)));
  }
  return found.front();
}

absl::StatusOr<PeriodTariffs> Tariffs::ForPeriod(ServiceType service, const BillingPeriod& period) {
  if (service == ServiceType::kUnspecified) return InvalidField("service_type", "required");
  ASSIGN_OR_RETURN(std::vector<Tariff> found,
                   store_.TariffsOverlapping(service, period.first_day(), period.last_day()));
  return SliceTariffs(std::move(found), period, zone_);
}

absl::StatusOr<paging::PageOf<ChangeEntry>> Tariffs::History(const std::string& id,
                                                             const paging::Page& page,
                                                             const Caller& who) {
  RETURN_IF_ERROR(DenyScoped(who, "read the history of tariffs"));
  RETURN_IF_ERROR(store_.GetTariff(id).status());
  return store_.ListHistory(Resource::kTariff, id, page);
}

}  // namespace gridbill::contracts
