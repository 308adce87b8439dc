// The hand-computed case of the issue: three participants, two nodes, 48
// hours, one estimated reading, one gap, one declared volume. Every number
// below is worked out by hand in the comments, not by the code under test.
//
// Points (March 2026, Asia/Almaty, UTC+5; readings for 1 and 2 March):
//   PG   generator G at node A, PT60M, channel 02 (delivered): 1000 Wh each hour
//   PC1  consumer C1 at node A, PT60M, channel 01: 600 Wh each hour, except
//        hour 5 of 1 March: 620 Wh ESTIMATED; channel 02: 10 Wh each hour
//   PL   the line from A to B, PT60M, channel 01: 380 Wh each hour
//   PC2  consumer C2 at node B, PT15M, channel 01: 90 Wh each quarter (360 Wh
//        an hour), except 2 March 10:15 which is never sent (a gap)
// Schemes:
//   G  technical dispatching = +PG.02                     -> 1000 Wh/h
//   C1 transmission          = +PC1.01 - PC1.02           -> 590 Wh/h (610 in hour 5)
//   C2 transmission          = +PC2.01                    -> 360 Wh/h (270 in hour 34)
//   node A: in PG.02, PC1.02; out PC1.01, PL.01; normative 2.5 %
//   node B: in PL.01; out PC2.01; normative 6 %
// C1 declared 744,000 Wh of transmission for March (744 hours): 1000 Wh/h.
// The run is preliminary at 3 March 00:00 local: 48 hours.
#include <map>
#include <set>

#include "absl/strings/str_cat.h"
#include "gridbill/server/proto_convert.h"
#include "harness.h"

