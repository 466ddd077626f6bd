// HeartbeatSource — builds the cluster messages the master originates, with Heartbeat's default fields.
//
// make_status() composes the keepalive heartbeat in 3.0.6's exact field order (compat spec §6 and
// the test vectors): t=status, st, dt (hex ms), protocol=1, then the default fields src,
// srcuuid (binary, 16 bytes), seq (hex, from 1), hg (hex), ts (hex wall seconds), ld (loadavg),
// ttl (decimal). stamp() appends the same default fields to any other message the master sends
// (resource, ask_resources, ...); `NS_` types get no seq and no ld and do not consume a seq.
// The `auth` field is not added here: the media daemons sign what they send.
//
// Owns the outgoing sequence counter. The load average comes from an injected provider so tests
// never read /proc; read_proc_loadavg() is the production provider (a tiny file read done by the
// shell's choice of provider, not by the core), read through cached_provider() at most once a second.
//
// Time and blocking: the caller passes wall time (for `ts` only); nothing blocks.
// Diagnostics: none.
// See also: master/core/link_table.hpp (effective_deadtime for `dt`), ipc/message.hpp,
//   compat spec §6, §7.3, "Confirmed on a live node" (UDP wire).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "ipc/clock.hpp"
#include "ipc/message.hpp"

namespace ha::master {

using NodeUuid = std::array<std::uint8_t, 16>;

struct HeartbeatSourceParams {
    std::string local_node;
    NodeUuid uuid{};
    std::uint64_t generation = 1;            // hg
    int ttl = 3;                             // see default_ttl()
    std::function<std::string()> loadavg;    // first line of /proc/loadavg; empty/absent → "n/a"
};

// Who a message is sent for: the daemon itself, or an API client such as ipfail (ttl one higher,
// as seen on a live 3.0.6 pair).
enum class Origin { daemon, api_client };

class HeartbeatSource {
public:
    explicit HeartbeatSource(HeartbeatSourceParams params);

    // The next `status` heartbeat. `deadtime` is the one in force (LinkTable::effective_deadtime()).
    ipc::Message make_status(ipc::WallTime wall_now, std::string_view status, std::chrono::milliseconds deadtime);

    // Appends src, srcuuid, seq, hg, ts, ld, ttl (no seq/ld for `NS_` types). Any of these fields
    // (and `auth`) already present are removed first, so the order is always Heartbeat's.
    void stamp(ipc::Message& msg, ipc::WallTime wall_now, Origin origin = Origin::daemon);

    // The seq of the last message stamped (0 before the first): for the retransmit history.
    std::uint64_t last_seq() const { return last_seq_; }
    std::uint64_t generation() const { return params_.generation; }

private:
    HeartbeatSourceParams params_;
    std::uint64_t last_seq_ = 0;
};

// hopfudge + number of configured normal nodes (typically 1 + 2 = 3).
int default_ttl(int hopfudge, std::size_t node_count);

// The first line of /proc/loadavg without its LF, or "n/a" when it cannot be read.
std::string read_proc_loadavg();

// `read` called at most once per `period` on `clock` (the first call reads); in between, the last
// value. The kernel updates the load average every 5 s, so reading /proc at every 10 ms heartbeat
// bought nothing but an open/read/close per keepalive (issue 13). `clock` must outlive the result.
std::function<std::string()> cached_provider(std::function<std::string()> read, const ipc::Clock& clock,
                                             std::chrono::milliseconds period);

}  // namespace ha::master
