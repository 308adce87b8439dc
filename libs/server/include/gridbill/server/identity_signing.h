// The client side of the gateway's identity signature, for trusted tools
// that call a service directly while it verifies identities (the operator
// CLI run by `up`, suite tests): every call's x-gridbill-principal / -roles
// / -participant headers are signed for the call's method, as the gateway
// signs them (caller.h SignIdentity).
#pragma once

#include <memory>
#include <string>

#include "grpcpp/channel.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/support/client_interceptor.h"

namespace gridbill {

// Adds kIdentitySigHeader to every call that carries a principal and no
// signature yet. An empty secret makes it a no-op.
std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> IdentitySigningInterceptor(
    std::string secret);

// A channel to `target` whose calls are signed with `secret` (a plain
// channel when the secret is empty).
std::shared_ptr<grpc::Channel> CreateIdentitySigningChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    std::string secret);

}  // namespace gridbill
