// JS error objects of the binding: Error with `code` (a NativeErrorCode of ts/native.ts),
// `operation`, and when known `hresult` (unsigned), `errorRecord` and `missing`.
#pragma once

#include <node_api.h>

#include <string>

#include "job.h"

namespace bridge {

struct ErrorInfo {
  ErrorKind kind = ErrorKind::Hresult;
  const char* operation = "";
  std::string message;
  bool has_hresult = false;
  HRESULT hr = 0;
  const HcnString* record = nullptr;  // raw ErrorRecord, attached when non-empty
  const char* missing = nullptr;
};

napi_value MakeError(napi_env env, const ErrorInfo& info);

// The error for a Job that failed on its worker thread.
napi_value MakeJobError(napi_env env, const Job& job);

// Throws (sync methods) or returns a rejected promise (async methods).
void ThrowError(napi_env env, const ErrorInfo& info);
napi_value RejectedPromise(napi_env env, const ErrorInfo& info);

// "0x803B0013"
std::string HresultText(HRESULT hr);

}  // namespace bridge
