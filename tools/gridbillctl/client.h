// The gRPC connection to the contracts API (directly or through the gateway)
// and the identity sent with every call.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "absl/time/time.h"
#include "gridbill/contracts/v1/contracts.grpc.pb.h"
#include "gridbill/metering/v1/metering.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace gridbill::ctl {

namespace v1 = ::gridbill::contracts::v1;

// Metadata keys (libs/server/include/gridbill/server/caller.h): the gateway
// sets them after authenticating; talking to a service directly, the CLI does.
inline constexpr char kPrincipalHeader[] = "x-gridbill-principal";
inline constexpr char kRolesHeader[] = "x-gridbill-roles";
inline constexpr char kParticipantHeader[] = "x-gridbill-participant";

// Who the calls are made as.
struct Identity {
  std::string principal;
  std::string roles;        // comma-separated ROLE_* names
  std::string participant;  // participant id scope; empty for TSO staff
};

struct ClientOptions {
  std::string address = "127.0.0.1:7101";
  // The metering service (or the gateway, then the same as `address`).
  std::string metering_address = "127.0.0.1:7102";
  Identity identity;
  absl::Duration timeout = absl::Seconds(30);
  // Credentials for calls through the gateway: an API key ("x-api-key") or
  // an access token from `auth sign-in` ("authorization: Bearer"). With
  // either, the identity headers are not sent: the gateway decides who calls.
  std::string api_key;
  std::string access_token;
};

// The gateway every service is reached through, when one is named
// (--gateway, else $GRIDBILL_GATEWAY); empty when services are called directly.
// Set once by the global flags, before any command runs.
void SetGatewayAddress(std::string address, bool from_command_line);
const std::string& GatewayAddress();

// A channel to `address` whose calls carry the identity signed with
// $GRIDBILL_IDENTITY_SECRET, as the gateway signs it, for services that
// verify identities; a plain channel when the variable is not set.
std::shared_ptr<grpc::Channel> SignedChannel(const std::string& address,
                                             const grpc::ChannelArguments& args);

// Where a service is: its own environment variable `env_name` when set,
// unless a gateway was named on the command line; then the gateway if one is
// named; else `fallback`. (A service's own flag, when given, wins over all.)
std::string ServiceAddress(const char* env_name, std::string_view fallback);

// One channel and the stubs of the contracts API; thread-safe.
class Client {
 public:
  explicit Client(ClientOptions options);

  const ClientOptions& options() const { return options_; }

  // A context with the deadline and the identity (`as`, or the default one).
  std::unique_ptr<grpc::ClientContext> NewContext(const Identity* as = nullptr) const;

  // Calls `method` on `stub`. Retries UNAVAILABLE, ABORTED and
  // DEADLINE_EXCEEDED up to `attempts` times with backoff: safe for
  // mutations because every one carries a request_id.
  template <typename Stub, typename Request, typename Response>
  grpc::Status Call(Stub& stub,
                    grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                    const Request& request, Response* response, const Identity* as = nullptr,
                    int attempts = 1) const {
    grpc::Status status;
    for (int attempt = 1;; ++attempt) {
      std::unique_ptr<grpc::ClientContext> ctx = NewContext(as);
      status = (stub.*method)(ctx.get(), request, response);
      if (status.ok() || attempt >= attempts || !Retryable(status)) return status;
      Backoff(attempt);
    }
  }

  v1::ReferenceDataService::Stub& reference() const { return *reference_; }
  v1::ParticipantService::Stub& participants() const { return *participants_; }
  v1::ContractService::Stub& contracts() const { return *contracts_; }
  v1::TariffService::Stub& tariffs() const { return *tariffs_; }
  v1::ApplicationService::Stub& applications() const { return *applications_; }
  metering::v1::MeteringPointService::Stub& metering_points() const { return *metering_points_; }
  metering::v1::ReadingService::Stub& readings() const { return *readings_; }
  metering::v1::ImportService::Stub& metering_imports() const { return *metering_imports_; }

 private:
  static bool Retryable(const grpc::Status& status);
  static void Backoff(int attempt);

  ClientOptions options_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::ReferenceDataService::Stub> reference_;
  std::unique_ptr<v1::ParticipantService::Stub> participants_;
  std::unique_ptr<v1::ContractService::Stub> contracts_;
  std::unique_ptr<v1::TariffService::Stub> tariffs_;
  std::unique_ptr<v1::ApplicationService::Stub> applications_;
  std::shared_ptr<grpc::Channel> metering_channel_;
  std::unique_ptr<metering::v1::MeteringPointService::Stub> metering_points_;
  std::unique_ptr<metering::v1::ReadingService::Stub> readings_;
  std::unique_ptr<metering::v1::ImportService::Stub> metering_imports_;
};

// The error as a user reads it: "INVALID_ARGUMENT: participant.bin: wrong
// check digit", with field violations from the error details appended when
// the message does not already say them.
std::string Describe(const grpc::Status& status);
// The message part only (for "line N: <message>").
std::string MessageOf(const grpc::Status& status);

// A fresh random request id for one-off mutations ("ctl-" + 32 hex digits).
std::string NewRequestId();

}  // namespace gridbill::ctl
