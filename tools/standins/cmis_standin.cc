// A stand-in for a document archive (ECM) speaking the CMIS 1.1 browser
// binding, for the tests: the calls the archive adapter uses on one
// repository, `/cmis/browser/<repository>/root[/<path>]`:
//
//   GET  ...?cmisselector=object   the object at the path (succinct
//                                  properties), 404 objectNotFound
//   GET  ...?cmisselector=content  a document's content
//   GET  ...?cmisselector=children a folder's children by name, in pages
//                                  (maxItems, skipCount; hasMoreItems)
//   POST cmisaction=createFolder   a folder in the folder at the path
//   POST cmisaction=createDocument a document (multipart, part "content")
//   POST cmisaction=setContent     a document's content replaced (what a
//                                  tampering user of the ECM would do; the
//                                  tests use it to make the integrity
//                                  check find a changed document)
//
// with properties as propertyId[i] / propertyValue[i]; a name that exists
// in the folder is 409 nameConstraintViolation. It keeps everything in
// memory and counts (GET /stats) folders, documents, the SHA-256 of each
// document's content against its gridbill:sha256 property (`bad_hashes`),
// conflicts, and the fault modes of standin.h: --fail-every N over every
// request; --slow-every N and --twice-every N over the creates (a create
// received twice: the second is a conflict, counted in `twice`).
//
//   cmis_standin --port 7211
#include <httplib.h>

#include <cstdio>
#include <map>
#include <mutex>
#include <string>

#include "gridbill/base/sha256.h"
#include "standin.h"

namespace {

using gridbill::Sha256Hex;
using gridbill::standin::Arg;
using gridbill::standin::Quote;

struct Object {
  std::string id;
  bool folder = true;
  std::map<std::string, std::string> properties;
  std::string content;
};

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
  gridbill::standin::Faults faults(argc, argv);
  std::mutex mu;
  std::map<std::string, Object> objects = {{"/", Object{"root", true, {}, ""}}};
  int conflicts = 0, next_id = 1, replaced = 0;
  const std::string prefix = "/cmis/browser/" + repository + "/root";

  httplib::Server server;
  faults.Guard(server, {"/stats"},
               "{\"exception\":\"permissionDenied\",\"message\":\"authentication required\"}",
               "{\"exception\":\"runtime\",\"message\":\"service unavailable\"}");
  auto path_of = [&](const httplib::Request& req) {
    std::string p = req.path.substr(prefix.size());
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p.empty() ? std::string("/") : p;
  };
  const std::string route = "^" + prefix + "(/.*)?$";
  server.Get(route, [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard<std::mutex> l(mu);
    const std::string path = path_of(req);
    auto it = objects.find(path);
    if (it == objects.end()) return Error(res, 404, "objectNotFound", req.path);
    const std::string selector = req.get_param_value("cmisselector");
    if (selector == "content") {
      if (it->second.folder) return Error(res, 409, "constraint", "a folder has no content");
      return res.set_content(it->second.content, "application/octet-stream");
    }
    if (selector == "children") {
      if (!it->second.folder) return Error(res, 409, "constraint", "not a folder");
      const int max_items =
          req.has_param("maxItems") ? std::stoi(req.get_param_value("maxItems")) : 100;
      const int skip = req.has_param("skipCount") ? std::stoi(req.get_param_value("skipCount")) : 0;
      // The children are the paths one segment below, in name order.
      const std::string base = path == "/" ? "/" : path + "/";
      std::string items;
      int n = 0, shown = 0;
      bool more = false;
      for (auto c = objects.upper_bound(base); c != objects.end(); ++c) {
        if (c->first.compare(0, base.size(), base) != 0) break;
        if (c->first.find('/', base.size()) != std::string::npos) continue;
        if (n++ < skip) continue;
        if (shown == max_items) {
          more = true;
          break;
        }
        items += (shown++ > 0 ? "," : "") + std::string("{\"object\":") + Json(c->second) + "}";
      }
      return res.set_content(
          "{\"objects\":[" + items + "],\"hasMoreItems\":" + (more ? "true" : "false") + "}",
          "application/json");
    }
    res.set_content(Json(it->second), "application/json");
  });
  server.Post(route, [&](const httplib::Request& req, httplib::Response& res) {
    const std::string action = Field(req, "cmisaction");
    if (action == "setContent") {
      std::lock_guard<std::mutex> l(mu);
      auto it = objects.find(path_of(req));
      if (it == objects.end() || it->second.folder) {
        return Error(res, 404, "objectNotFound", req.path);
      }
      if (!req.has_file("content")) return Error(res, 400, "constraint", "no content");
      it->second.content = req.get_file_value("content").content;
      ++replaced;
      return res.set_content(Json(it->second), "application/json");
    }
    if (action != "createFolder" && action != "createDocument") {
      return Error(res, 400, "notSupported", "cmisaction " + action);
    }
    std::map<std::string, std::string> props;
    for (int i = 0;; ++i) {
      const std::string id = Field(req, "propertyId[" + std::to_string(i) + "]");
      if (id.empty()) break;
      props[id] = Field(req, "propertyValue[" + std::to_string(i) + "]");
    }
    gridbill::standin::Faults::Change change;
    {
      std::lock_guard<std::mutex> l(mu);
      const std::string parent = path_of(req);
      auto p = objects.find(parent);
      if (p == objects.end() || !p->second.folder) {
        return Error(res, 404, "objectNotFound", "no folder " + parent);
      }
      if (props["cmis:name"].empty()) return Error(res, 400, "constraint", "cmis:name is required");
      const std::string path = (parent == "/" ? "" : parent) + "/" + props["cmis:name"];
      change = faults.NextChange();
      for (int n = 0; n < change.arrivals; ++n) {
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
    }
    gridbill::standin::Faults::Hold(change);
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
    res.set_content("{\"folders\":" + std::to_string(folders) +
                        ",\"documents\":" + std::to_string(documents) + ",\"bad_hashes\":" +
                        std::to_string(bad_hashes) + ",\"conflicts\":" + std::to_string(conflicts) +
                        ",\"replaced\":" + std::to_string(replaced) + faults.StatsJson() + "}",
                    "application/json");
  });
  return gridbill::standin::Listen(server, "cmis_standin", host, port);
}