namespace gridbill::balance::testing {
namespace {

using metering::v1::CHANNEL_ACTIVE_DELIVERED;
using metering::v1::CHANNEL_ACTIVE_RECEIVED;

v1::SchemeTerm* Term(v1::Scheme& s, const std::string& point, metering::v1::Channel channel,
                     v1::TermRole role) {
  v1::SchemeTerm* t = s.add_terms();
  t->set_point_code(point);
  t->set_channel(channel);
  t->set_role(role);
  return t;
}

v1::Scheme ParticipantScheme(const std::string& participant, contracts::v1::ServiceType service) {
  v1::Scheme s;
  s.set_kind(v1::SCHEME_KIND_PARTICIPANT_SERVICE);
  s.set_participant_id(participant);
  s.set_service_type(service);
  s.set_name(absl::StrCat(participant, " ", service));
  *s.mutable_valid_from() = D(2026, 1, 1);
  return s;
}

v1::Scheme NodeScheme(const std::string& code, const std::string& normative) {
  v1::Scheme s;
  s.set_kind(v1::SCHEME_KIND_NODE);
  s.set_node_code(code);
  s.set_name(absl::StrCat("Node ", code));
  s.mutable_normative_loss_percent()->set_value(normative);
  *s.mutable_valid_from() = D(2026, 1, 1);
  return s;
}

// `with_nodes`: define the node schemes A and B too.
void LoadHandCase(Suite& suite, bool with_nodes = true) {
  suite.CreatePoint("PG", metering::v1::RESOLUTION_PT60M, "G", D(2026, 1, 1));
  suite.CreatePoint("PC1", metering::v1::RESOLUTION_PT60M, "C1", D(2026, 1, 1));
  suite.CreatePoint("PL", metering::v1::RESOLUTION_PT60M, "TSO", D(2026, 1, 1));
  suite.CreatePoint("PC2", metering::v1::RESOLUTION_PT15M, "C2", D(2026, 1, 1));
  std::vector<metering::v1::Reading> batch;
  const absl::Time start = Local(2026, 3, 1);
  for (int h = 0; h < 48; ++h) {
    const absl::Time t = start + absl::Hours(h);
    batch.push_back(R("PG", t, 1000, CHANNEL_ACTIVE_DELIVERED));
    if (h == 5) {
      batch.push_back(R("PC1", t, 620, CHANNEL_ACTIVE_RECEIVED, metering::v1::QUALITY_ESTIMATED));
    } else {
      batch.push_back(R("PC1", t, 600, CHANNEL_ACTIVE_RECEIVED));
    }
    batch.push_back(R("PC1", t, 10, CHANNEL_ACTIVE_DELIVERED));
    batch.push_back(R("PL", t, 380, CHANNEL_ACTIVE_RECEIVED));
    for (int q = 0; q < 4; ++q) {
      if (h == 34 && q == 1) continue;  // 2 March 10:15, the gap
      batch.push_back(R("PC2", t + absl::Minutes(15 * q), 90, CHANNEL_ACTIVE_RECEIVED));
    }
  }
  suite.Ingest(batch);

  v1::Scheme g = ParticipantScheme("G", contracts::v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
  Term(g, "PG", CHANNEL_ACTIVE_DELIVERED, v1::TERM_ROLE_ADD);
  REQUIRE_OK(suite.DefineScheme(g));
  v1::Scheme c1 = ParticipantScheme("C1", contracts::v1::SERVICE_TYPE_TRANSMISSION);
  Term(c1, "PC1", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
  Term(c1, "PC1", CHANNEL_ACTIVE_DELIVERED, v1::TERM_ROLE_SUBTRACT);
  REQUIRE_OK(suite.DefineScheme(c1));
  v1::Scheme c2 = ParticipantScheme("C2", contracts::v1::SERVICE_TYPE_TRANSMISSION);
  Term(c2, "PC2", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_ADD);
  REQUIRE_OK(suite.DefineScheme(c2));
  suite.declarations.Set(*BillingPeriod::Make(2026, 3), {DeclaredVolume{"C1", 1, 744000, "APP-1"}});
  if (!with_nodes) return;
  v1::Scheme a = NodeScheme("A", "2.5");
  Term(a, "PG", CHANNEL_ACTIVE_DELIVERED, v1::TERM_ROLE_INFLOW);
  Term(a, "PC1", CHANNEL_ACTIVE_DELIVERED, v1::TERM_ROLE_INFLOW);
  Term(a, "PC1", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_OUTFLOW);
  Term(a, "PL", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_OUTFLOW);
  REQUIRE_OK(suite.DefineScheme(a));
  v1::Scheme b = NodeScheme("B", "6");
  Term(b, "PL", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_INFLOW);
  Term(b, "PC2", CHANNEL_ACTIVE_RECEIVED, v1::TERM_ROLE_OUTFLOW);
  REQUIRE_OK(suite.DefineScheme(b));
}

v1::StartRunRequest Preliminary() {
  v1::StartRunRequest req;
  *req.mutable_period() = P(2026, 3);
  req.set_type(v1::RUN_TYPE_PRELIMINARY);
  return req;
}

TEST_CASE("hand-computed case: 3 participants, 2 nodes, 48 hours", "[balance][pg]") {
  Suite suite(Local(2026, 3, 3));
  LoadHandCase(suite);

  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(Preliminary(), &run));
  CHECK(run.job().state() == common::v1::JOB_STATE_PENDING);
  CHECK(run.summary().hours() == 48);
  CHECK(run.inputs().schemes_size() == 5);
  REQUIRE(run.inputs().declared_volumes_size() == 1);
  CHECK(run.inputs().declared_volumes(0).volume_wh() == 744000);
  CHECK(FromProtoTime(run.computed_until()) == Local(2026, 3, 3));

  run = suite.Finish(run.id());
  INFO(run.DebugString());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.job().done() == run.job().total());
  CHECK(run.summary().service_hours() == 3 * 48);
  CHECK(run.summary().node_hours() == 2 * 48);

  // Per participant, service and hour.
  const std::vector<v1::ServiceHour> hours = suite.AllServiceHours(run.id());
  REQUIRE(hours.size() == 3 * 48);
  std::map<std::string, std::vector<v1::ServiceHour>> by;
  for (const auto& h : hours) by[h.participant_id()].push_back(h);
  const absl::Time start = Local(2026, 3, 1);
  for (int h = 0; h < 48; ++h) {
    INFO("hour " << h);
    const v1::ServiceHour& g = by["G"][h];
    CHECK(FromProtoTime(g.hour_start()) == start + absl::Hours(h));
    CHECK(g.service_type() == contracts::v1::SERVICE_TYPE_TECHNICAL_DISPATCHING);
    CHECK(g.actual_wh() == 1000);
    CHECK_FALSE(g.has_declaration());
    CHECK(g.quality().intervals() == 1);

    const v1::ServiceHour& c1 = by["C1"][h];
    CHECK(c1.service_type() == contracts::v1::SERVICE_TYPE_TRANSMISSION);
    CHECK(c1.actual_wh() == (h == 5 ? 610 : 590));
    CHECK(c1.has_declaration());
    CHECK(c1.declared_wh() == 1000);
    CHECK(c1.imbalance_wh() == (h == 5 ? -390 : -410));
    CHECK(c1.quality().intervals() == 2);
    CHECK(c1.quality().estimated() == (h == 5 ? 1 : 0));
    CHECK(c1.quality().missing() == 0);

    const v1::ServiceHour& c2 = by["C2"][h];
    CHECK(c2.actual_wh() == (h == 34 ? 270 : 360));
    CHECK(c2.quality().intervals() == 4);
    CHECK(c2.quality().missing() == (h == 34 ? 1 : 0));
    CHECK(c2.imbalance_wh() == 0);
  }

  // Totals per participant and service (what invoicing reads).
  v1::ListRunTotalsRequest treq;
  treq.set_run_id(run.id());
  v1::ListRunTotalsResponse totals;
  {
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.balance->ListRunTotals(&ctx, treq, &totals));
  }
  REQUIRE(totals.services_size() == 3);
  // Ordered by participant: C1, C2, G.
  CHECK(totals.services(0).participant_id() == "C1");
  CHECK(totals.services(0).actual_wh() == 590 * 48 + 20);  // 28,340
  CHECK(totals.services(0).declared_wh() == 48000);
  CHECK(totals.services(0).imbalance_wh() == 28340 - 48000);
  CHECK(totals.services(0).quality().estimated() == 1);
  CHECK(totals.services(0).run_id() == run.id());
  CHECK(totals.services(1).participant_id() == "C2");
  CHECK(totals.services(1).actual_wh() == 360 * 48 - 90);  // 17,190
  CHECK(totals.services(1).quality().intervals() == 4 * 48);
  CHECK(totals.services(1).quality().missing() == 1);
  CHECK(totals.services(2).participant_id() == "G");
  CHECK(totals.services(2).actual_wh() == 48000);
  CHECK(totals.services(2).hours() == 48);

