// The HCN function table: one struct of function pointers with the exact shapes of computenetwork.h
// (plus vmcompute.dll's HNSCall) for the families the SDK uses. Nothing above this table knows whether
// it was filled from the real DLLs (src/hcn/loader_win.cc) or from the embedded simulator (src/sim).
#pragma once

#include <cstdint>

#ifdef _WIN32
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
// UTF-16 code unit of the Windows API (PCWSTR / PWSTR).
using hcn_char = wchar_t;
#else
using hcn_char = char16_t;
typedef int32_t HRESULT;
typedef uint32_t DWORD;
struct GUID {
  uint32_t Data1;
  uint16_t Data2;
  uint16_t Data3;
  uint8_t Data4[8];
};
#ifndef WINAPI
#define WINAPI
#endif
#ifndef CALLBACK
#define CALLBACK
#endif
#endif

namespace hcn {

// Opaque context handles (HCN_NETWORK, HCN_ENDPOINT, HCN_LOADBALANCER, HCN_NAMESPACE, HCN_CALLBACK).
using Handle = void*;

// HCN_NOTIFICATION_CALLBACK: called on an HCN-owned thread.
using NotificationCallback = void(CALLBACK*)(DWORD notificationType, void* context,
                                             HRESULT notificationStatus,
                                             const hcn_char* notificationData);

// One family (Network, Endpoint, LoadBalancer, Namespace) of the seven-verb pattern. Create of an
// endpoint takes the open network handle first, so it has its own pointer type.
struct FamilyFns {
  HRESULT(WINAPI* Enumerate)(const hcn_char* query, hcn_char** ids, hcn_char** errorRecord);
  // Network, LoadBalancer, Namespace: (REFGUID id, settings, out handle, errorRecord).
  HRESULT(WINAPI* Create)(const GUID* id, const hcn_char* settings, Handle* object,
                          hcn_char** errorRecord);
  // Endpoint only: HcnCreateEndpoint(HCN_NETWORK, REFGUID, settings, out handle, errorRecord).
  HRESULT(WINAPI* CreateInNetwork)(Handle network, const GUID* id, const hcn_char* settings,
                                   Handle* object, hcn_char** errorRecord);
  HRESULT(WINAPI* Open)(const GUID* id, Handle* object, hcn_char** errorRecord);
  HRESULT(WINAPI* Modify)(Handle object, const hcn_char* settings, hcn_char** errorRecord);
  HRESULT(WINAPI* Query)(Handle object, const hcn_char* query, hcn_char** properties,
                         hcn_char** errorRecord);
  HRESULT(WINAPI* Delete)(const GUID* id, hcn_char** errorRecord);
  HRESULT(WINAPI* Close)(Handle object);
};

enum class Family : int { Network = 0, Endpoint = 1, LoadBalancer = 2, Namespace = 3 };
constexpr int kFamilyCount = 4;

struct Api {
  FamilyFns families[kFamilyCount];  // indexed by Family

  HRESULT(WINAPI* RegisterServiceCallback)(NotificationCallback callback, void* context,
                                           Handle* callbackHandle);
  HRESULT(WINAPI* UnregisterServiceCallback)(Handle callbackHandle);

  // vmcompute.dll!HNSCall (HNS v1): GET /globals/version, GET /policylists/ ...
  HRESULT(WINAPI* HNSCall)(const hcn_char* method, const hcn_char* path, const hcn_char* request,
                           hcn_char** response);

  // Frees every string the functions above return (CoTaskMemFree for the real DLLs; the
  // simulator's own counting allocator in-process).
  void(WINAPI* FreeString)(void* p);

  // Simulator control (JSON in, JSON out). Null for the real HNS. The stand-alone simulator DLL
  // exports it as HcnSimControl so the Windows-ABI lane can drive it too.
  HRESULT(WINAPI* SimControl)(const hcn_char* request, hcn_char** response);

  // Names of the functions this table could not fill (e.g. "HcnModifyLoadBalancer" on an old
  // host), separated by commas; empty when complete. A null pointer above is never called: the
  // bridge turns it into HCN_NOT_AVAILABLE naming the export.
  const char* missing;
};

// Function names as exported by computenetwork.dll, for errors and the Windows loader.
// Index: [family][verb] with verbs in FamilyFns order (Enumerate, Create, CreateInNetwork, Open,
// Modify, Query, Delete, Close); CreateInNetwork is only meaningful for endpoints.
const char* FunctionName(Family family, int verb);

}  // namespace hcn

