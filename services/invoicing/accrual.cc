#include "accrual.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/base/errors.h"
#include "gridbill/domain/money.h"

namespace gridbill::invoicing {

absl::StatusOr<VatTable> VatTable::Make(std::vector<VatRate> rates) {
  if (rates.empty()) return InvalidField("vat_rates", "no VAT rate defined");
  std::sort(rates.begin(), rates.end(),
            [](const VatRate& a, const VatRate& b) { return a.valid_from < b.valid_from; });
  for (size_t i = 1; i < rates.size(); ++i) {
    if (rates[i].valid_from == rates[i - 1].valid_from) {
      return InvalidField("vat_rates",
                          absl::StrCat("two rates from ", FormatDate(rates[i].valid_from)));
    }
  }
  for (const VatRate& r : rates) {
    if (r.rate_percent < Decimal() || r.rate_percent > Decimal::FromInt(100)) {
      return InvalidField("vat_rates", "a rate must be within 0..100 percent");
    }
  }
  VatTable t;
  t.rates_ = std::move(rates);
  return t;
}

absl::StatusOr<Decimal> VatTable::RateOn(absl::CivilDay turnover_date) const {
  const VatRate* found = nullptr;
  for (const VatRate& r : rates_) {
    if (r.valid_from <= turnover_date) found = &r;
  }
  if (found == nullptr) {
    return FailedPrecondition("vat_rate",
                              absl::StrCat("no VAT rate in force on ", FormatDate(turnover_date)));
  }
  return found->rate_percent;
}

std::vector<int64_t> SplitByHours(int64_t total, std::span<const int> hours) {
  std::vector<int64_t> out(hours.size(), 0);
  __int128 all = 0;
  for (int h : hours) all += h;
  if (all <= 0) return out;
  __int128 cum = 0;
  int64_t prev = 0;
  for (size_t i = 0; i < hours.size(); ++i) {
    cum += hours[i];
    const int64_t upto = RoundHalfUp(static_cast<__int128>(total) * cum, all);
    out[i] = upto - prev;
    prev = upto;
  }
  return out;
}

void PriceLine(Line& line, Decimal vat_rate_percent) {
  line.amount_tiyn = ChargeFor(line.price_per_kwh, line.volume_wh).tiyn;
  line.vat_rate_percent = vat_rate_percent;
  line.vat_tiyn = PercentOf(Money{line.amount_tiyn}, vat_rate_percent).tiyn;
  line.total_tiyn = line.amount_tiyn + line.vat_tiyn;
}

std::string FormatDayRu(absl::CivilDay d) {
  return absl::StrFormat("%02d.%02d.%04d", d.day(), d.month(), d.year());
}

namespace {

std::string Describe(Service service, absl::CivilDay from, absl::CivilDay to) {
  return absl::StrCat(ServiceTitle(service), " за период ", FormatDayRu(from), "–",
                      FormatDayRu(to));
}

}  // namespace

std::vector<TariffPart> ClipParts(std::span<const TariffPart> parts, absl::CivilDay from,
                                  absl::CivilDay to) {
  std::vector<TariffPart> out;
  for (const TariffPart& p : parts) {
    if (p.to_date < from || p.from_date > to) continue;
    TariffPart c = p;
    c.from_date = std::max(p.from_date, from);
    c.to_date = std::min(p.to_date, to);
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<Line>> AccrualLines(Service service, const BillingPeriod& period,
                                               std::span<const TariffPart> parts,
                                               const VolumeInput& volume,
                                               Decimal vat_rate_percent) {
  return AccrualLines(service, period.first_day(), period.last_day(), parts, volume,
                      vat_rate_percent);
}

absl::StatusOr<std::vector<Line>> AccrualLines(Service service, absl::CivilDay from,
                                               absl::CivilDay to, std::span<const TariffPart> parts,
                                               const VolumeInput& volume,
                                               Decimal vat_rate_percent) {
  if (volume.total_wh < 0) return InvalidField("volume_wh", "a billed volume cannot be negative");
  // The parts must tile the billed days.
  absl::CivilDay next = from;
  for (const TariffPart& p : parts) {
    if (p.from_date != next) {
      return FailedPrecondition("tariff", absl::StrCat("no tariff in force on ", FormatDate(next),
                                                       " for ", ServiceCode(service)));
    }
    if (p.to_date < p.from_date || p.hours <= 0) {
      return InvalidField("tariff", "a tariff part must cover at least one hour");
    }
    if (p.price_per_kwh < Decimal()) return InvalidField("tariff", "a price cannot be negative");
    next = p.to_date + 1;
  }
  if (next != to + 1) {
    return FailedPrecondition("tariff", absl::StrCat("no tariff in force on ", FormatDate(next),
                                                     " for ", ServiceCode(service)));
  }
  std::vector<int64_t> split;
  if (volume.part_wh) {
    if (volume.part_wh->size() != parts.size()) {
      return InvalidField("volume_wh", "the volume source split the month into other parts");
    }
    int64_t sum = 0;
    for (int64_t v : *volume.part_wh) {
      if (v < 0) return InvalidField("volume_wh", "a billed volume cannot be negative");
      sum += v;
    }
    if (sum != volume.total_wh) {
      return InvalidField("volume_wh", "the parts of the month do not add up to its volume");
    }
    split = *volume.part_wh;
  } else {
    std::vector<int> hours;
    for (const TariffPart& p : parts) hours.push_back(p.hours);
    split = SplitByHours(volume.total_wh, hours);
  }
  std::vector<Line> lines;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (split[i] == 0 && volume.total_wh != 0) continue;
    if (volume.total_wh == 0 && i > 0) continue;  // one zero line states "nothing used"
    const TariffPart& p = parts[i];
    Line line;
    line.service = service;
    line.description = Describe(service, p.from_date, p.to_date);
    line.from_date = p.from_date;
    line.to_date = p.to_date;
    line.volume_wh = split[i];
    line.price_per_kwh = p.price_per_kwh;
    line.tariff_id = p.tariff_id;
    line.tariff_version = p.tariff_version;
    line.balance_run_id = volume.balance_run_id;
    line.balance_run_type = volume.balance_run_type;
    line.completeness = volume.completeness;
    PriceLine(line, vat_rate_percent);
    lines.push_back(std::move(line));
  }
  return lines;
}

void SumLines(Document& doc) {
  doc.amount_tiyn = doc.vat_tiyn = doc.total_tiyn = 0;
  int n = 0;
  for (Line& l : doc.lines) {
    l.line_no = ++n;
    doc.amount_tiyn += l.amount_tiyn;
    doc.vat_tiyn += l.vat_tiyn;
    doc.total_tiyn += l.total_tiyn;
  }
}

Correction DiffLines(std::span<const Line> charged, std::span<const Line> recomputed,
                     Decimal vat_rate_percent) {
  using Key = std::tuple<std::string, int64_t, absl::CivilDay, absl::CivilDay>;
  struct Net {
    int64_t volume = 0, amount = 0, vat = 0;
    const Line* sample = nullptr;
  };
  std::map<Key, Net> net;
  for (const Line& l : charged) {
    Net& n = net[Key(l.tariff_id, l.price_per_kwh.units(), l.from_date, l.to_date)];
    n.volume += l.volume_wh;
    n.amount += l.amount_tiyn;
    n.vat += l.vat_tiyn;
    if (n.sample == nullptr) n.sample = &l;
  }
  Correction out;
  auto add = [&](Line line) {
    line.total_tiyn = line.amount_tiyn + line.vat_tiyn;
    if (line.amount_tiyn == 0 && line.vat_tiyn == 0 && line.volume_wh == 0) return;
    if (line.total_tiyn < 0 || (line.total_tiyn == 0 && line.amount_tiyn < 0)) {
      out.credit.push_back(std::move(line));
    } else {
      out.debit.push_back(std::move(line));
    }
  };
  std::map<Key, bool> seen;
  for (const Line& l : recomputed) {
    const Key key(l.tariff_id, l.price_per_kwh.units(), l.from_date, l.to_date);
    seen[key] = true;
    Line d = l;
    auto it = net.find(key);
    if (it == net.end()) {
      PriceLine(d, vat_rate_percent);
      add(std::move(d));
      continue;
    }
    const Net& n = it->second;
    Line full = l;
    PriceLine(full, vat_rate_percent);
    d.volume_wh = l.volume_wh - n.volume;
    d.amount_tiyn = full.amount_tiyn - n.amount;
    d.vat_rate_percent = vat_rate_percent;
    d.vat_tiyn = full.vat_tiyn - n.vat;
    add(std::move(d));
  }
  for (const auto& [key, n] : net) {
    if (seen.count(key) > 0) continue;
    if (n.volume == 0 && n.amount == 0 && n.vat == 0) continue;  // already reversed
    Line d = *n.sample;
    d.volume_wh = -n.volume;
    d.amount_tiyn = -n.amount;
    d.vat_rate_percent = vat_rate_percent;
    d.vat_tiyn = -n.vat;
    add(std::move(d));
  }
  return out;
}

}  // namespace gridbill::invoicing
