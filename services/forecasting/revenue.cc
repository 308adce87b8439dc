#include "revenue.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "gridbill/base/absl_compat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/domain/civil.h"
#include "model.h"

namespace gridbill::forecasting {
namespace {

// The price of `service_type` on `day` and how it was found.
struct DayPrice {
  Decimal price;
  std::string note;  // "" for a tariff in force
};

DayPrice PriceOn(const std::vector<const TariffInfo*>& tariffs, absl::CivilDay day,
                 const TariffScenario* scenario) {
  if (scenario != nullptr && day >= scenario->from) return {scenario->price_per_kwh, "scenario"};
  const TariffInfo* before = nullptr;
  for (const TariffInfo* t : tariffs) {
    if (t->valid_from <= day && (!t->valid_to || day <= *t->valid_to))
      return {t->price_per_kwh, ""};
    if (t->valid_from <= day) before = t;
  }
  if (before != nullptr) return {before->price_per_kwh, "the last tariff's price"};
  return {tariffs.front()->price_per_kwh, "the first tariff's price"};
}

}  // namespace

absl::StatusOr<std::vector<VatRate>> ParseVatRates(std::string_view text, std::string_view field) {
  std::vector<VatRate> out;
  for (absl::string_view part : absl::StrSplit(ToAbsl(text), ',', absl::SkipWhitespace())) {
    std::vector<absl::string_view> kv = absl::StrSplit(part, '=');
    if (kv.size() != 2) {
      return InvalidField(field, absl::StrCat(QuoteInput(std::string(part)),
                                              " is not DATE=PERCENT, e.g. 2026-01-01=16"));
    }
    VatRate r;
    absl::CivilDay day;
    if (!absl::ParseCivilTime(absl::StripAsciiWhitespace(kv[0]), &day)) {
      return InvalidField(field, absl::StrCat(QuoteInput(std::string(kv[0])), " is not a date"));
    }
    r.from = day;
    ASSIGN_OR_RETURN(r.percent,
                     Decimal::Parse(std::string(absl::StripAsciiWhitespace(kv[1])), field));
    if (r.percent < Decimal() || r.percent > Decimal::FromInt(100)) {
      return InvalidField(field, absl::StrCat(r.percent.ToString(), " is not 0..100 %"));
    }
    out.push_back(r);
  }
  if (out.empty()) return InvalidField(field, "at least one rate is required");
  std::sort(out.begin(), out.end(),
            [](const VatRate& a, const VatRate& b) { return a.from < b.from; });
  return out;
}

absl::StatusOr<Decimal> VatOn(const std::vector<VatRate>& rates, absl::CivilDay day) {
  const VatRate* found = nullptr;
  for (const VatRate& r : rates) {
    if (r.from <= day) found = &r;
  }
  if (found == nullptr) {
    return FailedPrecondition(
        "vat_rate", absl::StrCat("no VAT rate is in force on ", absl::FormatCivilTime(day)));
  }
  return found->percent;
}

absl::StatusOr<Revenue> RevenueOf(int service_type, absl::CivilMonth month, int64_t volume_wh,
                                  const std::vector<TariffInfo>& tariffs,
                                  const std::vector<VatRate>& vat, const TariffScenario* scenario) {
  std::vector<const TariffInfo*> mine;
  for (const TariffInfo& t : tariffs) {
    if (t.service_type == service_type) mine.push_back(&t);
  }
  if (scenario != nullptr && scenario->service_type != service_type) scenario = nullptr;
  if (mine.empty() && scenario == nullptr) {
    return FailedPrecondition("tariff", absl::StrCat("no tariff of ", ServiceName(service_type),
                                                     " is known to the contracts service"));
  }
  std::sort(mine.begin(), mine.end(),
            [](const TariffInfo* a, const TariffInfo* b) { return a->valid_from < b->valid_from; });
  const absl::CivilDay first(month), end(month + 1);
  const int64_t days = end - first;
  Revenue out;
  out.volume_wh = volume_wh;
  int64_t assigned = 0;
  absl::CivilDay run_from = first;
  DayPrice current =
      mine.empty() ? DayPrice{scenario->price_per_kwh, "scenario"} : PriceOn(mine, first, scenario);
  for (absl::CivilDay d = first + 1;; ++d) {
    DayPrice next;
    if (d < end) {
      next =
          mine.empty() ? DayPrice{scenario->price_per_kwh, "scenario"} : PriceOn(mine, d, scenario);
      if (next.price == current.price && next.note == current.note) continue;
    }
    // The run [run_from, d) at `current`.
    const int64_t part =
        d == end ? volume_wh - assigned
                 : static_cast<int64_t>(static_cast<__int128>(volume_wh) * (d - first) / days) -
                       assigned;
    assigned += part;
    out.net = out.net + ChargeFor(current.price, part);
    if (!out.basis.empty()) out.basis += ", ";
    absl::StrAppend(&out.basis, current.price.ToString(),
                    current.note.empty() ? "" : absl::StrCat(" (", current.note, ")"));
    if (run_from != first || d != end) {
      absl::StrAppend(&out.basis, " ", FormatDate(run_from), "..", FormatDate(d - 1));
    }
    if (d == end) break;
    run_from = d;
    current = next;
  }
  ASSIGN_OR_RETURN(out.vat_percent, VatOn(vat, end - 1));
  out.vat = PercentOf(out.net, out.vat_percent);
  out.gross = out.net + out.vat;
  return out;
}

absl::StatusOr<Revenue> BilledRevenueOf(int service_type, absl::CivilMonth month, int64_t volume_wh,
                                        const std::vector<TariffInfo>& tariffs,
                                        const std::vector<VatRate>& vat) {
  if (volume_wh > 0) return RevenueOf(service_type, month, volume_wh, tariffs, vat);
  // The tariff and the VAT rate are still required, as for a billed month.
  ASSIGN_OR_RETURN(Revenue out, RevenueOf(service_type, month, 0, tariffs, vat));
  out.volume_wh = volume_wh;
  out.basis = volume_wh == 0
                  ? std::string("not billed: volume 0 Wh")
                  : absl::StrCat("not billed: net volume ", volume_wh,
                                 " Wh (delivered more than received; a net exporter is not "
                                 "billed)");
  return out;
}

}  // namespace gridbill::forecasting
