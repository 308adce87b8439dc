// The demo metering points: ~2,000 points at the demo participants'
// substations, the grid nodes they belong to and the tie lines between the
// nodes, generated deterministically from a DataSet (same seed -> same
// points). Pure: no I/O, no gRPC. gridbillctl loads them through the
// metering API (tools/gridbillctl/demo_metering.h); readings.h generates
// their interval data.
//
// What the balance service can rely on (stable for a given seed):
//
// * Every point measures at the boundary of the national grid, in one grid
//   node (`node`, one per region: "N-35" for KZ-35). Channels are the
//   metering.v1.Channel numbers: 1 active received from the grid, 2 active
//   delivered to the grid, 3/4 reactive received/delivered.
// * kConsumption points (consumers, distribution companies, exporters):
//   channel 1, some also channel 2 (own generation exported) and 3.
//   kGeneration points (plant units): channel 2 (supply), channel 1 (own
//   needs taken from the grid when the unit is down).
// * kTie points measure a line between `node` and `peer_node`, at the
//   `node` end: channel 1 = energy flowing out of `node` into `peer_node`,
//   channel 2 = energy flowing from `peer_node` into `node`. Ties belong to
//   the TSO: they have no owner (no assignment).
// * A node's inflow is the sum of NodeTerms(...) with sign +1, its outflow
//   the sum with sign -1; inflow - outflow is the node's losses, a few
//   percent of its inflow (the readings are built so, apart from the seeded
//   anomalies).
// * A participant's volumes on a day are ParticipantTerms(...): channel 1 of
//   its points is energy received from the grid (consumption, the
//   transmission volume), channel 2 energy delivered to the grid (supply).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "tools/demo/demo_data.h"

namespace gridbill::demo {

enum class PointKind {
  kConsumption,  // energy taken from the grid by a consumer or distribution company
  kGeneration,   // a power plant's unit supplying the grid
  kTie,          // a line between two grid nodes, owned by the TSO
};

// How a point's load moves over the day and the year (readings.h).
enum class LoadProfile {
  kIndustrial,    // nearly flat, lower at weekends
  kDistribution,  // households and services: morning and evening peaks
  kThermal,       // a thermal plant following the national load
  kSolar,         // daylight only
  kWind,          // varies day to day
  kHydro,         // follows the load, higher in spring and summer
  kTie,           // computed from the node balances
};

// A period of ownership; `participant` indexes DataSet::participants.
struct PointOwner {
  int participant = -1;
  absl::CivilDay from;
  std::optional<absl::CivilDay> to;  // inclusive; nullopt = open
};

struct DemoPoint {
  std::string code;  // "MP-35-0012-03": the substation's number and a serial
  std::string eic;   // 16 characters, type Z, valid check character; empty for some
  std::string name;
  std::string substation_code;     // a substation of DataSet::reference
  std::string voltage_level_code;  // one of SeededVoltageLevels()
  std::string region_code;         // the substation's region
  std::string node;                // the grid node: "N-" + region digits
  std::string peer_node;           // kTie: the node at the other end
  PointKind kind = PointKind::kConsumption;
  LoadProfile profile = LoadProfile::kIndustrial;
  std::vector<PointOwner> owners;  // in time order, non-overlapping; empty for ties
  std::vector<int> channels;       // metering.v1.Channel numbers, ascending
  std::string meter_serial;
  std::string ct_ratio;  // decimal text, "600/5" is "120"
  std::string vt_ratio;  // decimal text, "110000/100" is "1100"
  bool active = true;    // false: temporarily out of service (status INACTIVE)
  absl::CivilDay valid_from;
  std::optional<absl::CivilDay> valid_to;  // set for decommissioned points
  // The commercial values come from CMS; points with a SCADA channel as
  // well get SCADA values first (the cross-check).
  bool scada_check = false;
  // The point's share of its kind's volume, in millionths: consumption of
  // national demand, generation of all plants' output, a tie of its node's
  // flow to the parent node.
  int64_t weight = 0;

  bool HasChannel(int channel) const;
  bool ValidOn(absl::CivilDay d) const { return d >= valid_from && (!valid_to || d <= *valid_to); }
  // The owner on `d`, or -1 (ties; days outside every ownership).
  int OwnerOn(absl::CivilDay d) const;
};

// A grid node: the part of the national grid in one region. The nodes form
// a tree (`parent` empty at the root, the Ekibastuz hub); each tree edge is
// measured by two tie points.
struct GridNode {
  std::string code;  // "N-55"
  std::string name;
  std::string region_code;
  std::string parent;
};

struct MeteringSet {
  std::vector<DemoPoint> points;  // sorted by code
  std::vector<GridNode> nodes;    // the root first, every parent before its children

  int IndexOf(const std::string& code) const;  // -1 when absent
};

// Options of the metering part of the data set.
struct MeteringOptions {
  // At most this many points (0 = all, ~2,000): the first ones of a stable
  // order that keeps, for each node, its ties and some of its points.
  int max_points = 0;
};

MeteringSet GenerateMetering(const DataSet& data, const MeteringOptions& options = {});

// One term of an accounting scheme: the value of (point, channel) with a sign.
struct BalanceTerm {
  std::string point_code;
  int channel = 0;
  int sign = 0;  // +1 or -1
};

// The node's scheme: +1 inflows (channel 2 of its points, the incoming
// channel of every tie touching it), -1 outflows (channel 1 of its points,
// the outgoing channel of its ties).
std::vector<BalanceTerm> NodeTerms(const MeteringSet& set, const std::string& node);

// A participant's scheme on a day: +1 energy received from the grid
// (channel 1 of the points it owns that day), -1 energy delivered to the
// grid (channel 2). Its net consumption is the signed sum.
std::vector<BalanceTerm> ParticipantTerms(const MeteringSet& set, int participant,
                                          absl::CivilDay day);

// SHA-256 (hex) over every point's attributes, for comparing generations.
std::string DigestOf(const MeteringSet& set);

}  // namespace gridbill::demo
