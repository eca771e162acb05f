// Byte encodings shared by the runner (PowerShell -EncodedCommand) and the detection engines
// (Sigma's base64 / wide modifiers).
#pragma once

#include <string>
#include <string_view>

#include "core/expected.h"

namespace attest {

// UTF-8 to UTF-16LE bytes (invalid UTF-8 bytes become U+FFFD).
std::string utf8_to_utf16le(std::string_view utf8);
std::string base64_encode(std::string_view bytes);
Expected<std::string> base64_decode(std::string_view text);

}  // namespace attest
