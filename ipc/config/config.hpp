// Config — the whole validated configuration of one node: ha.cf + haresources + authkeys.
//
// load_config() reads the three files from a directory (normally /etc/ha.d), parses each, checks
// them against each other and against the local node name, and returns every diagnostic of all
// three files (it never stops at the first error). The Config is present only when there was no
// error at all: nothing partial is ever handed out, so a reload that fails changes nothing. The
// caller keeps it as a `const Config` and passes it by reference (docs/conventions.md §11).
//
// Node names: lower-cased in Config; the local name given (normally `uname -n`) is lower-cased
// before it is compared, so `Web1` in ha.cf and `WEB1` from uname match (Heartbeat does the same).
//
// Time and blocking: reads three small local files and stat()s resource agents; never resolves a
// hostname, never touches the network, never runs a script.
// Diagnostics: returned, never logged; render each with render() (`FILE:LINE: error: TEXT`).
// See also: ha_cf.hpp, haresources.hpp, authkeys.hpp, master/config_test.cpp (`hamaster -t`).
#pragma once

#include <sys/stat.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/auth_key.hpp"
#include "ipc/config/diagnostics.hpp"
#include "ipc/config/ha_cf.hpp"
#include "ipc/config/haresources.hpp"
#include "ipc/result.hpp"

namespace ha::conf {

struct LoadOptions {
    std::string init_dir = "/etc/init.d";   // LSB init scripts (tests point this at a temp dir)
    std::string ocf_root = "/usr/lib/ocf";  // OCF agents live in <ocf_root>/resource.d/PROVIDER/TYPE
    bool check_authkeys_permissions = true; // off only for fuzzing / tests of other rules
    // This host's IPv4 addresses, as text. A ucast line whose peer is one of them (or the local
    // node's name) is kept with Medium::self = true; the media daemon skips it.
    std::vector<std::string> local_addresses;
};

struct Config {
    std::string dir;          // the config directory as given
    std::string local_node;   // lower-cased
    HaCf ha_cf;
    Haresources haresources;
    ipc::AuthKeys authkeys;

    // Cluster nodes other than this one, in ha.cf order.
    std::vector<std::string> peers() const;
    // Groups whose preferred node is `node`, in haresources order.
    std::vector<const ResourceGroup*> groups_of(std::string_view node) const;
};

struct LoadResult {
    std::optional<Config> config;         // present only when no diagnostic is an error
    std::vector<Diagnostic> diagnostics;  // errors, warnings and notes of all three files, in file order
    bool ok() const { return config.has_value(); }
};

LoadResult load_config(std::string_view dir, std::string_view local_node, const LoadOptions& options = {});

// Reads a config file with the size limit of lexer.hpp; a missing, unreadable, non-regular or
// oversized file is an error naming the path.
// `opened` (optional) receives the fstat of the descriptor actually read, so a permission check
// looks at the same file as the parser (no stat-then-open race, no symlink swap in between).
Result<std::string> read_config_file(const std::string& path, struct ::stat* opened = nullptr);

}  // namespace ha::conf
