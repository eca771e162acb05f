// The qemu target driver: a lab VM that attest starts itself from an image made by
// scripts/lab-image.sh, with Debian's qemu-system-x86_64 (KVM when /dev/kvm is usable, TCG
// otherwise), a QMP control socket, and user-mode networking with restrict=on and a single
// hostfwd of the guest's sshd to a free port on 127.0.0.1 (nothing else reaches or leaves
// the guest). Commands reach the guest through the ordinary ssh transport; this driver only
// owns the VM: start, the clean snapshot (savevm once, loadvm before every scenario) and stop.
//
// State lives outside the clone, one directory per target and VM shape:
//   ${ATTEST_STATE_DIR:-/var/tmp/attest}/vm/<target>-<hash>/
//     disk.qcow2 (an overlay on the image: the image itself is never written; the clean
//     snapshot lives here, so a later run starts from it with -loadvm instead of booting),
//     qemu.pid, qmp.sock, console.log (serial console), port, known_hosts, lock.
// A run holds `lock` (flock) for its whole length: two runs never drive one VM.
#pragma once

#include <memory>
#include <string>

#include "core/expected.h"
#include "harness/lab.h"
#include "harness/transport_process.h"

namespace attest::run {

class QemuVm {
public:
    // Resolves the image (relative to `lab_dir`), takes the state directory's lock, picks the
    // port (a running VM's, kept by keep_running, or a free one) and fills `target.ssh` with
    // 127.0.0.1:PORT, the image's key, lab user and pinned host key.
    static Expected<std::unique_ptr<QemuVm>> prepare(TargetConfig& target,
                                                     const std::string& lab_dir);
    // Stops the VM unless keep_running (also after errors and signals), releases the lock.
    ~QemuVm();
    QemuVm(const QemuVm&) = delete;
    QemuVm& operator=(const QemuVm&) = delete;

    // Whether the VM's process is alive (checked by pid and command line).
    bool running() const;
    // Starts qemu; from the clean snapshot (-loadvm) when the overlay has one. Returns true
    // when the guest boots cold, so the caller waits for readiness and calls save_snapshot().
    Task<Expected<bool>> start(const CancelToken& cancel);
    // savevm / loadvm of the clean snapshot through QMP (off the io thread).
    Task<Expected<void>> save_snapshot();
    Task<Expected<void>> load_snapshot();
    // Powers the VM off (QMP quit, then SIGTERM / SIGKILL by its pid) and waits until it is
    // gone. No-op when it is not running.
    void stop();

    const QemuConfig& config() const { return m_config; }
    const std::string& state_dir() const { return m_state; }
    int pid() const;
    std::string accel() const;

    // The state directory of a target (for `attest lab stop`) and stopping what runs there.
    static Expected<std::string> state_dir_for(const TargetConfig& target,
                                               const std::string& lab_dir);
    static bool stop_in(const std::string& state_dir, std::string* what = nullptr);
    // "running (pid N, ssh on 127.0.0.1:PORT)" or "not running".
    static std::string describe(const std::string& state_dir);

private:
    QemuVm() = default;
    std::vector<std::string> qemu_argv(bool from_snapshot) const;

    QemuConfig m_config;
    std::string m_name;
    std::string m_image;  // absolute
    std::string m_state;
    int m_port = 0;
    int m_lock_fd = -1;
};

// One HMP command through QMP's human-monitor-command on `socket_path` (blocking, bounded by
// `timeout`). Returns the monitor's output text.
Expected<std::string> qmp_human_command(const std::string& socket_path, const std::string& command,
                                        Millis timeout);

}  // namespace attest::run