  // Nodes: A loses 30 Wh/h (10 in hour 5), B 20 Wh/h (110 in hour 34).
  REQUIRE(totals.nodes_size() == 2);
  const v1::NodeTotal& a = totals.nodes(0);
  CHECK(a.node_code() == "A");
  CHECK(a.inflow_wh() == 1010 * 48);       // 48,480
  CHECK(a.outflow_wh() == 980 * 48 + 20);  // 47,060
  CHECK(a.losses_wh() == 1420);
  CHECK(a.losses_percent().value() == "2.9290");  // 1420 / 48480 = 2.92904 %
  CHECK(a.above_normative());                     // over 2.5 %
  // Generation and consumption: A's terms at the participants' points PG and
  // PC1; the tie line PL (no participant scheme) is neither.
  CHECK(a.generation_wh() == 1010 * 48);                   // PG 1000 + PC1's own 10 per hour
  CHECK(a.consumption_wh() == 600 * 48 + 20);              // PC1 received (620 in hour 5)
  CHECK(a.outflow_wh() - a.consumption_wh() == 380 * 48);  // passed on to B over PL
  const v1::NodeTotal& b = totals.nodes(1);
  CHECK(b.node_code() == "B");
  CHECK(b.inflow_wh() == 380 * 48);  // 18,240
  CHECK(b.outflow_wh() == 17190);
  CHECK(b.losses_wh() == 1050);
  CHECK(b.losses_percent().value() == "5.7566");  // 1050 / 18240 = 5.75658 %
  CHECK_FALSE(b.above_normative());               // under 6 %
  CHECK(b.quality().missing() == 1);
  CHECK(b.generation_wh() == 0);  // all of B's inflow comes over the tie line
  CHECK(b.consumption_wh() == 17190);

  // The same five totals one, two and three at a time: services then nodes,
  // each once, the run on every page, no empty page.
  for (int size : {1, 2, 3}) {
    INFO("page_size " << size);
    treq.set_page_size(size);
    treq.clear_page_token();
    std::vector<std::string> paged;
    int pages = 0;
    while (true) {
      v1::ListRunTotalsResponse page;
      grpc::ClientContext ctx;
      suite.AddWho(ctx);
      REQUIRE_OK(suite.balance->ListRunTotals(&ctx, treq, &page));
      ++pages;
      CHECK(page.run().id() == run.id());
      CHECK(page.services_size() + page.nodes_size() <= size);
      CHECK(page.services_size() + page.nodes_size() > 0);
      for (const auto& t : page.services()) paged.push_back(t.participant_id());
      for (const auto& t : page.nodes()) paged.push_back(t.node_code());
      if (page.next_page_token().empty()) break;
      REQUIRE(pages < 10);
      treq.set_page_token(page.next_page_token());
    }
    CHECK(paged == std::vector<std::string>{"C1", "C2", "G", "A", "B"});
    CHECK(pages == (5 + size - 1) / size);
  }

