// GenerationFile: atomic load-and-bump of the generation file. See generation_file.hpp.
#include "master/core/generation_file.hpp"

#include <fmt/format.h>

#include <optional>
#include <string>
#include <system_error>

#include "master/core/durable_file.hpp"
#include "master/core/generation.hpp"

namespace ha::master {

namespace {

Error as_generation_error(const Error& e) { return make_error("generation_io", e.message); }

Result<std::optional<std::uint64_t>> read_stored(const std::filesystem::path& path) {
    // A generation is at most 20 digits (and some blanks); parse refuses anything longer.
    auto text = read_small_file(path, 64);
    if (!text) return as_generation_error(text.error());
    if (!*text) return std::optional<std::uint64_t>{};
    auto value = Generation::parse(**text);
    if (!value) return make_error("bad_generation", fmt::format("{}: {}", path.string(), value.error().message));
    return std::optional<std::uint64_t>{*value};
}

}  // namespace

Result<std::uint64_t> GenerationFile::load_and_bump(const std::filesystem::path& path,
                                                    const std::filesystem::path& heartbeat_path,
                                                    std::uint64_t now_seconds) {
    auto stored = read_stored(path);
    if (!stored) return stored.error();
    std::optional<std::uint64_t> base = *stored;
    bool after_heartbeat = false;
    bool theirs_readable = false;
    if (!heartbeat_path.empty()) {
        auto theirs = read_stored(heartbeat_path);
        theirs_readable = theirs.has_value();
        if (!theirs) {
            log_.warn("Ignoring Heartbeat's generation file: {}", theirs.error().message);
        } else if (*theirs && (!base || **theirs > *base)) {
            log_.info("Generation continues from Heartbeat's {} ({})", heartbeat_path.string(), **theirs);
            base = *theirs;
            after_heartbeat = true;
        }
    }
    std::uint64_t next = Generation::next(base);
    // Seen in the interop lab: the file held two less than the generation the last Heartbeat life
    // sent (its start time), and the peer dropped us as a replay.
    if (after_heartbeat && now_seconds > next) next = now_seconds;
    // No stored generation at all: a first start, or a node whose /var/lib was wiped (reinstalled,
    // restored from an image). Its peer may remember a generation from an earlier life of this
    // node and drop everything lower as a replay, so a count from 1 could be deaf to it for as
    // many lives as that one had. The clock is far above any count of restarts.
    if (!base && now_seconds > next) next = now_seconds;

    if (auto w = replace_file_durably(path, Generation::format(next)); !w) return as_generation_error(w.error());
    // An unreadable file of Heartbeat's is not ours to repair: it stays as it is.
    if (theirs_readable) keep_heartbeat_current(heartbeat_path, next);

    if (!base) log_.warn("No Previous generation - starting at {}", next);
    return next;
}

void GenerationFile::keep_heartbeat_current(const std::filesystem::path& heartbeat_path, std::uint64_t generation) {
    // Only where Heartbeat's package left its state directory (removed, not purged): we never
    // create it, so a machine that never ran Heartbeat gets nothing of Heartbeat's.
    std::error_code ec;
    if (!std::filesystem::is_directory(heartbeat_path.parent_path(), ec)) return;
    if (auto w = replace_file_durably(heartbeat_path, Generation::format(generation)); !w)
        log_.warn("Cannot keep Heartbeat's generation file current (a return to Heartbeat would start below "
                  "this generation): {}", w.error().message);
}

}  // namespace ha::master
