// Diagnostics — the errors, warnings and notes found while loading the configuration.
//
// Every config parser (ha.cf, haresources, authkeys) reports into one Diagnostics object instead of
// stopping at the first problem, so `hamaster -t` shows every error at once (keepalived's
// report_config_error, Postfix's fatal_with_context). A diagnostic names its file and line and
// renders as `FILE:LINE: error: TEXT` (`FILE: error: TEXT` when it concerns the whole file).
// To keep hostile input cheap, at most kMaxErrorsPerFile errors are kept per file; after that one
// note says the rest were dropped.
//
// Time and blocking: none. Diagnostics: this is the diagnostics channel; it never logs itself.
// See also: docs/conventions.md §3, ipc/config/config.hpp.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ha::conf {

enum class Severity { error, warning, info };

// "error", "warning", "info".
std::string_view severity_word(Severity severity);

struct Diagnostic {
    std::string file;  // as shown to the operator, e.g. /etc/ha.d/ha.cf
    int line = 0;      // 1-based; 0 = the whole file
    Severity severity = Severity::error;
    std::string text;
};

// `FILE:LINE: error: TEXT`, or `FILE: error: TEXT` for line 0.
std::string render(const Diagnostic& diagnostic);

// Quotes untrusted text for a diagnostic: control bytes and non-ASCII bytes become \xNN, and long
// text is cut at kMaxQuoted bytes with "..." appended. Never returns more than ~4×kMaxQuoted bytes.
std::string quote(std::string_view text);
inline constexpr std::size_t kMaxQuoted = 80;

class Diagnostics {
public:
    static constexpr int kMaxErrorsPerFile = 100;

    void add(Severity severity, std::string_view file, int line, std::string text);
    void error(std::string_view file, int line, std::string text) { add(Severity::error, file, line, std::move(text)); }
    void warning(std::string_view file, int line, std::string text) { add(Severity::warning, file, line, std::move(text)); }
    void info(std::string_view file, int line, std::string text) { add(Severity::info, file, line, std::move(text)); }

    const std::vector<Diagnostic>& items() const { return items_; }
    std::vector<Diagnostic> take() { return std::move(items_); }
    std::size_t error_count() const { return errors_; }
    std::size_t warning_count() const;
    bool has_errors() const { return errors_ > 0; }
    // Errors reported for one file (counting the dropped ones).
    std::size_t error_count(std::string_view file) const;

private:
    std::vector<Diagnostic> items_;
    std::size_t errors_ = 0;
    std::map<std::string, std::size_t, std::less<>> errors_per_file_;
};

}  // namespace ha::conf
