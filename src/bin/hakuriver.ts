#!/usr/bin/env node
/**
 * Executable entry of `hakuriver`.
 */
import { runCli } from "../main.js";

process.exitCode = await runCli(process.argv.slice(2));
