// GenerationFile — loads, increments and durably stores the generation number (hbgenmethod file).
//
// The one piece of master/core that touches a file, because the bump must be atomic: the new value
// is written to `<path>.tmp`, fsync'ed, renamed over `<path>`, and the directory is fsync'ed, so a
// crash leaves either the old or the new value, never a torn one. Called once at start-up by the
// shell, before the loop runs.
//
// Time and blocking: blocking file I/O (start-up only); no clock.
// Diagnostics: WARN `No Previous generation - starting at 1` when the file does not exist.
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
    Result<std::uint64_t> load_and_bump(const std::filesystem::path& path);

private:
    ipc::Log& log_;
};

}  // namespace ha::master
