// A stand-in for a document archive (ECM) speaking the CMIS 1.1 browser
// binding, for the tests: the calls the archive adapter uses on one
// repository, `/cmis/browser/<repository>/root[/<path>]`:
//
//   GET  ...?cmisselector=object   the object at the path (succinct
//                                  properties), 404 objectNotFound
//   GET  ...?cmisselector=content  a document's content
//   POST cmisaction=createFolder   a folder in the folder at the path
//   POST cmisaction=createDocument a document (multipart, part "content")
//
// with properties as propertyId[i] / propertyValue[i]; a name that exists
// in the folder is 409 nameConstraintViolation. It keeps everything in
// memory and counts (GET /stats) folders, documents, the SHA-256 of each
// document's content against its gridbill:sha256 property (`bad_hashes`),
// conflicts, and faults: --fail-every N answers every N-th request 503
// without acting; over the creates, --slow-every N acts, then holds the
// answer 15 s (past the client's deadline), --twice-every N receives a
// create twice (the second is a conflict, counted in `twice`).
//
//   cmis_standin --port 7211
#include <httplib.h>
#include <openssl/sha.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace {

struct Object {
  std::string id;
  bool folder = true;
  std::map<std::string, std::string> properties;
  std::string content;
};

std::string Arg(int argc, char** argv, const std::string& name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == "--" + name) return argv[i + 1];
  }
  return fallback;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  char hex[2 * SHA256_DIGEST_LENGTH + 1];
  for (int i = 0; i < SHA256_DIGEST_LENGTH; ++i) std::snprintf(hex + 2 * i, 3, "%02x", digest[i]);
  return std::string(hex, 2 * SHA256_DIGEST_LENGTH);
}

std::string Quote(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  return out + "\"";
}

std::string Json(const Object& o) {
  std::string out = "{\"succinctProperties\":{\"cmis:objectId\":" + Quote(o.id) +
                    ",\"cmis:baseTypeId\":" + Quote(o.folder ? "cmis:folder" : "cmis:document");
  for (const auto& [k, v] : o.properties) {
    if (k != "cmis:objectId") out += "," + Quote(k) + ":" + Quote(v);
  }
  return out + "}}";
}

// A form field, URL-encoded or multipart.
std::string Field(const httplib::Request& req, const std::string& name) {
  if (req.has_param(name)) return req.get_param_value(name);
  if (req.has_file(name)) return req.get_file_value(name).content;
  return "";
}

void Error(httplib::Response& res, int status, const std::string& exception,
           const std::string& message) {
  res.status = status;
  res.set_content("{\"exception\":" + Quote(exception) + ",\"message\":" + Quote(message) + "}",
                  "application/json");
}

}  // namespace

