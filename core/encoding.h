// Byte encodings shared by the runner (PowerShell -EncodedCommand, uploads through a Windows
// shell), Sigma's base64 / wide modifiers, and the readers of command text (a test's own
// -EncodedCommand is decoded to see what it runs).
#pragma once

#include <string>
#include <string_view>

#include "core/expected.h"

namespace attest {

// UTF-8 to UTF-16LE bytes (invalid UTF-8 bytes become U+FFFD).
std::string utf8_to_utf16le(std::string_view utf8);
// UTF-16LE bytes to UTF-8 (lone surrogates become U+FFFD; an odd last byte is dropped).
std::string utf16le_to_utf8(std::string_view bytes);
std::string base64_encode(std::string_view bytes);
// Padding and line breaks are accepted; any other character outside the alphabet is an error.
Expected<std::string> base64_decode(std::string_view text);

}  // namespace attest
