// A small JSON value tree for the objects the simulator stores and edits, a serializer for it,
// and parsing through simdjson (the tree is built from simdjson's DOM; nothing is parsed by hand).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace sim {

class Json {
 public:
  enum class Type { Null, Bool, Int, Uint, Double, String, Array, Object };
  using Member = std::pair<std::string, Json>;

  Json() = default;
  static Json Bool(bool v);
  static Json Int(int64_t v);
  static Json Uint(uint64_t v);
  static Json Double(double v);
  static Json Str(std::string v);
  static Json Array();
  static Json Object();

  Type type() const { return type_; }
  bool IsNull() const { return type_ == Type::Null; }
  bool IsBool() const { return type_ == Type::Bool; }
  bool IsNumber() const { return type_ == Type::Int || type_ == Type::Uint || type_ == Type::Double; }
  bool IsString() const { return type_ == Type::String; }
  bool IsArray() const { return type_ == Type::Array; }
  bool IsObject() const { return type_ == Type::Object; }

  bool AsBool() const { return type_ == Type::Bool && bool_; }
  // Integral value (a double is accepted when it is a whole number in range).
  bool GetInt64(int64_t* out) const;
  bool GetUint64(uint64_t* out) const;
  double AsDouble() const;
  const std::string& AsString() const { return str_; }

  std::vector<Json>& Items() { return items_; }
  const std::vector<Json>& Items() const { return items_; }
  void Push(Json v) { items_.push_back(std::move(v)); }

  std::vector<Member>& Members() { return members_; }
  const std::vector<Member>& Members() const { return members_; }
  // Object member by name: an exact match first, else a case-insensitive one (HNS clients differ
  // in the casing of property names; the simulator accepts both).
  const Json* Find(const std::string& key) const;
  Json* Find(const std::string& key);
  // Replaces the member matching `key` (see Find), renaming it to `key`, or appends it.
  void Set(const std::string& key, Json v);
  bool Remove(const std::string& key);

  // Convenience readers for object members: empty / 0 / false when absent or of another type.
  std::string StringAt(const std::string& key) const;
  int64_t IntAt(const std::string& key) const;

  std::string Dump() const;
  void DumpTo(std::string* out) const;

 private:
  Type type_ = Type::Null;
  bool bool_ = false;
  int64_t int_ = 0;
  uint64_t uint_ = 0;
  double double_ = 0;
  std::string str_;
  std::vector<Json> items_;
  std::vector<Member> members_;
};

// Parses UTF-8 JSON text with simdjson into a tree. On failure returns false and sets *error.
bool ParseJson(const std::string& text, Json* out, std::string* error);

// Appends `s` as a JSON string literal (quoted, escaped).
void AppendJsonString(const std::string& s, std::string* out);

// ASCII case-insensitive equality (GUIDs, type names, property names).
bool EqualsIgnoreCase(const std::string& a, const std::string& b);
std::string ToUpperAscii(std::string s);
std::string ToLowerAscii(std::string s);

}  // namespace sim
