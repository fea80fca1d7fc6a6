#include "datamgr/tree_diff.h"

#include <cctype>

#include "core/error.h"

namespace ecg::datamgr {

std::string record_id(const std::string& path) {
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "" : path.substr(0, slash + 1);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  if (const auto dot = name.find('.'); dot != std::string::npos && dot > 0) name = name.substr(0, dot);
  // A trailing "-<digits>" is an image index (Kaggle "-0001", ecg-image-kit "-0").
  if (const auto dash = name.rfind('-'); dash != std::string::npos && dash > 0 && dash + 1 < name.size()) {
    bool digits = true;
    for (size_t i = dash + 1; i < name.size(); ++i)
      digits = digits && std::isdigit(static_cast<unsigned char>(name[i]));
    if (digits) name = name.substr(0, dash);
  }
  return dir + name;
}

TreeDiff diff_manifests(const Manifest& a, const Manifest& b) {
  TreeDiff d;
  size_t i = 0, j = 0;
  auto add = [&](FileChange c) { d.by_record[record_id(c.path)].push_back(std::move(c)); };
  // Both lists are sorted by path.
  while (i < a.files.size() || j < b.files.size()) {
    if (j == b.files.size() || (i < a.files.size() && a.files[i].path < b.files[j].path)) {
      add({FileChange::Kind::kRemoved, a.files[i].path, a.files[i].sha256, "", a.files[i].size, -1});
      ++d.removed;
      ++i;
    } else if (i == a.files.size() || b.files[j].path < a.files[i].path) {
      add({FileChange::Kind::kAdded, b.files[j].path, "", b.files[j].sha256, -1, b.files[j].size});
      ++d.added;
      ++j;
    } else {
      if (a.files[i].sha256 != b.files[j].sha256) {
        add({FileChange::Kind::kModified, a.files[i].path, a.files[i].sha256, b.files[j].sha256, a.files[i].size,
             b.files[j].size});
        ++d.modified;
      } else {
        ++d.unchanged;
      }
      ++i;
      ++j;
    }
  }
  return d;
}

std::string format_diff(const TreeDiff& d) {
  std::string out;
  for (const auto& [record, changes] : d.by_record) {
    out += record + "\n";
    for (const auto& c : changes) {
      const char* mark = c.kind == FileChange::Kind::kAdded     ? "  + "
                         : c.kind == FileChange::Kind::kRemoved ? "  - "
                                                                : "  M ";
      out += mark + c.path;
      if (c.kind == FileChange::Kind::kModified && c.old_size >= 0 && c.new_size >= 0 && c.old_size != c.new_size) {
        out += str(" (", c.old_size, " -> ", c.new_size, " bytes)");
      }
      out += "\n";
    }
  }
  out += str(d.by_record.size(), " records changed: ", d.added, " files added, ", d.removed, " removed, ", d.modified,
             " modified, ", d.unchanged, " unchanged\n");
  return out;
}

nlohmann::json diff_to_json(const TreeDiff& d) {
  nlohmann::json records = nlohmann::json::object();
  for (const auto& [record, changes] : d.by_record) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& c : changes) {
      const char* kind = c.kind == FileChange::Kind::kAdded     ? "added"
                         : c.kind == FileChange::Kind::kRemoved ? "removed"
                                                                : "modified";
      nlohmann::json e = {{"change", kind}, {"path", c.path}};
      if (!c.old_sha256.empty()) e["old_sha256"] = c.old_sha256;
      if (!c.new_sha256.empty()) e["new_sha256"] = c.new_sha256;
      if (c.old_size >= 0) e["old_size"] = c.old_size;
      if (c.new_size >= 0) e["new_size"] = c.new_size;
      list.push_back(std::move(e));
    }
    records[record] = std::move(list);
  }
  return {{"records", std::move(records)},
          {"summary",
           {{"records_changed", d.by_record.size()},
            {"added", d.added},
            {"removed", d.removed},
            {"modified", d.modified},
            {"unchanged", d.unchanged}}}};
}

}  // namespace ecg::datamgr
