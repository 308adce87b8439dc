// Forecasting end to end with the real binaries: gridbill-contracts holding
// the demo participants, contracts and tariffs, gridbill-invoicing holding
// the VAT rates, gridbill-forecasting reading them (no balance service: the
// legacy history only), all on free ports against a throwaway PostgreSQL,
// driven by the real gridbillctl as an operator would: the demo history
// imported, one forecast run, a participant's forecast, its revenue (with a
// VAT rate added in invoicing's table) and a tariff what-if checked from the
// outside; a bad scenario refused naming the field.
#include <libpq-fe.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "google/protobuf/util/json_util.h"
#include "gridbill/forecasting/v1/forecasting.pb.h"
#include "harness.h"
#include "running.h"

namespace gridbill::suite {
namespace {

namespace fv1 = ::gridbill::forecasting::v1;

constexpr char kContractsBin[] = GRIDBILL_CONTRACTS_BIN;
constexpr char kForecastingBin[] = GRIDBILL_FORECASTING_BIN;
constexpr char kInvoicingBin[] = GRIDBILL_INVOICING_BIN;
constexpr char kCtlBin[] = GRIDBILL_CTL_BIN;

struct Cli {
  Env env;
  CommandResult operator()(std::vector<std::string> args, seconds timeout = seconds(300)) const {
    args.insert(args.begin(), kCtlBin);
    return Run(args, env, timeout);
  }
};

// Runs one statement on a database (the test's own change to a service's data).
void Exec(const std::string& conninfo, const std::string& sql) {
  std::unique_ptr<PGconn, decltype(&PQfinish)> conn(PQconnectdb(conninfo.c_str()), &PQfinish);
  REQUIRE(PQstatus(conn.get()) == CONNECTION_OK);
  std::unique_ptr<PGresult, decltype(&PQclear)> res(PQexec(conn.get(), sql.c_str()), &PQclear);
  INFO(sql << ": " << PQerrorMessage(conn.get()));
  REQUIRE(PQresultStatus(res.get()) == PGRES_COMMAND_OK);
}

template <typename Message>
Message Parse(const CommandResult& r) {
  INFO(r.Describe());
  REQUIRE(r.exit_code == 0);
  Message m;
  REQUIRE(google::protobuf::util::JsonStringToMessage(r.out, &m).ok());
  return m;
}

TEST_CASE("forecasting: the demo history, one run, a forecast, its revenue and a what-if",
          "[suite][forecasting]") {
  TempDir dir;
  Running contracts(kContractsBin, CreateDatabase("suite_forecasting_contracts"), dir, "contracts");
  contracts.WaitServing(seconds(90));
  const std::string invoicing_db = CreateDatabase("suite_forecasting_invoicing");
  Running invoicing(kInvoicingBin, invoicing_db, dir, "invoicing",
                    {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address}});
  invoicing.WaitServing(seconds(90));
  Running forecasting(kForecastingBin, CreateDatabase("suite_forecasting"), dir, "forecasting",
                      {{"GRIDBILL_CONTRACTS_ADDRESS", contracts.address},
                       {"GRIDBILL_BALANCE_ADDRESS", ""},
                       {"GRIDBILL_INVOICING_ADDRESS", invoicing.address}});
  forecasting.WaitServing(seconds(90));
  const Cli ctl{
      {{"GRIDBILL_ADDR", contracts.address}, {"GRIDBILL_FORECASTING_ADDR", forecasting.address}}};

  {
    const CommandResult load = ctl({"demo", "load", "--seed", "42", "--no-metering"}, seconds(600));
    INFO(load.Describe());
    REQUIRE(load.exit_code == 0);
  }
  const std::string csv = dir.File("history.csv");
  {
    const CommandResult gen = ctl({"forecast", "demo-history", "--seed", "42", "--out", csv});
    INFO(gen.Describe());
    REQUIRE(gen.exit_code == 0);
  }
  const auto imp = Parse<fv1::HistoryImport>(
      ctl({"forecast", "import-history", csv, "--output", "json"}, seconds(600)));
  CHECK(imp.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(imp.rows() > 40000);
  CHECK(imp.changed() == imp.rows());

  const auto run = Parse<fv1::ForecastRun>(
      ctl({"forecast", "run", "--horizon", "12", "--output", "json"}, seconds(600)));
  INFO(run.job().error());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.inputs().history_to().year() == 2025);
  CHECK(run.inputs().history_to().month() == 10);
  CHECK(run.inputs().series() > 500);
  CHECK(run.inputs().gap_months() == 0);
  // The chosen models beat seasonal naive in the run's own backtests.
  CHECK(std::stod(run.accuracy().median_mase_chosen().value()) <
        0.9 * std::stod(run.accuracy().median_mase_seasonal_naive().value()));

