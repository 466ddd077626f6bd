// net_setup — heartbeatd-net's own start-up steps that may block or fail, done once before the loop runs.
//
// resolve_peers(): turns a ucast peer host name into a dotted quad (getaddrinfo, IPv4 only) — the
// only place a name is resolved, never on the loop. open_links(): one UdpLink per medium. (authkeys
// are read by ipc/media/authkeys_loader.hpp, shared with heartbeatd-serial.)
//
// Time and blocking: may block (DNS) — call before io_context::run().
// Diagnostics: errors are returned with code `config` (exit 78), `perm` (exit 77) or `os` (exit 1),
// mapped by ipc::exit_code_for.
// See also: net_options.hpp, ipc/media/authkeys_loader.hpp, shared/style.md §3 (exit codes).
#pragma once

#include <boost/asio/io_context.hpp>

#include <memory>
#include <string>
#include <vector>

#include "heartbeatd-net/net_options.hpp"
#include "heartbeatd-net/udp_link.hpp"
#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::net {

Result<void> resolve_peers(NetOptions& options);
Result<std::vector<std::unique_ptr<UdpLink>>> open_links(boost::asio::io_context& io, const NetOptions& options, ipc::Log& log);

}  // namespace ha::net
