# Windows-only parts of the CMake build, included by CMakeLists.txt when WIN32 (after the addon
# target exists): the real-HCN loader, ole32 for CoTaskMemFree, and for mingw-w64 cross builds the
# Node-API import library, the delay-load hook, static runtime linking, -Wall -Werror, and the
# simulator built as stand-alone computenetwork.dll / vmcompute.dll for the Windows-ABI lane.
# MSVC builds (cmake-js on Windows) get node.lib and the delay-load hook from cmake-js itself.

set(HCN_ADDON_TARGET "hcn_sdk" CACHE STRING "Name of the addon target defined by CMakeLists.txt")
option(HCN_BREAK_LOADER "Test only: misspell a required export in the Windows loader" OFF)
option(HCN_BUILD_SIM_DLLS "Build the simulator as computenetwork.dll and vmcompute.dll (mingw-w64)"
       ${MINGW})

set(HCN_WIN_ROOT "${CMAKE_CURRENT_LIST_DIR}/..")
get_filename_component(HCN_WIN_ROOT "${HCN_WIN_ROOT}" ABSOLUTE)

if(NOT TARGET ${HCN_ADDON_TARGET})
  message(FATAL_ERROR "cmake/windows.cmake: include it after the addon target ${HCN_ADDON_TARGET}")
endif()

get_target_property(_hcn_addon_sources ${HCN_ADDON_TARGET} SOURCES)
if(NOT "${HCN_WIN_ROOT}/src/hcn/loader_win.cc" IN_LIST _hcn_addon_sources)
  target_sources(${HCN_ADDON_TARGET} PRIVATE "${HCN_WIN_ROOT}/src/hcn/loader_win.cc")
endif()
target_link_libraries(${HCN_ADDON_TARGET} PRIVATE ole32)
if(HCN_BREAK_LOADER)
  message(WARNING "HCN_BREAK_LOADER is ON: this addon cannot load the real HCN (test build)")
  set_property(SOURCE "${HCN_WIN_ROOT}/src/hcn/loader_win.cc" APPEND PROPERTY
               COMPILE_DEFINITIONS HCN_BREAK_LOADER)
endif()

# simdjson's amalgamation for the simulator DLL: where CMakeLists.txt resolved it for the addon.
if(SIMDJSON_DIR)
  set(HCN_SIMDJSON_DIR "${SIMDJSON_DIR}/src")
else()
  find_path(HCN_SIMDJSON_DIR simdjson.h
            PATHS "${HCN_WIN_ROOT}/node_modules/@nozbe/simdjson/src" NO_DEFAULT_PATH
            NO_CMAKE_FIND_ROOT_PATH)
endif()

if(NOT MINGW)
  return()
endif()

# -- The addon, cross-built with mingw-w64 ----------------------------------------------------------

target_sources(${HCN_ADDON_TARGET} PRIVATE "${HCN_WIN_ROOT}/src/win/delay_load_hook.cc")

# The addon's own code is warning-free on this compiler; third-party sources (simdjson) are not ours.
get_target_property(_hcn_addon_sources ${HCN_ADDON_TARGET} SOURCES)
foreach(_src IN LISTS _hcn_addon_sources)
  get_filename_component(_abs "${_src}" ABSOLUTE BASE_DIR "${HCN_WIN_ROOT}")
  string(FIND "${_abs}" "${HCN_WIN_ROOT}/src/" _at)
  if(_at EQUAL 0 AND _abs MATCHES "\\.cc$")
    set_property(SOURCE "${_abs}" APPEND PROPERTY COMPILE_OPTIONS -Wall -Werror)
  endif()
endforeach()

# Node-API import library for node.exe, as a delay-load library so a renamed host works too
# (src/win/delay_load_hook.cc maps node.exe to the host process).
if(NOT HCN_DLLTOOL)
  find_program(HCN_DLLTOOL x86_64-w64-mingw32-dlltool REQUIRED)
