// The SCADA stream: batches into IngestReadings, acknowledgements, resume
// after a reconnect without loss or duplicates, a bad line refused naming
// it after what came before it was stored.
#include <catch2/catch.hpp>
#include <deque>
#include <string>

#include "absl/strings/str_cat.h"
#include "fake_suite.h"
#include "gridbill/testing/fake_clock.h"
#include "memory_store.h"
#include "scada.h"

namespace gridbill::integrations {
namespace {

using ::gridbill::testing::FakeClock;

// A sender's lines; "" in the script stands for a pause (the read is idle).
class Scripted final : public LineConnection {
 public:
  std::deque<std::string> lines;
  std::string written;
  Read ReadLine(std::string& line, absl::Duration) override {
    if (lines.empty()) return Read::kClosed;
    line = lines.front();
    lines.pop_front();
    return line == "<pause>" ? Read::kIdle : Read::kLine;
  }
  absl::Status Write(absl::string_view text) override {
    absl::StrAppend(&written, text);
    return absl::OkStatus();
  }
};

std::string Value(int seq) {
  return absl::StrCat(seq, " KZ-ALM-0001 1 2026-10-01T", 10 + seq / 4, ":", (seq % 4) * 15,
                      seq % 4 == 0 ? "0" : "", ":00+05:00 ", 1000 + seq);
}

TEST_CASE("a stream is stored in batches, acknowledged, and resumed after a reconnect") {
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  ScadaOptions options;
  options.batch_size = 3;
  {
    Scripted conn;
    conn.lines = {
        "HELLO scada-main 1", Value(1), Value(2), Value(3), Value(4), "<pause>", Value(5)};
    ScadaSession session(store, suite, clock, options);
    CHECK(*session.Serve(conn) == 5);
    CHECK(conn.written == "RESUME 0\nACK 3\nACK 4\nACK 5\n");
  }
  REQUIRE(suite.scada_batches.size() == 3);
  CHECK(suite.scada_batches[0].first == "scada/scada-main/1-3");
  CHECK(suite.scada_batches[0].second[2].value_wh == 1003);
  CHECK(*store.StreamPosition("scada/scada-main") == 5);
  // The sender reconnects and, not having seen ACK 5, resends from 4.
  {
    Scripted conn;
    conn.lines = {"HELLO scada-main", Value(4), Value(5), Value(6)};
    ScadaSession session(store, suite, clock, options);
    CHECK(*session.Serve(conn) == 1);
    CHECK(conn.written == "RESUME 5\nACK 6\n");
  }
  int64_t values = 0;
  for (const auto& b : suite.scada_batches) values += static_cast<int64_t>(b.second.size());
  CHECK(values == 6);
}

TEST_CASE("a bad line: what came before is stored, the line is named, nothing after it") {
  MemoryStore store;
  FakeSuite suite;
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  Scripted conn;
  conn.lines = {"HELLO s1", Value(1), "2 KZ-ALM-0001 7 2026-10-01T10:15:00+05:00 5", Value(3)};
  ScadaSession session(store, suite, clock, ScadaOptions());
  absl::StatusOr<int64_t> n = session.Serve(conn);
  REQUIRE_FALSE(n.ok());
  CHECK(conn.written == "RESUME 0\nACK 1\nERR line 3: channel \"7\" is not 1..4\n");
  CHECK(*store.StreamPosition("scada/s1") == 1);
}

TEST_CASE("metering unavailable: nothing acknowledged, the position stays") {
  MemoryStore store;
  FakeSuite suite;
  suite.scada_error = absl::UnavailableError("metering IngestReadings unavailable");
  FakeClock clock(absl::FromUnixSeconds(1790000000));
  Scripted conn;
  conn.lines = {"HELLO s2", Value(1), Value(2)};
  ScadaSession session(store, suite, clock, ScadaOptions());
  CHECK_FALSE(session.Serve(conn).ok());
  CHECK(conn.written == "RESUME 0\nERR 0 metering IngestReadings unavailable\n");
  CHECK(*store.StreamPosition("scada/s2") == 0);
}

}  // namespace
}  // namespace gridbill::integrations
