#include "core/value.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

#include "core/json.h"

namespace attest {
namespace {

TEST(Value, SetCreatesNestedObjectsAndFindResolvesThem) {
    Event e = Value::object();
    e.set("process.parent.name", "cmd.exe");
    e.set("process.name", "powershell.exe");
    ASSERT_NE(e.find("process.parent.name"), nullptr);
    EXPECT_EQ(e.find("process.parent.name")->as_string(), "cmd.exe");
    EXPECT_EQ(e.find("process.name")->as_string(), "powershell.exe");
    EXPECT_EQ(e.find("process.parent.pid"), nullptr);
    EXPECT_EQ(e.find("process.nam"), nullptr);
    EXPECT_EQ(e.find("process.name.x"), nullptr);
}

TEST(Value, FindResolvesFlatDottedKeysAndMixes) {
    Value e = parse_json_value(R"({"winlog.event_data":{"Image":"a"},"process":{"parent.name":"b"},"x.y.z":1})");
    EXPECT_EQ(e.find("winlog.event_data.Image")->as_string(), "a");
    EXPECT_EQ(e.find("process.parent.name")->as_string(), "b");
    EXPECT_EQ(e.find("x.y.z")->as_int(), 1);
    EXPECT_EQ(e.find("x.y"), nullptr);
}

TEST(Value, FindBacktracksWhenAPrefixLeadsNowhere) {
    Value e = parse_json_value(R"({"a":{"b":1},"a.b":{"c":2}})");
    EXPECT_EQ(e.find("a.b.c")->as_int(), 2);
    EXPECT_EQ(e.find("a.b")->as_int(), 1);
}

const char* kShapes[] = {
    R"({"event":{"category":["process"],"action":"start"},"process":{"name":"a.exe","parent":{"name":"p.exe"}}})",
    // flat dotted keys, and a mix of flat and nested
    R"({"event.category":"file","process.parent.name":"flat.exe","process":{"name":"n.exe"}})",
    R"({"process.parent":{"name":"mixed.exe"},"process":{"parent":{"name":"later.exe"}}})",
    // a prefix key that fails first (its object lacks the rest), then one that resolves
    R"({"process":{"pid":1},"process.parent":{"name":"second.exe"}})",
    // arrays are not descended by find; empty keys, empty objects, scalars at the root's place
    R"({"dns":{"answers":[{"data":"1.2.3.4"},{"data":"5.6.7.8"}]},"":{"x":1},"e":{},"n":null})",
    R"({"a":{"b":{"c":{"d":"deep"}}},"a.b":{"c.d":"flat-deep"},"ab":1,"a.bc":2})",
    R"({"process":"not an object","process.name":"after-scalar"})",
    R"({})",
};

const char* kPaths[] = {"event.category", "event.action", "process.name", "process.parent.name",
                        "process.parent", "process.pid", "dns.answers.data", "dns.answers", "",
                        ".x", "e", "e.x", "n", "n.x", "a.b.c.d", "a.b", "ab", "a.bc", "a",
                        "process", "missing", "process.name.more", "a.b.c"};

// The straightforward lookup that Value::find must agree with: every key of the object, in member
// order, compared whole against the path or against the path's dotted prefix.
const Value* reference_find(const Value& v, std::string_view path) {
    if (!v.is_object()) return nullptr;
    for (const Member& m : v.as_object()) {
        std::string_view k = m.key;
        if (path == k) return &m.value;
        if (path.size() > k.size() && path.substr(0, k.size()) == k && path[k.size()] == '.')
            if (const Value* r = reference_find(m.value, path.substr(k.size() + 1))) return r;
    }
    return nullptr;
}

TEST(Value, FindGivesTheStraightforwardLookupsAnswersOnEveryShape) {
    for (const char* json : kShapes) {
        Value e = parse_json_value(json);
        for (const char* path : kPaths)
            EXPECT_EQ(e.find(path), reference_find(e, path)) << json << " path " << path;
    }
    Value scalar("x");
    EXPECT_EQ(scalar.find("x"), nullptr);
    Value arr = Value::array();
    EXPECT_EQ(arr.find("x"), nullptr);
}

TEST(Value, ForEachAtDescendsArraysOfObjects) {
    Value e = parse_json_value(R"({"dns":{"answers":[{"data":"1.1.1.1"},{"data":"2.2.2.2"}]}})");
    std::vector<std::string> seen;
    e.for_each_at("dns.answers.data", [&](const Value& v) { seen.push_back(v.as_string()); });
    EXPECT_EQ(seen, (std::vector<std::string>{"1.1.1.1", "2.2.2.2"}));
}

TEST(Value, JsonOutputEscapesControlAndInvalidUtf8) {
    Value v = Value::object();
    v.set_key("s", std::string("a\"b\\c\n\x01<\xff>\xc3\xa9", 12));
    EXPECT_EQ(v.to_json(), "{\"s\":\"a\\\"b\\\\c\\n\\u0001<\xEF\xBF\xBD>\xc3\xa9\"}");
}

// A byte-at-a-time reference for the escaper (the SSE2 fast path copies 16-byte blocks and
// may read past a short string within its page; both must write the same bytes).
std::string reference_json_string(std::string_view s) {
    std::string out = "\"";
    for (std::size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            std::size_t n = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
            bool ok = n != 0 && i + n <= s.size();
            std::uint32_t cp = n == 2 ? (c & 0x1F) : n == 3 ? (c & 0x0F) : (c & 0x07);
            for (std::size_t k = 1; ok && k < n; ++k) {
                auto cc = static_cast<unsigned char>(s[i + k]);
                ok = (cc & 0xC0) == 0x80;
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (ok)
                ok = !((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
                       cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF));
            if (ok) {
                out.append(s.substr(i, n));
                i += n;
            } else {
                out.append("\xEF\xBF\xBD");
                ++i;
            }
            continue;
        }
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out.push_back(static_cast<char>(c));
                }
        }
        ++i;
    }
    return out + "\"";
}

