// StatusTable — the master's published state in POSIX shared memory, for lock-free readers.
//
// One writer (the master) and any number of readers (cl_status, the init script, tests). The
// segment has a fixed, versioned POD layout (status_layout below): a header {magic "HAMS", layout
// version, sizes, writer pid, seqlock counter} and a payload of fixed arrays (nodes, links with
// counters, resource groups, local node, ha.cf parameters). The writer copies a whole payload
// under a seqlock (counter odd while writing); a reader copies it and retries while the counter
// was odd or moved. Payload words are copied with relaxed atomic loads/stores between fences, so
// a torn copy is always detected and never undefined behaviour.
//
// The segment is a file in the run directory (`<run-dir>/hamaster.status`, status_table_path),
// mmapped shared. It used to live in /dev/shm under a name derived from the run dir, where any
// local user could plant a file with a live pid and so stop the master from starting (issue 20);
// the run dir is root's and 0700, so only root can create anything there, and two nodes with
// different run dirs never meet, even on one shared /dev/shm. Mode 0600, or 0640 with group
// `haclient` when that group exists (readers need to reach the run dir too: root today).
// StatusTableWriter::create never opens or reuses a file it did not create: it lstat()s the path,
// refuses a regular file of its own user whose writer is still alive, removes anything else (a
// crashed master's table, a symlink, a file of another user) with one WARN, and creates the new
// one with O_CREAT|O_EXCL|O_NOFOLLOW. The writer unlinks the file when destroyed.
// StatusSnapshot is the plain C++ view; converting it to the fixed layout checks every length.
// The file rules and the seqlock are shared_segment.hpp's (the media daemons' counters use them too).
//
// Time and blocking: publish() never blocks. read() retries while a publish is under way: it spins,
// then yields, then sleeps (50 us doubling to 1 ms) so a writer preempted mid-publish gets the CPU
// back, for at most 3 s of wall time (a writer that dies meanwhile is reported "stale" at once).
// Diagnostics: create() logs WARN "Replacing stale status table ... (writer pid N is dead)";
// publish() logs ERROR "Status table not updated: ..." once per failure reason, info on recovery.
// Errors: "exists" (a live writer owns it), "file" (system call failed), "too_big" (snapshot over
// a fixed limit), "not_found", "bad_magic", "bad_version", "starting", "stale" (writer dead),
// "busy" (no consistent copy within 3 s).
// See also: docs/architecture.md "How the processes talk", compat spec §10.1 (what cl_status reads), master/master_run.cpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/log.hpp"
#include "ipc/result.hpp"
#include "ipc/shared_segment.hpp"

