// SWIFT MT940 customer statements (the format of banks' host-to-host
// exports): one or more messages, each
//
//   :20:<statement reference>
//   :25:<account>
//   :28C:<statement number>/<sequence>
//   :60F:<C|D><YYMMDD><currency><opening balance, decimal comma>
//   :61:<value date YYMMDD>[<entry date MMDD>]<C|D|RC|RD>[<funds code>]<amount>
//       <type: N|F|S + 3 characters><customer reference>[//<bank reference>]
//   :86:<information to the account owner: payer, BIN, purpose; may span lines>
//   :62F:<C|D><YYMMDD><currency><closing balance>
//
// optionally inside SWIFT blocks ({1:...}{2:...}{4: ... -}). Credits (C, and
// reversals of debits RD) become payments with reference
// "MT940/<account>/<bank reference>" (or "<statement reference>/<line no>"
// when the bank gave none); the payer BIN and contract number are read from
// :86: ("/BIN/", "/CNTR/", or a 12-digit number and "№ ..."). Opening +
// credits - debits must equal the closing balance. Any malformed line
// rejects the whole file with INVALID_ARGUMENT "line N: ...". Pure.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "statement.h"

namespace gridbill::integrations {

absl::StatusOr<Statement> ParseMt940(absl::string_view text);

}  // namespace gridbill::integrations
