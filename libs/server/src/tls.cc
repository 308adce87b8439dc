#include "gridbill/server/tls.h"

#include <fstream>
#include <iterator>
#include <utility>

#include "absl/strings/str_cat.h"
#include "gridbill/base/status_macros.h"
#include "gridbill/server/identity_guard.h"
#include "grpcpp/security/server_credentials.h"

namespace gridbill {
namespace {

absl::StatusOr<std::string> ReadPem(const char* key, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in.is_open() || text.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: ", key, ": cannot read \"", path, "\" (missing or empty)"));
  }
  if (text.find("-----BEGIN ") == std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrCat("config: ", key, ": \"", path, "\" is not a PEM file"));
  }
  return text;
}

}  // namespace

absl::StatusOr<MutualTlsPem> ReadMutualTls(const MutualTlsConfig& config) {
  MutualTlsPem pem;
  ASSIGN_OR_RETURN(pem.cert_chain, ReadPem("mtls_cert_file", config.cert_file));
  ASSIGN_OR_RETURN(pem.private_key, ReadPem("mtls_key_file", config.key_file));
  ASSIGN_OR_RETURN(pem.ca, ReadPem("mtls_ca_file", config.ca_file));
  return pem;
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const ServerConfig& config) {
  if (!config.mtls.enabled()) {
    return config.identity_secret.empty() ? grpc::InsecureServerCredentials()
                                          : GatewayIdentityCredentials(config.identity_secret);
  }
  ASSIGN_OR_RETURN(MutualTlsPem pem, ReadMutualTls(config.mtls));
  if (!config.identity_secret.empty()) {
    return GatewayIdentityCredentials(config.identity_secret, std::move(pem));
  }
  grpc::SslServerCredentialsOptions options(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  options.pem_root_certs = pem.ca;
  options.pem_key_cert_pairs.push_back({pem.private_key, pem.cert_chain});
  return grpc::SslServerCredentials(options);
}

absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const MutualTlsConfig& config) {
  if (!config.enabled()) return grpc::InsecureChannelCredentials();
  ASSIGN_OR_RETURN(MutualTlsPem pem, ReadMutualTls(config));
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = pem.ca;
  options.pem_private_key = pem.private_key;
  options.pem_cert_chain = pem.cert_chain;
  return grpc::SslCredentials(options);
}

}  // namespace gridbill
