// JSON value tree, serializer, and the bridge from simdjson's DOM into the tree.
#include "json_value.h"

#include <cmath>
#include <cstdio>

#include "simdjson.h"

namespace sim {

Json Json::Bool(bool v) {
  Json j;
  j.type_ = Type::Bool;
  j.bool_ = v;
  return j;
}
Json Json::Int(int64_t v) {
  Json j;
  j.type_ = Type::Int;
  j.int_ = v;
  return j;
}
Json Json::Uint(uint64_t v) {
  Json j;
  j.type_ = Type::Uint;
  j.uint_ = v;
  return j;
}
Json Json::Double(double v) {
  Json j;
  j.type_ = Type::Double;
  j.double_ = v;
  return j;
}
Json Json::Str(std::string v) {
  Json j;
  j.type_ = Type::String;
  j.str_ = std::move(v);
  return j;
}
Json Json::Array() {
  Json j;
  j.type_ = Type::Array;
  return j;
}
Json Json::Object() {
  Json j;
  j.type_ = Type::Object;
  return j;
}

bool Json::GetInt64(int64_t* out) const {
  switch (type_) {
    case Type::Int:
      *out = int_;
      return true;
    case Type::Uint:
      if (uint_ > static_cast<uint64_t>(INT64_MAX)) return false;
      *out = static_cast<int64_t>(uint_);
      return true;
    case Type::Double:
      if (std::floor(double_) != double_ || double_ < -9.2e18 || double_ > 9.2e18) return false;
      *out = static_cast<int64_t>(double_);
      return true;
    default:
      return false;
  }
}

bool Json::GetUint64(uint64_t* out) const {
  switch (type_) {
    case Type::Int:
      if (int_ < 0) return false;
      *out = static_cast<uint64_t>(int_);
      return true;
    case Type::Uint:
      *out = uint_;
      return true;
    case Type::Double:
      if (std::floor(double_) != double_ || double_ < 0 || double_ > 1.8e19) return false;
      *out = static_cast<uint64_t>(double_);
      return true;
    default:
      return false;
  }
}

double Json::AsDouble() const {
  switch (type_) {
    case Type::Int:
      return static_cast<double>(int_);
    case Type::Uint:
      return static_cast<double>(uint_);
    case Type::Double:
      return double_;
    default:
      return 0;
  }
}

bool EqualsIgnoreCase(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string ToUpperAscii(std::string s) {
  for (char& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}

std::string ToLowerAscii(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

const Json* Json::Find(const std::string& key) const {
  if (type_ != Type::Object) return nullptr;
  for (const Member& m : members_)
    if (m.first == key) return &m.second;
  for (const Member& m : members_)
    if (EqualsIgnoreCase(m.first, key)) return &m.second;
  return nullptr;
}

Json* Json::Find(const std::string& key) {
  return const_cast<Json*>(static_cast<const Json*>(this)->Find(key));
}

void Json::Set(const std::string& key, Json v) {
  if (type_ != Type::Object) {
    *this = Object();
  }
  for (Member& m : members_) {
    if (m.first == key || EqualsIgnoreCase(m.first, key)) {
      m.first = key;
      m.second = std::move(v);
      return;
    }
  }
  members_.emplace_back(key, std::move(v));
}

bool Json::Remove(const std::string& key) {
  for (size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].first == key || EqualsIgnoreCase(members_[i].first, key)) {
      members_.erase(members_.begin() + static_cast<std::ptrdiff_t>(i));
      return true;
    }
  }
  return false;
}

std::string Json::StringAt(const std::string& key) const {
  const Json* v = Find(key);
  return v && v->IsString() ? v->str_ : std::string();
}

int64_t Json::IntAt(const std::string& key) const {
  const Json* v = Find(key);
  int64_t n = 0;
  if (v && v->GetInt64(&n)) return n;
  return 0;
}

void AppendJsonString(const std::string& s, std::string* out) {
  out->push_back('"');
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      case '\b':
        out->append("\\b");
        break;
      case '\f':
        out->append("\\f");
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out->append(buf);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void Json::DumpTo(std::string* out) const {
  char buf[40];
  switch (type_) {
    case Type::Null:
      out->append("null");
      break;
    case Type::Bool:
      out->append(bool_ ? "true" : "false");
      break;
    case Type::Int:
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(int_));
      out->append(buf);
      break;
    case Type::Uint:
      std::snprintf(buf, sizeof buf, "%llu", static_cast<unsigned long long>(uint_));
      out->append(buf);
      break;
    case Type::Double:
      if (!std::isfinite(double_)) {
        out->append("null");
      } else {
        std::snprintf(buf, sizeof buf, "%.17g", double_);
        out->append(buf);
      }
      break;
    case Type::String:
      AppendJsonString(str_, out);
      break;
    case Type::Array: {
      out->push_back('[');
      bool first = true;
      for (const Json& item : items_) {
        if (!first) out->push_back(',');
        first = false;
        item.DumpTo(out);
      }
      out->push_back(']');
      break;
    }
    case Type::Object: {
      out->push_back('{');
      bool first = true;
      for (const Member& m : members_) {
        if (!first) out->push_back(',');
        first = false;
        AppendJsonString(m.first, out);
        out->push_back(':');
        m.second.DumpTo(out);
      }
      out->push_back('}');
      break;
    }
  }
}

std::string Json::Dump() const {
  std::string out;
  DumpTo(&out);
  return out;
}

namespace {

bool Convert(simdjson::dom::element el, Json* out) {
  using simdjson::dom::element_type;
  switch (el.type()) {
    case element_type::NULL_VALUE:
      *out = Json();
      return true;
    case element_type::BOOL: {
      bool b = false;
      if (el.get_bool().get(b)) return false;
      *out = Json::Bool(b);
      return true;
    }
    case element_type::INT64: {
      int64_t v = 0;
      if (el.get_int64().get(v)) return false;
      *out = Json::Int(v);
      return true;
    }
    case element_type::UINT64: {
      uint64_t v = 0;
      if (el.get_uint64().get(v)) return false;
      *out = Json::Uint(v);
      return true;
    }
    case element_type::DOUBLE: {
      double v = 0;
      if (el.get_double().get(v)) return false;
      *out = Json::Double(v);
      return true;
    }
    case element_type::STRING: {
      std::string_view v;
      if (el.get_string().get(v)) return false;
      *out = Json::Str(std::string(v));
      return true;
    }
    case element_type::ARRAY: {
      simdjson::dom::array arr;
      if (el.get_array().get(arr)) return false;
      *out = Json::Array();
      for (simdjson::dom::element item : arr) {
        Json child;
        if (!Convert(item, &child)) return false;
        out->Push(std::move(child));
      }
      return true;
    }
    case element_type::OBJECT: {
      simdjson::dom::object obj;
      if (el.get_object().get(obj)) return false;
      *out = Json::Object();
      for (simdjson::dom::key_value_pair kv : obj) {
        Json child;
        if (!Convert(kv.value, &child)) return false;
        out->Members().emplace_back(std::string(kv.key), std::move(child));
      }
      return true;
    }
  }
  return false;
}

}  // namespace

bool ParseJson(const std::string& text, Json* out, std::string* error) {
  // A parser per call: calls arrive on many threads and a dom::parser is not thread-safe.
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  simdjson::error_code code = parser.parse(text.data(), text.size(), true).get(root);
  if (code != simdjson::SUCCESS) {
    if (error) *error = simdjson::error_message(code);
    return false;
  }
  if (!Convert(root, out)) {
    if (error) *error = "unsupported JSON value";
    return false;
  }
  return true;
}

}  // namespace sim
