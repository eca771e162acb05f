// The Office 365 Management Activity API, read-only: OAuth2 client credentials at the login
// endpoint, then the content blobs of a content type (Audit.Exchange) between two times,
// following NextPageUri paging, each blob a JSON array of audit records.
// HTTPS through net/https_client.h; the peer certificate and host name are verified.
// The client secret comes from the environment variable the lab names and never appears in
// errors or logs.
#pragma once

#include <cstdint>
#include <string>

#include "core/expected.h"

namespace attest::telemetry {

// A lab's `o365: {api: ...}` (harness/lab.h reads it).
struct O365ApiConfig {
    std::string tenant;
    std::string client_id;
    std::string client_secret_env;  // name of the environment variable holding the secret
    std::string login_endpoint = "https://login.microsoftonline.com";
    std::string api_endpoint = "https://manage.office.com";
    std::string content_type = "Audit.Exchange";
    std::string ca_file;  // extra trusted CA (tests; private PKI)
};

class O365Client {
public:
    explicit O365Client(O365ApiConfig config) : m_config(std::move(config)) {}
    // All records of content created in [from_ns, to_ns], as one JSON array (text).
    Expected<std::string> fetch_audit(std::int64_t from_ns, std::int64_t to_ns);
    std::uint64_t requests() const { return m_requests; }

private:
    Expected<std::string> token();
    struct Response {
        int status = 0;
        std::string body;
        std::string next_page;  // NextPageUri header
    };
    Expected<Response> request(const std::string& method, const std::string& url,
                               const std::string& body, const std::string& content_type,
                               const std::string& bearer);

    O365ApiConfig m_config;
    std::string m_token;
    std::uint64_t m_requests = 0;
};

}  // namespace attest::telemetry
