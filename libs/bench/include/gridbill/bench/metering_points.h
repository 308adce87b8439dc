// The metering data the benchmarks of metering and balance load, written
// once: point codes, plausible 15-minute values and the points themselves
// created through the real MeteringPointService.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/time/time.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "grpcpp/client_context.h"

namespace gridbill::bench {

// Asia/Almaty; without it the process ends (exit 2) with "`bench`: no time zone".
absl::TimeZone AlmatyOrDie(std::string_view bench);
// "BP-00042": the code of bench point `p`.
std::string PointCode(int p);
// A plausible 15-minute value of point `p` on day `d`, interval `i`: a daily
// shape, a per-point scale, some noise.
int64_t Value(int p, int d, int i);
// The operator's identity as the gateway passes it.
void AddOperator(grpc::ClientContext& ctx);
// Creates points 0..n-1 (15-minute, channel 01, valid from 2023-01-01),
// point p assigned to "bench-<p % participants>", over four threads; on an
// error the process ends (exit 2) with "`bench`: CreateMeteringPoint: ...".
void CreatePoints(metering::v1::MeteringPointService::Stub& stub, int n, int participants,
                  std::string_view bench);

}  // namespace gridbill::bench
