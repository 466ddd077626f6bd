// CountersSegment — a media daemon's per-link counters in shared memory, for the master to read
// without asking (issue 13: the `_stats` round trip every two keepalives woke both processes and
// their ZeroMQ threads a third of all bus messages over).
//
// One writer (heartbeatd-net or heartbeatd-serial) and lock-free readers (the master, tests). The
// segment is the file `<run-dir>/<program>.counters` (counters_segment_path), with the file habits
// and the seqlock of shared_segment.hpp: created O_EXCL|O_NOFOLLOW after lstat, a dead writer's
// file replaced with one WARN "Replacing stale counters segment ...", refused ("exists") while a
// live writer owns it (unless created as the sole writer: then replaced), mode 0600, unlinked when
// the writer is destroyed if the path is still its own file.
// Layout (counters_layout, version kVersion): the shared header, then {link count, the writer's
// number of drop reasons and of serial counters, a fixed array of kMaxLinks link slots}. A slot
// holds everything the `_stats` reply carries (ipc/bus/media.hpp): the link name, rx, forwarded,
// tx, tx_errors, a count per media::DropReason (by its index), and for a serial port whether it is
// open and the kSerialCounters values (in their order). The link names are fixed at creation;
// more than kMaxLinks links or a name of kLinkBytes or more is an error ("too_big") at start.
// Changing DropReason or kSerialCounters changes what an index means: the reader refuses a writer
// whose counts differ ("bad_version"), and the layout version must be bumped when the order changes.
//
// Writing: publish() copies one slot under the seqlock (53 words): cheap enough to call after
// every datagram received or sent, which is what the media daemons do, so a reader always sees
// the live value. It never blocks, never allocates, never logs.
// Reading: read() makes a few attempts in a row (kReadTries, no yield, no sleep: the master calls
// it on its loop) and answers "busy" when the writer was mid-publish every time, "stale" when the
// writer is dead. The caller keeps its last good copy on "busy".
//
// Time and blocking: none. Diagnostics: the WARN above; errors as shared_segment.hpp's, plus
// "too_big", "busy", "stale".
// See also: shared_segment.hpp, status_table.hpp, ipc/media/media_counters.hpp, master/cluster_shell.hpp.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/bus/media.hpp"
#include "ipc/log.hpp"
#include "ipc/result.hpp"
#include "ipc/shared_segment.hpp"

namespace ha::ipc {

namespace counters_layout {

inline constexpr char kMagic[4] = {'H', 'A', 'M', 'C'};
inline constexpr std::uint32_t kVersion = 2;  // 2: link names of up to 127 bytes (serial by-id paths)
inline constexpr std::size_t kMaxLinks = 16;
inline constexpr std::size_t kLinkBytes = 128;  // 127 + NUL
inline constexpr std::size_t kMaxDrops = 16;   // by media::DropReason index
inline constexpr std::size_t kMaxSerial = 16;  // by bus::kSerialCounters index

struct alignas(8) Slot {
    char link[kLinkBytes];
    std::uint64_t rx;
    std::uint64_t forwarded;
    std::uint64_t tx;
    std::uint64_t tx_errors;
    std::uint64_t drops[kMaxDrops];
    std::uint8_t serial;  // 1: a serial port; `open` and `serial_counters` mean something
    std::uint8_t open;
    std::uint8_t pad[6];
    std::uint64_t serial_counters[kMaxSerial];
};
static_assert(sizeof(Slot) % 8 == 0);

struct alignas(8) Payload {
    std::uint32_t link_count;
    std::uint32_t drop_reasons;     // the writer's media::kDropReasonCount
    std::uint32_t serial_counters;  // the writer's std::size(bus::kSerialCounters)
    std::uint32_t pad;
    Slot slots[kMaxLinks];
};
static_assert(sizeof(Payload) % 8 == 0);

}  // namespace counters_layout

// The values of one link, as the writer publishes them (no name: fixed at creation).
struct LinkCounters {
    std::uint64_t rx = 0;
    std::uint64_t forwarded = 0;
    std::uint64_t tx = 0;
    std::uint64_t tx_errors = 0;
    std::array<std::uint64_t, counters_layout::kMaxDrops> drops{};  // by media::DropReason
    bool serial = false;
    bool open = false;
    std::array<std::uint64_t, counters_layout::kMaxSerial> serial_counters{};  // kSerialCounters order
};

inline constexpr char kCountersSuffix[] = ".counters";
// "<run_dir>/<program>.counters".
std::string counters_segment_path(const std::string& run_dir, std::string_view program);

class CountersWriter {
public:
    // Creates the segment for `program` in `run_dir` with one slot per link, in this order.
    // `sole_writer`: the master started this daemon (its lane), so no other writer can exist and a
    // file naming a live pid is replaced (SegmentKind::sole_writer) rather than refused.
    static Result<CountersWriter> create(const std::string& run_dir, std::string_view program,
                                         const std::vector<std::string>& links, Log& log, bool sole_writer = false);

    CountersWriter(CountersWriter&&) noexcept;
    CountersWriter& operator=(CountersWriter&&) noexcept;
    ~CountersWriter();  // unlinks the file

    // Publishes link `index`'s counters (an index past the links is ignored).
    void publish(std::size_t index, const LinkCounters& counters);
    std::size_t links() const;
    const std::string& path() const;

private:
    struct State;
    explicit CountersWriter(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

class CountersReader {
public:
    static constexpr int kReadTries = 8;

    // Opens `path` (counters_segment_path): "not_found", "starting", "bad_magic", "bad_version".
    static Result<CountersReader> open(const std::string& path);

    CountersReader(CountersReader&&) noexcept;
    CountersReader& operator=(CountersReader&&) noexcept;
    ~CountersReader();

    // Every link's counters, in the writer's order, as the `_stats` reply would carry them (drop
    // reasons all listed, zeros included; `open` and `serial` for a serial port only).
    // "busy": no consistent copy in kReadTries attempts; "stale": the writer is dead.
    // `writer_known_alive`: the caller has checked that writer_pid() is its own child, not yet
    // reaped (the master), so the pid cannot have been reused and the /proc probe of every read is
    // skipped (the master reads on every status view, up to 100 times a second at a 10 ms
    // keepalive). A child that has just exited then shows its last counters until it is reaped.
    Result<std::vector<bus::MediaStats>> read(bool writer_known_alive = false) const;
    int writer_pid() const;

private:
    struct State;
    explicit CountersReader(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

}  // namespace ha::ipc