TEST(Value, JsonEscaperMatchesTheByteAtATimeReferenceAtEveryLengthAndOffset) {
    // Every special byte at every position of strings of 0..40 bytes, plus random mixes; the
    // strings sit at the end of a page-sized buffer too, so the fast path's page check is hit.
    const std::string specials[] = {"\"", "\\", "\n", "\x01", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
                                    "\xf0\x9f\x98\x80", "\xff", "\xc3", "\xed\xa0\x80", "\xc0\xaf"};
    std::vector<std::string> inputs;
    for (std::size_t len = 0; len <= 40; ++len) {
        inputs.push_back(std::string(len, 'a'));
        for (const auto& sp : specials)
            for (std::size_t at = 0; at <= len; ++at)
                inputs.push_back(std::string(at, 'b') + sp + std::string(len - at, 'c'));
    }
    std::uint32_t seed = 12345;
    auto rnd = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7FFF; };
    for (int k = 0; k < 3000; ++k) {
        std::string s(rnd() % 70, '\0');
        for (char& c : s) c = static_cast<char>(rnd() % 4 == 0 ? rnd() % 256 : 'a' + rnd() % 26);
        inputs.push_back(std::move(s));
    }
    std::vector<char> page(8192 + 64);
    for (const auto& in : inputs) {
        std::string expected = reference_json_string(in);
        std::string got;
        append_json_string(got, in);
        ASSERT_EQ(got, expected) << "input of " << in.size() << " bytes";
        JsonBuffer buffer;
        buffer.append("x", 1);
        // The same bytes ending exactly at a 4 KiB boundary.
        auto base = reinterpret_cast<std::uintptr_t>(page.data());
        std::uintptr_t end = (base + 4096 + 4095) & ~std::uintptr_t{4095};
        char* at = reinterpret_cast<char*>(end) - in.size();
        std::memcpy(at, in.data(), in.size());
        append_json_string(buffer, std::string_view(at, in.size()));
        ASSERT_EQ(std::string(buffer.view()), "x" + expected);
    }
}

TEST(Value, JsonRoundTripKeepsOrderAndTypes) {
    std::string text = R"({"b":1,"a":[true,null,2.5,"x"],"c":{"z":-3}})";
    EXPECT_EQ(parse_json_value(text).to_json(), text);
}

TEST(Value, EraseRemovesNestedAndFlat) {
    Value e = Value::object();
    e.set("a.b", 1);
    e.set_key("c.d", 2);
    EXPECT_TRUE(e.erase("a.b"));
    EXPECT_TRUE(e.erase("c.d"));
    EXPECT_FALSE(e.erase("a.b"));
    EXPECT_EQ(e.find("a.b"), nullptr);
}

TEST(Value, EqualityComparesNumbersByValue) {
    EXPECT_EQ(Value(1), Value(1.0));
    EXPECT_NE(Value("1"), Value(1));
    EXPECT_EQ(parse_json_value(R"({"a":1,"b":2})"), parse_json_value(R"({"b":2,"a":1})"));
}

}  // namespace
}  // namespace attest