  // The five schemes two at a time, each once.
  std::set<std::string> schemes;
  v1::ListSchemesRequest sreq;
  sreq.set_page_size(2);
  int scheme_pages = 0;
  do {
    v1::ListSchemesResponse page;
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.schemes->ListSchemes(&ctx, sreq, &page));
    REQUIRE(++scheme_pages <= 3);
    for (const auto& s : page.schemes()) CHECK(schemes.insert(s.id()).second);
    sreq.set_page_token(page.next_page_token());
  } while (!sreq.page_token().empty());
  CHECK(schemes.size() == 5);

  // Every hour of both nodes and of the three services once, seven at a time.
  std::set<std::string> node_hours;
  v1::ListNodeHoursRequest all_nodes;
  all_nodes.set_run_id(run.id());
  all_nodes.set_page_size(7);
  int node_pages = 0;
  do {
    v1::ListNodeHoursResponse page;
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.balance->ListNodeHours(&ctx, all_nodes, &page));
    REQUIRE(++node_pages <= 14);
    CHECK(page.hours_size() <= 7);
    for (const auto& h : page.hours()) {
      CHECK(node_hours.insert(absl::StrCat(h.node_code(), " ", h.hour_start().seconds())).second);
    }
    all_nodes.set_page_token(page.next_page_token());
  } while (!all_nodes.page_token().empty());
  CHECK(node_hours.size() == 2 * 48);
  std::set<std::string> service_hours;
  v1::ListServiceHoursRequest all_services;
  all_services.set_run_id(run.id());
  all_services.set_page_size(7);
  do {
    v1::ListServiceHoursResponse page;
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.balance->ListServiceHours(&ctx, all_services, &page));
    CHECK(page.hours_size() <= 7);
    for (const auto& h : page.hours()) {
      CHECK(service_hours
                .insert(absl::StrCat(h.participant_id(), " ", h.service_type(), " ",
                                     h.hour_start().seconds()))
                .second);
    }
    all_services.set_page_token(page.next_page_token());
  } while (!all_services.page_token().empty());
  CHECK(service_hours.size() == 3 * 48);

  v1::ListNodeHoursRequest nreq;
  nreq.set_run_id(run.id());
  nreq.set_node_code("A");
  v1::ListNodeHoursResponse nodes;
  {
    grpc::ClientContext ctx;
    suite.AddWho(ctx);
    REQUIRE_OK(suite.balance->ListNodeHours(&ctx, nreq, &nodes));
  }
  REQUIRE(nodes.hours_size() == 48);
  CHECK(nodes.hours(0).losses_wh() == 30);
  CHECK(nodes.hours(0).losses_percent().value() == "2.9703");  // 30 / 1010
  CHECK(nodes.hours(0).above_normative());
  CHECK(nodes.hours(5).losses_wh() == 10);
  CHECK(nodes.hours(5).losses_percent().value() == "0.9901");  // 10 / 1010
  CHECK_FALSE(nodes.hours(5).above_normative());
  CHECK(nodes.hours(5).quality().estimated() == 1);
  CHECK(nodes.hours(0).generation_wh() == 1010);
  CHECK(nodes.hours(0).consumption_wh() == 600);
  CHECK(nodes.hours(5).consumption_wh() == 620);

  // The grid closes: supply 48,480 (PG.02 + PC1.02), consumption 46,010
  // (PC1.01 + PC2.01): grid losses 2,470 = node losses 1,420 + 1,050.
  const v1::ClosureCheck& c = run.summary().closure();
  CHECK(c.supply_wh() == 48480);
  CHECK(c.consumption_wh() == 46010);
  CHECK(c.grid_losses_wh() == 2470);
  CHECK(c.node_losses_wh() == 2470);
  CHECK(c.residual_wh() == 0);
  // The nodes' generation and consumption are the closure's supply and
  // consumption seen node by node.
  CHECK(a.generation_wh() + b.generation_wh() == c.supply_wh());
  CHECK(a.consumption_wh() + b.consumption_wh() == c.consumption_wh());
  CHECK(c.checked());
  CHECK(c.closed());
  CHECK(absl::StrContains(run.job().summary(), "grid closure holds"));
}

