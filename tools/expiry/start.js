#!/usr/bin/env node
// `npm run check-expiry`: type-checks and builds the expiry check (tools/expiry/tsconfig.json:
// nothing but the check, its flags and the date parser), only when a source changed, then runs it
// in this same process. See tools/plan/freshBuild.js.
"use strict";
const path = require("path");
const { freshTool } = require("../plan/freshBuild");

if (require.main === module) {
    freshTool(path.resolve(__dirname, "..", ".."), "expiry").main(process.argv.slice(2));
}
