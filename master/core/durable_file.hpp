// Small state files that must survive a crash whole: read one, or replace one atomically.
//
// replace_file_durably() writes `<path>.tmp`, fsyncs it, renames it over `<path>` and fsyncs the
// directory, so a crash leaves either the old or the new contents, never a torn file (the
// generation and the node uuid: a torn one would make the peer drop us or see another node).
// read_small_file() reads at most `limit` bytes and says whether the file exists.
//
// Time and blocking: blocking file I/O, meant for start-up only; no clock.
// Diagnostics: none; every failure is an Error (code `state_io`) naming the path and errno text.
// See also: master/core/generation_file.hpp, master/node_uuid.hpp.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "ipc/result.hpp"

namespace ha::master {

// The file's contents (at most `limit` + 1 bytes, so a caller can tell "too long"), or nothing
// when the file does not exist.
Result<std::optional<std::string>> read_small_file(const std::filesystem::path& path, std::size_t limit);

// Replaces `path` with `data` atomically and durably (see above). No temp file is left behind.
Result<void> replace_file_durably(const std::filesystem::path& path, std::string_view data, mode_t mode = 0644);

}  // namespace ha::master
