#include "pg_store.h"

#include <algorithm>
#include <map>
#include <tuple>

#include "absl/strings/str_cat.h"
#include "gridbill/base/errors.h"
#include "gridbill/base/status_macros.h"
#include "queries.h"

namespace gridbill::integrations {
namespace {

namespace q = queries;

Delivery DeliveryOf(const pg::Row& r) {
  Delivery d;
  d.id = r.Int("id");
  d.adapter = r.String("adapter");
  d.fact_kind = r.String("fact_kind");
  d.fact_id = r.String("fact_id");
  d.fact_version = r.String("fact_version");
  d.idempotency_key = r.String("idempotency_key");
  d.payload = r.String("payload");
  d.state = static_cast<DeliveryState>(r.Int("state"));
  d.attempts = static_cast<int>(r.Int("attempts"));
  d.next_attempt_time = r.Time("next_attempt_time");
  d.last_error = r.String("last_error");
  d.receipt = r.String("receipt");
  d.create_time = r.Time("create_time");
  d.finish_time = r.OptionalTime("finish_time");
  d.claim_epoch = r.Int("claim_epoch");
  return d;
}

}  // namespace

absl::StatusOr<std::string> PgStore::Cursor(absl::string_view feed) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kSelectCursor, feed));
  if (rows.empty()) return std::string();
  return rows[0].String("cursor");
}

absl::StatusOr<int> PgStore::AppendFacts(absl::string_view feed, absl::string_view cursor,
                                         const std::vector<Fact>& facts, absl::Time now) {
  return pool_.TransactValue<int>([&](pg::Transaction& tx) -> absl::StatusOr<int> {
    int added = 0;
    if (!facts.empty()) {
      std::vector<std::string> adapters, kinds, ids, versions, keys, payloads, groups;
      for (const Fact& f : facts) {
        adapters.push_back(f.adapter);
        kinds.push_back(f.kind);
        ids.push_back(f.id);
        versions.push_back(f.version);
        keys.push_back(f.IdempotencyKey());
        payloads.push_back(f.payload);
        groups.push_back(f.group);
      }
      pg::Params params;
      params.AddTextArray(adapters)
          .AddTextArray(kinds)
          .AddTextArray(ids)
          .AddTextArray(versions)
          .AddTextArray(keys)
          .AddTextArray(payloads)
          .Add(now)
          .AddTextArray(groups);
      ASSIGN_OR_RETURN(pg::Result rows, tx.Execute(q::kInsertFacts, params));
      added = rows.size();
    }
    RETURN_IF_ERROR(tx.Exec(q::kUpsertCursor, feed, cursor, now).status());
    return added;
  });
}

absl::StatusOr<std::vector<Delivery>> PgStore::ClaimDue(absl::string_view adapter, int limit,
                                                        absl::Time now, absl::Duration lease) {
  ASSIGN_OR_RETURN(pg::Result rows,
                   pool_.Exec(q::kClaimDue, adapter, limit, now, absl::ToInt64Microseconds(lease)));
  std::vector<Delivery> out;
  for (const pg::Row& r : rows) out.push_back(DeliveryOf(r));
  std::sort(out.begin(), out.end(), [](const Delivery& a, const Delivery& b) {
    return std::tie(a.next_attempt_time, a.id) < std::tie(b.next_attempt_time, b.id);
  });
  return out;
}

absl::StatusOr<bool> PgStore::EndAttempt(const Delivery& claimed, DeliveryState state,
                                         const std::string& detail, absl::Time next_attempt,
                                         absl::Time now) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kEndAttempt, claimed.id, static_cast<int>(state),
                                               detail, next_attempt, now, claimed.claim_epoch));
  return !rows.empty();
}

absl::StatusOr<Delivery> PgStore::Get(int64_t id) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kSelectDelivery, id));
  if (rows.empty()) return NotFound("delivery", absl::StrCat(id));
  return DeliveryOf(rows[0]);
}

absl::StatusOr<paging::PageOf<Delivery>> PgStore::List(const DeliveryFilter& filter,
                                                       const paging::Page& page) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kListDeliveries, filter.adapter,
                                               filter.state ? static_cast<int>(*filter.state) : 0,
                                               filter.fact_id, page.After(0), page.size + 1));
  std::vector<Delivery> out;
  for (const pg::Row& r : rows) out.push_back(DeliveryOf(r));
  return paging::CutPage(std::move(out), page,
                         [](const Delivery& d) { return paging::PageKey{absl::StrCat(d.id)}; });
}

absl::StatusOr<std::vector<Delivery>> PgStore::ListGroup(absl::string_view adapter,
                                                         absl::string_view group) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kListGroup, adapter, group));
  std::vector<Delivery> out;
  for (const pg::Row& r : rows) out.push_back(DeliveryOf(r));
  return out;
}

