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
  DemoLoadOptions load;
  load.parallel = static_cast<int>(parallel);
  load.metering = !args.Has("no-metering");
  DemoMeteringOptions& m = load.metering_options;
  m.parallel = load.parallel;
  CTL_ASSIGN_OR_USAGE(int64_t months, IntFlag(args, "readings-months", 12));
  if (months < 0 || months > 12) return ctx.Usage("--readings-months: must be between 0 and 12");
  CTL_ASSIGN_OR_USAGE(int64_t streams, IntFlag(args, "streams", 3));
  if (streams < 1 || streams > 32) return ctx.Usage("--streams: must be between 1 and 32");
  CTL_ASSIGN_OR_USAGE(int64_t points, IntFlag(args, "points", 0));
  if (points < 0) return ctx.Usage("--points: must be 0 (all) or more");
  m.readings_months = static_cast<int>(months);
  m.streams = static_cast<int>(streams);
  m.max_points = static_cast<int>(points);
  m.series = args.Get("form", "series") != "readings";
  if (args.Has("form") && args.Get("form") != "series" && args.Get("form") != "readings") {
    return ctx.Usage("--form: series or readings");
  }
  const demo::DataSet data = demo::Generate(options);
  ctx.err() << "demo data set (seed " << options.seed
            << "): " << GroupDigits(data.reference_count()) << " reference records, "
            << data.participants.size() << " participants, " << data.contracts.size()
            << " contracts, " << data.applications.size() << " applications\n";
  return LoadDemo(ctx, data, load);
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
        {"parallel", "N", "concurrent calls (default 8)"},
        {"no-metering", "", "load only the contracts data (no metering service needed)"},
        {"readings-months", "N",
         "readings for the last N months of 2025-11..2026-10 (default 12; 0: points only)"},
        {"points", "N",
         "only N of the ~2,000 metering points, a sample of every kind (default all)"},
        {"streams", "N", "concurrent IngestReadings streams (default 3)"},
        {"form", "series|readings", "send ReadingSeries (default) or one Reading per interval"}},
       "Loads ~18,000 reference records (regions, banks, substations, power lines, with\n"
       "historic versions), ~260 participants, ~750 contracts across the four services\n"
       "(activated, some amended, suspended or terminated) and ~2,300 applications in every\n"
       "workflow state; then suspends and terminates some participants. Tariffs are seeded\n"
       "by the service. Then, through the metering service (--metering-addr), ~2,000\n"
       "metering points of the participants and the grid nodes' tie lines, and a year of\n"
       "15-minute readings (2025-11-01..2026-10-31, Asia/Almaty) with seeded gaps, spikes,\n"
       "flat lines, SCADA checks and late corrections (a second revision sent last).\n"
       "Request ids derive from the seed (and the as-of month for applications), and\n"
       "readings are idempotent by content, so running it again changes nothing; when\n"
       "every late correction is already stored the readings are not sent again.",
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
