// write_file_atomically — replaces a file so that a reader sees the old content or the new, never
// a half-written one: a temporary file in the same directory, written, fsync'ed, given its mode,
// then rename()d over the target.
//
// Used where another program reads the file at any moment: node_exporter's textfile collector
// (master/metrics_textfile), and `hamaster export pacemaker` (corosync.conf, cib.xml, authkey).
// The temporary name is `.NAME.tmp.PID` (a dot first, so collectors that pick files by suffix,
// like `*.prom`, never read it). On any failure the temporary file is removed and the target is
// left as it was.
//
// Time and blocking: blocking file I/O (open, write, rename, and fsync when durable); the master
// calls it once per metrics interval, not durable, on a local file of a few kilobytes.
// Diagnostics: none; the error names the path and errno's text.
// See also: master/core/generation_file.cpp (the same dance with a directory fsync, for state).
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "ipc/result.hpp"

namespace ha::ipc {

// `durable`: fsync before the rename, so the new content also survives a crash of the machine.
// Without it the swap is still atomic for readers, and nothing waits for the disk.
Result<void> write_file_atomically(const std::string& path, std::string_view data, mode_t mode, bool durable = true);

}  // namespace ha::ipc
