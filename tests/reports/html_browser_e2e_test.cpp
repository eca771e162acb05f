// Renders a report full of hostile telemetry and opens it in real headless Chromium, driven
// over the DevTools protocol (--remote-debugging-pipe): no injected script may run (no title
// change, no global marker, no request to a loopback listener of ours), every payload must be
// shown as text, the matrix must be laid out, and screenshots at desktop and phone width must
// not be blank. Set ATTEST_KEEP_SCREENSHOTS=DIR to keep the screenshots for a look.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "reports/reports.h"
#include "tests/reports/png_reader.h"
#include "tests/reports/results_builder.h"

namespace attest::reports {
namespace {

using namespace testing;
using Clock = std::chrono::steady_clock;

std::string find_chromium() {
    for (const char* p : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"})
        if (::access(p, X_OK) == 0) return p;
    return "";
}

// Counts every TCP connection to 127.0.0.1:port: any request means a payload reached out.
class LoopbackListener {
public:
    LoopbackListener() {
        m_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
        ::listen(m_fd, 16);
        socklen_t len = sizeof addr;
        ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&addr), &len);
        m_port = ntohs(addr.sin_port);
        m_thread = std::thread([this] {
            while (!m_stop) {
                pollfd p{m_fd, POLLIN, 0};
                if (::poll(&p, 1, 100) > 0) {
                    int c = ::accept4(m_fd, nullptr, nullptr, SOCK_CLOEXEC);
                    if (c >= 0) {
                        ++m_hits;
                        ::close(c);
                    }
                }
            }
        });
    }
    ~LoopbackListener() {
        m_stop = true;
        m_thread.join();
        ::close(m_fd);
    }
    int port() const { return m_port; }
    int hits() const { return m_hits; }

private:
    int m_fd = -1, m_port = 0;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_hits{0};
    std::thread m_thread;
};

std::string base64_decode(const std::string& in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+') return 62;
        if (c == '/') return 63;
        return -1;
    };
    std::string out;
    int bits = 0;
    std::uint32_t acc = 0;
    for (char c : in) {
        int v = val(c);
        if (v < 0) continue;
        acc = (acc << 6) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((acc >> bits) & 0xFF));
        }
    }
    return out;
}

