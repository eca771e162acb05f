#include "harness/cli.h"

namespace attest::cli {

Registry& Registry::instance() {
    static Registry* r = [] {
        auto* reg = new Registry();
        register_builtin_commands(*reg);
        return reg;
    }();
    return *r;
}

void Registry::add(Command c) { m_commands.push_back(std::move(c)); }

const Command* Registry::find(std::string_view name) const {
    for (const auto& c : m_commands)
        if (c.name == name) return &c;
    return nullptr;
}

Options& Options::flag(std::string name) {
    m_declared[std::move(name)] = Kind::Flag;
    return *this;
}
Options& Options::option(std::string name) {
    m_declared[std::move(name)] = Kind::Option;
    return *this;
}
Options& Options::multi(std::string name) {
    m_declared[std::move(name)] = Kind::Multi;
    return *this;
}

void Options::parse(const std::vector<std::string>& args) {
    bool only_positionals = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (only_positionals || a.size() < 2 || a[0] != '-' || a == "-") {
            m_positionals.push_back(a);
            continue;
        }
        if (a == "--") {
            only_positionals = true;
            continue;
        }
        if (a == "-h" || a == "--help") {
            m_help = true;
            continue;
        }
        std::string name = a.substr(a[1] == '-' ? 2 : 1);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name = name.substr(0, eq);
        }
        auto it = m_declared.find(name);
        if (it == m_declared.end()) throw UsageError{"unknown option '" + a + "'"};
        if (it->second == Kind::Flag) {
            if (inline_value) throw UsageError{"option --" + name + " takes no value"};
            m_values[name].push_back("true");
            continue;
        }
        std::string value;
        if (inline_value) {
            value = *inline_value;
        } else {
            if (i + 1 >= args.size()) throw UsageError{"option --" + name + " needs a value"};
            value = args[++i];
        }
        if (it->second == Kind::Option) m_values[name].clear();
        m_values[name].push_back(std::move(value));
    }
}

bool Options::has(const std::string& name) const {
    auto it = m_values.find(name);
    return it != m_values.end() && !it->second.empty();
}

std::optional<std::string> Options::get(const std::string& name) const {
    auto it = m_values.find(name);
    if (it == m_values.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::string Options::get_or(const std::string& name, std::string fallback) const {
    auto v = get(name);
    return v ? *v : std::move(fallback);
}

const std::vector<std::string>& Options::all(const std::string& name) const {
    static const std::vector<std::string> empty;
    auto it = m_values.find(name);
    return it == m_values.end() ? empty : it->second;
}

}  // namespace attest::cli
