#include "gridbill/server/identity_signing.h"

#include <utility>
#include <vector>

#include "gridbill/server/caller.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/support/channel_arguments.h"

namespace gridbill {
namespace {

using grpc::experimental::InterceptionHookPoints;

std::string Get(const std::multimap<std::string, std::string>& md, const char* key) {
  auto it = md.find(key);
  return it == md.end() ? std::string() : it->second;
}

class Signer final : public grpc::experimental::Interceptor {
 public:
  Signer(const std::string& secret, std::string method) : secret_(secret), method_(method) {}

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_INITIAL_METADATA)) {
      std::multimap<std::string, std::string>* md = methods->GetSendInitialMetadata();
      const std::string principal = md == nullptr ? "" : Get(*md, kPrincipalHeader);
      if (!principal.empty() && md->find(kIdentitySigHeader) == md->end()) {
        md->emplace(kIdentitySigHeader, SignIdentity(secret_, principal, Get(*md, kRolesHeader),
                                                     Get(*md, kParticipantHeader), method_));
      }
    }
    methods->Proceed();
  }

 private:
  const std::string& secret_;
  const std::string method_;
};

class SignerFactory final : public grpc::experimental::ClientInterceptorFactoryInterface {
 public:
  explicit SignerFactory(std::string secret) : secret_(std::move(secret)) {}
  grpc::experimental::Interceptor* CreateClientInterceptor(
      grpc::experimental::ClientRpcInfo* info) override {
    if (secret_.empty()) return nullptr;
    return new Signer(secret_, info->method() == nullptr ? "" : info->method());
  }

 private:
  const std::string secret_;
};

}  // namespace

std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface> IdentitySigningInterceptor(
    std::string secret) {
  return std::make_unique<SignerFactory>(std::move(secret));
}

std::shared_ptr<grpc::Channel> CreateIdentitySigningChannel(
    const std::string& target, const std::shared_ptr<grpc::ChannelCredentials>& credentials,
    std::string secret) {
  if (secret.empty()) return grpc::CreateChannel(target, credentials);
  std::vector<std::unique_ptr<grpc::experimental::ClientInterceptorFactoryInterface>> creators;
  creators.push_back(IdentitySigningInterceptor(std::move(secret)));
  return grpc::experimental::CreateCustomChannelWithInterceptors(
      target, credentials, grpc::ChannelArguments(), std::move(creators));
}

}  // namespace gridbill