// HRESULTs the SDK and the simulator use. mingw-w64's winerror.h lacks the HCN_E_* codes, so they
// are defined here (values from winerror.h, Windows SDK 10.0.26100).
namespace hr {
constexpr HRESULT kOk = 0;
constexpr HRESULT kFalse = 1;
constexpr HRESULT kNotImpl = static_cast<HRESULT>(0x80004001u);
constexpr HRESULT kPointer = static_cast<HRESULT>(0x80004003u);
constexpr HRESULT kFail = static_cast<HRESULT>(0x80004005u);
constexpr HRESULT kUnexpected = static_cast<HRESULT>(0x8000FFFFu);
constexpr HRESULT kOutOfMemory = static_cast<HRESULT>(0x8007000Eu);
constexpr HRESULT kInvalidArg = static_cast<HRESULT>(0x80070057u);  // ERROR_INVALID_PARAMETER
constexpr HRESULT kHandle = static_cast<HRESULT>(0x80070006u);      // E_HANDLE
constexpr HRESULT kAccessDenied = static_cast<HRESULT>(0x80070005u);
constexpr HRESULT kInvalidData = static_cast<HRESULT>(0x8007000Du);
constexpr HRESULT kAlreadyExists = static_cast<HRESULT>(0x800700B7u);  // ERROR_ALREADY_EXISTS
constexpr HRESULT kNotFound = static_cast<HRESULT>(0x80070490u);       // ERROR_NOT_FOUND
constexpr HRESULT kObjectAlreadyExists = static_cast<HRESULT>(0x80071392u);
constexpr HRESULT kServiceNotActive = static_cast<HRESULT>(0x80070426u);  // ERROR_SERVICE_NOT_ACTIVE
constexpr HRESULT kTimeout = static_cast<HRESULT>(0x800705B4u);           // ERROR_TIMEOUT
constexpr HRESULT kModNotFound = static_cast<HRESULT>(0x8007007Eu);       // ERROR_MOD_NOT_FOUND
constexpr HRESULT kProcNotFound = static_cast<HRESULT>(0x8007007Fu);      // ERROR_PROC_NOT_FOUND

constexpr HRESULT kNetworkNotFound = static_cast<HRESULT>(0x803B0001u);
constexpr HRESULT kEndpointNotFound = static_cast<HRESULT>(0x803B0002u);
constexpr HRESULT kPortNotFound = static_cast<HRESULT>(0x803B0007u);
constexpr HRESULT kPolicyNotFound = static_cast<HRESULT>(0x803B0008u);
constexpr HRESULT kInvalidNetwork = static_cast<HRESULT>(0x803B000Au);
constexpr HRESULT kInvalidNetworkType = static_cast<HRESULT>(0x803B000Bu);
constexpr HRESULT kInvalidEndpoint = static_cast<HRESULT>(0x803B000Cu);
constexpr HRESULT kInvalidPolicy = static_cast<HRESULT>(0x803B000Du);
constexpr HRESULT kInvalidPolicyType = static_cast<HRESULT>(0x803B000Eu);
constexpr HRESULT kInvalidRemoteEndpointOperation = static_cast<HRESULT>(0x803B000Fu);
constexpr HRESULT kNetworkAlreadyExists = static_cast<HRESULT>(0x803B0010u);
constexpr HRESULT kPolicyAlreadyExists = static_cast<HRESULT>(0x803B0012u);
constexpr HRESULT kPortAlreadyExists = static_cast<HRESULT>(0x803B0013u);
constexpr HRESULT kRequestUnsupported = static_cast<HRESULT>(0x803B0015u);
constexpr HRESULT kGuidConversionFailure = static_cast<HRESULT>(0x803B0019u);
constexpr HRESULT kInvalidJson = static_cast<HRESULT>(0x803B001Bu);
constexpr HRESULT kInvalidJsonReference = static_cast<HRESULT>(0x803B001Cu);
constexpr HRESULT kInvalidIp = static_cast<HRESULT>(0x803B001Eu);
constexpr HRESULT kManagerStopped = static_cast<HRESULT>(0x803B0020u);
constexpr HRESULT kEntityHasReferences = static_cast<HRESULT>(0x803B002Cu);
constexpr HRESULT kInvalidInternalPort = static_cast<HRESULT>(0x803B002Du);
constexpr HRESULT kAddrInvalidOrReserved = static_cast<HRESULT>(0x803B002Fu);
constexpr HRESULT kInvalidPrefix = static_cast<HRESULT>(0x803B0030u);
constexpr HRESULT kInvalidSubnet = static_cast<HRESULT>(0x803B0032u);

inline bool Failed(HRESULT h) { return h < 0; }
}  // namespace hr

// Notification types (HCN_NOTIFICATIONS).
namespace notify {
constexpr DWORD kNetworkCreate = 0x2;
constexpr DWORD kNetworkDelete = 0x4;
constexpr DWORD kNetworkEndpointAttached = 0x9;
constexpr DWORD kNetworkEndpointDetached = 0x10;
constexpr DWORD kServiceDisconnect = 0x01000000;
}  // namespace notify