int main(int argc, char** argv) {
  const int port = std::stoi(Arg(argc, argv, "port", "7211"));
  const std::string host = Arg(argc, argv, "host", "127.0.0.1");
  const std::string repository = Arg(argc, argv, "repository", "gridbill");
  const int fail_every = std::stoi(Arg(argc, argv, "fail-every", "0"));
  const int slow_every = std::stoi(Arg(argc, argv, "slow-every", "0"));
  const int twice_every = std::stoi(Arg(argc, argv, "twice-every", "0"));
  std::mutex mu;
  std::map<std::string, Object> objects = {{"/", Object{"root", true, {}, ""}}};
  int requests = 0, creates = 0, conflicts = 0, slow = 0, twice = 0, next_id = 1;
  const std::string prefix = "/cmis/browser/" + repository + "/root";

  httplib::Server server;
  server.set_pre_routing_handler([&](const httplib::Request& req, httplib::Response& res) {
    if (req.path == "/stats") return httplib::Server::HandlerResponse::Unhandled;
    std::lock_guard<std::mutex> l(mu);
    if (!req.has_header("Authorization")) {
      Error(res, 401, "permissionDenied", "authentication required");
      return httplib::Server::HandlerResponse::Handled;
    }
    if (fail_every > 0 && ++requests % fail_every == 0) {
      Error(res, 503, "runtime", "service unavailable");
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  auto path_of = [&](const httplib::Request& req) {
    std::string p = req.path.substr(prefix.size());
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p.empty() ? std::string("/") : p;
  };
  const std::string route = "^" + prefix + "(/.*)?$";
  server.Get(route, [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    auto it = objects.find(path_of(req));
    if (it == objects.end()) return Error(res, 404, "objectNotFound", req.path);
    if (req.get_param_value("cmisselector") == "content") {
      return res.set_content(it->second.content, "application/octet-stream");
    }
    res.set_content(Json(it->second), "application/json");
  });
  server.Post(route, [&](const httplib::Request& req, httplib::Response& res) {
    const std::string action = Field(req, "cmisaction");
    if (action != "createFolder" && action != "createDocument") {
      return Error(res, 400, "notSupported", "cmisaction " + action);
    }
    std::map<std::string, std::string> props;
    for (int i = 0;; ++i) {
      const std::string id = Field(req, "propertyId[" + std::to_string(i) + "]");
      if (id.empty()) break;
      props[id] = Field(req, "propertyValue[" + std::to_string(i) + "]");
    }
    bool late = false;
    {
      std::lock_guard<std::mutex> l(mu);
      const std::string parent = path_of(req);
      auto p = objects.find(parent);
      if (p == objects.end() || !p->second.folder) {
        return Error(res, 404, "objectNotFound", "no folder " + parent);
      }
      if (props["cmis:name"].empty()) return Error(res, 400, "constraint", "cmis:name is required");
      const std::string path = (parent == "/" ? "" : parent) + "/" + props["cmis:name"];
      ++creates;
      const int arrivals = twice_every > 0 && creates % twice_every == 0 ? 2 : 1;
      for (int n = 0; n < arrivals; ++n) {
        if (objects.count(path) > 0) {
          ++conflicts;
          if (n == 0) Error(res, 409, "nameConstraintViolation", path + " exists");
          continue;
        }
        Object o;
        o.id = "obj-" + std::to_string(next_id++);
        o.folder = action == "createFolder";
        o.properties = props;
        if (!o.folder) {
          if (!req.has_file("content")) return Error(res, 400, "constraint", "no content");
          o.content = req.get_file_value("content").content;
        }
        objects[path] = o;
        res.status = 201;
        res.set_content(Json(o), "application/json");
      }
      twice += arrivals - 1;
      late = slow_every > 0 && creates % slow_every == 0;
      slow += late ? 1 : 0;
    }
    if (late) std::this_thread::sleep_for(std::chrono::seconds(15));
  });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    int folders = 0, documents = 0, bad_hashes = 0;
    for (const auto& [path, o] : objects) {
      if (path == "/") continue;
      if (o.folder) {
        ++folders;
        continue;
      }
      ++documents;
      auto sha = o.properties.find("gridbill:sha256");
      if (sha == o.properties.end() || sha->second != Sha256Hex(o.content)) ++bad_hashes;
    }
    res.set_content(
        "{\"folders\":" + std::to_string(folders) + ",\"documents\":" + std::to_string(documents) +
            ",\"bad_hashes\":" + std::to_string(bad_hashes) +
            ",\"conflicts\":" + std::to_string(conflicts) + ",\"slow\":" + std::to_string(slow) +
            ",\"twice\":" + std::to_string(twice) + "}",
        "application/json");
  });
  const int bound =
      port == 0 ? server.bind_to_any_port(host) : (server.bind_to_port(host, port) ? port : -1);
  if (bound < 0) {
    std::cerr << "cmis_standin: cannot listen on " << host << ":" << port << "\n";
    return 1;
  }
  std::cout << "cmis_standin listening on " << host << ":" << bound << std::endl;
  server.listen_after_bind();
  return 0;
}
