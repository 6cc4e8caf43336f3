// RAII owners for what HCN hands back: returned strings (freed with Api::FreeString, i.e.
// CoTaskMemFree on Windows) and object handles (closed with the family's Close).
#pragma once

#include "../hcn/hcn_api.h"

namespace bridge {

static_assert(sizeof(hcn_char) == sizeof(char16_t), "HCN strings are UTF-16");

class HcnString {
 public:
  explicit HcnString(const hcn::Api* api = nullptr) : api_(api) {}
  HcnString(HcnString&& other) noexcept : api_(other.api_), p_(other.p_) { other.p_ = nullptr; }
  HcnString& operator=(HcnString&& other) noexcept {
    if (this != &other) {
      Reset();
      api_ = other.api_;
      p_ = other.p_;
      other.p_ = nullptr;
    }
    return *this;
  }
  HcnString(const HcnString&) = delete;
  HcnString& operator=(const HcnString&) = delete;
  ~HcnString() { Reset(); }

  // For an out-parameter: frees what was held, then lets the callee fill it.
  hcn_char** Out() {
    Reset();
    return &p_;
  }
  const hcn_char* get() const { return p_; }
  const char16_t* u16() const { return reinterpret_cast<const char16_t*>(p_); }
  bool Empty() const { return p_ == nullptr || p_[0] == 0; }
  void Reset() {
    if (p_ != nullptr) {
      api_->FreeString(p_);
      p_ = nullptr;
    }
  }

 private:
  const hcn::Api* api_;
  hcn_char* p_ = nullptr;
};

class HcnObject {
 public:
  explicit HcnObject(const hcn::FamilyFns& fns) : fns_(fns) {}
  HcnObject(const HcnObject&) = delete;
  HcnObject& operator=(const HcnObject&) = delete;
  ~HcnObject() { Reset(); }

  hcn::Handle get() const { return h_; }
  // Takes ownership of a handle a Create/Open returned.
  void Adopt(hcn::Handle h) {
    Reset();
    h_ = h;
  }
  void Reset() {
    if (h_ != nullptr) {
      fns_.Close(h_);
      h_ = nullptr;
    }
  }

 private:
  const hcn::FamilyFns& fns_;
  hcn::Handle h_ = nullptr;
};

}  // namespace bridge