  // The nation per service; a participant's transmission within it.
  const auto nation = Parse<fv1::GetForecastResponse>(
      ctl({"forecast", "show", "--nation", "--service", "transmission", "--output", "json"}));
  REQUIRE(nation.series_size() == 1);
  REQUIRE(nation.series(0).points_size() == 12);
  CHECK(nation.series(0).points(0).period().year() == 2025);
  CHECK(nation.series(0).points(0).period().month() == 11);
  CHECK(nation.series(0).points(0).volume_wh() > 0);

  // Revenue of every participant's transmission: each month net + VAT =
  // gross, VAT 12 % in 2025 and 16 % from 2026 (the turnover date), the
  // volume the nation's forecast.
  const auto revenue = Parse<fv1::GetRevenueForecastResponse>(
      ctl({"forecast", "revenue", "--service", "transmission", "--output", "json"}));
  REQUIRE(revenue.months_size() == 12);
  int64_t gross = 0;
  for (int i = 0; i < 12; ++i) {
    const fv1::RevenueMonth& m = revenue.months(i);
    INFO("month " << m.period().year() << "-" << m.period().month());
    CHECK(m.volume_wh() == nation.series(0).points(i).volume_wh());
    CHECK(m.net_tiyn() > 0);
    CHECK(m.gross_tiyn() == m.net_tiyn() + m.vat_tiyn());
    CHECK(m.vat_percent().value() == (m.period().year() == 2025 ? "12" : "16"));
    gross += m.gross_tiyn();
  }
  CHECK(revenue.total_gross_tiyn() == gross);

  // The rates are invoicing's: a rate added to its table (20 % from
  // 2026-07-01) changes the next answer's VAT and gross from July on, and
  // nothing before.
  Exec(invoicing_db,
       "INSERT INTO vat_rates (valid_from, rate_percent, source) "
       "VALUES ('2026-07-01', 20, 'suite_forecasting_test')");
  const auto changed = Parse<fv1::GetRevenueForecastResponse>(
      ctl({"forecast", "revenue", "--service", "transmission", "--output", "json"}));
  REQUIRE(changed.months_size() == 12);
  for (int i = 0; i < 12; ++i) {
    const fv1::RevenueMonth& m = changed.months(i);
    const fv1::RevenueMonth& was = revenue.months(i);
    INFO("month " << m.period().year() << "-" << m.period().month());
    CHECK(m.net_tiyn() == was.net_tiyn());
    const bool july_on = m.period().year() == 2026 && m.period().month() >= 7;
    CHECK(m.vat_percent().value() == (july_on ? "20" : was.vat_percent().value()));
    if (july_on) {
      CHECK(m.gross_tiyn() > was.gross_tiyn());
    } else {
      CHECK(m.gross_tiyn() == was.gross_tiyn());
    }
  }
  CHECK(changed.total_gross_tiyn() > revenue.total_gross_tiyn());

  // A what-if: transmission at 9.99 tenge/kWh from 2026-03-01 raises revenue.
  const auto what = Parse<fv1::TariffWhatIfResponse>(
      ctl({"forecast", "what-if", "--service", "transmission", "--price", "9.99", "--from",
           "2026-03-01", "--output", "json"}));
  CHECK(what.from().month() == 3);
  CHECK(what.lines_size() > 100);
  CHECK(what.total().effect_gross_tiyn() > 0);
  int64_t effect = 0;
  for (const fv1::WhatIfLine& l : what.lines()) effect += l.effect_gross_tiyn();
  CHECK(what.total().effect_gross_tiyn() == effect);
  const CommandResult bad = ctl({"forecast", "what-if", "--service", "transmission", "--price",
                                 "9,99", "--from", "2026-03-01"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("scenario.new_price_per_kwh") != std::string::npos);
}

}  // namespace
}  // namespace gridbill::suite
