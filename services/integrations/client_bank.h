// The 1C "Client-Bank" exchange format (1CClientBankExchange), in which most
// Kazakh banks export statements: a text file, Windows-1251 by default
// (Кодировка=Windows; DOS = CP866; a UTF-8 file is taken as it is), one
// key=value per line:
//
//   1CClientBankExchange
//   ВерсияФормата=1.03
//   Кодировка=Windows
//   ...
//   СекцияРасчСчет                 (per account: opening/closing balances)
//   РасчСчет=KZ...
//   НачальныйОстаток=100.00
//   ВсегоПоступило=50.00
//   ВсегоСписано=0.00
//   КонечныйОстаток=150.00
//   КонецРасчСчет
//   СекцияДокумент=Платежное поручение
//   Номер=17
//   Дата=05.10.2026
//   Сумма=50.00
//   ПлательщикСчет=KZ...
//   ПлательщикБИН=123456789012     (or ПлательщикИИНБИН, ПлательщикИНН)
//   ПолучательСчет=KZ...
//   ДатаПоступило=05.10.2026       (credit; ДатаСписано: debit)
//   НазначениеПлатежа=Оплата по договору № TR-0042 ...
//   КонецДокумента
//   КонецФайла
//
// Credits become payments (reference "1C/<payer account>/<number>/<date>"),
// debits are counted and left out. Any malformed line rejects the whole file
// with INVALID_ARGUMENT "line N: ...". Pure: no gRPC, no SQL.
#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "statement.h"

namespace gridbill::integrations {

absl::StatusOr<Statement> ParseClientBank(absl::string_view bytes);

}  // namespace gridbill::integrations
