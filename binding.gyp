# node-gyp build of the addon (npm install without a matching prebuild, and prebuildify).
# CMakeLists.txt builds the same sources with the same defines; keep the two in step.
{
  'variables': {
    'simdjson_dir': "<!(node -p \"require('path').relative('.', require('path').dirname(require.resolve('@nozbe/simdjson/package.json'))).split(require('path').sep).join('/') || '.'\")",
    'hcn_sdk_version': "<!(node -p \"require('./package.json').version\")",
  },
  'targets': [
    {
      'target_name': 'hcn_sdk',
      'sources': [
        'src/addon.cc',
        '<!@(node -p "require(\'fs\').readdirSync(\'src/bridge\').filter(f => f.endsWith(\'.cc\')).map(f => \'src/bridge/\' + f).join(\' \')")',
        'src/hcn/function_names.cc',
        'src/hcn/text.cc',
        # The simulator: every src/sim/*.cc except the stand-alone DLL's export shims.
        '<!@(node -p "require(\'fs\').readdirSync(\'src/sim\').filter(f => f.endsWith(\'.cc\') && f !== \'dll_exports.cc\').map(f => \'src/sim/\' + f).join(\' \')")',
        '<(simdjson_dir)/src/simdjson.cpp',
      ],
      'include_dirs': [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        '<(simdjson_dir)/src',
      ],
      'defines': [
        'NAPI_VERSION=8',
        'NAPI_DISABLE_CPP_EXCEPTIONS',
        'NODE_ADDON_API_DISABLE_DEPRECATED',
        'SIMDJSON_EXCEPTIONS=0',
        'HCN_SDK_VERSION=<(hcn_sdk_version)',
      ],
      'cflags!': ['-fexceptions'],
      'cflags_cc!': ['-fexceptions', '-std=gnu++14', '-std=gnu++17'],
      'cflags_cc': ['-std=c++17', '-fno-exceptions'],
      'conditions': [
        ['OS=="win"', {
          'sources': ['src/hcn/loader_win.cc'],
          'defines': ['_HAS_EXCEPTIONS=0', 'WIN32_LEAN_AND_MEAN', 'NOMINMAX', 'UNICODE', '_UNICODE'],
          'libraries': ['ole32.lib'],
          # Hardening as node-pty ships it: Spectre-mitigated code, Control Flow Guard, SDL checks.
          'msvs_configuration_attributes': {
            'SpectreMitigation': 'Spectre',
          },
          'msvs_settings': {
            'VCCLCompilerTool': {
              'ExceptionHandling': 0,
              'AdditionalOptions': ['/std:c++17', '/guard:cf', '/Qspectre', '/sdl', '/W3', '/utf-8'],
            },
            'VCLinkerTool': {
              'AdditionalOptions': ['/guard:cf', '/DYNAMICBASE'],
            },
          },
        }, {
          'sources': ['src/hcn/loader_posix.cc'],
        }],
        ['OS=="mac"', {
          'xcode_settings': {
            'CLANG_CXX_LANGUAGE_STANDARD': 'c++17',
            'CLANG_CXX_LIBRARY': 'libc++',
            'GCC_ENABLE_CPP_EXCEPTIONS': 'NO',
            'MACOSX_DEPLOYMENT_TARGET': '10.15',
          },
        }],
      ],
    },
  ],
}
