# CMake toolchain for the win32-x64 cross build on Linux with Debian's mingw-w64 (posix thread model).
# The -posix compilers are required: the default -win32 thread model has no std::mutex, which
# node-addon-api and the bridge need.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)

set(HCN_MINGW_PREFIX x86_64-w64-mingw32 CACHE STRING "mingw-w64 target triple")
set(CMAKE_C_COMPILER ${HCN_MINGW_PREFIX}-gcc-posix)
set(CMAKE_CXX_COMPILER ${HCN_MINGW_PREFIX}-g++-posix)
set(CMAKE_RC_COMPILER ${HCN_MINGW_PREFIX}-windres)
set(CMAKE_AR ${HCN_MINGW_PREFIX}-ar CACHE FILEPATH "archiver")
set(CMAKE_RANLIB ${HCN_MINGW_PREFIX}-ranlib CACHE FILEPATH "ranlib")
set(CMAKE_FIND_ROOT_PATH /usr/${HCN_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# Used by cmake/windows.cmake to make the import library for node.exe from node_api.def.
find_program(HCN_DLLTOOL ${HCN_MINGW_PREFIX}-dlltool REQUIRED)
