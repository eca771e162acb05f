// What the VM lab tests share (ctest label `vm`): the lab image, built when absent and cached
// outside the clone, and the qemu processes a test checks are gone.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "e2e_support.h"

namespace attest::test {

// Processes whose command line names the lab VM of `name` (qemu -name attest-NAME).
inline std::vector<pid_t> qemu_processes(const std::string& name) {
    std::vector<pid_t> out;
    for (const auto& e : std::filesystem::directory_iterator("/proc")) {
        std::string pid = e.path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmd = read_text(e.path().string() + "/cmdline");
        std::replace(cmd.begin(), cmd.end(), '\0', ' ');
        if (cmd.find("qemu-system") != std::string::npos &&
            cmd.find(" attest-" + name + " ") != std::string::npos)
            out.push_back(std::stoi(pid));
    }
    return out;
}

// The image, built when absent (needs root and the Debian mirror); empty when unavailable.
inline std::string lab_image() {
    static std::string image = [] {
        std::string script = std::string(ATTEST_SOURCE_DIR) + "/scripts/lab-image.sh";
        std::string link = std::string(ATTEST_SOURCE_DIR) + "/labs/images/debian12";
        run::ProcessRequest r;
        r.argv = {"bash", script, "--path"};
        auto where = run::run_process(r);
        bool linked = ::access((link + "/complete").c_str(), F_OK) == 0;
        if (where && where->exit_code == 0 && linked) return link;
        if (::geteuid() != 0 || ::access("/usr/bin/qemu-system-x86_64", X_OK) != 0)
            return std::string();
        // Builds the image, or only links this checkout's labs/images/ to the cached one.
        r.argv = {"bash", script};
        r.timeout = std::chrono::minutes(40);
        auto built = run::run_process(r);
        if (!built || built->exit_code != 0) {
            std::fprintf(stderr, "lab-image.sh failed:\n%s\n",
                         built ? built->stderr_text.c_str() : "");
            return std::string();
        }
        return std::string(ATTEST_SOURCE_DIR) + "/labs/images/debian12";
    }();
    return image;
}

#define REQUIRE_LAB_IMAGE()                                                                   \
    if (lab_image().empty())                                                                  \
    GTEST_SKIP() << "no lab image and it cannot be built here (needs root, qemu-system-x86, " \
                    "debootstrap and the Debian mirror: scripts/install-deps.sh)"

// A lab like labs/qemu.yaml with its own target name (own VM state) and settings.
inline std::string vm_lab(const std::string& name, const std::string& qemu_extra,
                          const std::string& timeouts) {
    return "lab: vm-test\ntimeouts: {" + timeouts + "}\ntargets:\n- name: " + name +
           "\n  platform: linux\n  qemu: {image: " + lab_image() + qemu_extra +
           "}\n  readiness: sudo -n systemctl is-active --quiet auditd\n";
}

}  // namespace attest::test
