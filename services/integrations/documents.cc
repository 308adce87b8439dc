#include "documents.h"

#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "erp.h"
#include "esf.h"
#include "gridbill/base/csv.h"
#include "gridbill/base/sha256.h"
#include "gridbill/base/status_macros.h"

namespace gridbill::integrations {
namespace fs = std::filesystem;
namespace {

std::string Clean(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

absl::string_view TypeName(int type) {
  switch (type) {
    case 1:
      return "invoice";
    case 2:
      return "act";
    case 3:
      return "esf";
    case 4:
      return "credit-note";
    case 5:
      return "debit-note";
  }
  return "document";
}

}  // namespace

std::string SafeName(absl::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c == '/' || c == '\\' || c == ' ' || c == ':') c = '_';
  }
  return out.empty() ? "_" : out;
}

std::string Tenge(int64_t tiyn) {
  const bool neg = tiyn < 0;
  const int64_t a = neg ? -tiyn : tiyn;
  return absl::StrFormat("%s%d.%02d", neg ? "-" : "", a / 100, a % 100);
}

std::string ValueOf(absl::string_view text, absl::string_view key) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (line.size() > key.size() && line.substr(0, key.size()) == key && line[key.size()] == '=') {
      return std::string(line.substr(key.size() + 1));
    }
  }
  return "";
}

absl::Status AppendLog(const std::string& path, absl::string_view line) {
  std::ofstream out(path, std::ios::app | std::ios::binary);
  out << line << "\n";
  out.flush();
  if (!out) return absl::UnavailableError(absl::StrCat("cannot append to ", path));
  return absl::OkStatus();
}

std::string DocumentFact::Encode() const {
  return absl::StrJoin(
      {Clean(id), absl::StrCat(type), Clean(number), Clean(issue_date), Clean(period),
       Clean(participant_id), Clean(contract_number), Clean(customer_bin), Clean(customer_name),
       Clean(related_document_id), Clean(related_document_number), absl::StrCat(lines),
       absl::StrCat(amount_tiyn), absl::StrCat(vat_tiyn), absl::StrCat(total_tiyn),
       Clean(pdf_sha256), Clean(invoice_run_id)},
      "\t");
}

absl::StatusOr<DocumentFact> DocumentFact::Decode(absl::string_view payload) {
  std::vector<std::string> f = absl::StrSplit(payload, '\t');
  // 16 fields: stored before the invoice run id was added.
  if (f.size() != 16 && f.size() != 17) {
    return absl::InvalidArgumentError(
        absl::StrCat("a document payload has ", f.size(), " fields, not 17"));
  }
  DocumentFact d;
  d.id = f[0];
  d.number = f[2];
  d.issue_date = f[3];
  d.period = f[4];
  d.participant_id = f[5];
  d.contract_number = f[6];
  d.customer_bin = f[7];
  d.customer_name = f[8];
  d.related_document_id = f[9];
  d.related_document_number = f[10];
  d.pdf_sha256 = f[15];
  if (f.size() > 16) d.invoice_run_id = f[16];
  if (!absl::SimpleAtoi(f[1], &d.type) || !absl::SimpleAtoi(f[11], &d.lines) ||
      !absl::SimpleAtoi(f[12], &d.amount_tiyn) || !absl::SimpleAtoi(f[13], &d.vat_tiyn) ||
      !absl::SimpleAtoi(f[14], &d.total_tiyn)) {
    return absl::InvalidArgumentError("a document payload has a malformed number");
  }
  return d;
}

absl::StatusOr<int> PumpDocuments(OutboxStore& store, Suite& suite,
                                  const std::vector<std::string>& adapters, absl::Time now,
                                  int page_size) {
  ASSIGN_OR_RETURN(std::string cursor, store.Cursor(kDocumentsFeed));
  int added = 0;
  for (;;) {
    ASSIGN_OR_RETURN(DocumentChanges page, suite.DocumentsChangedAfter(cursor, page_size));
    if (page.documents.empty()) return added;
    std::vector<Fact> facts;
    for (const DocumentFact& d : page.documents) {
      for (const std::string& adapter : adapters) {
        if (adapter == "esf" && d.type != 3) continue;
        // Issued documents never change: the version is the issue itself.
        // The group: the run that issued it, which the ERP reconciliation counts by.
        facts.push_back(Fact{adapter, kDocumentIssued, d.id, "1", d.Encode(), d.invoice_run_id});
      }
    }
    ASSIGN_OR_RETURN(int n, store.AppendFacts(kDocumentsFeed, page.cursor, facts, now));
    added += n;
    if (page.cursor == cursor) return added;
    cursor = page.cursor;
  }
}

