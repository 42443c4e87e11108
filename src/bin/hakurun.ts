#!/usr/bin/env node
/**
 * Executable entry of `hakurun` (local parameter sweeps).
 */
import { runHakurun } from "../hakurun/main.js";

process.exitCode = await runHakurun(process.argv.slice(2));
