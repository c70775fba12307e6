// Builds dashboard/assets/plotly-forecaster.min.js: see README.md beside this file.
const path = require('path');
// PLOTLY_DIR: the unpacked npm package plotly.js@4.1.1 with its dependencies installed;
// TOOLS_DIR: node_modules holding esbuild and the plugins plotly.js builds with.
const root = process.env.PLOTLY_DIR;
const T = path.join(process.env.TOOLS_DIR, 'node_modules') + '/';
const out = process.env.OUT || path.join(__dirname, '..', 'assets', 'plotly-forecaster.min.js');
const esbuild = require(T + 'esbuild');
const { glsl } = require(T + 'esbuild-plugin-glsl');
const InlineCSSPlugin = require(T + 'esbuild-plugin-inline-css');
const { environmentPlugin } = require(T + 'esbuild-plugin-environment');
esbuild.build({
    entryPoints: [path.join(root, 'lib/index-forecaster.js')],
    outfile: out,
    format: 'iife', globalName: 'Plotly', bundle: true, minify: true, sourcemap: false,
    plugins: [InlineCSSPlugin(), glsl({ minify: true }), environmentPlugin({ NODE_DEBUG: false })],
    alias: { regl: '@plotly/regl', stream: 'stream-browserify' },
    define: { global: 'window', 'define.amd': 'false' },
    target: 'es2016', logLevel: 'info', absWorkingDir: root, nodePaths: [path.join(root, 'node_modules'), path.join(process.env.TOOLS_DIR, 'node_modules')],
    legalComments: 'eof',
    banner: { js: '/**\n* plotly.js (forecaster partial bundle: scatter, bar, waterfall, scattergl - minified) v4.1.1\n* Copyright 2012-2026, Plotly, Inc.\n* All rights reserved.\n* Licensed under the MIT license\n* Built from the npm package plotly.js@4.1.1 (lib/core, lib/bar, lib/waterfall, lib/scattergl)\n* with esbuild 0.28.2 and plotly.js\'s own esbuild settings: see dashboard/plotly_bundle/README.md\n*/\n(\n function(root, factory) {\n  if (typeof module === "object" && module.exports) {\n   module.exports = factory();\n  } else {\n   root.moduleName = factory();\n  }\n} (typeof self !== "undefined" ? self : this, () => {' },
    footer: { js: 'window.Plotly = Plotly;\nreturn Plotly;\n}));' },
}).catch((e) => { console.error(e); process.exit(1); });
