// The O365 Management Activity API client against a local HTTPS test double for Microsoft
// 365 (token endpoint, paged content listing with NextPageUri, content blobs), served with a
// throwaway self-signed certificate made for the test.
#include "telemetry/live/o365_api.h"
#include "net/https_client.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <thread>

#include "harness/transport_process.h"

using namespace attest::telemetry;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;

namespace {

// A test double for Microsoft 365: just enough of login.microsoftonline.com and
// manage.office.com to exercise the client, one connection at a time.
class FakeMicrosoft365 {
public:
    FakeMicrosoft365(const std::string& cert, const std::string& key)
        : m_ctx(ssl::context::tls_server), m_acceptor(m_io, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        m_ctx.use_certificate_chain_file(cert);
        m_ctx.use_private_key_file(key, ssl::context::pem);
        m_port = m_acceptor.local_endpoint().port();
        m_thread = std::thread([this] { serve(); });
    }
    ~FakeMicrosoft365() {
        m_stop = true;
        // close() from another thread does not wake a blocking accept() on Linux: connect once
        // so the server loop sees m_stop, then close.
        boost::system::error_code ec;
        {
            boost::asio::io_context io;
            tcp::socket wake(io);
            wake.connect({boost::asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(m_port)}, ec);
        }
        m_thread.join();
        m_acceptor.close(ec);
    }
    int port() const { return m_port; }
    std::vector<std::string> seen;  // "METHOD target [auth]"
    std::string token_body;

private:
    void serve() {
        while (!m_stop) {
            tcp::socket socket(m_io);
            boost::system::error_code ec;
            m_acceptor.accept(socket, ec);
            if (ec) return;
            try {
                beast::ssl_stream<tcp::socket&> stream(socket, m_ctx);
                stream.handshake(ssl::stream_base::server);
                beast::flat_buffer buf;
                http::request<http::string_body> req;
                http::read(stream, buf, req);
                std::string target(req.target());
                std::string auth(req[http::field::authorization]);
                seen.push_back(std::string(req.method_string()) + " " + target + " " + auth);
                http::response<http::string_body> res{http::status::ok, 11};
                res.set(http::field::content_type, "application/json");
                std::string base = "https://localhost:" + std::to_string(m_port);
                if (target == "/tenant-1/oauth2/token") {
                    token_body = req.body();
                    res.body() = R"({"token_type":"Bearer","access_token":"tok-123"})";
                } else if (auth != "Bearer tok-123") {
                    res.result(http::status::unauthorized);
                    res.body() = "{}";
                } else if (target.rfind("/api/v1.0/tenant-1/activity/feed/subscriptions/content?", 0) == 0 &&
                           target.find("nextPage") == std::string::npos) {
                    res.set("NextPageUri", base + "/api/v1.0/tenant-1/activity/feed/subscriptions/content?nextPage=2");
                    res.body() = R"([{"contentUri":")" + base + R"(/blob/1"}])";
                } else if (target.find("nextPage=2") != std::string::npos) {
                    res.body() = R"([{"contentUri":")" + base + R"(/blob/2"}])";
                } else if (target == "/blob/1") {
                    res.body() = R"([{"Id":"a","Operation":"New-InboxRule"},{"Id":"b","Operation":"MailItemsAccessed"}])";
                } else if (target == "/blob/2") {
                    res.body() = R"([{"Id":"c","Operation":"Set-InboxRule"}])";
                } else {
                    res.result(http::status::not_found);
                }
                res.prepare_payload();
                http::write(stream, res);
                beast::error_code sec;
                stream.shutdown(sec);
            } catch (const std::exception&) {
                // A client that fails verification drops the connection: keep serving.
            }
        }
    }

