// Small text helpers for generated names: Cyrillic (Russian and Kazakh) to
// Latin transliteration and ASCII case mapping.
#pragma once

#include <string>
#include <string_view>

namespace gridbill::demo {

// Transliterates Russian and Kazakh Cyrillic letters to Latin (a simple
// scheme in the spirit of the 2021 Kazakh Latin alphabet, ASCII only);
// other characters pass through unchanged.
std::string Transliterate(std::string_view utf8);

// ASCII-only case mapping; other bytes unchanged.
std::string Lower(std::string_view s);
std::string Upper(std::string_view s);

}  // namespace gridbill::demo
