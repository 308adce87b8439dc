// The integrations store on PostgreSQL: the only file with SQL calls.
#pragma once

#include "gridbill/pg/pool.h"
#include "store.h"

namespace gridbill::integrations {

class PgStore final : public Store {
 public:
  explicit PgStore(pg::Pool& pool) : pool_(pool) {}

  absl::StatusOr<std::string> Cursor(absl::string_view feed) override;
  absl::StatusOr<int> AppendFacts(absl::string_view feed, absl::string_view cursor,
                                  const std::vector<Fact>& facts, absl::Time now) override;
  absl::StatusOr<std::vector<Delivery>> ClaimDue(absl::string_view adapter, int limit,
                                                 absl::Time now, absl::Duration lease) override;
  absl::StatusOr<bool> EndAttempt(const Delivery& claimed, DeliveryState state,
                                  const std::string& detail, absl::Time next_attempt,
                                  absl::Time now) override;
  absl::StatusOr<Delivery> Get(int64_t id) override;
  absl::StatusOr<paging::PageOf<Delivery>> List(const DeliveryFilter& filter,
                                                const paging::Page& page) override;
  absl::StatusOr<std::vector<Delivery>> ListGroup(absl::string_view adapter,
                                                  absl::string_view group) override;
  absl::StatusOr<std::vector<Delivery>> ListKind(absl::string_view adapter, absl::string_view kind,
                                                 int limit) override;
  absl::StatusOr<Delivery> Revive(int64_t id, absl::Time now) override;
  absl::StatusOr<Delivery> Skip(int64_t id, const std::string& reason, absl::Time now) override;
  absl::StatusOr<std::vector<AdapterCounts>> Counts() override;
  absl::Status RecordAttempt(absl::string_view adapter, bool ok, const std::string& error,
                             absl::Time now) override;

  absl::StatusOr<std::optional<InboundFile>> FindInboundFile(absl::string_view adapter,
                                                             absl::string_view sha256) override;
  absl::Status RecordInboundFile(absl::string_view adapter, absl::string_view sha256,
                                 absl::string_view file_name, const InboundFile& file,
                                 absl::Time now) override;
  absl::StatusOr<int64_t> StreamPosition(absl::string_view source) override;
  absl::Status SetStreamPosition(absl::string_view source, int64_t seq, absl::Time now) override;

 private:
  pg::Pool& pool_;
};

}  // namespace gridbill::integrations
