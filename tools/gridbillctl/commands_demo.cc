// gridbillctl demo load | write-csv
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "tools/demo/demo_data.h"
#include "tools/gridbillctl/cli.h"
#include "tools/gridbillctl/demo_load.h"
#include "tools/gridbillctl/format.h"

namespace gridbill::ctl {
namespace {

absl::StatusOr<demo::Options> ReadOptions(const Args& args) {
  demo::Options options;
  const std::string seed = args.Get("seed", "42");
  if (!absl::SimpleAtoi(seed, &options.seed)) {
    return absl::InvalidArgumentError(
        absl::StrCat("--seed: \"", seed, "\" is not a non-negative whole number"));
  }
  if (args.Has("as-of")) {
    absl::StatusOr<common::v1::BillingPeriod> p = PeriodFlag(args, "as-of");
    if (!p.ok()) return p.status();
    options.as_of = absl::CivilMonth(p->year(), p->month());
  } else {
    options.as_of = absl::ToCivilMonth(absl::Now(), DisplayZone());
  }
  return options;
}

int Load(Context& ctx, const Args& args) {
  CTL_ASSIGN_OR_USAGE(demo::Options options, ReadOptions(args));
  CTL_ASSIGN_OR_USAGE(int64_t parallel, IntFlag(args, "parallel", 8));
  if (parallel < 1 || parallel > 64) return ctx.Usage("--parallel: must be between 1 and 64");
  const demo::DataSet data = demo::Generate(options);
  ctx.err() << "demo data set (seed " << options.seed
            << "): " << GroupDigits(data.reference_count()) << " reference records, "
            << data.participants.size() << " participants, " << data.contracts.size()
            << " contracts, " << data.applications.size() << " applications\n";
  return LoadDemo(ctx, data, DemoLoadOptions{static_cast<int>(parallel)});
}

int WriteCsv(Context& ctx, const Args& args) {
  CTL_ASSIGN_OR_USAGE(demo::Options options, ReadOptions(args));
  const demo::DataSet data = demo::Generate(options);
  absl::Status st = WriteDemoCsv(data, args.positional()[0], ctx.out());
  if (!st.ok()) return ctx.Fail(st.message());
  return kExitOk;
}

}  // namespace

void AddDemoCommands(std::vector<Command>& out) {
  const FlagSpec seed{"seed", "N", "the generator's seed (default 42); same seed, same data"};
  out.push_back(
      {"demo",
       "load",
       "",
       0,
       0,
       "Generate and load the demo data set (idempotent)",
       {seed,
        {"as-of", "YYYY-MM",
         "applications cover the 12 periods up to this month (default: the current month)"},
        {"parallel", "N", "concurrent calls (default 8)"}},
       "Loads ~18,000 reference records (regions, banks, substations, power lines, with\n"
       "historic versions), ~260 participants, ~750 contracts across the four services\n"
       "(activated, some amended, suspended or terminated) and ~2,300 applications in every\n"
       "workflow state; then suspends and terminates some participants. Tariffs are seeded\n"
       "by the service. Request ids derive from the seed (and the as-of month for\n"
       "applications), so running it again changes nothing.",
       Load});
  out.push_back({"demo",
                 "write-csv",
                 "DIR",
                 1,
                 1,
                 "Write the demo reference data and participants as import CSV files",
                 {seed},
                 "Writes DIR/reference.csv and DIR/participants.csv in the format of "
                 "\"gridbillctl import\".",
                 WriteCsv});
}

}  // namespace gridbill::ctl