absl::Status WriteFileAtomically(const std::string& path, absl::string_view content) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec)
    return absl::UnavailableError(
        absl::StrCat("cannot make the folder of ", path, ": ", ec.message()));
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.flush();
    if (!out) return absl::UnavailableError(absl::StrCat("cannot write ", tmp));
  }
  fs::rename(tmp, path, ec);
  if (ec) return absl::UnavailableError(absl::StrCat("cannot rename ", tmp, ": ", ec.message()));
  return absl::OkStatus();
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

namespace {

// The archived original of a document: an ESF is an XML document (invoicing
// has no PDF of it), its XML the original and its hash the one recorded;
// other documents are their stored PDF, checked against invoicing's hash.
struct Original {
  std::string name;
  std::string mime;
  std::string content;
  std::string sha256;
};

absl::StatusOr<Original> OriginalOf(const DocumentFact& d, Suite& suite) {
  Original out;
  if (d.type == 3) {
    absl::StatusOr<std::string> xml = suite.DocumentXml(d.id);
    if (!xml.ok()) return absl::UnavailableError(absl::StrCat("XML: ", xml.status().message()));
    out = {"document.xml", "application/xml", *std::move(xml), ""};
    out.sha256 = Sha256Hex(out.content);
    return out;
  }
  absl::StatusOr<std::string> pdf = suite.DocumentPdf(d.id, &out.sha256);
  if (!pdf.ok()) return absl::UnavailableError(absl::StrCat("PDF: ", pdf.status().message()));
  if (Sha256Hex(*pdf) != out.sha256) {
    return absl::UnavailableError(
        absl::StrCat("the PDF of ", d.number, " does not hash to ", out.sha256));
  }
  out.name = "document.pdf";
  out.mime = "application/pdf";
  out.content = *std::move(pdf);
  return out;
}

}  // namespace

SendResult ErpFolderReceiver::Send(const Delivery& delivery) {
  if (delivery.fact_kind == kInvoiceRunFinished) {
    if (suite_ == nullptr) return SendResult::Permanent("the ERP receiver cannot read invoicing");
    return SendRunEntries(dir_, *suite_, delivery);
  }
  absl::StatusOr<DocumentFact> d = DocumentFact::Decode(delivery.payload);
  if (!d.ok()) return SendResult::Permanent(std::string(d.status().message()));
  const std::string base = absl::StrCat(dir_, "/", SafeName(d->period), "/", TypeName(d->type), "-",
                                        SafeName(d->number));
  const std::string manifest_path = base + ".manifest";
  if (absl::StatusOr<std::string> old = ReadFile(manifest_path); old.ok()) {
    if (ValueOf(*old, "idempotency_key") == delivery.idempotency_key) {
      return SendResult::Delivered(absl::StrCat(base, ".csv (already present)"));
    }
    return SendResult::Permanent(absl::StrCat(manifest_path, " holds another document"));
  }
  std::string csv = CsvLine({"document_id", "type", "number", "issue_date", "period",
                             "participant_id", "contract_number", "customer_bin", "customer_name",
                             "related_document_number", "amount", "vat", "total"});
  csv += CsvLine({d->id, std::string(TypeName(d->type)), d->number, d->issue_date, d->period,
                  d->participant_id, d->contract_number, d->customer_bin, d->customer_name,
                  d->related_document_number, Tenge(d->amount_tiyn), Tenge(d->vat_tiyn),
                  Tenge(d->total_tiyn)});
  if (absl::Status s = WriteFileAtomically(base + ".csv", csv); !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  const std::string manifest = absl::StrCat(
      "idempotency_key=", delivery.idempotency_key, "\nfile=", fs::path(base).filename().string(),
      ".csv\nrows=1\namount=", Tenge(d->amount_tiyn), "\nvat=", Tenge(d->vat_tiyn),
      "\ntotal=", Tenge(d->total_tiyn), "\nsha256=", Sha256Hex(csv), "\n");
  if (absl::Status s = WriteFileAtomically(manifest_path, manifest); !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  if (absl::Status s = AppendLog(dir_ + "/received.log", delivery.idempotency_key); !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  return SendResult::Delivered(base + ".csv");
}

SendResult DirectoryArchiveReceiver::Send(const Delivery& delivery) {
  absl::StatusOr<DocumentFact> d = DocumentFact::Decode(delivery.payload);
  if (!d.ok()) return SendResult::Permanent(std::string(d.status().message()));
  const std::string folder = absl::StrCat(dir_, "/", SafeName(d->period), "/", SafeName(d->number));
  const std::string meta_path = folder + "/metadata.txt";
  if (absl::StatusOr<std::string> old = ReadFile(meta_path); old.ok()) {
    if (ValueOf(*old, "idempotency_key") == delivery.idempotency_key) {
      return SendResult::Delivered(absl::StrCat(folder, " (already present)"));
    }
    return SendResult::Permanent(absl::StrCat(folder, " holds another document"));
  }
  absl::StatusOr<Original> original = OriginalOf(*d, suite_);
  if (!original.ok()) return SendResult::Retry(std::string(original.status().message()));
  const std::string sha = original->sha256;
  if (absl::Status s = WriteFileAtomically(folder + "/" + original->name, original->content);
      !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  // Accounting documents are kept 5 years after the year they concern (tax
  // code of Kazakhstan, art. 48): one retention class for all of them.
  const std::string meta = absl::StrCat(
      "idempotency_key=", delivery.idempotency_key, "\ndocument_id=", d->id, "\nnumber=", d->number,
      "\ntype=", TypeName(d->type), "\nparticipant_id=", d->participant_id,
      "\ncustomer_bin=", d->customer_bin, "\nperiod=", d->period, "\nissue_date=", d->issue_date,
      "\nsha256=", sha, "\nretention_class=accounting-5y\n");
  if (absl::Status s = WriteFileAtomically(meta_path, meta); !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  if (absl::Status s = AppendLog(dir_ + "/received.log", delivery.idempotency_key); !s.ok()) {
    return SendResult::Retry(std::string(s.message()));
  }
  return SendResult::Delivered(folder);
}

namespace {

// A client of the repository: its scheme://host:port with the timeouts
// and credentials, and the path of its root folder.
struct CmisConnection {
  explicit CmisConnection(const CmisConfig& config)
      : client(config.repository_url.substr(0, HostEnd(config.repository_url))) {
    const std::string& url = config.repository_url;
    const size_t host_end = HostEnd(url);
    root = (host_end == std::string::npos ? std::string() : url.substr(host_end)) + "/root";
    const int64_t ms = absl::ToInt64Milliseconds(config.timeout);
    client.set_connection_timeout(ms / 1000, (ms % 1000) * 1000);
    client.set_read_timeout(ms / 1000, (ms % 1000) * 1000);
    client.set_write_timeout(ms / 1000, (ms % 1000) * 1000);
    client.set_basic_auth(config.user, config.password);
  }
  static size_t HostEnd(const std::string& url) { return url.find('/', url.find("://") + 3); }

  httplib::Client client;
  std::string root;
};

SendResult CmisFailure(const httplib::Result& r, absl::string_view what) {
  if (!r) return SendResult::Retry(absl::StrCat(what, ": ", httplib::to_string(r.error())));
  const std::string text = absl::StrCat(what, ": HTTP ", r->status, " ", r->body.substr(0, 200));
  if (r->status >= 500 || r->status == 429 || r->status == 401) return SendResult::Retry(text);
  return SendResult::Permanent(text);
}

// A CMIS form: cmisaction and the properties as propertyId[i] / propertyValue[i].
httplib::MultipartFormDataItems CmisForm(
    const std::string& action, const std::vector<std::pair<std::string, std::string>>& props) {
  httplib::MultipartFormDataItems form = {{"cmisaction", action, "", ""},
                                          {"succinct", "true", "", ""}};
  for (size_t i = 0; i < props.size(); ++i) {
    form.push_back({absl::StrCat("propertyId[", i, "]"), props[i].first, "", ""});
    form.push_back({absl::StrCat("propertyValue[", i, "]"), props[i].second, "", ""});
  }
  return form;
}

}  // namespace

SendResult CmisArchiveReceiver::Send(const Delivery& delivery) {
  absl::StatusOr<DocumentFact> d = DocumentFact::Decode(delivery.payload);
  if (!d.ok()) return SendResult::Permanent(std::string(d.status().message()));
  CmisConnection cmis(config_);
  httplib::Client& client = cmis.client;
  const std::string& root = cmis.root;
  const httplib::Headers headers = {{"X-Idempotency-Key", delivery.idempotency_key}};
  const std::string period = SafeName(d->period), number = SafeName(d->number);
  const std::string name = d->type == 3 ? "document.xml" : "document.pdf";
  const std::string path = absl::StrCat(root, "/", period, "/", number, "/", name);

  // Present already (a redelivery, or a create whose answer was lost)?
  auto present = [&]() -> std::optional<SendResult> {
    httplib::Result r = client.Get(path, {{"cmisselector", "object"}, {"succinct", "true"}},
                                   headers, httplib::Progress());
    if (r && r->status == 404) return std::nullopt;
    if (!r || r->status != 200) return CmisFailure(r, "CMIS getObjectByPath");
    if (JsonField(r->body, "gridbill:idempotencyKey") == delivery.idempotency_key) {
      return SendResult::Delivered(absl::StrCat(path, " (already present)"));
    }
    return SendResult::Permanent(absl::StrCat(path, " holds another document"));
  };
  if (std::optional<SendResult> done = present()) return *done;

  absl::StatusOr<Original> original = OriginalOf(*d, suite_);
  if (!original.ok()) return SendResult::Retry(std::string(original.status().message()));
  // The folders; one that exists (409) is taken as it is.
  for (const auto& [parent, folder] : {std::pair<std::string, std::string>{root, period},
                                       {absl::StrCat(root, "/", period), number}}) {
    httplib::Result r = client.Post(
        parent, headers,
        CmisForm("createFolder", {{"cmis:objectTypeId", "cmis:folder"}, {"cmis:name", folder}}));
    if (!r || (r->status != 201 && r->status != 200 && r->status != 409)) {
      return CmisFailure(r, "CMIS createFolder");
    }
  }
  httplib::MultipartFormDataItems form =
      CmisForm("createDocument", {{"cmis:objectTypeId", "cmis:document"},
                                  {"cmis:name", name},
                                  {"gridbill:documentId", d->id},
                                  {"gridbill:number", d->number},
                                  {"gridbill:type", std::string(TypeName(d->type))},
                                  {"gridbill:participantId", d->participant_id},
                                  {"gridbill:customerBin", d->customer_bin},
                                  {"gridbill:period", d->period},
                                  {"gridbill:issueDate", d->issue_date},
                                  {"gridbill:sha256", original->sha256},
                                  {"gridbill:retentionClass", "accounting-5y"},
                                  {"gridbill:idempotencyKey", delivery.idempotency_key}});
  form.push_back({"content", original->content, name, original->mime});
  httplib::Result r = client.Post(absl::StrCat(root, "/", period, "/", number), headers, form);
  if (r && r->status == 409) {  // created meanwhile: ours or another's
    if (std::optional<SendResult> done = present()) return *done;
  }
  if (!r || (r->status != 201 && r->status != 200)) return CmisFailure(r, "CMIS createDocument");
  return SendResult::Delivered(JsonField(r->body, "cmis:objectId"));
}

namespace {

// "" when invoicing's hash of the document (an ESF: of its XML) is `want`,
// else the finding's reason.
absl::StatusOr<std::string> AgainstInvoicing(Suite& suite, const std::string& document_id, bool esf,
                                             const std::string& want) {
  std::string theirs;
  if (esf) {
    ASSIGN_OR_RETURN(std::string xml, suite.DocumentXml(document_id));
    theirs = Sha256Hex(xml);
  } else {
    ASSIGN_OR_RETURN(std::string pdf, suite.DocumentPdf(document_id, &theirs));
  }
  if (theirs == want) return std::string();
  return absl::StrCat("invoicing holds sha256 ", theirs, ", the archive ", want);
}

}  // namespace

absl::StatusOr<std::vector<IntegrityFinding>> CheckArchive(const std::string& dir, Suite& suite,
                                                           int* checked) {
  std::vector<IntegrityFinding> out;
  *checked = 0;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir, ec)) {
    if (e.path().filename() != "metadata.txt") continue;
    ASSIGN_OR_RETURN(std::string meta, ReadFile(e.path().string()));
    const std::string number = ValueOf(meta, "number");
    const std::string want = ValueOf(meta, "sha256");
    ++*checked;
    const bool esf = ValueOf(meta, "type") == "esf";
    const std::string file = esf ? "document.xml" : "document.pdf";
    absl::StatusOr<std::string> copy = ReadFile((e.path().parent_path() / file).string());
    if (!copy.ok()) {
      out.push_back({number, file + " is missing"});
      continue;
    }
    if (Sha256Hex(*copy) != want) {
      out.push_back({number, file + " does not hash to its metadata's sha256"});
      continue;
    }
    ASSIGN_OR_RETURN(std::string reason,
                     AgainstInvoicing(suite, ValueOf(meta, "document_id"), esf, want));
    if (!reason.empty()) out.push_back({number, reason});
  }
  return out;
}

absl::StatusOr<std::vector<IntegrityFinding>> CheckCmisArchive(const CmisConfig& config,
                                                               Suite& suite, int* checked) {
  std::vector<IntegrityFinding> out;
  *checked = 0;
  CmisConnection cmis(config);
  // One GET, tried again on a 5xx or a broken connection (a check is read-only).
  auto get = [&](const std::string& path,
                 const httplib::Params& params) -> absl::StatusOr<std::string> {
    std::string last;
    for (int attempt = 0; attempt < 4; ++attempt) {
      httplib::Result r = cmis.client.Get(path, params, httplib::Headers(), httplib::Progress());
      if (r && r->status == 200) return r->body;
      last = r ? absl::StrCat("HTTP ", r->status, " ", r->body.substr(0, 200))
               : httplib::to_string(r.error());
      if (r && r->status < 500) break;
    }
    return absl::UnavailableError(absl::StrCat("CMIS ", path, ": ", last));
  };
  // A folder's children (name, base type, the succinct properties' text) over all pages.
  struct Child {
    std::string name;
    bool folder = false;
    std::string properties;
  };
  auto children = [&](const std::string& path) -> absl::StatusOr<std::vector<Child>> {
    std::vector<Child> all;
    for (;;) {
      ASSIGN_OR_RETURN(std::string page, get(path, {{"cmisselector", "children"},
                                                    {"succinct", "true"},
                                                    {"maxItems", "100"},
                                                    {"skipCount", absl::StrCat(all.size())}}));
      const std::vector<std::string> objects = absl::StrSplit(page, "\"succinctProperties\"");
      for (size_t i = 1; i < objects.size(); ++i) {
        all.push_back({JsonField(objects[i], "cmis:name"),
                       JsonField(objects[i], "cmis:baseTypeId") == "cmis:folder", objects[i]});
      }
      if (objects.size() == 1 || JsonField(page, "hasMoreItems") != "true") return all;
    }
  };
  ASSIGN_OR_RETURN(std::vector<Child> periods, children(cmis.root));
  for (const Child& period : periods) {
    if (!period.folder) continue;
    const std::string period_path = absl::StrCat(cmis.root, "/", period.name);
    ASSIGN_OR_RETURN(std::vector<Child> numbers, children(period_path));
    for (const Child& number : numbers) {
      if (!number.folder) continue;
      const std::string folder = absl::StrCat(period_path, "/", number.name);
      ASSIGN_OR_RETURN(std::vector<Child> documents, children(folder));
      for (const Child& doc : documents) {
        if (doc.folder) continue;
        ++*checked;
        const std::string shown = JsonField(doc.properties, "gridbill:number");
        const std::string want = JsonField(doc.properties, "gridbill:sha256");
        const std::string id = JsonField(doc.properties, "gridbill:documentId");
        const std::string label = shown.empty() ? number.name : shown;
        if (id.empty() || want.empty()) {
          out.push_back({label, doc.name + " has no gridbill:documentId or gridbill:sha256"});
          continue;
        }
        ASSIGN_OR_RETURN(std::string content,
                         get(absl::StrCat(folder, "/", doc.name), {{"cmisselector", "content"}}));
        if (Sha256Hex(content) != want) {
          out.push_back({label, doc.name + " does not hash to its gridbill:sha256"});
          continue;
        }
        ASSIGN_OR_RETURN(
            std::string reason,
            AgainstInvoicing(suite, id, JsonField(doc.properties, "gridbill:type") == "esf", want));
        if (!reason.empty()) out.push_back({label, reason});
      }
    }
  }
  return out;
}

}  // namespace gridbill::integrations