// Chromium with its DevTools protocol on fds 3 (commands in) and 4 (messages out).
class Browser {
public:
    bool start(const std::string& binary, const std::filesystem::path& profile, const std::string& url) {
        int to_browser[2], from_browser[2];
        if (::pipe2(to_browser, O_CLOEXEC) != 0 || ::pipe2(from_browser, O_CLOEXEC) != 0) return false;
        m_pid = ::fork();
        if (m_pid < 0) return false;
        if (m_pid == 0) {
            ::setpgid(0, 0);  // its own group, so the test can end the browser and its helpers
            ::dup2(to_browser[0], 3);
            ::dup2(from_browser[1], 4);
            // dup2 onto the same number keeps O_CLOEXEC (when the pipe already was fd 3).
            ::fcntl(3, F_SETFD, 0);
            ::fcntl(4, F_SETFD, 0);
            int devnull = ::open("/dev/null", O_RDWR);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
            std::string profile_arg = "--user-data-dir=" + profile.string();
            const char* argv[] = {binary.c_str(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                  "--no-first-run", "--disable-background-networking", "--disable-component-update",
                                  "--disable-sync", "--hide-scrollbars", "--remote-debugging-pipe",
                                  "--window-size=1366,900", profile_arg.c_str(), url.c_str(), nullptr};
            ::execv(binary.c_str(), const_cast<char* const*>(argv));
            ::_exit(127);
        }
        ::close(to_browser[0]);
        ::close(from_browser[1]);
        m_in = to_browser[1];
        m_out = from_browser[0];
        return true;
    }

    ~Browser() { stop(); }

    void stop() {
        if (m_pid > 0) {
            if (m_in >= 0) send("Browser.close", nlohmann::json::object());
            auto deadline = Clock::now() + std::chrono::seconds(5);
            int status;
            while (::waitpid(m_pid, &status, WNOHANG) == 0) {
                if (Clock::now() > deadline) {
                    ::kill(-m_pid, SIGKILL);
                    ::waitpid(m_pid, &status, 0);
                    break;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            ::kill(-m_pid, SIGKILL);  // helpers (renderer, zygote) left in the group
            m_pid = -1;
        }
        if (m_in >= 0) ::close(m_in);
        if (m_out >= 0) ::close(m_out);
        m_in = m_out = -1;
    }

    // Sends a command and waits for its answer; events in between are ignored.
    nlohmann::json send(const std::string& method, const nlohmann::json& params, const std::string& session = "",
                        int timeout_ms = 20000) {
        int id = ++m_next_id;
        nlohmann::json msg = {{"id", id}, {"method", method}, {"params", params}};
        if (!session.empty()) msg["sessionId"] = session;
        std::string text = msg.dump();
        text.push_back('\0');
        if (::write(m_in, text.data(), text.size()) != static_cast<ssize_t>(text.size())) return nullptr;
        auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
        while (Clock::now() < deadline) {
            auto zero = m_buffer.find('\0');
            if (zero != std::string::npos) {
                auto reply = nlohmann::json::parse(m_buffer.substr(0, zero), nullptr, false);
                m_buffer.erase(0, zero + 1);
                if (reply.is_object() && reply.value("id", -1) == id) return reply;
                continue;
            }
            pollfd p{m_out, POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            char buf[65536];
            ssize_t n = ::read(m_out, buf, sizeof buf);
            if (n <= 0) return nullptr;
            m_buffer.append(buf, static_cast<std::size_t>(n));
        }
        return nullptr;
    }

    nlohmann::json evaluate(const std::string& session, const std::string& expression) {
        auto r = send("Runtime.evaluate", {{"expression", expression}, {"returnByValue", true}}, session);
        return r.is_object() ? r["result"]["result"].value("value", nlohmann::json()) : nlohmann::json();
    }

private:
    pid_t m_pid = -1;
    int m_in = -1, m_out = -1, m_next_id = 0;
    std::string m_buffer;
};

class HtmlBrowserTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_chromium = find_chromium();
        if (m_chromium.empty()) GTEST_SKIP() << "chromium not installed (scripts/install-deps.sh installs it)";
        m_dir = std::filesystem::temp_directory_path() / ("attest-browser-e2e-" + std::to_string(::getpid()));
        std::filesystem::remove_all(m_dir);
        std::filesystem::create_directories(m_dir / "profile");
    }
    void TearDown() override {
        if (!m_dir.empty()) std::filesystem::remove_all(m_dir);
    }
    std::string m_chromium;
    std::filesystem::path m_dir;
};

// Attaches to the report's page; "" when chromium shows none.
std::string attach_to_page(Browser& browser) {
    std::string target_id;
    for (int attempt = 0; attempt < 300 && target_id.empty(); ++attempt) {  // a loaded CI machine is slow
        auto targets = browser.send("Target.getTargets", json::object());
        if (!targets.is_object()) {
            ADD_FAILURE() << "no answer from chromium over the DevTools pipe";
            return "";
        }
        for (const auto& t : targets["result"]["targetInfos"])
            if (t.value("type", "") == "page" && t.value("url", "").starts_with("file://")) target_id = t["targetId"];
        if (target_id.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (target_id.empty()) {
        ADD_FAILURE() << "chromium shows no file:// page";
        return "";
    }
    auto attached = browser.send("Target.attachToTarget", {{"targetId", target_id}, {"flatten", true}});
    if (!attached.is_object()) ADD_FAILURE() << "no answer to Target.attachToTarget";
    return attached.is_object() ? attached["result"].value("sessionId", "") : "";
}

// Waits for the load and for the report's own script (it fills #shown-count); its text.
std::string wait_for_report_script(Browser& browser, const std::string& session) {
    std::string count;
    for (int attempt = 0; attempt < 300 && count.empty(); ++attempt) {
        auto v = browser.evaluate(session,
                                  "document.readyState === 'complete' && document.getElementById('shown-count') ? "
                                  "document.getElementById('shown-count').textContent : ''");
        count = v.is_string() ? v.get<std::string>() : "";
        if (count.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return count;
}

json hostile_results(int port) {
    std::string hit = "http://127.0.0.1:" + std::to_string(port);
    const std::vector<std::string> payloads = {
        "<script>document.title='PWNED';window.__pwned=1;fetch('" + hit + "/script')</script>",
        "\"><img src=x onerror=\"document.title='PWNED';window.__pwned=2;fetch('" + hit + "/img')\">",
        "</textarea><img src=\"" + hit + "/textarea\" onerror=\"window.__pwned=3\">",
        "javascript:window.__pwned=4;fetch('" + hit + "/js')",
        "</script><script>window.__pwned=5;fetch('" + hit + "/json')</script>",
        "'\" onmouseover='window.__pwned=6' autofocus onfocus='window.__pwned=7'",
        "<svg onload=\"window.__pwned=8\"></svg><iframe src=\"" + hit + "/frame\"></iframe>",
    };
    json scenarios = json::array();
    for (std::size_t i = 0; i < payloads.size(); ++i) {
        const auto& p = payloads[i];
        json s = make_scenario("g" + std::to_string(i), "T1059.001", i % 3 == 0 ? "passed" : "failed");
        s["name"] = "scenario " + std::to_string(i) + " " + p;
        s["reason"] = p;
        s["target"] = p;
        s["execution"]["command"] = "powershell -c \"" + p + "\"";
        s["execution"]["stdout"] = p;
        s["execution"]["stderr"] = p;
        s["arguments"] = {{"url", p}};
        s["prerequisites"] = json::array({{{"description", p}, {"met", true}, {"output", p}}});
        s["cleanup"]["output"] = p;
        auto& e = s["expectations"][0];
        e["id"] = p;
        e["description"] = p;
        e["query"] = p;
        e["evidence"] = json::array({make_event("2026-11-22T08:30:02.000Z", p)});
        e["evidence"][0]["powershell"] = {{"file", {{"script_block_text", p}}}};
        e["evidence"][0]["attest"]["origin"] = p;
        e["near_misses"] = json::array({{{"failed_clause", p}, {"event", make_event("2026-11-22T08:30:03.000Z", p)}}});
        s["detections"] = json::array({{{"rule", p}, {"name", p}, {"expected", "fires"}, {"verdict", "not_fired"},
                                        {"passed", false}, {"reason", p}, {"hits", 0}}});
        scenarios.push_back(s);
    }
    json results = make_results("run-hostile", "2026-11-22T08:30:00.000Z", scenarios);
    results["run"]["lab"] = "</title><script>window.__pwned=9</script>";
    results["run"]["pack"] = payloads[0];
    return results;
}

const std::vector<std::string>& visible_payload_fragments() {
    static const std::vector<std::string> fragments = {"<script>document.title='PWNED';", "\"><img src=x onerror=",
                                                       "</textarea><img src=", "javascript:window.__pwned=4",
                                                       "</script><script>window.__pwned=5", "onmouseover='window.__pwned=6'",
                                                       "<svg onload=\"window.__pwned=8\"></svg><iframe"};
    return fragments;
}

TEST_F(HtmlBrowserTest, HostilePayloadsDoNotRunAndShowAsText) {
    LoopbackListener listener;
    ReportOptions options;
    options.formats = {"html"};
    auto written = write_all_reports(hostile_results(listener.port()), m_dir, options);
    ASSERT_TRUE(written) << written.error().message;
    std::string url = "file://" + (m_dir / "report.html").string();

    Browser browser;
    ASSERT_TRUE(browser.start(m_chromium, m_dir / "profile", url));
    std::string session = attach_to_page(browser);
    ASSERT_FALSE(session.empty());
    std::string count = wait_for_report_script(browser, session);
    EXPECT_EQ(count, "showing 7 of 7 scenarios") << "the report's own script did not run";
    std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let any stray handler fire

    auto state = browser.evaluate(session, R"js(JSON.stringify({
        title: document.title,
        pwned: window.__pwned === undefined ? null : window.__pwned,
        injected: document.querySelectorAll('img, iframe, textarea, object, embed, body svg:not(.timeline):not(.trend), script:not([type]):not(:last-of-type)').length,
        handlers: document.querySelectorAll('[onerror],[onload],[onmouseover],[onfocus],[autofocus]').length,
        jsLinks: Array.from(document.querySelectorAll('a[href]')).filter(a => !a.getAttribute('href').startsWith('#')).length,
        scripts: document.scripts.length,
        text: document.body.textContent,
        matrix: (() => { const t = document.querySelector('table.matrix'); if (!t) return null;
                         const r = t.getBoundingClientRect(); return [r.width, r.height]; })(),
        rows: document.querySelectorAll('table.matrix tbody tr').length
    }))js");
    ASSERT_TRUE(state.is_string()) << state.dump();
    auto s = json::parse(state.get<std::string>());
    EXPECT_EQ(s["title"], "attest report run-hostile");
    EXPECT_TRUE(s["pwned"].is_null()) << "injected script ran: " << s["pwned"];
    EXPECT_EQ(s["injected"], 0);
    EXPECT_EQ(s["handlers"], 0);
    EXPECT_EQ(s["jsLinks"], 0);
    EXPECT_EQ(s["scripts"], 2);  // the JSON data block and the report's script
    std::string text = s["text"];
    for (const auto& fragment : visible_payload_fragments())
        EXPECT_NE(text.find(fragment), std::string::npos) << "payload not shown as text: " << fragment;
    ASSERT_TRUE(s["matrix"].is_array());
    EXPECT_GT(s["matrix"][0].get<double>(), 300);
    EXPECT_GT(s["matrix"][1].get<double>(), 100);
    EXPECT_EQ(s["rows"], 7);

    // The failure filter hides passed scenarios.
    auto filtered = browser.evaluate(session, R"js(document.getElementById('only-failures').click(),
        JSON.stringify({count: document.getElementById('shown-count').textContent,
                        visibleRows: Array.from(document.querySelectorAll('table.matrix tbody tr')).filter(r => r.offsetParent !== null).length}))js");
    ASSERT_TRUE(filtered.is_string());
    auto f = json::parse(filtered.get<std::string>());
    EXPECT_EQ(f["count"], "showing 4 of 7 scenarios");
    EXPECT_EQ(f["visibleRows"], 4);
    browser.evaluate(session, "document.getElementById('only-failures').click(); window.scrollTo(0, 0); 0");

    // Screenshots: desktop and phone width, decoded and checked for content.
    const char* keep = std::getenv("ATTEST_KEEP_SCREENSHOTS");
    struct Viewport {
        const char* name;
        int width, height;
        bool mobile;
    };
    for (const Viewport& vp : {Viewport{"desktop", 1366, 900, false}, Viewport{"phone", 390, 844, true}}) {
        browser.send("Emulation.setDeviceMetricsOverride",
                     {{"width", vp.width}, {"height", vp.height}, {"deviceScaleFactor", 1}, {"mobile", vp.mobile}}, session);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        auto matrix_width = browser.evaluate(session, "document.querySelector('table.matrix').getBoundingClientRect().width");
        // Long telemetry must wrap, not widen the page (a phone would zoom out to fit it).
        auto page_width = browser.evaluate(session, "document.documentElement.scrollWidth");
        EXPECT_LE(page_width.is_number() ? page_width.get<int>() : 1 << 20, vp.width) << vp.name;
        EXPECT_GT(matrix_width.is_number() ? matrix_width.get<double>() : 0.0, 100) << vp.name;
        auto shot = browser.send("Page.captureScreenshot", {{"format", "png"}}, session);
        ASSERT_TRUE(shot.is_object() && shot["result"].contains("data")) << vp.name << ": " << shot.dump().substr(0, 300);
        std::string png = base64_decode(shot["result"]["data"].get<std::string>());
        if (keep) std::ofstream(std::filesystem::path(keep) / (std::string("report-") + vp.name + ".png"), std::ios::binary) << png;
        Image img;
        std::string why;
        ASSERT_TRUE(decode_png(png, img, why)) << vp.name << ": " << why;
        EXPECT_EQ(img.width, static_cast<std::uint32_t>(vp.width)) << vp.name;
        EXPECT_EQ(img.height, static_cast<std::uint32_t>(vp.height)) << vp.name;
        EXPECT_GT(luminance_variance(img), 200.0) << vp.name << " screenshot looks blank";
    }
    // No request reached the loopback listener at any point.
    EXPECT_EQ(listener.hits(), 0);
    browser.stop();
}

// The demo's shape (scripts/demo.sh on the local lab): a few Linux scenarios ran, one of them
// "passed" although its attack step failed (an upload rejected with 501), and the pack's many
// Windows scenarios were skipped, listed first in pack order.
json demo_results() {
    json scenarios = json::array();
    for (int i = 0; i < 12; ++i) {
        json s = make_scenario("w" + std::to_string(i), "T1114.001", "skipped", "local");
        s.erase("execution");
        s.erase("cleanup");
        s["reason"] = "platform windows not supported by target local (linux)";
        s["expectations"][0]["verdict"] = "not_collected";
        scenarios.push_back(s);
    }
    json ran = make_scenario("l1", "T1114.003", "passed", "local");
    ran["expectations"][0]["evidence"] = json::array({make_event("2026-11-22T08:30:02.000Z", "tar czf /tmp/mail.tgz")});
    ran["expectations"][0]["evidence"][0]["process"]["name"] = "tar";
    ran["expectations"][0]["query"] = "process where process.name == \"tar\" and process.command_line : \"*mail*\"";
    json upload = make_scenario("l2", "T1048.003", "passed", "local");
    upload["execution"]["exit_code"] = 22;
    upload["execution"]["stderr"] = "curl: (22) The requested URL returned error: 501";
    json failed = make_scenario("l3", "T1005", "failed", "local");
    scenarios.push_back(ran);
    scenarios.push_back(upload);
    scenarios.push_back(failed);
    json results = make_results("demo", "2026-11-22T08:30:00.000Z", scenarios);
    results["run"]["telemetry"] = {"/var/log/audit/audit.log"};
    results["run"]["telemetry_stats"] = {{"events", 147000}, {"skipped_records", 1499}, {"out_of_order", 127836}, {"untimed", 0}};
    return results;
}

struct LayoutCheck {
    const char* name;
    int width, height;
    bool mobile;
};

// Opens a report, then at desktop and phone width: the first screen shows a scenario that ran,
// skipped rows are collapsed, timelines have axis ticks, nothing overflows horizontally.
void check_layout(const std::string& chromium, const std::filesystem::path& dir, const std::filesystem::path& report,
                  const std::string& label, bool has_skipped) {
    Browser browser;
    std::filesystem::create_directories(dir / ("profile-" + label));
    ASSERT_TRUE(browser.start(chromium, dir / ("profile-" + label), "file://" + report.string()));
    std::string session = attach_to_page(browser);
    ASSERT_FALSE(session.empty());
    ASSERT_FALSE(wait_for_report_script(browser, session).empty()) << label;
    const char* keep = std::getenv("ATTEST_KEEP_SCREENSHOTS");
    for (const LayoutCheck& vp : {LayoutCheck{"desktop", 1366, 900, false}, LayoutCheck{"phone", 390, 844, true}}) {
        browser.send("Emulation.setDeviceMetricsOverride",
                     {{"width", vp.width}, {"height", vp.height}, {"deviceScaleFactor", 1}, {"mobile", vp.mobile}}, session);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        auto state = browser.evaluate(session, R"js(JSON.stringify((() => {
            const rows = Array.from(document.querySelectorAll('table.matrix tbody tr'));
            // checkVisibility: a closed <details> hides its content without display:none.
            const shown = r => r.checkVisibility ? r.checkVisibility() : r.offsetParent !== null;
            const visible = rows.filter(shown);
            const first = visible[0];
            const skippedGroup = document.querySelector('details.skipped-rows');
            return {
              scrollWidth: document.documentElement.scrollWidth,
              firstVerdict: first ? first.dataset.verdict : null,
              firstTop: first ? first.getBoundingClientRect().top : null,
              viewport: window.innerHeight,
              skippedVisible: visible.filter(r => r.dataset.verdict === 'skipped').length,
              skippedRows: rows.filter(r => r.dataset.verdict === 'skipped').length,
              skippedGroupOpen: skippedGroup ? skippedGroup.open : null,
              timelines: document.querySelectorAll('svg.timeline').length,
              axisTicks: document.querySelectorAll('svg.timeline g.axis line.tick').length,
              axisLabels: Array.from(document.querySelectorAll('svg.timeline g.axis text')).map(t => t.textContent).slice(0, 8)
            }; })()))js");
        ASSERT_TRUE(state.is_string()) << label << " " << vp.name << ": " << state.dump();
        auto st = json::parse(state.get<std::string>());
        std::string where = label + " at " + vp.name + ": " + st.dump();
        EXPECT_LE(st["scrollWidth"].get<int>(), vp.width) << where;
        ASSERT_TRUE(st["firstVerdict"].is_string()) << where;
        EXPECT_NE(st["firstVerdict"], "skipped") << where;
        EXPECT_LT(st["firstTop"].get<double>(), st["viewport"].get<double>()) << "first screen: " << where;
        EXPECT_EQ(st["skippedVisible"], 0) << where;
        if (has_skipped) {
            EXPECT_GT(st["skippedRows"].get<int>(), 0) << where;
            EXPECT_EQ(st["skippedGroupOpen"], false) << where;
        }
        ASSERT_GT(st["timelines"].get<int>(), 0) << where;
        EXPECT_GE(st["axisTicks"].get<int>(), 2 * st["timelines"].get<int>()) << where;
        auto shot = browser.send("Page.captureScreenshot", {{"format", "png"}}, session);
        ASSERT_TRUE(shot.is_object() && shot["result"].contains("data")) << where;
        std::string png = base64_decode(shot["result"]["data"].get<std::string>());
        if (keep) std::ofstream(std::filesystem::path(keep) / (label + "-" + vp.name + ".png"), std::ios::binary) << png;
        Image img;
        std::string why;
        ASSERT_TRUE(decode_png(png, img, why)) << where << ": " << why;
        EXPECT_GT(luminance_variance(img), 200.0) << where << " screenshot looks blank";
    }
    browser.stop();
}

TEST_F(HtmlBrowserTest, DemoReportShowsWhatRanFirstAtDesktopAndPhoneWidth) {
    ReportOptions options;
    options.formats = {"html"};
    auto written = write_all_reports(demo_results(), m_dir, options);
    ASSERT_TRUE(written) << written.error().message;
    check_layout(m_chromium, m_dir, m_dir / "report.html", "demo", true);
}

// A real failed check through the binary: a run-info window that closes before the staged copies.
TEST_F(HtmlBrowserTest, FailedCheckReportAtDesktopAndPhoneWidth) {
    std::string src = ATTEST_SOURCE_DIR;
    std::ofstream(m_dir / "run-info.json") << R"({"host": "ATTEST-WIN10", "scenarios": [{"guid": "23df3cbb-43ee-4bd5-a013-21ce438ed77f",
        "start": "2026-11-20T10:00:00.900Z", "end": "2026-11-20T10:00:01.100Z", "cleanup_start": "2026-11-20T10:00:01.500Z"}]})";
    std::string cmd = std::string(ATTEST_BINARY) + " check --quiet --pack " + src + "/scenarios/t1114 --run-info " +
                      (m_dir / "run-info.json").string() + " --telemetry " + src +
                      "/tests/data/t1114/synthetic_s1_sysmon.xml --out " + (m_dir / "check").string() + " >/dev/null 2>&1";
    int status = std::system(cmd.c_str());
    ASSERT_EQ(WEXITSTATUS(status), 1) << "the check should fail";
    check_layout(m_chromium, m_dir, m_dir / "check" / "report.html", "failed-check", false);
}

}  // namespace
}  // namespace attest::reports
