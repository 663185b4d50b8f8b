// ringb/test_msg.h — __msg annotations matched against a verifier log as
// the kernel's selftest loader (tools/testing/selftests/bpf/test_loader.c)
// does: each message must appear after the previous one's match, and parts
// between {{ and }} are regular expressions (POSIX extended), the rest
// literal text. Header-only, shared by `ringb test` and tests/.
#pragma once

#include <regex>
#include <string>
#include <vector>

namespace ringb {

// The message as a regular expression, or "" if it has no {{…}} part.
inline std::string test_msg_regex(const std::string& msg) {
  if (msg.find("{{") == std::string::npos) return "";
  std::string re;
  size_t i = 0;
  while (i < msg.size()) {
    const size_t open = msg.find("{{", i);
    const size_t lit_end = open == std::string::npos ? msg.size() : open;
    for (size_t k = i; k < lit_end; ++k) {
      const char c = msg[k];
      if (std::string("\\^$.|?*+()[]{}").find(c) != std::string::npos) re += '\\';
      re += c;
    }
    if (open == std::string::npos) break;
    const size_t close = msg.find("}}", open + 2);
    if (close == std::string::npos) return "";  // malformed: caller matches literally
    re += "(" + msg.substr(open + 2, close - open - 2) + ")";
    i = close + 2;
  }
  return re;
}

// True when every message matches `log` in order; otherwise *missing is
// the first that does not.
inline bool test_msgs_match(const std::vector<std::string>& msgs, const std::string& log, std::string* missing) {
  size_t pos = 0;
  for (const std::string& m : msgs) {
    const std::string re = test_msg_regex(m);
    if (re.empty()) {
      const size_t at = log.find(m, pos);
      if (at == std::string::npos) return *missing = m, false;
      pos = at + m.size();
      continue;
    }
    std::smatch sm;
    const std::string rest = log.substr(pos);
    try {
      if (!std::regex_search(rest, sm, std::regex(re, std::regex::extended)))
        return *missing = m, false;
    } catch (const std::regex_error&) {
      return *missing = m + " (not a valid regular expression)", false;
    }
    pos += static_cast<size_t>(sm.position(0) + sm.length(0));
  }
  return true;
}

}  // namespace ringb
