// Tests for core/value_writer.h: writing over an old value gives exactly what was written.
#include "core/value_writer.h"

#include <gtest/gtest.h>

namespace attest {
namespace {

Value parse_like(std::initializer_list<std::pair<std::string, Value>> members) {
    Value v = Value::object();
    for (const auto& [k, m] : members) put_member(v, k, m);
    return v;
}

TEST(ValueWriter, OverwritesKeysValuesAndDropsWhatIsLeftOver) {
    Value old = parse_like({{"a", Value("a long string that is not inline in std::string")},
                            {"b", Value(1)},
                            {"c", parse_like({{"x", Value(true)}, {"y", Value(2)}})},
                            {"d", Value("gone")}});
    const char* buffer = old.as_object()[0].value.as_string().data();
    {
        ObjectWriter w(old);
        w.put("a", "reuses the buffer of the long string");
        w.put("z") = Value(nullptr);
        {
            ObjectWriter c(w.put("c"));
            c.put("x", std::int64_t{5});
        }
    }
    EXPECT_EQ(old.to_json(),
              R"({"a":"reuses the buffer of the long string","z":null,"c":{"x":5}})");
    EXPECT_EQ(old.as_object()[0].value.as_string().data(), buffer);
}

TEST(ValueWriter, WritesOverValuesOfAnyKindAndGrows) {
    for (Value old :
         {Value(), Value(3), Value("s"), Value::array(), parse_like({{"k", Value(1)}})}) {
        {
            ObjectWriter w(old);
            {
                ArrayWriter arr(w.put("k"));
                arr.push("one");
                arr.push() = Value(2);
            }
            w.put("n", std::int64_t{-1});
            EXPECT_EQ(w.size(), 2u);
            ASSERT_NE(w.written("n"), nullptr);
            EXPECT_EQ(w.written("missing"), nullptr);
            w.at(1) = Value("patched");
        }
        EXPECT_EQ(old.to_json(), R"({"k":["one",2],"n":"patched"})");
    }
}

TEST(ValueWriter, ArraysShrinkToWhatWasPushed) {
    Value old = Value::array();
    for (int i = 0; i < 5; ++i) old.push_back(Value(i));
    {
        ArrayWriter arr(old);
        arr.push("first");
    }
    EXPECT_EQ(old.to_json(), R"(["first"])");
    {
        ObjectWriter w(old);  // an array written over as an object
    }
    EXPECT_EQ(old.to_json(), "{}");
}

}  // namespace
}  // namespace attest