    boost::asio::io_context m_io;
    ssl::context m_ctx;
    tcp::acceptor m_acceptor;
    int m_port = 0;
    std::atomic<bool> m_stop{false};
    std::thread m_thread;
};

struct Certificate {
    std::string dir, cert, key;
    Certificate() {
        dir = (std::filesystem::temp_directory_path() / ("attest-o365-" + std::to_string(::getpid()))).string();
        std::filesystem::create_directories(dir);
        cert = dir + "/cert.pem";
        key = dir + "/key.pem";
        // The directory is this test's own (no quoting needed); openssl's chatter is dropped.
        std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key + " -out " +
                          cert + " -days 1 -subj /CN=localhost -addext subjectAltName=DNS:localhost" +
                          " >/dev/null 2>&1";
        ok = std::system(cmd.c_str()) == 0;
    }
    ~Certificate() { std::filesystem::remove_all(dir); }
    bool ok = false;
};

}  // namespace

TEST(O365Api, TokenPagingAndContentBlobs) {
    Certificate c;
    ASSERT_TRUE(c.ok);
    FakeMicrosoft365 fake(c.cert, c.key);
    O365ApiConfig cfg;
    cfg.tenant = "tenant-1";
    cfg.client_id = "client-9";
    cfg.client_secret_env = "ATTEST_TEST_O365_SECRET";
    cfg.login_endpoint = "https://localhost:" + std::to_string(fake.port());
    cfg.api_endpoint = "https://localhost:" + std::to_string(fake.port());
    cfg.ca_file = c.cert;
    ::setenv("ATTEST_TEST_O365_SECRET", "s3cr&t=x", 1);
    O365Client client(cfg);
    auto text = client.fetch_audit(1795338000000000000LL, 1795341600000000000LL);
    ::unsetenv("ATTEST_TEST_O365_SECRET");
    ASSERT_TRUE(text.ok()) << text.error().message;
    auto records = nlohmann::json::parse(*text);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0]["Operation"], "New-InboxRule");
    EXPECT_EQ(records[2]["Operation"], "Set-InboxRule");
    // client credentials, the secret form-encoded; listing with the time range; paging.
    EXPECT_NE(fake.token_body.find("grant_type=client_credentials"), std::string::npos);
    EXPECT_NE(fake.token_body.find("client_secret=s3cr%26t%3Dx"), std::string::npos);
    ASSERT_EQ(fake.seen.size(), 5u);
    EXPECT_NE(fake.seen[1].find("contentType=Audit.Exchange&startTime=2026-11-22T"), std::string::npos) << fake.seen[1];
    EXPECT_NE(fake.seen[1].find("Bearer tok-123"), std::string::npos);
    EXPECT_NE(fake.seen[3].find("nextPage=2"), std::string::npos);
}

TEST(O365Api, UntrustedCertificateIsRefused) {
    Certificate c;
    ASSERT_TRUE(c.ok);
    FakeMicrosoft365 fake(c.cert, c.key);
    O365ApiConfig cfg;
    cfg.tenant = "tenant-1";
    cfg.client_id = "c";
    cfg.client_secret_env = "ATTEST_TEST_O365_SECRET2";
    cfg.login_endpoint = "https://localhost:" + std::to_string(fake.port());
    cfg.api_endpoint = cfg.login_endpoint;  // no ca_file: the self-signed cert is not trusted
    ::setenv("ATTEST_TEST_O365_SECRET2", "do-not-print-me", 1);
    O365Client client(cfg);
    auto text = client.fetch_audit(0, 1);
    ::unsetenv("ATTEST_TEST_O365_SECRET2");
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.error().message.find("do-not-print-me"), std::string::npos);
    EXPECT_TRUE(fake.seen.empty());
}

TEST(O365Api, MissingSecretAndBadUrls) {
    O365ApiConfig cfg;
    cfg.tenant = "t";
    cfg.client_id = "c";
    cfg.client_secret_env = "ATTEST_TEST_NO_SUCH_VARIABLE";
    O365Client client(cfg);
    auto r = client.fetch_audit(0, 1);
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("ATTEST_TEST_NO_SUCH_VARIABLE"), std::string::npos);
    EXPECT_FALSE(attest::net::parse_https_url("http://example.com/").ok());
    auto u = attest::net::parse_https_url("https://manage.office.com:8443/api/v1.0?x=1");
    ASSERT_TRUE(u.ok());
    EXPECT_EQ(u->host, "manage.office.com");
    EXPECT_EQ(u->port, "8443");
    EXPECT_EQ(u->target, "/api/v1.0?x=1");
}