endif()
execute_process(
  COMMAND node -p "require('node-api-headers').def_paths.node_api_def"
  WORKING_DIRECTORY "${HCN_WIN_ROOT}"
  OUTPUT_VARIABLE HCN_NODE_API_DEF OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
set(HCN_NODE_DELAYLIB "${CMAKE_CURRENT_BINARY_DIR}/libnode_api_delay.a")
add_custom_command(
  OUTPUT "${HCN_NODE_DELAYLIB}"
  COMMAND "${HCN_DLLTOOL}" -d "${HCN_NODE_API_DEF}" -y "${HCN_NODE_DELAYLIB}" -D node.exe
  DEPENDS "${HCN_NODE_API_DEF}"
  COMMENT "dlltool: Node-API delay-load import library for node.exe")
add_custom_target(hcn_node_api_delaylib DEPENDS "${HCN_NODE_DELAYLIB}")
add_dependencies(${HCN_ADDON_TARGET} hcn_node_api_delaylib)

# Static C++ runtime and winpthreads: their DLLs are not on a Windows host (a missing one makes
# require fail with "The specified module could not be found").
set(HCN_WIN_STATIC_LINK -static-libgcc -static-libstdc++ -static)
target_link_libraries(${HCN_ADDON_TARGET} PRIVATE "${HCN_NODE_DELAYLIB}")
target_link_options(${HCN_ADDON_TARGET} PRIVATE ${HCN_WIN_STATIC_LINK})

# A DLL is a RUNTIME artifact on Windows; cmake-js names the LIBRARY folder.
get_target_property(_hcn_runtime_dir ${HCN_ADDON_TARGET} RUNTIME_OUTPUT_DIRECTORY)
if(CMAKE_LIBRARY_OUTPUT_DIRECTORY AND NOT _hcn_runtime_dir)
  set_target_properties(${HCN_ADDON_TARGET} PROPERTIES
                        RUNTIME_OUTPUT_DIRECTORY "${CMAKE_LIBRARY_OUTPUT_DIRECTORY}")
endif()

# -- The simulator as computenetwork.dll + vmcompute.dll --------------------------------------------

if(NOT HCN_BUILD_SIM_DLLS)
  return()
endif()

file(GLOB HCN_SIM_DLL_SOURCES CONFIGURE_DEPENDS "${HCN_WIN_ROOT}/src/sim/*.cc")
list(FILTER HCN_SIM_DLL_SOURCES EXCLUDE REGEX "/dll_exports\\.cc$")
list(APPEND HCN_SIM_DLL_SOURCES "${HCN_WIN_ROOT}/src/hcn/text.cc")
set(HCN_SIM_DLL_DIR "${CMAKE_BINARY_DIR}/sim-dll")
get_target_property(HCN_SIM_DLL_CXX_STANDARD ${HCN_ADDON_TARGET} CXX_STANDARD)
if(NOT HCN_SIM_DLL_CXX_STANDARD)
  set(HCN_SIM_DLL_CXX_STANDARD ${CMAKE_CXX_STANDARD})
endif()
if(NOT HCN_SIM_DLL_CXX_STANDARD)
  set(HCN_SIM_DLL_CXX_STANDARD 17)
endif()

# Third-party code, kept out of -Werror.
add_library(hcn_sim_simdjson OBJECT "${HCN_SIMDJSON_DIR}/simdjson.cpp")
add_library(hcn_sim_computenetwork SHARED
            ${HCN_SIM_DLL_SOURCES}
            "${HCN_WIN_ROOT}/src/sim/dll_exports.cc"
            $<TARGET_OBJECTS:hcn_sim_simdjson>
            "${HCN_WIN_ROOT}/src/win/computenetwork.def")
add_library(hcn_sim_vmcompute SHARED
            "${HCN_WIN_ROOT}/src/sim/dll_exports.cc"
            "${HCN_WIN_ROOT}/src/win/vmcompute.def")
target_compile_definitions(hcn_sim_vmcompute PRIVATE HCN_SIM_DLL_VMCOMPUTE)
# vmcompute.dll's HNSCall reaches the one simulator inside computenetwork.dll.
target_link_libraries(hcn_sim_vmcompute PRIVATE hcn_sim_computenetwork)

# Same language mode, defines and options as the simulator inside the addon (no exceptions, no
# RTTI, SIMDJSON_EXCEPTIONS=0), so the DLL is the same simulator.
foreach(_t hcn_sim_simdjson hcn_sim_computenetwork hcn_sim_vmcompute)
  set_target_properties(${_t} PROPERTIES
                        CXX_STANDARD ${HCN_SIM_DLL_CXX_STANDARD} CXX_STANDARD_REQUIRED ON)
  target_include_directories(${_t} PRIVATE "${HCN_SIMDJSON_DIR}" "${HCN_WIN_ROOT}/src")
  target_compile_definitions(${_t} PRIVATE
                             $<TARGET_PROPERTY:${HCN_ADDON_TARGET},COMPILE_DEFINITIONS>)
  target_compile_options(${_t} PRIVATE $<TARGET_PROPERTY:${HCN_ADDON_TARGET},COMPILE_OPTIONS>)
endforeach()
foreach(_dll hcn_sim_computenetwork hcn_sim_vmcompute)
  string(REPLACE "hcn_sim_" "" _name ${_dll})
  set_target_properties(${_dll} PROPERTIES
                        PREFIX "" OUTPUT_NAME ${_name}
                        RUNTIME_OUTPUT_DIRECTORY "${HCN_SIM_DLL_DIR}"
                        ARCHIVE_OUTPUT_DIRECTORY "${HCN_SIM_DLL_DIR}")
  # Strings come from CoTaskMemAlloc, so callers free them with CoTaskMemFree as on Windows.
  target_compile_definitions(${_dll} PRIVATE HCN_SIM_COTASKMEM)
  target_compile_options(${_dll} PRIVATE -Wall -Werror)
  target_link_libraries(${_dll} PRIVATE ole32)
  target_link_options(${_dll} PRIVATE ${HCN_WIN_STATIC_LINK})
endforeach()
