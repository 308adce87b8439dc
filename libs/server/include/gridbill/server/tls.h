// Mutual TLS inside the suite: every service's server and every client it
// makes to another service, from the same three files (MutualTlsConfig in
// config.h). The server speaks TLS only and requires a client certificate
// signed by the CA (a plaintext client, or one with a certificate from
// another CA, does not get past the handshake); the client presents this
// process's certificate and verifies the server's against the CA, by the
// host name it dials (the certificates made by deploy/certs.sh name
// localhost, 127.0.0.1 and the service's name). The identity header
// signature (identity_guard.h) stays the second line: TLS says which
// process calls, the signature which user it calls for. Files are read
// when the credentials are made, so a new certificate takes effect on
// restart.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "gridbill/server/config.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"

namespace gridbill {

// The three files read. INVALID_ARGUMENT naming the key of a file that
// cannot be read or is empty.
struct MutualTlsPem {
  std::string cert_chain;
  std::string private_key;
  std::string ca;
};
absl::StatusOr<MutualTlsPem> ReadMutualTls(const MutualTlsConfig& config);

// The credentials a server listens with: plaintext or mutual TLS by
// `config.mtls`, with the gateway identity check (GatewayIdentityCredentials)
// when `config.identity_secret` is set.
absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> ServerCredentialsFor(
    const ServerConfig& config);

// The credentials of a channel to another service: plaintext when mTLS is
// off, else TLS presenting this process's certificate.
absl::StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ChannelCredentialsFor(
    const MutualTlsConfig& config);

}  // namespace gridbill
