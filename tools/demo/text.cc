#include "tools/demo/text.h"

#include <cstdint>
#include <map>

namespace gridbill::demo {
namespace {

// Decodes one UTF-8 sequence at `i` (advancing it); invalid bytes decode as themselves.
char32_t Decode(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80 || i + 1 >= s.size()) {
    ++i;
    return b0;
  }
  const auto b1 = static_cast<unsigned char>(s[i + 1]);
  if ((b0 & 0xE0) == 0xC0) {
    i += 2;
    return ((b0 & 0x1F) << 6) | (b1 & 0x3F);
  }
  if ((b0 & 0xF0) == 0xE0 && i + 2 < s.size()) {
    const auto b2 = static_cast<unsigned char>(s[i + 2]);
    i += 3;
    return ((b0 & 0x0F) << 12) | ((b1 & 0x3F) << 6) | (b2 & 0x3F);
  }
  ++i;
  return b0;
}

void Encode(char32_t c, std::string& out) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

const std::map<char32_t, const char*>& Table() {
  static const auto* const k = new std::map<char32_t, const char*>{
      {U'а', "a"},  {U'б', "b"},  {U'в', "v"},   {U'г', "g"}, {U'д', "d"},  {U'е', "e"},
      {U'ё', "e"},  {U'ж', "zh"}, {U'з', "z"},   {U'и', "i"}, {U'й', "i"},  {U'к', "k"},
      {U'л', "l"},  {U'м', "m"},  {U'н', "n"},   {U'о', "o"}, {U'п', "p"},  {U'р', "r"},
      {U'с', "s"},  {U'т', "t"},  {U'у', "u"},   {U'ф', "f"}, {U'х', "kh"}, {U'ц', "ts"},
      {U'ч', "ch"}, {U'ш', "sh"}, {U'щ', "sch"}, {U'ъ', ""},  {U'ы', "y"},  {U'ь', ""},
      {U'э', "e"},  {U'ю', "yu"}, {U'я', "ya"},  {U'ә', "a"}, {U'ғ', "g"},  {U'қ', "q"},
      {U'ң', "n"},  {U'ө', "o"},  {U'ұ', "u"},   {U'ү', "u"}, {U'һ', "h"},  {U'і', "i"},
  };
  return *k;
}

}  // namespace

std::string Transliterate(std::string_view utf8) {
  std::string out;
  size_t i = 0;
  while (i < utf8.size()) {
    char32_t c = Decode(utf8, i);
    bool upper = false;
    char32_t lower = c;
    if (c >= U'А' && c <= U'Я') {
      lower = c + 0x20;
      upper = true;
    } else if (c == U'Ё') {
      lower = U'ё';
      upper = true;
    } else if (c >= 0x0400 && c <= 0x04FF && (c & 1) == 0 && Table().count(c + 1) > 0 &&
               c >= 0x0490) {
      // Kazakh capitals (Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ) precede their small letters.
      lower = c + 1;
      upper = true;
    } else if (c == U'І') {
      lower = U'і';
      upper = true;
    }
    auto it = Table().find(lower);
    if (it == Table().end()) {
      Encode(c, out);
      continue;
    }
    std::string latin = it->second;
    if (upper && !latin.empty()) latin[0] = static_cast<char>(latin[0] - 'a' + 'A');
    out += latin;
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return out;
}

}  // namespace gridbill::demo
