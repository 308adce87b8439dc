#include "tools/gridbillctl/client.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "absl/random/random.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "gridbill/common/v1/common.pb.h"
#include "gridbill/server/grpc_status.h"
#include "gridbill/server/identity_signing.h"
#include "gridbill/server/tls.h"

namespace gridbill::ctl {

namespace {

struct Gateway {
  std::string address;
  bool from_command_line = false;
};

Gateway& TheGateway() {
  static Gateway* const g = new Gateway;
  return *g;
}

}  // namespace

namespace {

// Straight to a service: mutual TLS when GRIDBILL_MTLS_CERT_FILE,
// GRIDBILL_MTLS_KEY_FILE and GRIDBILL_MTLS_CA_FILE name this client's
// certificate, key and the suite's CA (the gateway's door takes no client
// certificates: plaintext there, or its own TLS).
std::shared_ptr<grpc::ChannelCredentials> CredentialsFor(const std::string& address) {
  auto env = [](const char* name) {
    const char* v = std::getenv(name);
    return std::string(v == nullptr ? "" : v);
  };
  MutualTlsConfig mtls{env("GRIDBILL_MTLS_CERT_FILE"), env("GRIDBILL_MTLS_KEY_FILE"),
                       env("GRIDBILL_MTLS_CA_FILE")};
  if (!mtls.enabled() || address == GatewayAddress()) return grpc::InsecureChannelCredentials();
  absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> credentials =
      ChannelCredentialsFor(mtls);
  if (!credentials.ok()) {
    std::fprintf(stderr, "gridbillctl: GRIDBILL_MTLS_*: %s\n",
                 std::string(credentials.status().message()).c_str());
    std::exit(2);
  }
  return *credentials;
}

}  // namespace

std::shared_ptr<grpc::Channel> SignedChannel(const std::string& address,
                                             const grpc::ChannelArguments& args) {
  const char* secret = std::getenv("GRIDBILL_IDENTITY_SECRET");
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
  if (secret != nullptr && *secret != '\0') creators.push_back(IdentitySigningInterceptor(secret));
  return grpc::experimental::CreateCustomChannelWithInterceptors(address, CredentialsFor(address),
                                                                 args, std::move(creators));
}

void SetGatewayAddress(std::string address, bool from_command_line) {
  TheGateway() = Gateway{std::move(address), from_command_line};
}

const std::string& GatewayAddress() { return TheGateway().address; }

std::string ServiceAddress(const char* env_name, std::string_view fallback) {
  const Gateway& gateway = TheGateway();
  const char* env = std::getenv(env_name);
  const bool has_env = env != nullptr && *env != '\0';
  if (has_env && !gateway.from_command_line) return env;
  if (!gateway.address.empty()) return gateway.address;
  return has_env ? std::string(env) : std::string(fallback);
}

Client::Client(ClientOptions options) : options_(std::move(options)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  channel_ = SignedChannel(options_.address, args);
  reference_ = v1::ReferenceDataService::NewStub(channel_);
  participants_ = v1::ParticipantService::NewStub(channel_);
  contracts_ = v1::ContractService::NewStub(channel_);
  tariffs_ = v1::TariffService::NewStub(channel_);
  applications_ = v1::ApplicationService::NewStub(channel_);
  // Files up to 64 MiB go to StartImport in one message.
  grpc::ChannelArguments metering_args = args;
  metering_args.SetMaxSendMessageSize(64 * 1024 * 1024);
  metering_channel_ = options_.metering_address == options_.address
                          ? channel_
                          : SignedChannel(options_.metering_address, metering_args);
  metering_points_ = metering::v1::MeteringPointService::NewStub(metering_channel_);
  readings_ = metering::v1::ReadingService::NewStub(metering_channel_);
  metering_imports_ = metering::v1::ImportService::NewStub(metering_channel_);
}

std::unique_ptr<grpc::ClientContext> Client::NewContext(const Identity* as) const {
  auto ctx = std::make_unique<grpc::ClientContext>();
  ctx->set_deadline(absl::ToChronoTime(absl::Now() + options_.timeout));
  if (!options_.api_key.empty() || !options_.access_token.empty()) {
    if (!options_.api_key.empty()) ctx->AddMetadata("x-api-key", options_.api_key);
    if (!options_.access_token.empty()) {
      ctx->AddMetadata("authorization", "Bearer " + options_.access_token);
    }
    return ctx;
  }
  const Identity& who = as != nullptr ? *as : options_.identity;
  if (!who.principal.empty()) ctx->AddMetadata(kPrincipalHeader, who.principal);
  if (!who.roles.empty()) ctx->AddMetadata(kRolesHeader, who.roles);
  if (!who.participant.empty()) ctx->AddMetadata(kParticipantHeader, who.participant);
  return ctx;
}

bool Client::Retryable(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return true;
    default:
      return false;
  }
}

void Client::Backoff(int attempt) {
  const int ms = std::min(2000, 50 << std::min(attempt, 6));
  std::this_thread::sleep_for(std::chrono::milliseconds(ms));
}

namespace {

std::string CodeName(grpc::StatusCode code) {
  static const char* const kNames[] = {"OK",
                                       "CANCELLED",
                                       "UNKNOWN",
                                       "INVALID_ARGUMENT",
                                       "DEADLINE_EXCEEDED",
                                       "NOT_FOUND",
                                       "ALREADY_EXISTS",
                                       "PERMISSION_DENIED",
                                       "RESOURCE_EXHAUSTED",
                                       "FAILED_PRECONDITION",
                                       "ABORTED",
                                       "OUT_OF_RANGE",
                                       "UNIMPLEMENTED",
                                       "INTERNAL",
                                       "UNAVAILABLE",
                                       "DATA_LOSS",
                                       "UNAUTHENTICATED"};
  const int i = static_cast<int>(code);
  if (i >= 0 && i < static_cast<int>(std::size(kNames))) return kNames[i];
  return absl::StrCat("CODE_", i);
}

}  // namespace

std::string MessageOf(const grpc::Status& status) {
  std::string message = status.error_message();
  if (status.error_code() == grpc::StatusCode::UNAVAILABLE && message.empty()) {
    message = "the service is not reachable";
  }
  if (const std::optional<common::v1::ErrorDetails> details = ErrorDetailsOf(status)) {
    for (const auto& v : details->violations()) {
      if (absl::StrContains(message, v.field()) && absl::StrContains(message, v.description())) {
        continue;
      }
      absl::StrAppend(&message, message.empty() ? "" : "; ", v.field(), ": ", v.description());
    }
  }
  return message;
}

std::string Describe(const grpc::Status& status) {
  return absl::StrCat(CodeName(status.error_code()), ": ", MessageOf(status));
}

std::string NewRequestId() {
  absl::BitGen gen;
  return absl::StrFormat("ctl-%016x%016x", absl::Uniform<uint64_t>(gen),
                         absl::Uniform<uint64_t>(gen));
}

}  // namespace gridbill::ctl
