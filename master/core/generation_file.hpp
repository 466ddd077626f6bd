// GenerationFile — loads, increments and durably stores the generation number (hbgenmethod file).
//
// One of the few pieces of master/core that touch a file, because the bump must be atomic
// (replace_file_durably: a crash leaves either the old or the new value, never a torn one).
// Called once at start-up by the shell, before the loop runs.
//
// Beside Heartbeat 3.0.6 (a rolling upgrade, docs/migrating.md) it reads Heartbeat's own file and
// continues from it, and keeps it current with the generation in use, so that a return to
// Heartbeat (a downgrade) starts above what the peer last saw instead of being dropped as a replay.
//
// Time and blocking: blocking file I/O (start-up only); no clock.
// Diagnostics: WARN `No Previous generation - starting at N` when neither file exists (N: the
//   wall clock in seconds when the caller passes it, else 1).
//   info `Generation continues from Heartbeat's <path> (N)` when Heartbeat's file is used.
//   WARN `Cannot keep Heartbeat's generation file current ...` (not fatal: only a return to
//   Heartbeat needs it).
//   Errors (unreadable file, bad contents, failed write) are returned with the path and errno text;
//   a corrupt file is NOT silently reset, because a lower hg would make peers drop us as a replay.
// See also: master/core/generation.hpp, compat spec §6, "Confirmed on a live node" (startup log).
#pragma once

#include <cstdint>
#include <filesystem>

#include "ipc/log.hpp"
#include "ipc/result.hpp"

namespace ha::master {

class GenerationFile {
public:
    explicit GenerationFile(ipc::Log& log) : log_(log) {}

    // Reads the stored generation (none if the file is missing), stores next and returns it.
    // heartbeat_path is Heartbeat 3.0.6's own file (/var/lib/heartbeat/hb_generation): when it
    // holds a higher value than ours (the node ran Heartbeat before, or again since), we continue
    // from it. A peer that still runs Heartbeat remembers that generation and drops
    // anything lower as a replay (`should_drop_message: attempted replay attack`), so starting at
    // 1 after replacing Heartbeat would cut us off from it until it restarts. Heartbeat starts its
    // own count at the clock, far above ours. An unreadable Heartbeat file is ignored with a
    // warning and left as it is. Afterwards the generation in use is written there too (Heartbeat reads it and
    // counts on from it), but only when the file's directory exists: Heartbeat's package state,
    // kept by `apt-get remove`; we never create it.
    // Heartbeat's file may lag the generation its last life used (that one is the start time in
    // seconds when higher than the file's count), so when we continue from it we also start no
    // lower than `now_seconds` (the wall clock, seconds since the epoch; 0: no floor). With no
    // stored generation at all (first start, or wiped state) it starts at `now_seconds` too, so
    // that a peer remembering an earlier life of this node does not drop us as a replay.
    Result<std::uint64_t> load_and_bump(const std::filesystem::path& path,
                                        const std::filesystem::path& heartbeat_path = {},
                                        std::uint64_t now_seconds = 0);

private:
    void keep_heartbeat_current(const std::filesystem::path& heartbeat_path, std::uint64_t generation);

    ipc::Log& log_;
};

}  // namespace ha::master
