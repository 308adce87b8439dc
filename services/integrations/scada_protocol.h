// The SCADA telemetry line protocol (TCP), defined here. Why TCP lines and
// not a drop folder of historian exports: SCADA values arrive continuously
// (every 15 minutes for ~1,000 points), a socket gives back-pressure for
// free (the adapter stops reading while metering is slow, the sender's
// writes block), and the acknowledgement below lets a sender resume exactly
// where the suite stopped after either side restarts.
//
// UTF-8 text, one record per line (LF or CRLF), fields separated by one or
// more spaces; '#' starts a comment line.
//
//   sender -> adapter, first line:   HELLO <stream> [<protocol version 1>]
//   adapter -> sender:               RESUME <last stored seq>     (0: none)
//   sender -> adapter, then:         <seq> <point code> <channel> <interval start> <Wh> [<quality>]
//   [<status>] adapter -> sender, per batch:    ACK <seq>      (everything up to seq is stored)
//                                    ERR <line> <reason>   (the line was refused; the
//                                                   connection closes, nothing after
//                                                   the last ACK was stored)
//
//   seq            1, 2, ... strictly increasing within a stream (gaps allowed);
//                  a seq at or below the stored one is a resend and is skipped
//   point code     the metering point's code (no spaces)
//   channel        1..4 (01 active received, 02 active delivered, 03/04 reactive)
//   interval start RFC 3339 with an offset, e.g. 2026-10-01T00:15:00+05:00
//   Wh             integer, >= 0
//   quality        M measured (default), E estimated, S substituted, X missing
//   status         the sender's status code of the value, integer (default 0)
//
// Example:
//   HELLO scada-main 1
//   1 KZ-ALM-0001 1 2026-10-01T00:00:00+05:00 125000
//   2 KZ-ALM-0001 1 2026-10-01T00:15:00+05:00 124500 M 0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace gridbill::integrations {

struct ScadaValue {
  int64_t seq = 0;
  std::string point_code;
  int channel = 0;  // 1..4
  absl::Time interval_start;
  int64_t value_wh = 0;
  int quality = 1;  // metering's Quality: 1 measured, 2 estimated, 3 substituted, 4 missing
  int status = 0;
};

// The stream name of a HELLO line; INVALID_ARGUMENT "line N: ..." otherwise.
absl::StatusOr<std::string> ParseScadaHello(absl::string_view line, int line_no);

// One value line; nullopt for a blank or comment line; INVALID_ARGUMENT
// "line N: ..." naming what is wrong.
absl::StatusOr<std::optional<ScadaValue>> ParseScadaLine(absl::string_view line, int line_no);

// A value as a protocol line (what a sender writes; the stand-ins and tests use it).
std::string FormatScadaLine(const ScadaValue& v);

}  // namespace gridbill::integrations
