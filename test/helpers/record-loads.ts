/**
 * `node --import dist/test/helpers/record-loads.js SCRIPT`: appends the URL of
 * every module the ES loader loads (files and `node:` builtins) to the file
 * named by HAKURIVER_TEST_LOADS, one a line: evidence of what a command line
 * loads (see test/e2e/cli-start.test.ts).
 */
import { register } from "node:module";

register("./record-loads-hooks.js", import.meta.url);
