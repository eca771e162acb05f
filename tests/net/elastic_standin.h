// Test support for the Elasticsearch client: a throwaway CA and server certificate made with the
// openssl CLI, and the stand-in server (tests/standin/elastic_standin.cpp) started on
// 127.0.0.1, stopped by its pid. The stand-in records every request it receives.
#pragma once

#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "harness/transport_process.h"
#include "tests/harness/e2e_support.h"

namespace attest::test {

// A CA and a server certificate it signed (CN and SAN localhost / 127.0.0.1); the server
// presents the chain (server, CA).
struct StandinCertificates {
    std::string dir, ca, key, chain;
    std::string ca_fingerprint, leaf_fingerprint;  // "AB:CD:..." as openssl prints them
    bool ok = false;

    explicit StandinCertificates(const std::string& d) : dir(d) {
        std::filesystem::create_directories(dir);
        ca = dir + "/ca.pem";
        key = dir + "/server.key";
        chain = dir + "/chain.pem";
        std::string leaf = dir + "/server.pem";
        write_text(dir + "/san.cnf", "subjectAltName=DNS:localhost,IP:127.0.0.1\n");
        ok = openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                      "-nodes", "-keyout", dir + "/ca.key", "-out", ca, "-days", "1", "-subj",
                      "/CN=attest test CA"}) &&
             openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                      "-keyout", key, "-out", dir + "/server.csr", "-subj", "/CN=localhost"}) &&
             openssl({"x509", "-req", "-in", dir + "/server.csr", "-CA", ca, "-CAkey",
                      dir + "/ca.key", "-CAcreateserial", "-out", leaf, "-days", "1", "-extfile",
                      dir + "/san.cnf"});
        if (!ok) return;
        write_text(chain, read_text(leaf) + read_text(ca));
        ca_fingerprint = fingerprint(ca);
        leaf_fingerprint = fingerprint(leaf);
        ok = !ca_fingerprint.empty() && !leaf_fingerprint.empty();
    }

private:
    static bool openssl(std::vector<std::string> args) {
        run::ProcessRequest r;
        r.argv = {"openssl"};
        r.argv.insert(r.argv.end(), args.begin(), args.end());
        r.timeout = std::chrono::seconds(60);
        auto p = run::run_process(r);
        return p && p->exit_code == 0;
    }
    static std::string fingerprint(const std::string& pem) {
        run::ProcessRequest r;
        r.argv = {"openssl", "x509", "-in", pem, "-noout", "-fingerprint", "-sha256"};
        auto p = run::run_process(r);
        if (!p || p->exit_code != 0) return "";
        auto eq = p->stdout_text.find('=');
        std::string fp = p->stdout_text.substr(eq + 1);
        while (!fp.empty() && (fp.back() == '\n' || fp.back() == '\r')) fp.pop_back();
        return fp;
    }
};

// Every file under `dir`, concatenated (results, journal, reports): where a test looks for a
// credential that must not be there.
inline std::string everything_under(const std::string& dir) {
    std::string all;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir))
        if (e.is_regular_file()) all += read_text(e.path().string());
    return all;
}

// The stand-in, running until destroyed.
class ElasticStandin {
public:
    ElasticStandin(const std::string& dir, const StandinCertificates& certs,
                   std::vector<std::string> extra = {})
        : m_dir(dir) {
        std::filesystem::create_directories(dir);
        std::string port_file = dir + "/port";
        std::filesystem::remove(port_file);
        std::vector<std::string> argv = {
            ATTEST_ELASTIC_STANDIN, "--cert",  certs.chain, "--key",        certs.key,
            "--port-file",          port_file, "--record",  requests_path()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        m_pid = spawn(argv, dir + "/standin.log");
        for (int i = 0; i < 200 && !std::filesystem::exists(port_file); ++i)
            std::this_thread::sleep_for(std::chrono::milliseconds(25));
        std::string text = read_text(port_file);
        m_port = text.empty() ? 0 : std::stoi(text);
    }
    ~ElasticStandin() {
        if (m_pid > 0) {
            ::kill(m_pid, SIGTERM);
            int status;
            ::waitpid(m_pid, &status, 0);
        }
    }
    int port() const { return m_port; }
    std::string url() const { return "https://localhost:" + std::to_string(m_port); }
    std::string requests_path() const { return m_dir + "/requests.ndjson"; }
    // Every request received so far: {"method","target","content_type","auth","body"}.
    std::vector<nlohmann::json> requests() const {
        std::vector<nlohmann::json> out;
        std::istringstream in(read_text(requests_path()));
        std::string line;
        while (std::getline(in, line))
            if (!line.empty()) out.push_back(nlohmann::json::parse(line));
        return out;
    }

private:
    std::string m_dir;
    pid_t m_pid = -1;
    int m_port = 0;
};

}  // namespace attest::test
