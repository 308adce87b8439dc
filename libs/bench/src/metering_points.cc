#include "gridbill/bench/metering_points.h"

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace gridbill::bench {
namespace {

namespace v1 = ::gridbill::metering::v1;

[[noreturn]] void Die(std::string_view bench, const std::string& what) {
  std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(bench.size()), bench.data(), what.c_str());
  std::exit(2);
}

}  // namespace

absl::TimeZone AlmatyOrDie(std::string_view bench) {
  absl::TimeZone zone;
  if (!absl::LoadTimeZone("Asia/Almaty", &zone)) Die(bench, "no time zone Asia/Almaty");
  return zone;
}

std::string PointCode(int p) { return absl::StrFormat("BP-%05d", p); }

int64_t Value(int p, int d, int i) {
  const int64_t base = 20000 + (p % 97) * 1000;
  const int64_t shape = (i < 28 ? 70 : (i < 72 ? 100 : 85));
  const uint32_t h = static_cast<uint32_t>(p * 2654435761u) ^ static_cast<uint32_t>(d * 40503 + i);
  return base * shape / 100 + static_cast<int64_t>(h % 500);
}

void AddOperator(grpc::ClientContext& ctx) {
  ctx.AddMetadata("x-gridbill-principal", "bench");
  ctx.AddMetadata("x-gridbill-roles", "ROLE_OPERATOR");
}

void CreatePoints(v1::MeteringPointService::Stub& stub, int n, int participants,
                  std::string_view bench) {
  std::atomic<int> next{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int p = next++; p < n; p = next++) {
        v1::CreateMeteringPointRequest req;
        req.set_request_id(absl::StrCat("bench-point-", p));
        v1::MeteringPoint* mp = req.mutable_point();
        mp->set_code(PointCode(p));
        mp->set_name(absl::StrCat("Bench point ", p));
        mp->add_channels()->set_channel(v1::CHANNEL_ACTIVE_RECEIVED);
        mp->set_resolution(v1::RESOLUTION_PT15M);
        mp->set_status(v1::METERING_POINT_STATUS_ACTIVE);
        mp->mutable_valid_from()->set_year(2023);
        mp->mutable_valid_from()->set_month(1);
        mp->mutable_valid_from()->set_day(1);
        v1::Assignment* a = mp->add_assignments();
        a->set_participant_id(absl::StrCat("bench-", p % participants));
        *a->mutable_valid_from() = mp->valid_from();
        v1::CreateMeteringPointResponse resp;
        grpc::ClientContext ctx;
        AddOperator(ctx);
        grpc::Status st = stub.CreateMeteringPoint(&ctx, req, &resp);
        if (!st.ok()) Die(bench, absl::StrCat("CreateMeteringPoint: ", st.error_message()));
      }
    });
  }
  for (auto& t : threads) t.join();
}

}  // namespace gridbill::bench
