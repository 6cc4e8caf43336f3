// Lets the Windows addon load in hosts whose executable is not named node.exe (Electron, a renamed
// or embedded node): the addon links node.exe's Node-API exports through a delay-load import
// library, and this hook hands the delay-load helper the host process instead of a DLL called
// node.exe. With mingw-w64 the hook is a variable read by __delayLoadHelper2, so it is set in
// DllMain, before the first Node-API call goes through a delay-load thunk.
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
// clang-format off: delayimp.h needs windows.h first.
#include <delayimp.h>
// clang-format on

namespace {

FARPROC WINAPI MapNodeExeToHost(unsigned notify, PDelayLoadInfo info) {
  if (notify != dliNotePreLoadLibrary || info == nullptr || info->szDll == nullptr) return nullptr;
  if (lstrcmpiA(info->szDll, "node.exe") != 0) return nullptr;
  return reinterpret_cast<FARPROC>(GetModuleHandleW(nullptr));
}

}  // namespace

// Thread notifications stay enabled: the statically linked C++ runtime and winpthreads use them
// for thread-local storage.
extern "C" BOOL WINAPI DllMain(HINSTANCE /*instance*/, DWORD reason, LPVOID /*reserved*/) {
  if (reason == DLL_PROCESS_ATTACH) __pfnDliNotifyHook2 = &MapNodeExeToHost;
  return TRUE;
}
