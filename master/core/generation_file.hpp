// GenerationFile — loads, increments and durably stores the generation number (hbgenmethod file).
//
// The one piece of master/core that touches a file, because the bump must be atomic: the new value
// is written to `<path>.tmp`, fsync'ed, renamed over `<path>`, and the directory is fsync'ed, so a
// crash leaves either the old or the new value, never a torn one. Called once at start-up by the
// shell, before the loop runs.
//
// Time and blocking: blocking file I/O (start-up only); no clock.
// Diagnostics: WARN `No Previous generation - starting at 1` when neither file exists.
//   info `Generation continues from Heartbeat's <path> (N)` when Heartbeat's file is used.
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
    // heartbeat_path is Heartbeat 3.0.6's own file (/var/lib/heartbeat/hb_generation), left as it
    // is: when it holds a higher value than ours (the node ran Heartbeat before, or again since),
    // we continue from it. A peer that still runs Heartbeat remembers that generation and drops
    // anything lower as a replay (`should_drop_message: attempted replay attack`), so starting at
    // 1 after replacing Heartbeat would cut us off from it until it restarts. Heartbeat starts its
    // own count at the clock, far above ours. A missing or unreadable Heartbeat file is ignored
    // (an unreadable one with a warning): it is not ours to repair.
    // Heartbeat's file may lag the generation its last life used (that one is the start time in
    // seconds when higher than the file's count), so when we continue from it we also start no
    // lower than `now_seconds` (the wall clock, seconds since the epoch; 0: no floor).
    Result<std::uint64_t> load_and_bump(const std::filesystem::path& path,
                                        const std::filesystem::path& heartbeat_path = {},
                                        std::uint64_t now_seconds = 0);

private:
    ipc::Log& log_;
};

}  // namespace ha::master
