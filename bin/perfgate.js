#!/usr/bin/env node
// The `perfgate` command (see `perfgate --help`).
import { runCli } from '../dist/cli.js'

process.exitCode = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr })
