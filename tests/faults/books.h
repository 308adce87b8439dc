// The books of a month close as the fault suite compares them: every row
// that a user or an auditor relies on, as text without the values that
// differ from one run to another by design (random ids, timestamps): a
// participant is its BIN, a contract its number, a document its number.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stack.h"

namespace gridbill::faults {

struct Books {
  // Metering: every stored revision of every point-day.
  std::vector<std::string> readings;
  std::vector<std::string> revision_gaps;  // point-days whose revisions are not 1..n
  // Balance: per "<period> <table>", the rows of the month's succeeded final run.
  std::map<std::string, std::vector<std::string>> balance;
  std::vector<std::string> final_runs;  // "<period>|<succeeded final runs>"
  // What each final run read: period -> distinct (point, channel, day,
  // revision) of run_point_days. A shard lists the days of every point of
  // its schemes, so a point in schemes of two shards is listed twice; which
  // schemes share a shard follows the order of participant ids (random per
  // run), hence the listing's length differs between runs and only the
  // distinct revisions are compared; `read_rows` is the listing's length.
  std::map<std::string, std::vector<std::string>> read;
  std::map<std::string, int64_t> read_rows;
  // Point-days listed a number of times other than the number of the run's
  // shards whose schemes hold that point and channel (a shard's record lost
  // or stored twice).
  std::vector<std::string> read_listing;
  // Invoicing.
  std::vector<std::string> documents;
  std::vector<std::string> lines;
  std::vector<std::string> billings;
  std::vector<std::string> payments;
  std::vector<std::string> numbering;  // "<type>|<year>|<count>|<min>|<max>|<counter>"
  std::vector<std::string> doubled;    // contracts with two invoices for one period
  std::map<std::string, std::string> document_keys;  // number -> "<type> <contract> <period>"
  // Jobs of every service: those not ended, or failed without a reason.
  std::vector<std::string> open_jobs;
  std::map<std::string, int64_t> jobs;  // "<service> <kind> <state>" -> count
};

Books ReadBooks(Stack& stack);

struct Check {
  std::string what;
  bool ok = false;
  std::string detail;
};
std::vector<Check> Compare(const Books& reference, const Books& books);

// Waits until no job of any service is pending or running.
bool WaitJobsEnded(Stack& stack, seconds timeout);

// "reference|document|amount" per allocation (and "reference|unallocated|x")
// of gridbillctl invoicing import-payments --output json; a document named
// by its key in `books` (numbers differ between runs by design).
std::vector<std::string> AllocationsOf(const std::string& json, const Books& books);

}  // namespace gridbill::faults
