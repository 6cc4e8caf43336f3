// Builds the binding's JS error objects from HRESULTs, ErrorRecords and bridge conditions.
#include "errors.h"

#include <cstdio>

#include "../hcn/text.h"

namespace bridge {

namespace {

const char* CodeOf(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Hresult:
      return "HCN_HRESULT";
    case ErrorKind::Timeout:
      return "HCN_TIMEOUT";
    case ErrorKind::Busy:
      return "HCN_BUSY";
    case ErrorKind::NotAvailable:
      return "HCN_NOT_AVAILABLE";
    case ErrorKind::InvalidArgument:
      return "HCN_INVALID_ARGUMENT";
    case ErrorKind::Closed:
      return "HCN_CLOSED";
    case ErrorKind::None:
      break;
  }
  return "HCN_HRESULT";
}

void SetString(napi_env env, napi_value object, const char* key, const char* value) {
  napi_value v;
  if (napi_create_string_utf8(env, value, NAPI_AUTO_LENGTH, &v) == napi_ok) {
    napi_set_named_property(env, object, key, v);
  }
}

}  // namespace

std::string HresultText(HRESULT hr) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%08X", static_cast<unsigned>(static_cast<uint32_t>(hr)));
  return buffer;
}

napi_value MakeError(napi_env env, const ErrorInfo& info) {
  napi_value code, message, error;
  napi_create_string_utf8(env, CodeOf(info.kind), NAPI_AUTO_LENGTH, &code);
  napi_create_string_utf8(env, info.message.data(), info.message.size(), &message);
  napi_create_error(env, code, message, &error);
  SetString(env, error, "operation", info.operation != nullptr ? info.operation : "");
  if (info.has_hresult) {
    napi_value v;
    napi_create_uint32(env, static_cast<uint32_t>(info.hr), &v);
    napi_set_named_property(env, error, "hresult", v);
  }
  if (info.record != nullptr && !info.record->Empty()) {
    napi_value v;
    if (napi_create_string_utf16(env, info.record->u16(), NAPI_AUTO_LENGTH, &v) == napi_ok) {
      napi_set_named_property(env, error, "errorRecord", v);
    }
  }
  if (info.missing != nullptr) SetString(env, error, "missing", info.missing);
  return error;
}

napi_value MakeJobError(napi_env env, const Job& job) {
  const Failure& f = job.failure;
  ErrorInfo info;
  info.kind = f.kind;
  info.operation = f.operation != nullptr ? f.operation : job.method;
  info.missing = f.missing;
  if (f.kind == ErrorKind::Hresult) {
    info.has_hresult = true;
    info.hr = f.hr;
    info.record = &f.record;
    info.message = std::string(info.operation) + " failed with HRESULT " + HresultText(f.hr);
    if (!f.message.empty()) info.message += ": " + f.message;
    if (!f.record.Empty()) {
      std::string record;
      hcn::Utf16ToUtf8(f.record.get(), &record, hcn::LoneSurrogate::Replace);
      info.message += " " + record;
    }
  } else {
    info.message = f.message;
  }
  return MakeError(env, info);
}

void ThrowError(napi_env env, const ErrorInfo& info) { napi_throw(env, MakeError(env, info)); }

napi_value RejectedPromise(napi_env env, const ErrorInfo& info) {
  napi_deferred deferred;
  napi_value promise;
  napi_create_promise(env, &deferred, &promise);
  napi_reject_deferred(env, deferred, MakeError(env, info));
  return promise;
}

}  // namespace bridge
