// Measures the exact money arithmetic (Decimal × Wh -> tiyn in 128 bits,
// rounded half-up once) against the same products in naive double
// arithmetic, and counts how often the double results differ from the exact
// ones. Prints figures; it never passes or fails.
//
//   gridbill_domain_bench [inputs=4000000] [runs=5]

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "gridbill/domain/decimal.h"
#include "gridbill/domain/money.h"

namespace gridbill {
namespace {

struct Input {
  Decimal price;  // tenge per kWh
  int64_t energy_wh;
};

// KEGOC's published tariffs (DOMAIN.md), in millionths of a tenge per kWh.
constexpr int64_t kTariffs[] = {1'954'000, 182'000,   83'000,  1'943'000, 2'080'000, 231'000,
                                84'000,    2'246'000, 234'000, 86'000,    2'496'000, 248'200,
                                91'000,    237'000,   88'000,  2'797'000, 306'000,   98'000,
                                2'848'000, 314'000,   102'000, 3'004'000, 333'000,   105'000,
                                3'106'000, 348'000,   108'000, 3'134'000, 355'000,   110'000};

// Half real tariffs, half arbitrary 6-digit prices up to 10 tenge/kWh; energy
// from a half-hour reading (up to 50 MWh) to a month of a large consumer (up
// to 2 TWh), with some round kWh values as metering exports often have.
std::vector<Input> MakeInputs(size_t n) {
  std::mt19937_64 rng(20240301);
  std::uniform_int_distribution<size_t> tariff(0, std::size(kTariffs) - 1);
  std::uniform_int_distribution<int64_t> price(1, 10'000'000);
  std::uniform_int_distribution<int64_t> interval(0, 50'000'000);
  std::uniform_int_distribution<int64_t> month(0, 2'000'000'000'000);
  std::vector<Input> inputs;
  inputs.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    const Decimal p = Decimal::FromUnits(i % 2 == 0 ? kTariffs[tariff(rng)] : price(rng));
    int64_t wh = (i % 4 < 2) ? interval(rng) : month(rng);
    if (i % 8 == 3) wh = wh / 1000 * 1000;
    if (i % 16 == 5) wh = -wh;  // reversals
    inputs.push_back(Input{p, wh});
  }
  return inputs;
}

// Inputs whose exact charge ends in exactly half a tiyn: a price of k/1000
// tenge/kWh with k odd and not a multiple of 5, times 5 000 + 10 000 m Wh,
// gives k × (0.5 + m) tiyn (e.g. 0.108 x 1.25 kWh = 13.5 tiyn). These are
// the cases where rounding decides, and where a double lands just below or
// above the half.
std::vector<Input> MakeTies(size_t n) {
  std::mt19937_64 rng(20260101);
  std::uniform_int_distribution<int64_t> thousandths(1, 9'999);
  std::uniform_int_distribution<int64_t> m(0, 100'000'000);
  std::vector<Input> inputs;
  inputs.reserve(n);
  while (inputs.size() < n) {
    const int64_t k = thousandths(rng);
    if (k % 2 == 0 || k % 5 == 0) continue;
    inputs.push_back(Input{Decimal::FromUnits(k * 1'000), 5'000 + 10'000 * m(rng)});
  }
  return inputs;
}

// The best wall time over `runs` runs of `body`, in seconds.
double BestOf(int runs, const std::function<void()>& body) {
  double best = 1e300;
  for (int r = 0; r < runs; ++r) {
    const auto start = std::chrono::steady_clock::now();
    body();
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    best = std::min(best, took.count());
  }
  return best;
}

// The naive way: a double price (what strtod("2.496") gives) times kWh,
// rounded to the tiyn at the end.
int64_t NaiveCharge(double price, int64_t energy_wh) {
  return std::llround(price * (static_cast<double>(energy_wh) / 1000.0) * 100.0);
}

int64_t NaivePercent(int64_t tiyn, double rate_percent) {
  return std::llround(static_cast<double>(tiyn) * rate_percent / 100.0);
}

struct Comparison {
  size_t differ = 0;
  int64_t max_diff = 0;
  size_t first = SIZE_MAX;
};

Comparison Compare(const std::vector<int64_t>& exact, const std::vector<int64_t>& naive) {
  Comparison c;
  for (size_t i = 0; i < exact.size(); ++i) {
    if (exact[i] == naive[i]) continue;
    ++c.differ;
    c.max_diff =
        std::max(c.max_diff, exact[i] > naive[i] ? exact[i] - naive[i] : naive[i] - exact[i]);
    if (c.first == SIZE_MAX) c.first = i;
  }
  return c;
}

void PrintRow(const char* name, size_t n, double exact_s, double naive_s, const Comparison& c) {
  std::printf("%-26s %8.1f M/s %6.2f ns   %8.1f M/s %6.2f ns   %9zu (%6.3f%%)  %6lld\n", name,
              n / exact_s / 1e6, exact_s / n * 1e9, n / naive_s / 1e6, naive_s / n * 1e9, c.differ,
              100.0 * c.differ / n, static_cast<long long>(c.max_diff));
}

int Run(size_t n, int runs) {
  const std::vector<Input> inputs = MakeInputs(n);
  std::vector<double> prices(n);
  for (size_t i = 0; i < n; ++i) {
    prices[i] = std::strtod(inputs[i].price.ToString().c_str(), nullptr);
  }

  std::printf("gridbill_domain_bench: %zu inputs, best of %d runs\n\n", n, runs);
  std::printf("%-26s %-24s   %-24s   %-19s  %s\n", "operation", "exact (int128, half-up)",
              "naive double + llround", "double != exact", "max |diff| tiyn");

  std::vector<int64_t> exact;
  std::vector<int64_t> naive;
  const auto charge_row = [&](const char* name, const std::vector<Input>& in,
                              const std::vector<double>& in_prices) {
    const size_t count = in.size();
    exact.assign(count, 0);
    naive.assign(count, 0);
    const double exact_s = BestOf(runs, [&] {
      for (size_t i = 0; i < count; ++i) exact[i] = ChargeFor(in[i].price, in[i].energy_wh).tiyn;
    });
    const double naive_s = BestOf(runs, [&] {
      for (size_t i = 0; i < count; ++i) naive[i] = NaiveCharge(in_prices[i], in[i].energy_wh);
    });
    const Comparison c = Compare(exact, naive);
    PrintRow(name, count, exact_s, naive_s, c);
    if (c.first != SIZE_MAX) {
      std::printf("%-26s   e.g. %s tenge/kWh x %lld Wh: exact %lld tiyn, double %lld\n", "",
                  in[c.first].price.ToString().c_str(),
                  static_cast<long long>(in[c.first].energy_wh),
                  static_cast<long long>(exact[c.first]), static_cast<long long>(naive[c.first]));
    }
  };

  const std::vector<Input> ties = MakeTies(std::max<size_t>(n / 4, 1));
  std::vector<double> tie_prices(ties.size());
  for (size_t i = 0; i < ties.size(); ++i) {
    tie_prices[i] = std::strtod(ties[i].price.ToString().c_str(), nullptr);
  }
  charge_row("ChargeFor, .5-tiyn ties", ties, tie_prices);
  charge_row("ChargeFor(price, Wh)", inputs, prices);

  const std::vector<int64_t> charges = exact;
  int64_t checksum = 0;
  for (const char* rate_text : {"12", "16"}) {
    const Decimal rate = *Decimal::Parse(rate_text);
    const double rate_d = std::strtod(rate_text, nullptr);
    const double vat_exact = BestOf(runs, [&] {
      for (size_t i = 0; i < n; ++i) exact[i] = PercentOf(Money{charges[i]}, rate).tiyn;
    });
    const double vat_naive = BestOf(runs, [&] {
      for (size_t i = 0; i < n; ++i) naive[i] = NaivePercent(charges[i], rate_d);
    });
    const Comparison vat = Compare(exact, naive);
    const std::string name = std::string("PercentOf(tiyn, ") + rate_text + " %)";
    PrintRow(name.c_str(), n, vat_exact, vat_naive, vat);
    if (vat.first != SIZE_MAX) {
      std::printf("%-26s   e.g. %s%% of %lld tiyn: exact %lld, double %lld\n", "", rate_text,
                  static_cast<long long>(charges[vat.first]),
                  static_cast<long long>(exact[vat.first]),
                  static_cast<long long>(naive[vat.first]));
    }
    for (int64_t v : exact) checksum += v;
  }

  for (int64_t v : charges) checksum += v;
  std::printf("\nchecksum %lld (keeps the loops from being optimised away)\n",
              static_cast<long long>(checksum));
  return 0;
}

}  // namespace
}  // namespace gridbill

int main(int argc, char** argv) {
  const size_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 4'000'000;
  const int runs = argc > 2 ? std::atoi(argv[2]) : 5;
  if (n == 0 || runs <= 0) {
    std::fprintf(stderr, "usage: %s [inputs>0] [runs>0]\n", argv[0]);
    return 2;
  }
  return gridbill::Run(n, runs);
}