TEST_CASE("a run without node schemes says its closure was not checked", "[balance][pg]") {
  Suite suite(Local(2026, 3, 3));
  LoadHandCase(suite, /*with_nodes=*/false);
  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(Preliminary(), &run));
  run = suite.Finish(run.id());
  INFO(run.DebugString());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.summary().node_hours() == 0);
  const v1::ClosureCheck& c = run.summary().closure();
  CHECK(c.supply_wh() == 48480);
  CHECK_FALSE(c.checked());
  CHECK_FALSE(c.closed());
  CHECK(run.job().summary() ==
        "grid closure not checked: the run has no node scheme (supply 48480 Wh, consumption "
        "46010 Wh)");
  CHECK_FALSE(absl::StrContains(run.job().summary(), "FAILS"));
}

TEST_CASE("a participant's user reads only its own results", "[balance][pg]") {
  Suite suite(Local(2026, 3, 3));
  LoadHandCase(suite);
  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(Preliminary(), &run));
  run = suite.Finish(run.id());

  v1::ListServiceHoursRequest req;
  req.set_run_id(run.id());
  v1::ListServiceHoursResponse resp;
  {
    grpc::ClientContext ctx;
    suite.AddWho(ctx, "C2");
    REQUIRE_OK(suite.balance->ListServiceHours(&ctx, req, &resp));
  }
  REQUIRE(resp.hours_size() == 48);
  for (const auto& h : resp.hours()) CHECK(h.participant_id() == "C2");
  req.set_participant_id("C1");
  {
    grpc::ClientContext ctx;
    suite.AddWho(ctx, "C2");
    REQUIRE_GRPC(suite.balance->ListServiceHours(&ctx, req, &resp),
                 grpc::StatusCode::PERMISSION_DENIED,
                 "participant_id: user@p may not access participant C1");
  }
  v1::GetRunRequest get;
  get.set_run_id(run.id());
  v1::GetRunResponse got;
  grpc::ClientContext ctx;
  suite.AddWho(ctx, "C2");
  REQUIRE_GRPC(
      suite.balance->GetRun(&ctx, get, &got), grpc::StatusCode::PERMISSION_DENIED,
      "(roles ROLE_PARTICIPANT_USER) may not call /gridbill.balance.v1.BalanceService/GetRun");
}

TEST_CASE("two replicas compute one run together and give the same results", "[balance][pg]") {
  // One point per shard: the five schemes make several shards, claimed by the
  // workers of two replicas at once through SELECT ... FOR UPDATE SKIP LOCKED.
  Suite suite(Local(2026, 3, 3), /*shard_points=*/1);
  LoadHandCase(suite);
  v1::BalanceRun run;
  REQUIRE_OK(suite.StartRun(Preliminary(), &run));
  CHECK(run.job().total() >= 4);
  std::unique_ptr<Runs> replica = suite.NewReplica("replica-2");
  suite.runs().StartWorkers();
  replica->StartWorkers();
  for (int i = 0; i < 600; ++i) {
    run = suite.GetRun(run.id());
    if (run.job().state() == common::v1::JOB_STATE_SUCCEEDED ||
        run.job().state() == common::v1::JOB_STATE_FAILED) {
      break;
    }
    absl::SleepFor(absl::Milliseconds(50));
  }
  suite.runs().StopWorkers();
  replica->StopWorkers();
  INFO(run.DebugString());
  REQUIRE(run.job().state() == common::v1::JOB_STATE_SUCCEEDED);
  CHECK(run.job().done() == run.job().total());
  CHECK(suite.CountRows(absl::StrCat("SELECT count(*) FROM job_pieces WHERE job_id = '", run.id(),
                                     "' AND state = 2")) == run.job().total());
  const std::vector<v1::ServiceHour> hours = suite.AllServiceHours(run.id());
  REQUIRE(hours.size() == 3 * 48);
  int64_t c1 = 0;
  for (const auto& h : hours) {
    if (h.participant_id() == "C1") c1 += h.actual_wh();
  }
  CHECK(c1 == 28340);
  CHECK(run.summary().closure().residual_wh() == 0);
  CHECK(run.summary().closure().supply_wh() == 48480);
}

}  // namespace
}  // namespace gridbill::balance::testing