absl::StatusOr<std::vector<Delivery>> PgStore::ListKind(absl::string_view adapter,
                                                        absl::string_view kind, int limit) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kListKind, adapter, kind, limit));
  std::vector<Delivery> out;
  for (const pg::Row& r : rows) out.push_back(DeliveryOf(r));
  return out;
}

absl::StatusOr<Delivery> PgStore::Revive(int64_t id, absl::Time now) {
  return pool_.TransactValue<Delivery>([&](pg::Transaction& tx) -> absl::StatusOr<Delivery> {
    ASSIGN_OR_RETURN(pg::Result done, tx.Exec(q::kReviveDelivery, id, now));
    ASSIGN_OR_RETURN(pg::Result rows, tx.Exec(q::kSelectDelivery, id));
    if (rows.empty()) return NotFound("delivery", absl::StrCat(id));
    Delivery d = DeliveryOf(rows[0]);
    if (done.empty()) {
      return FailedPrecondition(
          "delivery_id",
          absl::StrCat("delivery ", id, " is ", DeliveryStateName(d.state), ", not a dead letter"));
    }
    return d;
  });
}

absl::StatusOr<Delivery> PgStore::Skip(int64_t id, const std::string& reason, absl::Time now) {
  return pool_.TransactValue<Delivery>([&](pg::Transaction& tx) -> absl::StatusOr<Delivery> {
    ASSIGN_OR_RETURN(pg::Result done, tx.Exec(q::kSkipDelivery, id, reason, now));
    ASSIGN_OR_RETURN(pg::Result rows, tx.Exec(q::kSelectDelivery, id));
    if (rows.empty()) return NotFound("delivery", absl::StrCat(id));
    Delivery d = DeliveryOf(rows[0]);
    if (done.empty()) {
      return FailedPrecondition(
          "delivery_id",
          absl::StrCat("delivery ", id, " is ", DeliveryStateName(d.state), ", not a dead letter"));
    }
    return d;
  });
}

absl::StatusOr<std::vector<AdapterCounts>> PgStore::Counts() {
  std::map<std::string, AdapterCounts> by;
  ASSIGN_OR_RETURN(pg::Result counts, pool_.Exec(q::kDeliveryCounts));
  for (const pg::Row& r : counts) {
    AdapterCounts& c = by[r.String("adapter")];
    c.pending = r.Int("pending");
    c.dead = r.Int("dead");
    c.done = r.Int("done");
  }
  ASSIGN_OR_RETURN(pg::Result attempts, pool_.Exec(q::kSelectAttempts));
  for (const pg::Row& r : attempts) {
    AdapterCounts& c = by[r.String("adapter")];
    c.last_success = r.OptionalTime("last_success_time");
    c.last_error = r.String("last_error");
    c.last_error_time = r.OptionalTime("last_error_time");
    c.done += r.Int("inbound_done");
    c.dead += r.Int("inbound_rejected");
  }
  std::vector<AdapterCounts> out;
  for (auto& [name, c] : by) {
    c.adapter = name;
    out.push_back(std::move(c));
  }
  return out;
}

absl::Status PgStore::RecordAttempt(absl::string_view adapter, bool ok, const std::string& error,
                                    absl::Time now) {
  return pool_.Exec(q::kRecordAttempt, adapter, ok, error, now).status();
}

absl::StatusOr<std::optional<InboundFile>> PgStore::FindInboundFile(absl::string_view adapter,
                                                                    absl::string_view sha256) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kSelectInboundFile, adapter, sha256));
  if (rows.empty()) return std::optional<InboundFile>();
  return std::optional<InboundFile>(
      InboundFile{rows[0].Int("state") == 1, rows[0].String("reason")});
}

absl::Status PgStore::RecordInboundFile(absl::string_view adapter, absl::string_view sha256,
                                        absl::string_view file_name, const InboundFile& file,
                                        absl::Time now) {
  return pool_.Transact([&](pg::Transaction& tx) -> absl::Status {
    ASSIGN_OR_RETURN(pg::Result added, tx.Exec(q::kInsertInboundFile, adapter, sha256, file_name,
                                               file.imported ? 1 : 2, file.reason, now));
    if (added.affected() == 0) return absl::OkStatus();
    RETURN_IF_ERROR(tx.Exec(q::kRecordAttempt, adapter, file.imported, file.reason, now).status());
    return tx.Exec(q::kCountInbound, adapter, file.imported ? 1 : 0, file.imported ? 0 : 1)
        .status();
  });
}

absl::StatusOr<int64_t> PgStore::StreamPosition(absl::string_view source) {
  ASSIGN_OR_RETURN(pg::Result rows, pool_.Exec(q::kSelectStreamPosition, source));
  if (rows.empty()) return int64_t{0};
  return rows[0].Int("last_seq");
}

absl::Status PgStore::SetStreamPosition(absl::string_view source, int64_t seq, absl::Time now) {
  return pool_.Exec(q::kUpsertStreamPosition, source, seq, now).status();
}

}  // namespace gridbill::integrations
