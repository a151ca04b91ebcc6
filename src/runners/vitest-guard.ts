import { assertRunner } from './runner-guard.js'

// Evaluated before 'vitest' itself, so Jest users get advice instead of Vitest's own error.
assertRunner('vitest')
