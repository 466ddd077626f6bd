// SharedSegment — a one-writer, lock-free-reader shared-memory file in the run directory: the file
// habits and the seqlock that the status table (status_table.hpp) and the media daemons' counters
// (counters_segment.hpp) share.
//
// Layout: every segment starts with SegmentHeader {magic, layout version, header and payload sizes,
// writer pid, seqlock counter}; the payload that follows is the user's fixed POD struct (a multiple
// of 8 bytes). The magic is stored last at creation (release), so a reader that sees it sees the
// rest of the header and whatever the creator wrote into the payload before ready().
//
// Creation (create_segment) never opens or reuses a file it did not create: it lstat()s the path,
// refuses a regular file of its own user whose writer is still alive (code "exists", naming the
// pid), removes anything else (a dead writer's file, a symlink, a file of another user) with one
// WARN "Replacing stale <what> <path> (<why>).", and creates the new one with
// O_CREAT|O_EXCL|O_NOFOLLOW, mode 0600 (0640 with `reader_group` when that group exists).
// The writer's MappedSegment unlinks it when destroyed, if the path still names its own file (a
// successor that replaced it keeps its own). Opening (open_segment) checks the
// owner (root or us), the size, the magic ("starting" while it is 0) and the layout version and
// sizes ("bad_version").
//
// Seqlock: seqlock_store() makes the counter odd, copies the words, makes it even again;
// seqlock_try_load() copies the words and says whether the copy is consistent (counter even and
// unchanged). Words are copied with relaxed atomic loads/stores between fences, so a torn copy is
// always detected and never undefined behaviour. One writer only: the counter is not an atomic RMW.
//
// Time and blocking: nothing here blocks or sleeps; callers decide how long to retry.
// Diagnostics: the WARN above (to the given log); errors name the path and the system call
// (code "file"), or "exists", "not_found", "starting", "bad_magic", "bad_version".
// See also: status_table.hpp, counters_segment.hpp, docs/architecture.md "How the processes talk".
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::ipc {

struct alignas(8) SegmentHeader {
    std::atomic<std::uint32_t> magic;  // 4 bytes; stored last at creation (release)
    std::uint32_t version;
    std::uint32_t header_bytes;
    std::uint32_t payload_bytes;
    std::int32_t writer_pid;
    std::uint32_t reserved;
    std::atomic<std::uint64_t> seq;  // odd while the writer copies
};
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);
static_assert(std::atomic<std::uint32_t>::is_always_lock_free);
static_assert(sizeof(SegmentHeader) == 32);

// What a segment is, for both ends. `magic` is 4 characters; `what` and `owner` name it in
// messages ("status table", "hamaster").
struct SegmentKind {
    std::string_view what;
    std::string_view owner;
    const char* magic;  // 4 bytes, not NUL-terminated
    std::uint32_t version;
    std::size_t payload_bytes;
    const char* reader_group = nullptr;  // chgrp + 0640 when this group exists, else 0600
    // The caller is the only writer there can be (a media daemon its master started, with its
    // lane): a file whose recorded writer pid still runs is replaced too — that pid was reused, or
    // is a predecessor that is exiting — instead of refused ("exists").
    bool sole_writer = false;
};

std::uint32_t segment_magic_word(const char* magic);

// False for a pid <= 0, a process that does not exist, or a zombie (it writes nothing any more).
bool pid_alive(int pid);

// An mmapped segment file: unmapped and closed on destruction; a writer's is unlinked too.
class MappedSegment {
public:
    MappedSegment() = default;
    MappedSegment(MappedSegment&& other) noexcept;
    MappedSegment& operator=(MappedSegment&& other) noexcept;
    MappedSegment(const MappedSegment&) = delete;
    MappedSegment& operator=(const MappedSegment&) = delete;
    ~MappedSegment();

    SegmentHeader& header() const { return *static_cast<SegmentHeader*>(address_); }
    const std::string& path() const { return path_; }
    // Writer: publishes the magic (release). Everything written before is visible to readers.
    void ready(const char* magic) const;

private:
    friend Result<MappedSegment> create_segment(const std::string&, const SegmentKind&, Log&);
    friend Result<MappedSegment> open_segment(const std::string&, const SegmentKind&);
    void reset();
    int fd_ = -1;
    void* address_ = nullptr;
    std::size_t size_ = 0;
    std::string path_;
    bool unlink_ = false;  // the writer's: removed on destruction
};

// Creates `path` for writing (the rule in the file comment); the header is filled in (pid, sizes,
// version), the payload zeroed, the magic not yet set: call ready() once the payload is set up.
Result<MappedSegment> create_segment(const std::string& path, const SegmentKind& kind, Log& log);
// Opens `path` read-only and checks it against `kind`.
Result<MappedSegment> open_segment(const std::string& path, const SegmentKind& kind);

// "<run_dir>/<file>", trailing slashes of run_dir ignored.
std::string run_dir_file(const std::string& run_dir, std::string_view file);

// The seqlock's two halves; `bytes` a multiple of 8, both pointers 8-aligned.
void seqlock_store(SegmentHeader& header, void* dst, const void* src, std::size_t bytes);
// One attempt: true when `dst` holds a consistent copy (the counter was even and did not move).
bool seqlock_try_load(const SegmentHeader& header, void* dst, const void* src, std::size_t bytes);

}  // namespace ha::ipc