namespace ha::ipc {

// ---- plain view -----------------------------------------------------------------------------

enum class StatusNodeType : std::uint8_t { normal = 0, ping = 1 };
enum class RscHold : std::uint8_t { none = 0, local = 1, foreign = 2, all = 3, transition = 4 };

std::string_view rsc_hold_word(RscHold hold);                        // "none", "local", ...
std::optional<RscHold> rsc_hold_from_word(std::string_view word);
std::string_view node_type_word(StatusNodeType type);                // "normal" / "ping"

struct StatusNode {
    std::string name;
    StatusNodeType type = StatusNodeType::normal;
    std::string status;               // init, up, active, dead, ping
    std::int64_t last_heard_wall_ms = 0;  // 0: never
    std::uint64_t generation = 0;     // the node's hg (heartbeat generation)
    bool operator==(const StatusNode&) const = default;
};

struct StatusLink {
    std::string node;
    std::string link;  // eth0, /dev/ttyS0, a ping address
    bool up = false;
    std::uint64_t rx = 0;
    std::uint64_t tx = 0;
    std::uint64_t late = 0;
    std::vector<std::pair<std::string, std::uint64_t>> dropped;  // by reason, at most kMaxDropReasons
    std::optional<std::int64_t> age_ms;  // since the last packet, at publish time
    bool operator==(const StatusLink&) const = default;
};

struct StatusGroup {
    std::string name;   // the haresources group (its first resource, or the line)
    std::string owner;  // node holding it, "" when nobody
    bool operator==(const StatusGroup&) const = default;
};

struct StatusSnapshot {
    std::uint64_t generation = 0;  // the master's generation (hb_generation)
    std::uint64_t publish_count = 0;  // set by the writer
    std::int64_t published_wall_ms = 0;  // set by the writer
    int writer_pid = 0;  // set by the reader from the header
    std::string local_node;
    std::string local_status;
    std::string local_uuid;
    RscHold rsc_hold = RscHold::none;
    std::vector<StatusNode> nodes;
    std::vector<StatusLink> links;
    std::vector<StatusGroup> groups;
    std::vector<std::pair<std::string, std::string>> parameters;  // hbparameter
    bool operator==(const StatusSnapshot&) const = default;
};

// ---- fixed layout ---------------------------------------------------------------------------

namespace status_layout {

inline constexpr char kMagic[4] = {'H', 'A', 'M', 'S'};
inline constexpr std::uint32_t kVersion = 1;
inline constexpr std::size_t kMaxNodes = 8;
inline constexpr std::size_t kMaxLinks = 32;
inline constexpr std::size_t kMaxGroups = 16;
inline constexpr std::size_t kMaxParams = 64;
inline constexpr std::size_t kMaxDropReasons = 8;
inline constexpr std::size_t kNameBytes = 64;    // node, link, owner names (63 + NUL)
inline constexpr std::size_t kWordBytes = 16;    // status words
inline constexpr std::size_t kReasonBytes = 24;  // drop reasons
inline constexpr std::size_t kGroupBytes = 128;
inline constexpr std::size_t kParamNameBytes = 32;
inline constexpr std::size_t kParamValueBytes = 128;

using Header = SegmentHeader;  // shared_segment.hpp

struct alignas(8) Node {
    char name[kNameBytes];
    char status[kWordBytes];
    std::uint8_t type;
    std::uint8_t pad[7];
    std::int64_t last_heard_wall_ms;
    std::uint64_t generation;
};

struct alignas(8) DropSlot {
    char reason[kReasonBytes];
    std::uint64_t count;
};

struct alignas(8) Link {
    char node[kNameBytes];
    char link[kNameBytes];
    std::uint8_t up;
    std::uint8_t has_age;
    std::uint8_t pad[6];
    std::uint64_t rx;
    std::uint64_t tx;
    std::uint64_t late;
    std::int64_t age_ms;
    std::uint32_t drop_count;
    std::uint32_t pad2;
    DropSlot dropped[kMaxDropReasons];
};

struct alignas(8) Group {
    char name[kGroupBytes];
    char owner[kNameBytes];
};

struct alignas(8) Param {
    char name[kParamNameBytes];
    char value[kParamValueBytes];
};

struct alignas(8) Payload {
    std::uint64_t generation;
    std::uint64_t publish_count;
    std::int64_t published_wall_ms;
    char local_node[kNameBytes];
    char local_status[kWordBytes];
    char local_uuid[kNameBytes];
    std::uint8_t rsc_hold;
    std::uint8_t pad[7];
    std::uint32_t node_count, link_count, group_count, param_count;
    Node nodes[kMaxNodes];
    Link links[kMaxLinks];
    Group groups[kMaxGroups];
    Param params[kMaxParams];
};
static_assert(sizeof(Payload) % 8 == 0);

struct Segment {
    Header header;
    Payload payload;
};

}  // namespace status_layout

// Converts between the view and the layout. encode fails ("too_big") naming the first field or
// array over its limit; it writes nothing useful then. decode fails ("bad_layout") on counts over
// the array sizes; strings are read up to their first NUL.
Result<void> encode_status(const StatusSnapshot& snapshot, status_layout::Payload& out);
Result<StatusSnapshot> decode_status(const status_layout::Payload& in);

inline constexpr char kStatusTableFile[] = "hamaster.status";
// "<run_dir>/hamaster.status".
std::string status_table_path(const std::string& run_dir);

class StatusTableWriter {
public:
    // Creates the segment for `run_dir` (see the file comment for the stale/live-owner rule).
    // `log` (default: the process log) must outlive the writer.
    static Result<StatusTableWriter> create(const std::string& run_dir);
    static Result<StatusTableWriter> create(const std::string& run_dir, Log& log);

    StatusTableWriter(StatusTableWriter&& other) noexcept;
    StatusTableWriter& operator=(StatusTableWriter&& other) noexcept;
    StatusTableWriter(const StatusTableWriter&) = delete;
    StatusTableWriter& operator=(const StatusTableWriter&) = delete;
    ~StatusTableWriter();  // unlinks the file

    // Publishes `snapshot` (publish_count and published_wall_ms are filled in here). A snapshot
    // over a fixed limit is refused as a whole and the previous one stays visible: publish returns
    // false, last_error() says why ("too_big", naming the field), and the log gets one ERROR when
    // publishing starts failing (or fails for a new reason) and one info when it works again.
    bool publish(const StatusSnapshot& snapshot);
    const std::optional<Error>& last_error() const;
    const std::string& name() const { return name_; }  // the file's path

private:
    struct State;
    explicit StatusTableWriter(std::unique_ptr<State> state, std::string name);
    std::unique_ptr<State> state_;
    std::string name_;
};

class StatusTableReader {
public:
    static Result<StatusTableReader> open(const std::string& run_dir);

    StatusTableReader(StatusTableReader&& other) noexcept;
    StatusTableReader& operator=(StatusTableReader&& other) noexcept;
    ~StatusTableReader();

    // A consistent copy of the last published snapshot; "stale" when the writer is dead (reopen
    // to find a new master), "busy" when a live writer kept a publish open for 3 s.
    Result<StatusSnapshot> read() const;

private:
    struct State;
    explicit StatusTableReader(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace ha::ipc
