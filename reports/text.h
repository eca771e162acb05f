// Escaping and tolerant reading shared by the formatters. Telemetry is attacker-controlled:
// every string that reaches a document goes through one of the escapers below, which also
// repair invalid UTF-8 and make characters the target format forbids visible as "\xNN".
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace attest::reports {

// HTML text content: & < > escaped; invalid UTF-8 becomes U+FFFD; control characters other
// than tab / newline / carriage return (and noncharacters) become the visible text "\xNN".
void append_html_text(std::string& out, std::string_view s);
// HTML attribute values (always double-quoted by the caller): additionally " ' ` escaped.
void append_html_attr(std::string& out, std::string_view s);
std::string html_text(std::string_view s);
std::string html_attr(std::string_view s);

// XML 1.0 text / attribute content. Characters XML 1.0 forbids (C0 controls other than tab,
// newline, carriage return; U+FFFE, U+FFFF) cannot be escaped there at all, so they become the
// text "\xNN"; in attributes, tab / newline / carriage return are written as character
// references so that attribute-value normalisation keeps them.
void append_xml_text(std::string& out, std::string_view s);
void append_xml_attr(std::string& out, std::string_view s);

// JSON for an inline <script type="application/json"> block: never contains "<", ">", "&",
// U+2028 or U+2029 literally, so no "</script>" or "<!--" can end or confuse the block.
std::string json_for_script(const nlohmann::json& j);

// Replaces invalid UTF-8 with U+FFFD (for formats that carry text verbatim, like JSON).
std::string valid_utf8(std::string_view s);

// Cuts s to at most max_bytes on a UTF-8 boundary; `rest` receives the bytes cut off.
std::string_view cut_utf8(std::string_view s, std::size_t max_bytes, std::size_t& rest);

// Tolerant accessors: a missing member, a non-object parent or a mistyped value gives the
// fallback, never an exception.
const nlohmann::json& member(const nlohmann::json& j, const char* key);
const nlohmann::json& list(const nlohmann::json& j, const char* key);  // [] unless an array
std::string text(const nlohmann::json& j, const char* key, std::string fallback = "");
std::int64_t integer(const nlohmann::json& j, const char* key, std::int64_t fallback = 0);
bool flag(const nlohmann::json& j, const char* key, bool fallback = false);
bool has(const nlohmann::json& j, const char* key);
// A detection's SIEM outcome on one line ("elastic: fired, alert latency 1.2 s"); ""
// when the detection was not checked in a SIEM.
std::string siem_summary(const nlohmann::json& detection);
// Whether a detection behaved as expected both locally and, when checked, in the SIEM.
bool detection_passed(const nlohmann::json& detection);
// Any JSON value as display text: strings as-is, others compact JSON (invalid UTF-8 replaced).
std::string display(const nlohmann::json& j);
// Compact / pretty JSON dump that never throws on invalid UTF-8 (replaced with U+FFFD).
std::string dump_json(const nlohmann::json& j, int indent = -1);
std::string dump_json(const nlohmann::ordered_json& j, int indent = -1);

}  // namespace attest::reports
