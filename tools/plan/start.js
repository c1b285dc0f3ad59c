#!/usr/bin/env node
// `npm start`: type-checks and builds what the offline plan runs (tsconfig.plan.json: index.ts,
// the program and tools/plan), only when a source changed and incrementally, then plans in this
// same process. See freshBuild.js. Plain JavaScript on purpose: it must run before anything is
// compiled.
"use strict";
const path = require("path");
const { freshTool, isFresh, layout } = require("./freshBuild");

module.exports = { isFresh, layout };

if (require.main === module) {
    freshTool(path.resolve(__dirname, "..", ".."), "plan").main(process.argv.slice(2));
}
