import { assertRunner } from './runner-guard.js'

// Evaluated first, so Vitest users get advice instead of a confusing failure.
assertRunner('jest')
