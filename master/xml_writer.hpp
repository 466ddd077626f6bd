// XmlWriter — writes a small XML document element by element, escaping every attribute value and
// comment, so the output is well-formed whatever bytes the configuration held.
//
// For `hamaster export pacemaker` (the CIB). A dependency on an XML library would buy nothing here:
// we only write, the document is a few dozen elements, and validity against Pacemaker's schema is
// proven by crm_verify in the tests. Escaping: & < > " ' become entities; tab, CR and LF in an
// attribute become character references (an attribute value keeps them); other control bytes,
// which XML 1.0 cannot carry at all, and bytes that are not valid UTF-8 become U+FFFD. Element and
// attribute names are the caller's constants, never configuration text.
//
// Time and blocking: none. Diagnostics: none.
// See also: master/pacemaker_export.hpp.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ha::master {

class XmlWriter {
public:
    using Attributes = std::vector<std::pair<std::string_view, std::string>>;

    XmlWriter();  // starts with the XML declaration
    void open(std::string_view tag, const Attributes& attributes = {});
    void empty(std::string_view tag, const Attributes& attributes = {});
    void close();
    void comment(std::string_view text);
    // The document; every opened element must have been closed.
    const std::string& text() const;

    // `text` as an attribute value (without the quotes).
    static std::string escape(std::string_view text);

private:
    void start_tag(std::string_view tag, const Attributes& attributes);
    std::string out_;
    std::vector<std::string> open_;
};

}  // namespace ha::master
