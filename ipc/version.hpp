// version — what `--version` prints, the same for every hamaster binary (hamaster(8) "OPTIONS").
//
// "<program> (hamaster) <version>" and one line saying what it is compatible with. The version
// is the CMake project's (PROJECT_VERSION), written into version.cpp by configure_file().
// Time and blocking: none. Diagnostics: none.
#pragma once

#include <string>
#include <string_view>

namespace ha::ipc {

std::string_view hamaster_version();                  // "0.1.0"
std::string version_text(std::string_view program);   // two lines, newline-terminated

}  // namespace ha::ipc
