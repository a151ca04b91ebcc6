export { renderHtml } from './html.js'
export { failed, recordsOfKind, reportVersion } from './model.js'
export type { RunReport, StaleBaselines } from './model.js'
