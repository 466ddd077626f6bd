#include "ipfaild/privileges.hpp"

#include "ipc/daemon.hpp"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace ha::ipfail {

Result<bool> drop_privileges(const std::string& user, ipc::Log& log) {
    if (::geteuid() != 0) {
        log.debug("Not dropping privileges (user \"{}\", euid {}).", user, ::geteuid());
        return false;
    }
    if (user.empty()) {
        // No respawn user (started by hand): stay uid 0 but without a single capability.
        if (auto caps = ipc::drop_capabilities({}, log); !caps) return caps.error();
        return false;
    }
    errno = 0;
    const passwd* pw = ::getpwnam(user.c_str());
    if (pw == nullptr)  // never "stay root" (issue 20): hamaster -t already calls this a config error
        return make_error("no_user", fmt::format("user {} does not exist; refusing to keep uid 0", user));
    const uid_t uid = pw->pw_uid;
    const gid_t gid = pw->pw_gid;
    if (::initgroups(user.c_str(), gid) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
        return make_error("setuid", fmt::format("cannot become {} (uid {}, gid {}): {}", user, uid, gid,
                                                std::strerror(errno)));
    if (::setuid(0) == 0) return make_error("setuid", fmt::format("still able to regain root after becoming {}", user));
    log.info("Dropped privileges to {} (uid {}, gid {}).", user, uid, gid);
    return true;
}

}  // namespace ha::ipfail
